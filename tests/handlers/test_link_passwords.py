"""Password-protected links (docs/api.md): the password set, changed and removed by create, PUT and PATCH and only
ever stored as a bcrypt hash; GET and HEAD answer 401 without counting and without bcrypt (a form for a browser);
POST /{short_code} opens the link with the right password, counted as a GET is; ten wrong tries from one client
are then 429, counted before bcrypt runs."""
import os
import re
from urllib.parse import urlencode

import bcrypt
import pytest

import bookmarks_create
import bookmarks_patch
import bookmarks_replace
import redirect
import redirect_unlock
from tests.conftest import FakeContext, at_once, call, make_event
from tests.faults import KINDS, fail_call

SECRET = "open sesame 123"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def follow(code: str, method: str = "GET", **headers) -> tuple[int, dict, dict]:
    return call(redirect.lambda_handler, make_event(f"{method} /{{short_code}}", path_params={"short_code": code},
                                                    headers=headers))


def unlock(code: str, password: str | None = SECRET, *, form: bool = False, ip: str = "198.51.100.7",
           **headers) -> tuple[int, dict, dict]:
    """POST /{short_code} with the password as JSON, or as the redirect's form sends it."""
    if form:
        body, headers = urlencode({"password": password}), {**FORM, **headers}
    else:
        body = {} if password is None else {"password": password}
    return call(redirect_unlock.lambda_handler, make_event("POST /{short_code}", path_params={"short_code": code},
                                                           body=body, headers=headers, source_ip=ip))


def change(handler, route: str, account, bookmark_id: str, body: dict) -> dict:
    status, answer, _ = call(handler.lambda_handler, make_event(route, path_params={"id": bookmark_id}, body=body,
                                                                token=account.access))
    assert status == 200, answer
    return answer


def patch(account, bookmark_id: str, body: dict) -> dict:
    return change(bookmarks_patch, "PATCH /api/v1/bookmarks/{id}", account, bookmark_id, body)


@pytest.fixture
def locked(alice, make_bookmark) -> dict:
    saved = make_bookmark(alice, "https://example.com/members/only")
    return patch(alice, saved["id"], {"link_password": SECRET})


@pytest.fixture
def few_tries(with_settings):
    with_settings(LINK_MAX_FAILURES=3)
    return 3


def stored(tables, owner: str, bookmark_id: str) -> dict:
    return tables.get_item(TableName=os.environ["BOOKMARKS_TABLE"],
                           Key={"pk": {"S": owner}, "sk": {"S": f"B#{bookmark_id}"}})["Item"]


# ---- setting it -------------------------------------------------------------------------------------------------

def test_the_password_is_stored_only_as_a_bcrypt_hash_and_never_shown(tables, alice, locked, get_bookmark):
    item = stored(tables, alice.id, locked["id"])

    assert locked["password_protected"] is True and "link_password" not in locked
    assert get_bookmark(alice, locked["id"])["password_protected"] is True
    assert item["protected"] == {"BOOL": True}
    hashed = item["link_password_hash"]["S"]
    assert hashed.startswith("$2b$") and SECRET not in str(item)
    assert not any(SECRET in str(value) or "$2b$" in str(value) for value in get_bookmark(alice, locked["id"]).values())


def test_create_sets_it_and_a_bookmark_without_one_says_so(alice, make_bookmark):
    plain = make_bookmark(alice, "https://example.com/open")
    status, created, _ = call(bookmarks_create.lambda_handler, make_event(
        "POST /api/v1/bookmarks", body={"url": "https://example.com/closed", "link_password": SECRET},
        token=alice.access))

    assert plain["password_protected"] is False
    assert status == 201 and created["password_protected"] is True
    assert follow(created["short_code"])[0] == 401


