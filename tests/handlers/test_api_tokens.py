"""Personal API tokens (docs/api.md): minted, listed and revoked from a login session only; the secret shown once
and kept only as a SHA-256; each route's scope enforced; unknown, revoked and expired tokens 401; last_used_at
moved at most once a minute; account deletion removes them, password change and logout leave them."""
import dataclasses
import hashlib
import io
import logging
import os
import re
from unittest import mock

import pytest

import auth_delete
import auth_login
import auth_logout
import auth_me
import auth_password
import auth_refresh
import auth_tokens_create
import auth_tokens_delete
import auth_tokens_list
import bookmarks_create
import bookmarks_get
import bookmarks_list
from bookmarker import auth, clock
from bookmarker.errors import Conflict
from bookmarker.log import logger
from bookmarker.store import api_tokens as store
from tests.conftest import at_once, call, make_event
from tests.faults import fail_call

READ, WRITE = ["bookmarks:read"], ["bookmarks:write"]


def mint(account, name: str = "a script", scopes=None, expect: int = 201, **extra) -> dict:
    status, body, _ = call(auth_tokens_create.lambda_handler, make_event(
        "POST /api/v1/auth/tokens", token=account.access, body={"name": name, "scopes": scopes or READ, **extra}))
    assert status == expect, body
    return body


def listed(account) -> list[dict]:
    status, body, _ = call(auth_tokens_list.lambda_handler, make_event("GET /api/v1/auth/tokens",
                                                                       token=account.access))
    assert status == 200, body
    return body["data"]


def revoke(account, token_id: str) -> int:
    return call(auth_tokens_delete.lambda_handler, make_event(
        "DELETE /api/v1/auth/tokens/{id}", path_params={"id": token_id}, token=account.access))[0]


def bookmarks_with(token: str) -> tuple[int, dict, dict]:
    return call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks", token=token))


def create_with(token: str, url: str = "https://example.com/by-token") -> tuple[int, dict, dict]:
    return call(bookmarks_create.lambda_handler, make_event("POST /api/v1/bookmarks", token=token, body={"url": url}))


def items(tables) -> list[dict]:
    return tables.scan(TableName=os.environ["API_TOKENS_TABLE"], ConsistentRead=True)["Items"]


# ---- minting, listing, revoking -----------------------------------------------------------------------------------

def test_a_token_is_shown_once_and_kept_only_as_its_sha256(tables, alice):
    made = mint(alice, "backup script", READ, expires_in_days=30)

    assert re.fullmatch(r"bkm_[A-Za-z0-9_-]{32,}", made["token"])
    assert made["prefix"] == made["token"][:12] and made["scopes"] == READ and made["last_used_at"] is None
    assert made["expires_at"] > made["created_at"]
    kept = str(items(tables))
    assert made["token"] not in kept and made["token"][12:] not in kept
    assert hashlib.sha256(made["token"].encode()).hexdigest() in kept
    (shown,) = listed(alice)
    assert "token" not in shown and shown == {k: v for k, v in made.items() if k != "token"}


def test_the_listing_is_newest_first_and_only_the_callers(alice, bob):
    first, second = mint(alice, "first"), mint(alice, "second", WRITE + READ)
    mint(bob, "bob's")

    assert [t["id"] for t in listed(alice)] == [second["id"], first["id"]]
    assert listed(alice)[0]["scopes"] == ["bookmarks:read", "bookmarks:write"]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "", "scopes": READ}, "name"), ({"name": "x" * 101, "scopes": READ}, "name"),
    ({"name": "n", "scopes": []}, "scopes"), ({"name": "n", "scopes": ["admin"]}, "scopes.0"),
    ({"name": "n", "scopes": READ, "expires_in_days": 0}, "expires_in_days"),
    ({"name": "n", "scopes": READ, "expires_in_days": 366}, "expires_in_days"),
    ({"name": "n"}, "scopes"), ({"name": "n", "scopes": READ, "admin": True}, "admin"),
])
def test_a_bad_request_is_a_400_naming_the_field(alice, body, field):
    status, answer, _ = call(auth_tokens_create.lambda_handler, make_event(
        "POST /api/v1/auth/tokens", token=alice.access, body=body))

    assert (status, answer["code"]) == (400, "validation_failed")
    assert answer["errors"][0]["field"] == field


def test_repeated_scopes_merge_and_a_null_expiry_is_none(alice):
    made = mint(alice, scopes=READ * 3, expires_in_days=None)

    assert made["scopes"] == READ and made["expires_at"] is None


