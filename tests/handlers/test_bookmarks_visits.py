"""GET /api/v1/bookmarks/{id}/visits: a bookmark's visits and bot visits per UTC day, as the redirect counted them
(docs/api.md, link controls): zeros filled in, oldest first, the 30 days ending today by default, at most 366; the
day counted only once its total was, so the days never add up past the total; the days go with the bookmark."""
import datetime as dt
import os
from unittest import mock

import pytest

import auth_delete
import bookmarks_delete
import bookmarks_patch
import bookmarks_visits
import redirect
from bookmarker import clock
from tests.conftest import at_once, call, make_event
from tests.faults import THROTTLING, fail_call

ROUTE = "GET /api/v1/bookmarks/{id}/visits"
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


def hit(code: str, *, user_agent: str | None = None) -> int:
    headers = {"user-agent": user_agent} if user_agent else {}
    return call(redirect.lambda_handler, make_event("GET /{short_code}", path_params={"short_code": code},
                                                    headers=headers))[0]


def per_day(account, bookmark_id: str, query=None, expect: int = 200):
    status, body, _ = call(bookmarks_visits.lambda_handler, make_event(ROUTE, path_params={"id": bookmark_id},
                                                                       query=query, token=account.access))
    assert status == expect, body
    return body


def at(moment: str):
    """The service's clock (bookmarker.clock) at this moment (ISO 8601), standing still; tokens keep real time."""
    return mock.patch.object(clock, "now", lambda: dt.datetime.fromisoformat(moment).astimezone(dt.UTC))


def day_items(tables, owner: str) -> list[str]:
    out = tables.query(TableName=os.environ["BOOKMARKS_TABLE"],
                       KeyConditionExpression="pk = :o AND begins_with(sk, :d)",
                       ExpressionAttributeValues={":o": {"S": owner}, ":d": {"S": "D#"}})
    return sorted(item["sk"]["S"] for item in out["Items"])


def test_by_default_the_30_days_ending_today_oldest_first_with_zeros(alice, make_bookmark):
    saved = make_bookmark(alice)
    with at("2026-12-01T10:00:00+00:00"):
        rows = per_day(alice, saved["id"])["data"]

    assert len(rows) == 30
    assert rows[0] == {"date": "2026-11-02", "visits": 0, "bot_visits": 0}
    assert rows[-1] == {"date": "2026-12-01", "visits": 0, "bot_visits": 0}
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_each_visit_counts_in_its_utc_day_people_and_bots_apart(alice, make_bookmark, get_bookmark):
    with at("2026-11-28T00:00:00+00:00"):  # made before the visits below: its counter starts that day
        saved = make_bookmark(alice)
    code = saved["short_code"]
    with at("2026-11-28T23:59:59.999+00:00"):
        assert [hit(code), hit(code), hit(code, user_agent=SLACK)] == [302] * 3
    with at("2026-11-29T00:00:00+00:00"):  # a millisecond later: the next UTC day
        assert hit(code) == 302
    with at("2026-11-30T21:30:00-05:00"):  # in New York the 30th, in UTC already December
        assert hit(code, user_agent=SLACK) == 302

    rows = per_day(alice, saved["id"], {"from": "2026-11-27", "to": "2026-12-02"})["data"]

    assert [(r["date"], r["visits"], r["bot_visits"]) for r in rows] == [
        ("2026-11-27", 0, 0), ("2026-11-28", 2, 1), ("2026-11-29", 1, 0), ("2026-11-30", 0, 0),
        ("2026-12-01", 0, 1), ("2026-12-02", 0, 0)]
    totals = get_bookmark(alice, saved["id"])
    assert (totals["visits"], totals["bot_visits"]) == (3, 2)


def test_concurrent_hits_count_exactly_in_the_day_and_a_cap_refuses_the_same_in_both(alice, make_bookmark,
                                                                                     get_bookmark):
    capped, free = make_bookmark(alice, "https://example.com/capped"), make_bookmark(alice, "https://example.com/free")
    call(bookmarks_patch.lambda_handler, make_event("PATCH /api/v1/bookmarks/{id}", path_params={"id": capped["id"]},
                                                    body={"max_visits": 10}, token=alice.access))
    statuses = at_once([lambda: hit(capped["short_code"])] * 30 + [lambda: hit(free["short_code"])] * 30
                       + [lambda: hit(free["short_code"], user_agent=SLACK)] * 10)

    assert statuses.count(302) == 50 and statuses.count(410) == 20
    for saved, people, bots in ((capped, 10, 0), (free, 30, 10)):
        today = per_day(alice, saved["id"])["data"][-1]
        totals = get_bookmark(alice, saved["id"])
        assert (today["visits"], today["bot_visits"]) == (totals["visits"], totals["bot_visits"]) == (people, bots)


