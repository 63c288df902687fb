"""Hot links (docs/performance.md): a link whose visits of one UTC day reach HOT_LINK_VISITS spreads its count over
COUNTER_SHARDS counter items, each visit writing one; its totals, list entry and per-day series are their sums,
exact under concurrency and across midnight. A capped link keeps one counter; capping a hot link folds its
counters into the main one, so the cap is still one exact condition. Deletion takes every counter."""
import dataclasses
import os
import random
from unittest import mock

import pytest

import auth_delete
import bookmarks_delete
import bookmarks_list
import bookmarks_patch
from bookmarker.errors import BookmarkChanged
from bookmarker.store import bookmarks as store
from bookmarker.store import visits as visits_store
from bookmarker.store.bookmarks import ShortLink
from ops.check_data import check
from tests.conftest import at_once, call, make_event
from tests.faults import THROTTLING, fail_call
from tests.handlers.test_bookmarks_visits import SLACK, at, hit, per_day

SHARDS = 8


@pytest.fixture
def hot_after(with_settings):
    """Links turn hot at this many visits in a day, over 8 counters."""
    def apply(visits: int) -> None:
        with_settings(HOT_LINK_VISITS=visits, COUNTER_SHARDS=SHARDS)
    return apply


def counters(tables, owner: str, bookmark_id: str) -> dict[str, dict]:
    out = tables.query(TableName=os.environ["BOOKMARKS_TABLE"], ConsistentRead=True,
                       KeyConditionExpression="pk = :o AND begins_with(sk, :v)",
                       ExpressionAttributeValues={":o": {"S": owner}, ":v": {"S": f"B#{bookmark_id}#V"}})
    return {item["sk"]["S"]: item for item in out["Items"]}


def shards_of(tables, owner: str, bookmark_id: str) -> int | None:
    item = tables.get_item(TableName=os.environ["BOOKMARKS_TABLE"],
                           Key={"pk": {"S": owner}, "sk": {"S": f"B#{bookmark_id}"}})["Item"]
    return int(item["counter_shards"]["N"]) if "counter_shards" in item else None


def patch(account, bookmark_id: str, body: dict, expect: int = 200) -> dict:
    status, out, _ = call(bookmarks_patch.lambda_handler, make_event(
        "PATCH /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, body=body, token=account.access))
    assert status == expect, out
    return out


def no_problems(tables) -> None:
    found = check(tables, os.environ["USERS_TABLE"], os.environ["BOOKMARKS_TABLE"], os.environ["API_TOKENS_TABLE"])
    assert found.problems == []


def test_a_link_turns_hot_at_the_threshold_and_8_counters_count_400_concurrent_hits_exactly(
        tables, alice, make_bookmark, get_bookmark, hot_after):
    hot_after(3)
    with at("2026-11-30T08:00:00+00:00"):
        saved = make_bookmark(alice)
        code = saved["short_code"]
        assert [hit(code), hit(code)] == [302, 302]
        assert shards_of(tables, alice.id, saved["id"]) is None and len(counters(tables, alice.id,
                                                                                      saved["id"])) == 1
        assert hit(code) == 302  # the day's third: the link turns hot
        assert shards_of(tables, alice.id, saved["id"]) == SHARDS
        assert len(counters(tables, alice.id, saved["id"])) == SHARDS

    with at("2026-11-30T23:59:59+00:00"):  # 200 before midnight, a tenth of them link previews
        before = at_once([lambda: hit(code)] * 180 + [lambda: hit(code, user_agent=SLACK)] * 20)
    with at("2026-12-01T00:00:01+00:00"):  # 200 after: each counter rolls its own day over
        after = at_once([lambda: hit(code)] * 180 + [lambda: hit(code, user_agent=SLACK)] * 20)

    assert before + after == [302] * 400
    items = counters(tables, alice.id, saved["id"])
    assert sum(int(i.get("visits", {}).get("N", "0")) for i in items.values()) == 3 + 360
    assert all(int(i.get("visits", {}).get("N", "0")) > 0 for i in items.values())  # each took a share
    totals = get_bookmark(alice, saved["id"])
    assert (totals["visits"], totals["bot_visits"]) == (363, 40)
    with at("2026-12-01T12:00:00+00:00"):
        rows = per_day(alice, saved["id"], {"from": "2026-11-29", "to": "2026-12-01"})["data"]
    assert [(r["date"], r["visits"], r["bot_visits"]) for r in rows] == [
        ("2026-11-29", 0, 0), ("2026-11-30", 183, 20), ("2026-12-01", 180, 20)]
    listed = call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks", token=alice.access))[1]
    assert [(b["id"], b["visits"], b["bot_visits"]) for b in listed["data"]] == [(saved["id"], 363, 40)]
    no_problems(tables)


def test_a_list_page_of_hot_links_still_holds_per_page_bookmarks(tables, alice, make_bookmark, hot_after):
    hot_after(1)
    made = [make_bookmark(alice) for _ in range(5)]
    for saved in made:
        assert hit(saved["short_code"]) == 302  # each turns hot: 9 items a bookmark
    seen, cursor = [], None
    while True:
        query = {"per_page": "2", **({"cursor": cursor} if cursor else {})}
        page = call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks", query=query,
                                                              token=alice.access))[1]
        assert len(page["data"]) == 2 or not page["meta"]["next_cursor"]
        seen += [(b["id"], b["visits"]) for b in page["data"]]
        if not (cursor := page["meta"]["next_cursor"]):
            break

    assert seen == [(b["id"], 1) for b in reversed(made)]


