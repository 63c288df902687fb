"""GET /api/v1/bookmarks: pages and cursors over the caller's bookmarks, newest first.

The tables and alice's eleven bookmarks are made once for the module: a test that writes does it under a user of
its own (`make_user()`), which no other test lists."""
import base64
import json

import pytest

import bookmarks_list
from tests.conftest import call, make_event, module_user

pytestmark = pytest.mark.usefixtures("module_tables")


def listing(account, query=None):
    return call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks", query=query, token=account.access))


alice = module_user("alice")


@pytest.fixture(scope="module")
def eleven(alice, make_bookmark) -> list[dict]:
    """Alice's 11 bookmarks, newest first."""
    return [make_bookmark(alice, f"https://example.com/{i}") for i in range(11)][::-1]


# ---- page numbers --------------------------------------------------------------------------------

def test_eleven_bookmarks_at_five_a_page_are_pages_of_5_5_and_1_newest_first(alice, eleven):
    pages = [listing(alice, {"page": n, "per_page": 5}) for n in (1, 2, 3)]

    assert [status for status, _, _ in pages] == [200, 200, 200]
    assert [len(body["data"]) for _, body, _ in pages] == [5, 5, 1]
    assert [b for _, body, _ in pages for b in body["data"]] == eleven


def test_page_meta_is_exactly_as_the_contract_says(alice, eleven):
    first, middle, last = (listing(alice, {"page": n, "per_page": 5})[1]["meta"] for n in (1, 2, 3))

    assert {k: v for k, v in first.items() if k != "next_cursor"} == {
        "page": 1, "per_page": 5, "pages": 3, "total_count": 11, "prev_page": None, "next_page": 2,
        "has_prev": False, "has_next": True}
    assert {k: v for k, v in middle.items() if k != "next_cursor"} == {
        "page": 2, "per_page": 5, "pages": 3, "total_count": 11, "prev_page": 1, "next_page": 3,
        "has_prev": True, "has_next": True}
    assert last == {"page": 3, "per_page": 5, "pages": 3, "total_count": 11, "prev_page": 2, "next_page": None,
                    "has_prev": True, "has_next": False, "next_cursor": None}


def test_per_page_defaults_to_five(alice, eleven):
    status, body, _ = listing(alice)

    assert status == 200
    assert body["data"] == eleven[:5]
    assert body["meta"]["page"] == 1
    assert body["meta"]["per_page"] == 5
    assert body["meta"]["pages"] == 3


def test_a_page_past_the_end_is_200_with_empty_data(alice, eleven):
    status, body, _ = listing(alice, {"page": 4, "per_page": 5})

    assert status == 200
    assert body["data"] == []
    assert body["meta"]["page"] == 4
    assert body["meta"]["total_count"] == 11
    assert body["meta"]["has_next"] is False
    assert body["meta"]["next_page"] is None
    assert body["meta"]["next_cursor"] is None


def test_a_page_far_past_the_end_is_200_with_empty_data(alice, eleven):
    status, body, _ = listing(alice, {"page": 1000, "per_page": 100})

    assert status == 200
    assert body["data"] == []


def test_one_page_of_100_holds_everything(alice, eleven):
    status, body, _ = listing(alice, {"per_page": 100})

    assert status == 200
    assert body["data"] == eleven
    assert body["meta"]["pages"] == 1
    assert body["meta"]["has_next"] is False


def test_an_empty_list_has_no_pages(make_user):
    status, body, _ = listing(make_user())

    assert status == 200
    assert body == {"data": [], "meta": {"page": 1, "per_page": 5, "pages": 0, "total_count": 0, "prev_page": None,
                                         "next_page": None, "has_prev": False, "has_next": False,
                                         "next_cursor": None}}


def test_the_list_shows_only_the_callers_bookmarks(eleven, make_user, make_bookmark):
    bob = make_user()
    mine = make_bookmark(bob, "https://example.com/bob")

    status, body, _ = listing(bob)

    assert status == 200
    assert body["data"] == [mine]
    assert body["meta"]["total_count"] == 1


# Which paging is refused is tests/unit/test_paging.py's table; here, that the list answers it with problem JSON.
@pytest.mark.parametrize("query", ["page=0", "per_page=101"])
def test_a_non_integer_or_out_of_range_page_or_per_page_is_400(alice, query):
    status, body, headers = listing(alice, query)

    assert status == 400
    assert body["status"] == 400
    assert headers["Content-Type"] == "application/problem+json"


