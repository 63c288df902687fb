import json
import os
import re

import pytest

import bookmarks_create
import bookmarks_delete
import bookmarks_list
from bookmarker import bookmarks
from bookmarker.store import bookmarks as store
from tests.conftest import DOMAIN, at_once, call, make_event

FIELDS = {"id", "url", "body", "tags", "short_code", "short_url", "visits", "bot_visits", "last_visited_at",
          "expires_at", "max_visits", "password_protected", "created_at", "updated_at"}
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z")


def create(account, url, body=None):
    """The request under test: (status, body, headers). Arrange steps use `make_bookmark`."""
    payload = {"url": url} if body is None else {"url": url, "body": body}
    return call(bookmarks_create.lambda_handler,
                make_event("POST /api/v1/bookmarks", body=payload, token=account.access))


def owner_items(tables, owner: str) -> list[str]:
    """Every sort key under the owner's partition: bookmarks, counters, URL claims, the count."""
    out = tables.query(TableName=os.environ["BOOKMARKS_TABLE"], KeyConditionExpression="pk = :o",
                       ExpressionAttributeValues={":o": {"S": owner}})
    return sorted(item["sk"]["S"] for item in out["Items"])


def code_claims(tables) -> list[str]:
    out = tables.scan(TableName=os.environ["BOOKMARKS_TABLE"], FilterExpression="begins_with(pk, :c)",
                      ExpressionAttributeValues={":c": {"S": "CODE#"}})
    return sorted(item["pk"]["S"] for item in out["Items"])


@pytest.fixture
def quota_of_three(with_settings):
    with_settings(BOOKMARK_QUOTA=3)


# ---- success -------------------------------------------------------------------------------------

def test_create_answers_201_with_location_and_the_full_bookmark(alice):
    status, body, headers = create(alice, "https://example.com/read?later=1", "a good read")

    assert status == 201
    assert headers["Location"] == f"/api/v1/bookmarks/{body['id']}"
    assert set(body) == FIELDS
    assert body["url"] == "https://example.com/read?later=1"
    assert body["body"] == "a good read"
    assert body["visits"] == 0
    assert body["last_visited_at"] is None
    assert re.fullmatch(r"[0-9A-Za-z]{7}", body["short_code"])
    assert body["short_url"] == f"https://{DOMAIN}/{body['short_code']}"
    assert ISO.fullmatch(body["created_at"])
    assert body["updated_at"] == body["created_at"]
    assert headers["Content-Type"] == "application/json"


def test_create_without_a_body_saves_an_empty_body(alice):
    status, body, _ = create(alice, "https://example.com/")

    assert status == 201
    assert body["body"] == ""


def test_create_writes_the_bookmark_its_counter_its_url_claim_its_code_claim_and_the_count(tables, alice):
    status, body, _ = create(alice, "https://example.com/")

    assert status == 201
    sks = owner_items(tables, alice.id)
    assert f"B#{body['id']}" in sks
    assert f"B#{body['id']}#V" in sks
    assert "COUNT" in sks
    assert sum(sk.startswith("URL#") for sk in sks) == 1
    assert code_claims(tables) == [f"CODE#{body['short_code']}"]
    assert store.count(alice.id) == 1


def test_the_short_url_is_built_from_the_request_domain(alice):
    event = make_event("POST /api/v1/bookmarks", body={"url": "https://example.com/"}, token=alice.access)
    event["requestContext"]["domainName"] = "links.example.org"

    status, body, _ = call(bookmarks_create.lambda_handler, event)

    assert status == 201
    assert body["short_url"] == f"https://links.example.org/{body['short_code']}"


def test_the_url_is_stored_exactly_as_given(alice):
    status, body, _ = create(alice, "HTTPS://Example.COM:443")

    assert status == 201
    assert body["url"] == "HTTPS://Example.COM:443"


# What a URL may be is tests/unit/test_urls.py's table; here, that the handler applies it.
@pytest.mark.parametrize("url", ["http://localhost:8080/admin", "http://[2001:db8::1]:8080/path"])
def test_create_accepts_host_names_ip_addresses_and_localhost(alice, url):
    status, body, _ = create(alice, url)

    assert status == 201, body
    assert body["url"] == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://example.com\\@evil.example/"])
def test_create_refuses_what_is_not_an_absolute_http_url_with_invalid_url(tables, alice, url):
    status, body, _ = create(alice, url)

    assert status == 400
    assert body["code"] == "invalid_url"
    assert body["errors"][0]["field"] == "url"
    assert owner_items(tables, alice.id) == []


def test_create_refuses_a_body_over_10000_characters(tables, alice):
    status, body, _ = create(alice, "https://example.com/", "x" * 10_001)

    assert status == 400
    assert body["errors"][0]["field"] == "body"
    assert owner_items(tables, alice.id) == []


def test_create_counts_the_body_in_code_points_so_10000_emoji_fit(alice):
    raw = json.dumps({"url": "https://example.com/", "body": "😀" * 10_000}, ensure_ascii=False)

    status, body, _ = call(bookmarks_create.lambda_handler,
                           make_event("POST /api/v1/bookmarks", body=raw, token=alice.access))

    assert status == 201, body
    assert body["body"] == "😀" * 10_000


