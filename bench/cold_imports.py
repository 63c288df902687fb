"""Cold-start imports per function: ms above a bare interpreter, median of 5 fresh processes each."""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def _ms(code: str) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "functions")]),
           "PYTHONDONTWRITEBYTECODE": "0"}
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run() -> None:
    bare = _ms("pass")
    print(f"bare interpreter: {bare:.0f} ms (subtracted below)")
    functions = sorted(p.stem for p in (ROOT / "functions").glob("*.py"))
    figures = {name: _ms(f"import {name}") - bare for name in functions}
    for name, ms in sorted(figures.items(), key=lambda kv: kv[1]):
        print(f"  {name:<20} {ms:6.0f} ms")
    heaviest = max(figures.values())
    print(f"redirect / heaviest handler: {figures['redirect'] / heaviest:.2f}")