def test_a_repeated_paging_key_is_400(alice):
    status, body, _ = listing(alice, "page=1&page=2")

    assert status == 400
    assert body["code"] == "repeated_parameter"


def test_page_and_cursor_together_are_400(alice, eleven):
    cursor = listing(alice, {"per_page": 5})[1]["meta"]["next_cursor"]

    status, body, _ = listing(alice, {"page": 2, "cursor": cursor})

    assert status == 400
    assert body["code"] == "invalid_paging"


# ---- cursors -------------------------------------------------------------------------------------

def walk(account, per_page: int, between=lambda: None) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        status, body, _ = listing(account, {"per_page": per_page, **({"cursor": cursor} if cursor else {})})
        assert status == 200, body
        pages.append(body)
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return pages
        between()


def test_a_cursor_walk_returns_every_bookmark_once_newest_first(alice, eleven):
    pages = walk(alice, 4)

    assert [b for page in pages for b in page["data"]] == eleven
    assert [len(page["data"]) for page in pages] == [4, 4, 3]
    assert pages[-1]["meta"]["next_cursor"] is None


def test_bookmarks_created_during_a_cursor_walk_appear_only_ahead_of_it(make_user, make_bookmark):
    carol, added = make_user(), []
    seven = [make_bookmark(carol) for _ in range(7)][::-1]

    pages = walk(carol, 3, lambda: added.append(make_bookmark(carol)))

    assert [b["id"] for page in pages for b in page["data"]] == [b["id"] for b in seven]
    assert len(added) == 2
    assert listing(carol, {"per_page": 2})[1]["data"] == added[::-1]


def test_cursor_mode_meta_has_no_page_number(alice, eleven):
    cursor = listing(alice, {"per_page": 5})[1]["meta"]["next_cursor"]

    status, body, _ = listing(alice, {"cursor": cursor, "per_page": 5})

    assert status == 200
    assert body["data"] == eleven[5:10]
    meta = body["meta"]
    assert meta["page"] is None
    assert meta["prev_page"] is None
    assert meta["next_page"] is None
    assert meta["per_page"] == 5
    assert meta["total_count"] == 11
    assert meta["pages"] == 3
    assert meta["has_next"] is True
    assert isinstance(meta["next_cursor"], str)


def test_a_cursor_ending_exactly_at_the_last_bookmark_gives_an_empty_last_page(make_user, make_bookmark):
    carol = make_user()
    for _ in range(4):
        make_bookmark(carol)
    first = listing(carol, {"per_page": 2})[1]

    status, second, _ = listing(carol, {"per_page": 2, "cursor": first["meta"]["next_cursor"]})

    assert status == 200
    assert len(second["data"]) == 2
    assert second["meta"]["next_cursor"] is None
    assert second["meta"]["has_next"] is False


def _edit_payload(cursor: str, **changes) -> str:
    payload_b64, _, sig = cursor.partition(".")
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    edited = base64.urlsafe_b64encode(json.dumps({**payload, **changes}, separators=(",", ":")).encode())
    return edited.rstrip(b"=").decode() + "." + sig


def _edit_signature(cursor: str) -> str:
    payload, _, sig = cursor.partition(".")
    return payload + "." + ("A" if sig[0] != "A" else "B") + sig[1:]


# Which cursors are refused is tests/unit/test_paging.py's table; here, that the list checks the one it is sent.
@pytest.mark.parametrize("forge", [
    lambda c, e: _edit_payload(c, a=e[1]["id"]),
    lambda c, e: _edit_signature(c),
], ids=["edited-position", "edited-signature"])
def test_a_forged_cursor_is_400_invalid_cursor(alice, eleven, forge):
    cursor = listing(alice, {"per_page": 5})[1]["meta"]["next_cursor"]

    status, body, _ = listing(alice, {"cursor": forge(cursor, eleven)})

    assert status == 400
    assert body["code"] == "invalid_cursor"


def test_another_users_cursor_is_400_invalid_cursor(alice, eleven, make_user, make_bookmark):
    bob = make_user()
    for _ in range(3):
        make_bookmark(bob)
    bobs_cursor = listing(bob, {"per_page": 1})[1]["meta"]["next_cursor"]

    status, body, _ = listing(alice, {"cursor": bobs_cursor})

    assert status == 400
    assert body["code"] == "invalid_cursor"
