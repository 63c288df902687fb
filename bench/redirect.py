"""The hot path through the local API: N concurrent hits on one short link -> exactly +N visits."""
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.harness import PERSON, LocalApi

HITS, THREADS = 400, 16


def run() -> None:
    with tempfile.TemporaryDirectory() as state:
        api = LocalApi(Path(state)).start()
        try:
            client = api.client
            assert client is not None  # start() opened it
            token = api.signup("bench")
            headers = {"authorization": f"Bearer {token}"}
            made = client.post("/api/v1/bookmarks", json={"url": "https://example.com/hot"}, headers=headers)
            code, bookmark_id = made.json()["short_code"], made.json()["id"]

            def hit(_: int) -> tuple[int, float]:
                with httpx.Client(base_url=api.url, timeout=30, headers={"user-agent": PERSON}) as c:
                    start = time.perf_counter()
                    status = c.get(f"/{code}").status_code
                    return status, (time.perf_counter() - start) * 1000

            start = time.perf_counter()
            with ThreadPoolExecutor(THREADS) as pool:
                results = list(pool.map(hit, range(HITS)))
            elapsed = time.perf_counter() - start
            visits = client.get(f"/api/v1/bookmarks/{bookmark_id}", headers=headers).json()["visits"]
            missed = sum("visit not counted" in line for line in api.lines)
        finally:
            api.stop()
    latencies = sorted(ms for _, ms in results)
    statuses = {s: sum(1 for r, _ in results if r == s) for s, _ in results}
    print(f"{HITS} hits from {THREADS} threads: statuses {statuses}, visits counted {visits} (expected {HITS}), "
          f"logged as not counted {missed}")
    print(f"  {HITS / elapsed:.0f} redirects/s locally; latency p50 {statistics.median(latencies):.1f} ms, "
          f"p95 {latencies[int(0.95 * len(latencies))]:.1f} ms")
    if visits + missed != HITS:
        raise SystemExit(f"visits lost without a trace: {HITS - visits - missed}")
