"""Organizing over real HTTP, as the issue's client does it: a few hundred tagged bookmarks made through the local
API, then filtered, searched, sorted and paged against what was sent; a browser export imported, exported and
imported again; one Idempotency-Key retried in parallel."""
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bookmarker import netscape
from tests.e2e.helpers import new_user
from tests.harness import PERSON

FIREFOX = (Path(__file__).resolve().parents[1] / "fixtures" / "firefox-bookmarks.html").read_text(encoding="utf-8")
WORDS = ["python", "aws", "recipe", "news", "music", "travel"]


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def walk(c: httpx.Client, token: str, params: list[tuple[str, str]]) -> tuple[list[dict], int]:
    """Every page by cursor: the bookmarks, and the first page's total_count."""
    seen, cursor, total = [], None, None
    while True:
        paging = [("per_page", "50"), *([("cursor", cursor)] if cursor else [])]
        page = c.get("/api/v1/bookmarks", params=[*params, *paging], headers=bearer(token))
        assert page.status_code == 200, page.text
        body = page.json()
        seen += body["data"]
        total = body["meta"]["total_count"] if total is None else total
        if not (cursor := body["meta"]["next_cursor"]):
            return seen, total


def test_hundreds_of_tagged_bookmarks_filter_search_sort_and_page_as_sent(local_api):
    c, token, rng = local_api.client, new_user(local_api.client).access, random.Random(7)
    sent = []
    for i in range(300):  # by one import, then checked one by one against what the list answers
        tags = rng.sample(WORDS, rng.randrange(3))
        sent.append({"url": f"https://example.com/{i}", "body": f"about {rng.choice(WORDS)} #{i}", "tags": tags})
    answer = c.post("/api/v1/bookmarks/import", json=sent, headers=bearer(token))
    assert answer.json() == {"created": 300, "skipped": 0, "failed": []}
    newest_first = sent  # the file's first link is the newest

    for tag in ("python", "aws"):
        got, total = walk(c, token, [("tag", tag)])
        want = [s["url"] for s in newest_first if tag in s["tags"]]
        assert [b["url"] for b in got] == want and total == len(want)
    got, total = walk(c, token, [("tag", "python"), ("tag", "news")])
    assert [b["url"] for b in got] == [s["url"] for s in newest_first if {"python", "news"} <= set(s["tags"])]
    got, total = walk(c, token, [("q", "RECIPE")])
    assert [b["url"] for b in got] == [s["url"] for s in newest_first
                                       if "recipe" in s["body"] or "recipe" in s["tags"]]
    for s in sent[:5]:  # three visits each, in order: the most visited first
        code = next(b for b in walk(c, token, [("q", s["body"])])[0] if b["url"] == s["url"])["short_code"]
        for _ in range(3):
            assert c.get(f"/{code}").status_code == 302
    got, _ = walk(c, token, [("sort", "-visits")])
    assert {b["url"] for b in got[:5]} == {s["url"] for s in sent[:5]} and all(b["visits"] == 3 for b in got[:5])
    never, total = walk(c, token, [("visited", "false")])
    assert total == 295 and not {b["url"] for b in never} & {s["url"] for s in sent[:5]}
    tags = c.get("/api/v1/tags", headers=bearer(token)).json()["data"]
    assert {t["name"]: t["count"] for t in tags} == {w: sum(w in s["tags"] for s in sent) for w in WORDS
                                                     if any(w in s["tags"] for s in sent)}


def test_a_browser_export_imports_exports_and_imports_again_the_same(local_api):
    c = local_api.client
    first, second = new_user(c).access, new_user(c).access
    html = {"content-type": "text/html"}

    imported = c.post("/api/v1/bookmarks/import", content=FIREFOX.encode(), headers=bearer(first) | html).json()
    again = c.post("/api/v1/bookmarks/import", content=FIREFOX.encode(), headers=bearer(first) | html).json()
    exported = c.get("/api/v1/bookmarks/export", params={"format": "html"}, headers=bearer(first))
    into_fresh = c.post("/api/v1/bookmarks/import", content=exported.content, headers=bearer(second) | html).json()

    links = netscape.parse(FIREFOX, 1000)
    assert imported["created"] == len(links) - len(imported["failed"]) and again["created"] == 0
    assert exported.headers["content-type"] == "text/html; charset=utf-8"
    assert into_fresh == {"created": imported["created"], "skipped": 0, "failed": []}
    mine = {(b["url"], b["body"], tuple(b["tags"])) for b in walk(c, first, [])[0]}
    theirs = {(b["url"], b["body"], tuple(b["tags"])) for b in walk(c, second, [])[0]}
    assert mine == theirs and len(mine) == imported["created"]


def test_one_idempotency_key_retried_in_parallel_creates_one_bookmark(local_api):
    token, key = new_user(local_api.client).access, str(uuid.uuid4())

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=local_api.url, timeout=30, headers={"user-agent": PERSON}) as own:
            return own.post("/api/v1/bookmarks", json={"url": "https://example.com/once", "tags": ["x"]},
                            headers=bearer(token) | {"idempotency-key": key})

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(6)))

    created = [a.json()["id"] for a in answers if a.status_code == 201]
    assert created and len(set(created)) == 1
    assert {a.status_code for a in answers} <= {201, 409}
    assert all(a.json()["code"] == "request_in_progress" for a in answers if a.status_code == 409)
    assert len(walk(local_api.client, token, [])[0]) == 1
