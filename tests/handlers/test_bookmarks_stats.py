"""GET /api/v1/bookmarks/stats: each bookmark's visits, paged like the list.

The tables, alice's seven bookmarks and bob (who has none) are made once for the module: a test that writes does
it under a user of its own (`make_user()`), which no other test reads."""
import pytest

import bookmarks_stats
import redirect
from tests.conftest import DOMAIN, call, make_event, module_user

pytestmark = pytest.mark.usefixtures("module_tables")
ROW = {"id", "url", "short_code", "short_url", "visits", "bot_visits", "last_visited_at"}


def stats(account, query=None):
    return call(bookmarks_stats.lambda_handler,
                make_event("GET /api/v1/bookmarks/stats", query=query, token=account.access))


def visit(code, method="GET"):
    return call(redirect.lambda_handler,
                make_event(f"{method} /{{short_code}}", path_params={"short_code": code}))


alice = module_user("alice")
bob = module_user("bob")


@pytest.fixture(scope="module")
def seven(alice, make_bookmark) -> list[dict]:
    """Alice's 7 bookmarks, newest first."""
    return [make_bookmark(alice, f"https://example.com/{i}", "not in stats") for i in range(7)][::-1]


def test_stats_rows_have_exactly_the_visit_fields(alice, seven):
    status, body, _ = stats(alice)

    assert status == 200
    assert body["data"][0] == {"id": seven[0]["id"], "url": "https://example.com/6",
                               "short_code": seven[0]["short_code"],
                               "short_url": f"https://{DOMAIN}/{seven[0]['short_code']}", "visits": 0,
                               "bot_visits": 0, "last_visited_at": None}
    assert all(set(row) == ROW for row in body["data"])


def test_visits_through_the_redirect_show_on_the_bookmark_and_in_stats(make_user, make_bookmark, get_bookmark):
    carol = make_user()
    opened, never = make_bookmark(carol, "https://example.com/opened"), make_bookmark(carol, "https://example.com/never")
    for _ in range(3):
        assert visit(opened["short_code"])[0] == 302

    rows = {row["id"]: row for row in stats(carol)[1]["data"]}

    assert rows[opened["id"]]["visits"] == 3
    assert rows[opened["id"]]["last_visited_at"] is not None
    assert rows[never["id"]]["visits"] == 0
    assert rows[never["id"]]["last_visited_at"] is None
    bookmark = get_bookmark(carol, opened["id"])
    assert bookmark["visits"] == 3
    assert bookmark["last_visited_at"] == rows[opened["id"]]["last_visited_at"]


def test_stats_page_like_the_list_with_the_same_meta(alice, seven):
    ids = [b["id"] for b in seven]

    pages = [stats(alice, {"page": n, "per_page": 3})[1] for n in (1, 2, 3, 4)]

    assert [[row["id"] for row in page["data"]] for page in pages] == [ids[:3], ids[3:6], ids[6:], []]
    meta = pages[1]["meta"]
    assert {k: v for k, v in meta.items() if k != "next_cursor"} == {
        "page": 2, "per_page": 3, "pages": 3, "total_count": 7, "prev_page": 1, "next_page": 3,
        "has_prev": True, "has_next": True}
    assert pages[2]["meta"]["next_cursor"] is None


def test_stats_walk_by_cursor(alice, seven):
    first = stats(alice, {"per_page": 3})[1]

    second = stats(alice, {"per_page": 3, "cursor": first["meta"]["next_cursor"]})[1]
    third = stats(alice, {"per_page": 3, "cursor": second["meta"]["next_cursor"]})[1]

    assert [row["id"] for page in (first, second, third) for row in page["data"]] == [b["id"] for b in seven]
    assert second["meta"]["page"] is None
    assert third["meta"]["next_cursor"] is None


def test_an_empty_stats_has_no_pages(bob):
    status, body, _ = stats(bob)

    assert status == 200
    assert body["data"] == []
    assert body["meta"]["pages"] == 0
    assert body["meta"]["total_count"] == 0


# Which paging is refused is tests/unit/test_paging.py's table; here, that stats read it as the list does.
@pytest.mark.parametrize("query", ["page=0", "cursor=forged"])
def test_stats_refuse_bad_paging_with_400(alice, query):
    status, body, _ = stats(alice, query)

    assert status == 400
    assert body["status"] == 400


def test_stats_show_only_the_callers_bookmarks(seven, bob):
    status, body, _ = stats(bob)

    assert status == 200
    assert body["data"] == []
