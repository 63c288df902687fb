"""Expiry and visit caps (docs/api.md, link controls): enforced by the redirect's one conditional write, 410
`link_expired` past them (HEAD too), bots never using up a cap, and PATCH null lifting either limit."""
import datetime as dt

import pytest
import time_machine

import bookmarks_patch
import bookmarks_replace
import redirect
from tests.conftest import at_once, call, make_event
from tests.faults import THROTTLING, fail_call

SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def hit(code: str, method: str = "GET", **headers) -> tuple[int, dict, dict]:
    return call(redirect.lambda_handler, make_event(f"{method} /{{short_code}}", path_params={"short_code": code},
                                                    headers=headers))


def patch(account, bookmark_id, body, expect=200):
    status, answer, _ = call(bookmarks_patch.lambda_handler, make_event(
        "PATCH /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, body=body, token=account.access))
    assert status == expect, answer
    return answer


def in_an_hour() -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()


def test_fifty_concurrent_hits_at_a_cap_of_ten_serve_exactly_ten(alice, make_bookmark, get_bookmark):
    saved = make_bookmark(alice)
    patch(alice, saved["id"], {"max_visits": 10})
    statuses = [status for status, _, _ in at_once([lambda: hit(saved["short_code"])] * 50)]

    assert (statuses.count(302), statuses.count(410)) == (10, 40)
    assert get_bookmark(alice, saved["id"])["visits"] == 10


def test_past_the_cap_get_and_head_are_410_link_expired_and_a_browser_gets_a_page(alice, make_bookmark):
    saved = make_bookmark(alice)
    patch(alice, saved["id"], {"max_visits": 1})

    first = hit(saved["short_code"])
    status, body, _ = hit(saved["short_code"])
    head = hit(saved["short_code"], "HEAD")
    page = hit(saved["short_code"], accept=BROWSER)

    assert first[0] == 302
    assert (status, body["code"]) == (410, "link_expired")
    assert head[0] == 410
    assert page[0] == 410 and page[2]["Content-Type"].startswith("text/html")


def test_head_of_a_capped_link_with_room_redirects_and_counts_nothing(alice, make_bookmark, get_bookmark):
    saved = make_bookmark(alice)
    patch(alice, saved["id"], {"max_visits": 1})

    assert hit(saved["short_code"], "HEAD")[0] == 302
    assert get_bookmark(alice, saved["id"])["visits"] == 0


def test_bots_do_not_use_up_a_cap_and_are_refused_once_it_is_reached(alice, make_bookmark, get_bookmark):
    saved = make_bookmark(alice)
    patch(alice, saved["id"], {"max_visits": 2})

    bots_first = [hit(saved["short_code"], **{"user-agent": SLACK})[0] for _ in range(5)]
    people = [hit(saved["short_code"])[0] for _ in range(3)]
    bot_after = hit(saved["short_code"], **{"user-agent": SLACK})[0]

    assert bots_first == [302] * 5 and people == [302, 302, 410] and bot_after == 410
    after = get_bookmark(alice, saved["id"])
    assert (after["visits"], after["bot_visits"]) == (2, 5)


def test_after_expires_at_the_link_is_410_until_the_limit_is_lifted(alice, make_bookmark, get_bookmark):
    saved = make_bookmark(alice)
    limited = patch(alice, saved["id"], {"expires_at": in_an_hour()})
    assert hit(saved["short_code"])[0] == 302

    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    with time_machine.travel(later):
        status, body, _ = hit(saved["short_code"])
        head = hit(saved["short_code"], "HEAD")[0]
    lifted = patch(alice, saved["id"], {"expires_at": None})  # now, while the token is fresh
    with time_machine.travel(later):
        again = hit(saved["short_code"])[0]

    assert limited["expires_at"].endswith("Z")
    assert (status, body["code"], head) == (410, "link_expired", 410)
    assert lifted["expires_at"] is None and again == 302
    assert get_bookmark(alice, saved["id"])["visits"] == 2  # the refused hits counted nothing


def test_a_capped_link_whose_cap_is_lifted_or_raised_redirects_again(alice, make_bookmark):
    saved = make_bookmark(alice)
    patch(alice, saved["id"], {"max_visits": 1})
    hit(saved["short_code"])
    assert hit(saved["short_code"])[0] == 410

    raised = patch(alice, saved["id"], {"max_visits": 2})
    assert hit(saved["short_code"])[0] == 302
    lifted = patch(alice, saved["id"], {"max_visits": None})

    assert raised["max_visits"] == 2 and lifted["max_visits"] is None
    assert [hit(saved["short_code"])[0] for _ in range(3)] == [302] * 3


def test_create_sets_limits_patch_leaves_them_and_put_without_them_removes_them(alice, make_bookmark):
    expires = in_an_hour()
    made = call(__import__("bookmarks_create").lambda_handler, make_event(
        "POST /api/v1/bookmarks", token=alice.access,
        body={"url": "https://example.com/limited", "expires_at": expires, "max_visits": 3}))[1]

    kept = patch(alice, made["id"], {"body": "still limited"})
    replaced = call(bookmarks_replace.lambda_handler, make_event(
        "PUT /api/v1/bookmarks/{id}", path_params={"id": made["id"]}, body={"url": made["url"]},
        token=alice.access))[1]

    assert made["max_visits"] == 3 and made["expires_at"] is not None
    assert (kept["max_visits"], kept["expires_at"]) == (3, made["expires_at"])
    assert (replaced["max_visits"], replaced["expires_at"]) == (None, None)


@pytest.mark.parametrize(("body", "code"), [({"expires_at": "2001-01-01T00:00:00Z"}, "invalid_expires_at"),
                                            ({"max_visits": 0}, "validation_failed")])
def test_a_past_expiry_or_a_cap_under_one_is_a_400(alice, make_bookmark, body, code):
    saved = make_bookmark(alice)

    assert patch(alice, saved["id"], body, expect=400)["code"] == code


def test_a_capped_link_whose_count_fails_answers_503_as_its_count_decides(alice, make_bookmark):
    saved = make_bookmark(alice)
    patch(alice, saved["id"], {"max_visits": 5})

    with fail_call(1, THROTTLING, operation="UpdateItem"):
        status, body, headers = hit(saved["short_code"])

    assert (status, body["code"], headers["Retry-After"]) == (503, "unavailable", "1")
