"""`make bench`: every benchmark in turn, each printing its figures; then one table of them all."""
import sys

from bench import cold_imports, costs, finding, paging, redirect, sizes, transfer, warm


def main() -> int:
    table: list[tuple[str, str]] = []
    # warm before costs: its CPU times feed the cost model (bench/costs.py)
    for bench in (cold_imports, warm, redirect, costs, sizes, paging, finding, transfer):
        print(f"\n== {bench.__name__} ==", flush=True)
        table += bench.run()
    print("\n== the figures of this run, in one table ==")
    width = max(len(what) for what, _ in table)
    for what, figure in table:
        print(f"{what:<{width}}  {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
