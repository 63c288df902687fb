"""Deep pages: page-number paging reads everything before the page; a cursor costs the same at any depth."""
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.harness import LocalApi

BOOKMARKS, PER_PAGE, REPEAT = 400, 10, 5


def _best_ms(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


def run() -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as state:
        api = LocalApi(Path(state)).start()
        try:
            client = api.client
            assert client is not None  # start() opened it
            headers = {"authorization": f"Bearer {api.signup('pager')}"}
            for i in range(BOOKMARKS):
                client.post("/api/v1/bookmarks", json={"url": f"https://example.com/{i}"}, headers=headers)
            last_page = BOOKMARKS // PER_PAGE
            cursors, params = [], {"per_page": PER_PAGE}
            for _ in range(last_page - 1):  # walk once to hold the cursor of the last page
                meta = client.get("/api/v1/bookmarks", params=params, headers=headers).json()["meta"]
                cursors.append(meta["next_cursor"])
                params = {"per_page": PER_PAGE, "cursor": meta["next_cursor"]}

            def get(**query: int | str) -> Callable[[], httpx.Response]:
                return lambda: client.get("/api/v1/bookmarks", params={"per_page": PER_PAGE, **query},
                                          headers=headers).raise_for_status()

            first = _best_ms(get(page=1))
            deep_page = _best_ms(get(page=last_page))
            deep_cursor = _best_ms(get(cursor=cursors[-1]))
        finally:
            api.stop()
    print(f"{BOOKMARKS} bookmarks, {PER_PAGE} a page, best of {REPEAT}:")
    print(f"  page 1: {first:.1f} ms; page {last_page} by number: {deep_page:.1f} ms; "
          f"page {last_page} by cursor: {deep_cursor:.1f} ms")
    print(f"  deep/first by number: {deep_page / first:.2f}; deep/first by cursor: {deep_cursor / first:.2f}")
    return [(f"list page {last_page} / page 1 ({BOOKMARKS} bookmarks)",
             f"{deep_page / first:.2f}x by page number, {deep_cursor / first:.2f}x by cursor")]