def test_a_name_is_unique_per_user_in_any_case(alice, bob):
    mint(alice, "Deploy Bot")

    assert mint(alice, "deploy bot", expect=409)["code"] == "token_name_taken"
    assert mint(bob, "Deploy Bot")["name"] == "Deploy Bot"
    (token,) = listed(alice)
    assert revoke(alice, token["id"]) == 204
    assert mint(alice, "DEPLOY BOT")["name"] == "DEPLOY BOT"  # free again once deleted


def test_at_most_twenty_even_at_once_and_a_deleted_one_makes_room(alice):
    answers = at_once([lambda n=n: call(auth_tokens_create.lambda_handler, make_event(
        "POST /api/v1/auth/tokens", token=alice.access, body={"name": f"t{n}", "scopes": READ}))[:2]
        for n in range(24)])

    assert sum(status == 201 for status, _ in answers) == 20
    assert {body["code"] for status, body in answers if status != 201} == {"token_limit"}
    assert len(listed(alice)) == 20
    assert revoke(alice, listed(alice)[0]["id"]) == 204
    mint(alice, "one more")


def test_another_users_token_id_is_a_404_and_stays(alice, bob):
    theirs = mint(bob)

    assert revoke(alice, theirs["id"]) == 404
    assert revoke(alice, "01JD8X2Q7R5N3M4K6P9T0V1W2X") == 404
    assert bookmarks_with(theirs["token"])[0] == 200


# ---- using one ------------------------------------------------------------------------------------------------------

def test_a_read_token_reads_and_a_write_token_writes_each_only_that(alice):
    reader, writer = mint(alice, "reader", READ)["token"], mint(alice, "writer", WRITE)["token"]

    created = create_with(writer)
    assert created[0] == 201
    assert bookmarks_with(reader)[1]["meta"]["total_count"] == 1
    assert (create_with(reader)[0], create_with(reader)[1]["code"]) == (403, "insufficient_scope")
    status, body, _ = call(bookmarks_get.lambda_handler, make_event(
        "GET /api/v1/bookmarks/{id}", path_params={"id": created[1]["id"]}, token=writer))
    assert (status, body["code"]) == (403, "insufficient_scope")  # write implies nothing else


@pytest.mark.parametrize(("handler", "route", "body"), [
    (auth_me, "GET /api/v1/auth/me", None), (auth_logout, "POST /api/v1/auth/logout", None),
    (auth_password, "POST /api/v1/auth/password", {"current_password": "x" * 8, "new_password": "y" * 8}),
    (auth_delete, "DELETE /api/v1/auth/me", {"password": "x" * 8}),
    (auth_refresh, "POST /api/v1/auth/token/refresh", None),
    (auth_tokens_create, "POST /api/v1/auth/tokens", {"name": "more", "scopes": READ}),
    (auth_tokens_list, "GET /api/v1/auth/tokens", None),
])
def test_no_api_token_reaches_the_auth_routes(alice, handler, route, body):
    token = mint(alice, scopes=READ + WRITE)["token"]

    for sent in (token, "bkm_" + "A" * 43, "bkm_junk"):  # known or not: refused before any lookup
        status, answer, _ = call(handler.lambda_handler, make_event(route, token=sent, body=body))
        assert (status, answer["code"]) == (403, "insufficient_scope")
    assert len(listed(alice)) == 1


def test_a_revoked_token_fails_on_the_very_next_call(alice):
    made = mint(alice)
    assert bookmarks_with(made["token"])[0] == 200

    assert revoke(alice, made["id"]) == 204
    status, body, headers = bookmarks_with(made["token"])

    assert (status, body["code"], headers["WWW-Authenticate"]) == (401, "invalid_token", "Bearer")


@pytest.mark.parametrize("token", ["bkm_" + "A" * 43, "bkm_", "bkm_%00", "bkm_" + "é" * 40, "bkm_" + "A" * 8000])
def test_an_unknown_token_is_401_and_a_malformed_one_costs_no_read(alice, token):
    with fail_call(99) as faults:
        status, body, headers = bookmarks_with(token)

    assert (status, body["code"], headers["WWW-Authenticate"]) == (401, "invalid_token", "Bearer")
    assert dict(faults.operations) == ({"GetItem": 1} if len(token) == 47 else {})


def test_an_expired_token_is_401(alice):
    made = mint(alice, expires_in_days=1)
    later = clock.now().timestamp() + 86_400 + 1

    with mock.patch.object(clock, "epoch", lambda: int(later)):
        status, body, _ = bookmarks_with(made["token"])

    assert (status, body["code"]) == (401, "invalid_token")
    assert listed(alice)[0]["id"] == made["id"]  # listed until deleted