def test_a_head_and_a_refused_visit_count_in_no_day(alice, make_bookmark):
    saved = make_bookmark(alice)
    call(redirect.lambda_handler, make_event("HEAD /{short_code}", path_params={"short_code": saved["short_code"]}))
    call(bookmarks_patch.lambda_handler, make_event("PATCH /api/v1/bookmarks/{id}", path_params={"id": saved["id"]},
                                                    body={"max_visits": 1}, token=alice.access))
    assert [hit(saved["short_code"]), hit(saved["short_code"])] == [302, 410]

    assert per_day(alice, saved["id"])["data"][-1]["visits"] == 1


@pytest.mark.parametrize(("query", "first", "last"), [
    ({"to": "2026-06-30"}, "2026-06-01", "2026-06-30"),             # to alone ends 30 days
    ({"from": "2026-11-20"}, "2026-11-20", "2026-12-01"),           # from alone runs to today
    ({"from": "2026-12-01", "to": "2026-12-01"}, "2026-12-01", "2026-12-01"),
    ({"from": "2024-01-01", "to": "2024-12-31"}, "2024-01-01", "2024-12-31"),  # a leap year: 366 days, the most
    ({"from": "2027-01-01", "to": "2027-01-03"}, "2027-01-01", "2027-01-03"),  # days to come: zeros
    ({"to": "0001-01-05"}, "0001-01-01", "0001-01-05"),             # the calendar's first days, cut short
])
def test_the_range_asked_for(alice, make_bookmark, query, first, last):
    saved = make_bookmark(alice)
    with at("2026-12-01T12:00:00+00:00"):
        rows = per_day(alice, saved["id"], query)["data"]

    days = [r["date"] for r in rows]
    assert (days[0], days[-1]) == (first, last)
    expected = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
    assert len(days) == len(set(days)) == expected


@pytest.mark.parametrize(("query", "code", "field"), [
    ({"from": "2026-12-02", "to": "2026-12-01"}, "invalid_date_range", "from"),
    ({"from": "2026-12-02"}, "invalid_date_range", "from"),  # after today, which `to` is when left out
    ({"from": "2024-01-01", "to": "2025-01-01"}, "invalid_date_range", "to"),  # 367 days
    ({"from": "2026-02-30"}, "invalid_date", "from"),
    ({"to": "2026-12-1"}, "invalid_date", "to"),
    ({"to": "20261201"}, "invalid_date", "to"),
    ({"from": ""}, "invalid_date", "from"),
    ([("to", "2026-12-01"), ("to", "2026-12-01")], "repeated_parameter", "to"),
])
def test_a_bad_range_is_a_400_naming_the_parameter(alice, make_bookmark, query, code, field):
    saved = make_bookmark(alice)
    with at("2026-12-01T12:00:00+00:00"):
        body = per_day(alice, saved["id"], query, expect=400)

    assert body["code"] == code
    assert [e["field"] for e in body["errors"]] == [field]


def test_another_users_bookmark_and_an_unknown_one_are_a_404(alice, bob, make_bookmark):
    theirs = make_bookmark(bob)
    hit(theirs["short_code"])

    assert per_day(alice, theirs["id"], expect=404)["code"] == "not_found"
    assert per_day(alice, "01JD8X2Q7R5N3M4K6P9T0V1W2X", expect=404)["code"] == "not_found"
    assert per_day(bob, theirs["id"])["data"][-1]["visits"] == 1


def test_a_visit_is_one_write_of_the_total_and_the_day_so_a_fault_counts_neither(alice, make_bookmark,
                                                                                 get_bookmark):
    saved = make_bookmark(alice)
    with fail_call(99) as faults:
        assert hit(saved["short_code"]) == 302
    with fail_call(2, THROTTLING):  # the lookup, then the count: refused
        assert hit(saved["short_code"]) == 302  # the person still arrives

    assert dict(faults.operations) == {"Query": 1, "UpdateItem": 1}
    assert per_day(alice, saved["id"])["data"][-1]["visits"] == get_bookmark(alice, saved["id"])["visits"] == 1