def test_put_without_it_keeps_it_null_removes_it_and_patch_replaces_it(alice, locked):
    route = "PUT /api/v1/bookmarks/{id}"
    kept = change(bookmarks_replace, route, alice, locked["id"], {"url": locked["url"], "body": "new"})
    assert kept["password_protected"] is True and unlock(locked["short_code"])[0] == 302

    patch(alice, locked["id"], {"link_password": "another secret"})
    assert unlock(locked["short_code"])[0] == 401
    assert unlock(locked["short_code"], "another secret")[0] == 302

    removed = change(bookmarks_replace, route, alice, locked["id"], {"url": locked["url"], "link_password": None})
    assert removed["password_protected"] is False
    assert follow(locked["short_code"])[0] == 302


def test_patch_null_opens_the_link_to_everyone_again(alice, locked, get_bookmark):
    assert patch(alice, locked["id"], {"link_password": None})["password_protected"] is False

    assert follow(locked["short_code"])[0] == 302
    assert unlock(locked["short_code"])[0] == 405
    assert get_bookmark(alice, locked["id"])["visits"] == 1


@pytest.mark.parametrize(("password", "code"), [("short", "password_too_short"), ("x" * 129, "password_too_long"),
                                                (12345678, "validation_failed")])
def test_a_bad_password_is_a_400_naming_link_password(alice, make_bookmark, password, code):
    saved = make_bookmark(alice)
    status, body, _ = call(bookmarks_patch.lambda_handler, make_event(
        "PATCH /api/v1/bookmarks/{id}", path_params={"id": saved["id"]}, body={"link_password": password},
        token=alice.access))

    assert (status, body["code"], body["errors"][0]["field"]) == (400, code, "link_password")


# ---- the redirect: 401, nothing counted, no bcrypt ----------------------------------------------------------------

def test_get_and_head_answer_401_without_counting_or_bcrypt(alice, locked, get_bookmark, monkeypatch):
    def no_bcrypt(*_):
        raise AssertionError("the redirect ran bcrypt")

    monkeypatch.setattr(bcrypt, "checkpw", no_bcrypt)
    monkeypatch.setattr(bcrypt, "hashpw", no_bcrypt)

    status, body, headers = follow(locked["short_code"])
    head = follow(locked["short_code"], "HEAD")
    bot = follow(locked["short_code"], **{"user-agent": SLACK})

    assert (status, body["code"]) == (401, "link_password_required")
    assert headers["WWW-Authenticate"].startswith("LinkPassword") and headers["Cache-Control"] == "no-store"
    assert head[0] == bot[0] == 401
    after = get_bookmark(alice, locked["id"])
    assert (after["visits"], after["bot_visits"]) == (0, 0)


def test_a_browser_gets_a_small_form_that_posts_back_with_nothing_to_load_or_run(locked):
    page = redirect.lambda_handler(make_event("GET /{short_code}", path_params={"short_code": locked["short_code"]},
                                              headers={"accept": BROWSER}), FakeContext())  # call() reads JSON only
    status, headers, html = page["statusCode"], page["headers"], page["body"]

    assert status == 401
    assert headers["Content-Type"] == "text/html; charset=utf-8" and headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff" and "default-src 'none'" in headers["Content-Security-Policy"]
    assert re.search(r'<form method="post">', html) and 'type="password"' in html and 'name="password"' in html
    assert "action=" not in html  # posted to the page's own address: the short link
    assert not re.search(r"<script|<link|<img|<iframe|src=|href=|style", html, re.IGNORECASE)


# ---- unlocking ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_the_right_password_redirects_and_counts_as_a_get_does(alice, locked, get_bookmark, form):
    status, _, headers = unlock(locked["short_code"], form=form)

    assert status == 302 and headers["Location"] == locked["url"] and headers["Cache-Control"] == "no-store"
    assert get_bookmark(alice, locked["id"])["visits"] == 1


def test_a_bot_with_the_password_counts_as_a_bot(alice, locked, get_bookmark):
    assert unlock(locked["short_code"], **{"user-agent": SLACK})[0] == 302
    after = get_bookmark(alice, locked["id"])

    assert (after["visits"], after["bot_visits"], after["last_visited_at"]) == (0, 1, None)