def test_a_capped_link_keeps_one_counter(tables, alice, make_bookmark, hot_after):
    hot_after(3)
    saved = make_bookmark(alice)
    patch(alice, saved["id"], {"max_visits": 10})

    statuses = at_once([lambda: hit(saved["short_code"])] * 15)

    assert sorted(statuses) == [302] * 10 + [410] * 5
    assert shards_of(tables, alice.id, saved["id"]) is None
    assert len(counters(tables, alice.id, saved["id"])) == 1


def test_capping_a_hot_link_folds_its_counters_and_the_cap_is_exact(tables, alice, make_bookmark, get_bookmark,
                                                                    hot_after):
    hot_after(2)
    with at("2026-11-30T22:00:00+00:00"):
        saved = make_bookmark(alice)
        code = saved["short_code"]
        assert at_once([lambda: hit(code)] * 40 + [lambda: hit(code, user_agent=SLACK)] * 5) == [302] * 45
    with at("2026-12-01T01:00:00+00:00"):
        assert at_once([lambda: hit(code)] * 20) == [302] * 20
        assert patch(alice, saved["id"], {"max_visits": 65})["visits"] == 60

        assert shards_of(tables, alice.id, saved["id"]) is None
        statuses = at_once([lambda: hit(code)] * 12)

    assert sorted(statuses) == [302] * 5 + [410] * 7
    items = counters(tables, alice.id, saved["id"])
    main = items[f"B#{saved['id']}#V"]
    assert int(main["visits"]["N"]) == 65  # the cap's condition saw every visit
    assert all(int(i.get("visits", {}).get("N", "0")) == 0 for sk, i in items.items() if sk != f"B#{saved['id']}#V")
    totals = get_bookmark(alice, saved["id"])
    assert (totals["visits"], totals["bot_visits"]) == (65, 5)
    with at("2026-12-01T12:00:00+00:00"):
        rows = per_day(alice, saved["id"], {"from": "2026-11-30", "to": "2026-12-01"})["data"]
    assert [(r["visits"], r["bot_visits"]) for r in rows] == [(40, 5), (25, 0)]
    no_problems(tables)
    patch(alice, saved["id"], {"max_visits": None})  # lifted: it may turn hot again, on its counters kept
    with at("2026-12-01T02:00:00+00:00"):
        assert [hit(code), hit(code)] == [302, 302]
    assert get_bookmark(alice, saved["id"])["visits"] == 67
    no_problems(tables)


