"""Bookmarks and short links over real HTTP, against the local API."""
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.helpers import new_user
from tests.harness import PERSON


@pytest.fixture
def token(local_api) -> str:
    return new_user(local_api.client).access


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def test_eleven_bookmarks_at_five_a_page(local_api, token):
    c = local_api.client
    made = [c.post("/api/v1/bookmarks", headers=bearer(token), json={"url": f"https://example.com/{i}"}).json()
            for i in range(11)]

    pages = [c.get("/api/v1/bookmarks", params={"page": p}, headers=bearer(token)).json() for p in (1, 2, 3)]

    assert [len(p["data"]) for p in pages] == [5, 5, 1]
    assert [b["id"] for p in pages for b in p["data"]] == [b["id"] for b in reversed(made)]
    assert pages[0]["meta"] | {"next_cursor": None} == {
        "page": 1, "per_page": 5, "pages": 3, "total_count": 11, "prev_page": None, "next_page": 2,
        "has_prev": False, "has_next": True, "next_cursor": None}


def test_fifty_concurrent_redirects_count_fifty_visits(local_api, token):
    c = local_api.client
    made = c.post("/api/v1/bookmarks", headers=bearer(token), json={"url": "https://example.com/hot"}).json()

    def hit(_: int) -> httpx.Response:
        with httpx.Client(base_url=local_api.url, timeout=30, headers={"user-agent": PERSON}) as own:
            return own.get(f"/{made['short_code']}")

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(hit, range(50)))

    assert {a.status_code for a in answers} == {302}
    assert {a.headers["location"] for a in answers} == {"https://example.com/hot"}
    assert all(a.headers["cache-control"] == "no-store" for a in answers)
    after = c.get(f"/api/v1/bookmarks/{made['id']}", headers=bearer(token)).json()
    assert after["visits"] == 50
    assert after["last_visited_at"] is not None
    stats = c.get("/api/v1/bookmarks/stats", headers=bearer(token)).json()["data"]
    assert [s["visits"] for s in stats if s["id"] == made["id"]] == [50]


def test_parallel_creates_of_one_url_save_it_once(local_api, token):
    def create(_: int) -> int:
        with httpx.Client(base_url=local_api.url, timeout=30, headers={"user-agent": PERSON}) as own:
            return own.post("/api/v1/bookmarks/", headers=bearer(token),
                            json={"url": "https://example.com/once"}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(create, range(8)))

    assert statuses == [201] + [409] * 7
    listed = local_api.client.get("/api/v1/bookmarks/", headers=bearer(token)).json()
    assert listed["meta"]["total_count"] == 1


def test_another_users_bookmark_is_404_for_every_method(local_api, token):
    c = local_api.client
    mine = c.post("/api/v1/bookmarks", headers=bearer(token), json={"url": "https://example.com/mine"}).json()
    other = new_user(c).access

    answers = [c.request(m, f"/api/v1/bookmarks/{mine['id']}", headers=bearer(other), json=body)
               for m, body in (("GET", None), ("PUT", {"url": "https://evil.example/"}),
                               ("PATCH", {"body": "x"}), ("DELETE", None))]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert c.get(f"/api/v1/bookmarks/{mine['id']}", headers=bearer(token)).json() == mine


def test_a_deleted_bookmarks_link_is_gone_for_browsers_and_clients(local_api, token):
    c = local_api.client
    made = c.post("/api/v1/bookmarks", headers=bearer(token), json={"url": "https://example.com/bye"}).json()

    deleted = c.delete(f"/api/v1/bookmarks/{made['id']}", headers=bearer(token))
    as_browser = c.get(f"/{made['short_code']}", headers={"accept": "text/html,*/*;q=0.8"})
    as_client = c.get(f"/{made['short_code']}")

    assert deleted.status_code == 204 and deleted.content == b""
    assert as_browser.status_code == 404
    assert as_browser.headers["content-type"].startswith("text/html")
    assert "<script" not in as_browser.text
    assert as_client.status_code == 404
    assert as_client.headers["content-type"] == "application/problem+json"


def test_head_does_not_count_and_short_urls_point_at_the_local_api(local_api, token):
    c = local_api.client
    made = c.post("/api/v1/bookmarks", headers=bearer(token), json={"url": "https://example.com/peek"}).json()

    peek = c.head(f"/{made['short_code']}")

    assert peek.status_code == 302
    assert made["short_url"] == f"{local_api.url}/{made['short_code']}"
    assert c.get(f"/api/v1/bookmarks/{made['id']}", headers=bearer(token)).json()["visits"] == 0