def test_a_wrong_password_is_401_and_a_browser_gets_the_form_again_with_a_message(alice, locked, get_bookmark):
    status, body, headers = unlock(locked["short_code"], "not it at all")
    page = redirect_unlock.lambda_handler(make_event(
        "POST /{short_code}", path_params={"short_code": locked["short_code"]},
        body=urlencode({"password": "not it at all"}), headers={**FORM, "accept": BROWSER}), FakeContext())

    assert (status, body["code"]) == (401, "wrong_link_password") and headers["WWW-Authenticate"]
    assert page["statusCode"] == 401 and 'role="alert"' in page["body"] and '<form method="post">' in page["body"]
    assert get_bookmark(alice, locked["id"])["visits"] == 0


def test_ten_wrong_tries_from_one_client_are_then_429_even_with_the_right_password(locked):
    tries = [unlock(locked["short_code"], f"wrong {n}")[0] for n in range(10)]
    status, body, headers = unlock(locked["short_code"])

    assert tries == [401] * 10
    assert (status, body["code"]) == (429, "too_many_attempts")
    assert 1 <= int(headers["Retry-After"]) <= 900
    assert unlock(locked["short_code"], ip="203.0.113.9")[0] == 302  # another client: its own count


def test_an_ipv6_client_is_its_64_network_not_each_address(locked, few_tries):
    tries = [unlock(locked["short_code"], "wrong", ip=f"2001:db8:1:2::{n:x}")[0] for n in range(few_tries)]

    assert tries == [401] * few_tries
    assert unlock(locked["short_code"], ip="2001:db8:1:2:ffff::1")[0] == 429  # the same /64: the same client
    assert unlock(locked["short_code"], ip="2001:db8:1:3::1")[0] == 302       # the next /64: another


def test_an_old_alias_of_a_protected_link_asks_for_the_password_too(alice, locked, get_bookmark):
    """The old code misses the index and resolves through its claim: that read carries the flag as well."""
    patch(alice, locked["id"], {"short_code": f"new-{locked['short_code']}"})

    assert follow(locked["short_code"])[0] == 401
    assert follow(locked["short_code"], "HEAD")[0] == 401
    assert unlock(locked["short_code"], "wrong")[0] == 401
    assert unlock(locked["short_code"])[0] == 302
    assert get_bookmark(alice, locked["id"])["visits"] == 1


def test_the_429_comes_before_bcrypt_runs(locked, few_tries, monkeypatch):
    for n in range(few_tries):
        unlock(locked["short_code"], f"wrong {n}")
    monkeypatch.setattr(bcrypt, "checkpw", lambda *_: pytest.fail("bcrypt ran for a refused try"))

    assert unlock(locked["short_code"])[0] == 429


def test_the_right_password_resets_the_count(locked, few_tries):
    before = [unlock(locked["short_code"], "wrong")[0] for _ in range(few_tries - 1)]
    right = unlock(locked["short_code"])[0]
    after = [unlock(locked["short_code"], "wrong")[0] for _ in range(few_tries)]

    assert before == [401] * (few_tries - 1) and right == 302 and after == [401] * few_tries
    assert unlock(locked["short_code"])[0] == 429


def test_concurrent_right_passwords_count_exactly(alice, locked, get_bookmark):
    """Sixteen clients at once, and one client sending nine at once (under its ten): each counts, none is refused."""
    answers = at_once([lambda n=n: unlock(locked["short_code"], ip=f"203.0.113.{n}")[0] for n in range(16)]
                      + [lambda: unlock(locked["short_code"])[0]] * 9)

    assert answers == [302] * 25
    assert get_bookmark(alice, locked["id"])["visits"] == 25


