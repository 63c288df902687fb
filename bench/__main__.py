"""`make bench`: every benchmark in turn, each printing its figures."""
import sys

from bench import cold_imports, costs, finding, paging, redirect, transfer


def main() -> int:
    for bench in (cold_imports, redirect, costs, paging, finding, transfer):
        print(f"\n== {bench.__name__} ==", flush=True)
        bench.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