def test_last_used_at_moves_at_most_once_a_minute(alice, monkeypatch):
    made = mint(alice)
    writes = []
    marking = store.mark_used
    monkeypatch.setattr(store, "mark_used", lambda *a: writes.append(a) or marking(*a))
    start = clock.now()

    for seconds in (0, 5, 30, 59):  # a burst within the minute: one write
        with mock.patch.object(clock, "now", lambda s=seconds: start + auth.LAST_USED_EVERY * (s / 60)):
            assert bookmarks_with(made["token"])[0] == 200
    first = listed(alice)[0]["last_used_at"]
    with mock.patch.object(clock, "now", lambda: start + auth.LAST_USED_EVERY * 2):
        assert bookmarks_with(made["token"])[0] == 200

    assert len(writes) == 2
    assert first == clock.iso(start) and listed(alice)[0]["last_used_at"] > first


def test_a_burst_of_calls_at_once_writes_last_used_at_once(tables, alice, monkeypatch):
    made = mint(alice)
    applied = []
    marking = store.conditionally

    def counted(write, *args, **params):
        out = marking(write, *args, **params)
        applied.append(out is not None)
        return out

    monkeypatch.setattr(store, "conditionally", counted)
    assert at_once([lambda: bookmarks_with(made["token"])[0]] * 12) == [200] * 12

    assert applied.count(True) == 1  # the conditional write lets one through, whatever the others read


@pytest.fixture
def log_lines():
    """What the functions log, as Powertools formats it (its own handler keeps the stdout of its import: capsys
    would see nothing)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(handler)
    yield stream
    logging.getLogger(logger.name).removeHandler(handler)


def test_the_token_is_never_logged(alice, log_lines):
    made = mint(alice, scopes=READ + WRITE)
    bookmarks_with(made["token"])
    create_with(made["token"])
    call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=made["token"]))

    logged = log_lines.getvalue()
    assert '"message":"api token created"' in logged and '"credential":"api_token"' in logged  # it did log
    assert '"message":"bookmark created"' in logged
    assert made["token"] not in logged and made["token"][12:] not in logged


# ---- the account around them ----------------------------------------------------------------------------------------

def test_password_change_and_logout_leave_api_tokens_working(alice):
    made = mint(alice)
    assert call(auth_logout.lambda_handler, make_event("POST /api/v1/auth/logout", token=alice.access))[0] == 204
    assert bookmarks_with(made["token"])[0] == 200
    status, body, _ = call(auth_login.lambda_handler, make_event("POST /api/v1/auth/login", body={
        "email": alice.email, "password": alice.password}))
    alice = dataclasses.replace(alice, access=body["user"]["access"])
    status, _, _ = call(auth_password.lambda_handler, make_event(
        "POST /api/v1/auth/password", token=alice.access,
        body={"current_password": alice.password, "new_password": "another long password"}))

    assert status == 204
    assert bookmarks_with(made["token"])[0] == 200


def test_deleting_the_account_deletes_its_tokens(tables, alice, bob):
    made = [mint(alice, f"t{n}") for n in range(3)]
    kept = mint(bob)

    status, _, _ = call(auth_delete.lambda_handler, make_event("DELETE /api/v1/auth/me", token=alice.access,
                                                               body={"password": alice.password}))

    assert status == 204
    assert all(bookmarks_with(t["token"])[0] == 401 for t in made)
    assert {i["pk"]["S"].split("#")[0] for i in items(tables)} == {"TOKEN", "USER", "NAME"}  # bob's three
    assert len(items(tables)) == 3 and bookmarks_with(kept["token"])[0] == 200


def test_no_token_is_minted_for_an_account_being_deleted(tables, alice):
    from bookmarker.store import users

    users.mark_deleting(users.get_user(alice.id))

    assert mint(alice, expect=401)["code"] == "invalid_token"
    assert items(tables) == []


def test_a_call_racing_the_tokens_deletion_is_401_not_a_409(alice, monkeypatch):
    """mark_used meets the deletion's transaction (TransactionConflict: 409 from the store): read again."""
    made = mint(alice)

    def locked(*_):
        revoke(alice, made["id"])  # the deletion commits as the write is refused
        raise Conflict("the data changed meanwhile; try again")

    monkeypatch.setattr(store, "mark_used", locked)
    status, body, _ = bookmarks_with(made["token"])

    assert (status, body["code"]) == (401, "invalid_token")


def test_a_call_whose_last_use_write_meets_a_lock_still_answers(alice, monkeypatch):
    made = mint(alice)
    monkeypatch.setattr(store, "mark_used", lambda *_: (_ for _ in ()).throw(Conflict("locked")))

    assert bookmarks_with(made["token"])[0] == 200