def test_create_without_a_token_is_401(tables):
    status, _, headers = call(bookmarks_create.lambda_handler,
                              make_event("POST /api/v1/bookmarks", body={"url": "https://example.com/"}))

    assert status == 401
    assert headers["WWW-Authenticate"] == "Bearer"


# ---- url_exists ----------------------------------------------------------------------------------

def test_create_refuses_a_url_the_user_already_saved_and_writes_nothing(tables, alice, make_bookmark):
    make_bookmark(alice, "https://example.com/")
    before = owner_items(tables, alice.id)
    claims = code_claims(tables)

    status, body, _ = create(alice, "https://example.com/")

    assert status == 409
    assert body["code"] == "url_exists"
    assert owner_items(tables, alice.id) == before
    assert code_claims(tables) == claims
    assert store.count(alice.id) == 1


# When two URLs are one bookmark is tests/unit/test_urls.py's table; here, that the claim uses it.
def test_urls_equal_by_the_contract_are_the_same_bookmark(alice, make_bookmark):
    make_bookmark(alice, "https://example.com/a")

    status, body, _ = create(alice, "HTTPS://EXAMPLE.COM:443/a")

    assert status == 409
    assert body["code"] == "url_exists"


def test_urls_that_differ_by_the_contract_are_different_bookmarks(alice, make_bookmark):
    make_bookmark(alice, "https://example.com/path")

    status, _, _ = create(alice, "https://example.com/Path")

    assert status == 201


def test_two_users_may_save_the_same_url(alice, bob):
    first = create(alice, "https://example.com/shared")

    second = create(bob, "https://example.com/shared")

    assert first[0] == second[0] == 201
    assert first[1]["short_code"] != second[1]["short_code"]


def test_parallel_creates_of_one_url_by_one_user_give_exactly_one_201(tables, alice):
    statuses = [status for status, _, _ in at_once([lambda: create(alice, "https://example.com/race")] * 8)]

    assert sorted(statuses) == [201] + [409] * 7
    assert store.count(alice.id) == 1
    assert len(code_claims(tables)) == 1
    assert sum(sk.startswith("URL#") for sk in owner_items(tables, alice.id)) == 1


# ---- quota ---------------------------------------------------------------------------------------

def test_the_create_past_the_quota_is_403_quota_exceeded_and_writes_nothing(tables, alice, make_bookmark,
                                                                             quota_of_three):
    for _ in range(3):
        make_bookmark(alice)
    before = owner_items(tables, alice.id)

    status, body, _ = create(alice, "https://example.com/4")

    assert status == 403
    assert body["code"] == "quota_exceeded"
    assert store.count(alice.id) == 3
    assert owner_items(tables, alice.id) == before
    assert len(code_claims(tables)) == 3


def test_deleting_a_bookmark_frees_a_slot_under_the_quota(alice, make_bookmark, quota_of_three):
    ids = [make_bookmark(alice)["id"] for _ in range(3)]
    make_bookmark(alice, "https://example.com/4", expect=403)
    status, _, _ = call(bookmarks_delete.lambda_handler, make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": ids[0]}, token=alice.access))
    assert status == 204

    again, body, _ = create(alice, "https://example.com/4")

    assert again == 201, body
    assert store.count(alice.id) == 3


def test_the_quota_is_per_user(alice, bob, make_bookmark, quota_of_three):
    for i in range(3):
        make_bookmark(alice, f"https://example.com/{i}")

    status, _, _ = create(bob, "https://example.com/0")

    assert status == 201


# ---- short codes ---------------------------------------------------------------------------------

def test_a_short_code_collision_draws_another_code(tables, alice, make_bookmark, monkeypatch):
    taken = make_bookmark(alice, "https://example.com/first")["short_code"]
    draws = iter([taken, "Fresh01"])
    monkeypatch.setattr(bookmarks, "new_code", lambda: next(draws))

    status, body, _ = create(alice, "https://example.com/second")

    assert status == 201
    assert body["short_code"] == "Fresh01"
    assert code_claims(tables) == sorted([f"CODE#{taken}", "CODE#Fresh01"])
    assert store.count(alice.id) == 2


def test_five_collisions_in_a_row_answer_503_and_write_nothing(tables, alice, make_bookmark, monkeypatch):
    taken = make_bookmark(alice, "https://example.com/first")["short_code"]
    before = owner_items(tables, alice.id)
    draws = []
    monkeypatch.setattr(bookmarks, "new_code", lambda: draws.append(taken) or taken)

    status, body, _ = create(alice, "https://example.com/second")

    assert status == 503
    assert body["code"] == "unavailable"
    assert len(draws) == 5
    assert owner_items(tables, alice.id) == before
    assert code_claims(tables) == [f"CODE#{taken}"]


def test_a_code_taken_by_another_user_is_also_a_collision(alice, bob, make_bookmark, monkeypatch):
    taken = make_bookmark(alice, "https://example.com/")["short_code"]
    draws = iter([taken, "Other12"])
    monkeypatch.setattr(bookmarks, "new_code", lambda: next(draws))

    status, body, _ = create(bob, "https://example.com/")

    assert status == 201
    assert body["short_code"] == "Other12"


def test_new_bookmarks_appear_in_the_list(alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/")

    status, body, _ = call(bookmarks_list.lambda_handler,
                           make_event("GET /api/v1/bookmarks", token=alice.access))

    assert status == 200
    assert body["data"] == [created]