def test_deleting_a_hot_link_or_its_account_leaves_no_counter(tables, alice, bob, make_bookmark, hot_after):
    hot_after(1)
    mine, bobs = make_bookmark(alice), make_bookmark(bob)
    assert [hit(mine["short_code"]), hit(bobs["short_code"])] == [302, 302]
    assert len(counters(tables, alice.id, mine["id"])) == SHARDS

    status, _, _ = call(bookmarks_delete.lambda_handler, make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": mine["id"]}, token=alice.access))
    assert status == 204
    assert counters(tables, alice.id, mine["id"]) == {}
    status, _, _ = call(auth_delete.lambda_handler, make_event(
        "DELETE /api/v1/auth/me", token=bob.access, body={"password": bob.password}))
    assert status == 204
    left = tables.query(TableName=os.environ["BOOKMARKS_TABLE"], KeyConditionExpression="pk = :o",
                        ExpressionAttributeValues={":o": {"S": bob.id}})["Items"]
    assert left == []
    no_problems(tables)


def test_a_failed_turn_counts_the_visit_and_leaves_the_link_as_it_was(tables, alice, make_bookmark, get_bookmark,
                                                                      hot_after):
    hot_after(1)
    saved = make_bookmark(alice)
    with fail_call(1, THROTTLING, operation="TransactWriteItems"):
        assert hit(saved["short_code"]) == 302

    assert shards_of(tables, alice.id, saved["id"]) is None
    assert get_bookmark(alice, saved["id"])["visits"] == 1
    no_problems(tables)


# ---- races, staged: each step where the code would meet the other --------------------------------------------

def test_a_cap_read_before_the_link_turned_hot_is_refused_then_holds_exactly(tables, alice, make_bookmark, hot_after):
    hot_after(3)
    saved = make_bookmark(alice)
    code = saved["short_code"]
    assert [hit(code), hit(code)] == [302, 302]
    read = store.get_bookmark(alice.id, saved["id"])  # a PATCH's read: one counter
    assert [hit(code) for _ in range(25)] == [302] * 25  # the third turns the link hot, the rest spread

    with pytest.raises(BookmarkChanged):  # its write: the counters it did not read would escape the cap
        store.replace_bookmark(read, dataclasses.replace(read, max_visits=30))
    assert patch(alice, saved["id"], {"max_visits": 30})["visits"] == 27  # read again: folded

    assert sorted(hit(code) for _ in range(10)) == [302] * 3 + [410] * 7
    assert shards_of(tables, alice.id, saved["id"]) is None
    no_problems(tables)


def test_a_cap_between_a_counters_refused_write_and_its_rollover_counts_each_day_once(
        tables, alice, make_bookmark, get_bookmark, hot_after):
    hot_after(1)
    with at("2026-11-30T08:00:00+00:00"):
        saved = make_bookmark(alice)
        assert hit(saved["short_code"]) == 302  # turns hot
        with mock.patch.object(random, "randrange", lambda n: 3):
            assert [hit(saved["short_code"]) for _ in range(10)] == [302] * 10  # on counter 3, that day
    rolled_over = visits_store._rolled_over

    def capped_first(*args, **kwargs):  # the cap commits after the visit read the counter's day (ALL_OLD)
        patch(alice, saved["id"], {"max_visits": 1000})
        return rolled_over(*args, **kwargs)

    with mock.patch.object(random, "randrange", lambda n: 3), \
            mock.patch.object(visits_store, "_rolled_over", capped_first), at("2026-12-01T00:00:01+00:00"):
        assert hit(saved["short_code"]) == 302  # the index still says hot: counter 3, the next day's first

    assert get_bookmark(alice, saved["id"])["visits"] == 12
    with at("2026-12-01T12:00:00+00:00"):
        rows = per_day(alice, saved["id"], {"from": "2026-11-30", "to": "2026-12-01"})["data"]
    assert [(r["date"], r["visits"]) for r in rows] == [("2026-11-30", 11), ("2026-12-01", 1)]
    no_problems(tables)


def test_an_accounts_deletion_takes_every_counter_with_its_bookmark(tables, bob, make_bookmark, hot_after):
    hot_after(1)
    saved = make_bookmark(bob)
    assert hit(saved["short_code"]) == 302  # turns hot
    swept, left_after = store._sweep, []

    def sweep_and_look(owner, group):  # no counter may outlive its bookmark's transaction (a visit could count)
        swept(owner, group)
        left_after.append(sorted(counters(tables, bob.id, saved["id"])))

    with mock.patch.object(store, "_sweep", sweep_and_look):
        status, _, _ = call(auth_delete.lambda_handler, make_event(
            "DELETE /api/v1/auth/me", token=bob.access, body={"password": bob.password}))

    assert status == 204 and left_after == [[]]
    link = ShortLink(bob.id, saved["id"], saved["url"], shards=SHARDS)  # a stale index entry, still hot
    with pytest.raises(visits_store.LinkGone):
        visits_store.count_visit(link, "2026-12-01T00:00:01.000Z")


def test_a_link_turns_hot_on_a_days_first_visit_when_that_is_the_threshold(tables, alice, make_bookmark, hot_after):
    hot_after(1)
    with at("2026-11-29T08:00:00+00:00"):
        saved = make_bookmark(alice)
    with at("2026-11-30T08:00:00+00:00"):  # the counter holds the 29th: this visit rolls it over
        assert hit(saved["short_code"]) == 302

    assert shards_of(tables, alice.id, saved["id"]) == SHARDS