def test_the_first_visit_of_a_day_moves_the_day_before_into_its_item_once(tables, alice, make_bookmark,
                                                                           get_bookmark):
    with at("2026-11-29T00:00:00+00:00"):  # made before the visits below: its counter starts that day
        saved = make_bookmark(alice)
    with at("2026-11-29T12:00:00+00:00"):
        assert [hit(saved["short_code"]) for _ in range(3)] == [302] * 3
    with at("2026-11-30T00:00:01+00:00"):
        statuses = at_once([lambda: hit(saved["short_code"])] * 20
                           + [lambda: hit(saved["short_code"], user_agent=SLACK)] * 5)
    with at("2026-11-29T23:59:59.999+00:00"):  # begun before midnight, counted after: in the day now running
        assert hit(saved["short_code"]) == 302

    assert statuses == [302] * 25
    assert day_items(tables, alice.id) == [f"D#{saved['id']}#2026-11-29"]
    rows = per_day(alice, saved["id"], {"from": "2026-11-29", "to": "2026-11-30"})["data"]
    assert [(r["visits"], r["bot_visits"]) for r in rows] == [(3, 0), (21, 5)]
    totals = get_bookmark(alice, saved["id"])
    assert (totals["visits"], totals["bot_visits"]) == (24, 5)


def test_a_day_over_a_cap_counts_exactly_across_midnight(alice, make_bookmark, get_bookmark):
    with at("2026-11-29T00:00:00+00:00"):  # made before the visits below: its counter starts that day
        saved = make_bookmark(alice)
    call(bookmarks_patch.lambda_handler, make_event("PATCH /api/v1/bookmarks/{id}", path_params={"id": saved["id"]},
                                                    body={"max_visits": 5}, token=alice.access))
    with at("2026-11-29T12:00:00+00:00"):
        assert [hit(saved["short_code"]) for _ in range(3)] == [302] * 3
    with at("2026-11-30T00:00:01+00:00"):
        statuses = at_once([lambda: hit(saved["short_code"])] * 10)

    assert (statuses.count(302), statuses.count(410)) == (2, 8)
    rows = per_day(alice, saved["id"], {"from": "2026-11-29", "to": "2026-11-30"})["data"]
    assert [r["visits"] for r in rows] == [3, 2] and get_bookmark(alice, saved["id"])["visits"] == 5


def test_deleting_a_bookmark_deletes_its_days_and_a_fault_there_is_finished_by_the_same_delete(tables, alice,
                                                                                              make_bookmark):
    with at("2026-11-01T00:00:00+00:00"):  # made before the visits below: its counter starts that day
        saved, kept = make_bookmark(alice, "https://example.com/gone"), make_bookmark(alice, "https://example.com/kept")
    for day in range(1, 31):  # 29 days rolled over into day items: two BatchWriteItem requests of 25 and 4
        with at(f"2026-11-{day:02d}T08:00:00+00:00"):
            hit(saved["short_code"])
            hit(kept["short_code"])
    assert len(day_items(tables, alice.id)) == 58
    event = make_event("DELETE /api/v1/bookmarks/{id}", path_params={"id": saved["id"]}, token=alice.access)

    with fail_call(1, THROTTLING, operation="BatchWriteItem"):
        first = call(bookmarks_delete.lambda_handler, event)
    left = [sk for sk in day_items(tables, alice.id) if saved["id"] in sk]
    again = call(bookmarks_delete.lambda_handler, event)

    assert (first[0], first[2]["Retry-After"]) == (503, "1")  # the bookmark is gone, some of its days are not
    assert len(left) in (4, 25, 29)  # the batches run side by side: a failed one cancels those not begun
    assert again[0] == 404
    assert [sk for sk in day_items(tables, alice.id) if saved["id"] in sk] == []
    assert len(day_items(tables, alice.id)) == 29  # the other bookmark's


def test_deleting_the_account_deletes_every_day(tables, alice, make_bookmark):
    for n in range(3):
        with at("2026-11-28T00:00:00+00:00"):  # made before the visits below: its counter starts that day
            saved = make_bookmark(alice, f"https://example.com/{n}")
        for day in ("2026-11-28", "2026-11-29", "2026-11-30"):
            with at(f"{day}T08:00:00+00:00"):
                hit(saved["short_code"])
                hit(saved["short_code"], user_agent=SLACK)
    assert len(day_items(tables, alice.id)) == 6

    status, _, _ = call(auth_delete.lambda_handler, make_event("DELETE /api/v1/auth/me", token=alice.access,
                                                               body={"password": alice.password}))

    assert status == 204
    assert day_items(tables, alice.id) == []
