import pytest

import bookmarks_create
import bookmarks_get
import bookmarks_stats
import redirect
from tests.conftest import DOMAIN, call, make_event

ROW = {"id", "url", "short_code", "short_url", "visits", "last_visited_at"}


def create(account, url):
    status, body, _ = call(bookmarks_create.lambda_handler, make_event(
        "POST /api/v1/bookmarks", body={"url": url, "body": "not in stats"}, token=account.access))
    assert status == 201, body
    return body


def stats(account, query=None):
    return call(bookmarks_stats.lambda_handler,
                make_event("GET /api/v1/bookmarks/stats", query=query, token=account.access))


def visit(code, method="GET"):
    return call(redirect.lambda_handler,
                make_event(f"{method} /{{short_code}}", path_params={"short_code": code}))


def test_stats_rows_have_exactly_the_visit_fields(alice):
    created = create(alice, "https://example.com/")

    status, body, _ = stats(alice)

    assert status == 200
    assert body["data"] == [{"id": created["id"], "url": "https://example.com/", "short_code": created["short_code"],
                             "short_url": f"https://{DOMAIN}/{created['short_code']}", "visits": 0,
                             "last_visited_at": None}]
    assert set(body["data"][0]) == ROW


def test_visits_through_the_redirect_show_on_the_bookmark_and_in_stats(alice):
    opened = create(alice, "https://example.com/opened")
    never = create(alice, "https://example.com/never")
    for _ in range(3):
        assert visit(opened["short_code"])[0] == 302

    rows = {row["id"]: row for row in stats(alice)[1]["data"]}

    assert rows[opened["id"]]["visits"] == 3
    assert rows[opened["id"]]["last_visited_at"] is not None
    assert rows[never["id"]]["visits"] == 0
    assert rows[never["id"]]["last_visited_at"] is None
    bookmark = call(bookmarks_get.lambda_handler, make_event(
        "GET /api/v1/bookmarks/{id}", path_params={"id": opened["id"]}, token=alice.access))[1]
    assert bookmark["visits"] == 3
    assert bookmark["last_visited_at"] == rows[opened["id"]]["last_visited_at"]


def test_stats_page_like_the_list_with_the_same_meta(alice):
    ids = [create(alice, f"https://example.com/{i}")["id"] for i in range(7)][::-1]

    pages = [stats(alice, {"page": n, "per_page": 3})[1] for n in (1, 2, 3, 4)]

    assert [[row["id"] for row in page["data"]] for page in pages] == [ids[:3], ids[3:6], ids[6:], []]
    meta = pages[1]["meta"]
    assert {k: v for k, v in meta.items() if k != "next_cursor"} == {
        "page": 2, "per_page": 3, "pages": 3, "total_count": 7, "prev_page": 1, "next_page": 3,
        "has_prev": True, "has_next": True}
    assert pages[2]["meta"]["next_cursor"] is None


def test_stats_walk_by_cursor(alice):
    ids = [create(alice, f"https://example.com/{i}")["id"] for i in range(5)][::-1]
    first = stats(alice, {"per_page": 2})[1]

    second = stats(alice, {"per_page": 2, "cursor": first["meta"]["next_cursor"]})[1]
    third = stats(alice, {"per_page": 2, "cursor": second["meta"]["next_cursor"]})[1]

    assert [row["id"] for page in (first, second, third) for row in page["data"]] == ids
    assert second["meta"]["page"] is None
    assert third["meta"]["next_cursor"] is None


def test_an_empty_stats_has_no_pages(alice):
    status, body, _ = stats(alice)

    assert status == 200
    assert body["data"] == []
    assert body["meta"]["pages"] == 0
    assert body["meta"]["total_count"] == 0


@pytest.mark.parametrize("query", ["page=0", "per_page=101", "page=x", "page=1&page=2", "cursor=forged"])
def test_stats_refuse_bad_paging_with_400(alice, query):
    status, body, _ = stats(alice, query)

    assert status == 400
    assert body["status"] == 400


def test_stats_show_only_the_callers_bookmarks(alice, bob):
    create(alice, "https://example.com/")

    status, body, _ = stats(bob)

    assert status == 200
    assert body["data"] == []