def test_a_cap_holds_for_concurrent_right_passwords(alice, locked, get_bookmark):
    patch(alice, locked["id"], {"max_visits": 5})
    answers = at_once([lambda n=n: unlock(locked["short_code"], ip=f"203.0.113.{n}")[0] for n in range(12)])

    assert (answers.count(302), answers.count(410)) == (5, 7)
    assert get_bookmark(alice, locked["id"])["visits"] == 5


def test_an_expired_or_used_up_link_is_410_before_any_password(alice, locked, monkeypatch):
    patch(alice, locked["id"], {"max_visits": 1})
    assert unlock(locked["short_code"])[0] == 302

    assert follow(locked["short_code"])[0] == 410
    assert unlock(locked["short_code"], "wrong")[0] == 410
    assert unlock(locked["short_code"], None)[0] == 410  # not even the body is read


def test_a_post_to_a_link_without_a_password_is_405_and_to_no_link_404(alice, make_bookmark):
    plain = make_bookmark(alice)

    status, body, headers = unlock(plain["short_code"])
    assert (status, body["code"], headers["Allow"]) == (405, "method_not_allowed", "GET, HEAD")
    assert unlock("nosuchcode")[0] == 404
    docs = call(redirect_unlock.lambda_handler, make_event("POST /{short_code}", path_params={"short_code": "docs"},
                                                           body={"password": SECRET}))
    assert (docs[0], docs[2]["Allow"]) == (405, "GET, HEAD")  # /docs is the service's own page


@pytest.mark.parametrize(("body", "headers", "status", "code"), [
    ("password=x", {"content-type": "text/plain"}, 415, "unsupported_media_type"),
    ("", FORM, 400, "validation_failed"),
    ("password=a&password=b", FORM, 400, "validation_failed"),
    ("password=%FF%FE", FORM, 400, "validation_failed"),
    ("&".join(f"f{n}=1" for n in range(20)), FORM, 400, "validation_failed"),
    ('{"password": 1234}', {"content-type": "application/json"}, 400, "validation_failed"),
    ('{"password"', {"content-type": "application/json"}, 400, "invalid_json"),
    ("password=" + "x" * 5000, FORM, 413, "payload_too_large"),
])
def test_a_bad_body_is_a_clear_4xx(locked, body, headers, status, code):
    answer = call(redirect_unlock.lambda_handler, make_event(
        "POST /{short_code}", path_params={"short_code": locked["short_code"]}, body=body, headers=headers))

    assert (answer[0], answer[1]["code"]) == (status, code)


def test_a_form_with_other_fields_beside_the_password_opens_it(locked):
    answer = call(redirect_unlock.lambda_handler, make_event(
        "POST /{short_code}", path_params={"short_code": locked["short_code"]},
        body=urlencode({"password": SECRET, "submit": "Open"}), headers=FORM))

    assert answer[0] == 302


@pytest.mark.parametrize("kind", KINDS)
def test_a_fault_before_the_count_is_503_and_after_it_the_person_still_arrives(alice, locked, get_bookmark, kind):
    answers = []
    for at in range(1, 10):  # the first call fails, then the second, ... until the unlock makes no more
        with fail_call(at, kind) as faults:  # each from a client of its own: each opens its own window of tries
            status, _, headers = unlock(locked["short_code"], ip=f"203.0.113.{at}")
        if not faults.injected:
            break
        answers.append((faults.injected[0].operation, status, headers.get("Retry-After")))

    # the link; the client's try (no window yet: a new one); the hash; the count set back to 0; the visit
    assert dict(faults.operations) == {"Query": 1, "UpdateItem": 3, "PutItem": 1, "GetItem": 1}
    assert answers == [("Query", 503, "1"), ("UpdateItem", 503, "1"), ("PutItem", 503, "1"), ("GetItem", 503, "1"),
                       ("UpdateItem", 503, "1"), ("UpdateItem", 302, None)]
    assert status == 302
    assert get_bookmark(alice, locked["id"])["visits"] == 1  # the clean run: the last fault's visit went uncounted
