"""GET /api/v1/auth/me: the caller's public account, with its creation time."""
import re

import auth_me
from tests.conftest import call, make_event

ROUTE = "GET /api/v1/auth/me"
ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")


def test_me_answers_the_callers_account(alice):
    status, body, headers = call(auth_me.lambda_handler, make_event(ROUTE, token=alice.access))

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {"id", "username", "email", "created_at"}
    assert (body["id"], body["username"], body["email"]) == (alice.id, "alice", "alice@example.com")
    assert ISO_UTC.fullmatch(body["created_at"])


def test_me_answers_each_caller_their_own_account(alice, bob):
    _, mine, _ = call(auth_me.lambda_handler, make_event(ROUTE, token=alice.access))
    _, theirs, _ = call(auth_me.lambda_handler, make_event(ROUTE, token=bob.access))

    assert mine["id"] == alice.id
    assert theirs["id"] == bob.id


def test_me_shows_the_email_as_it_was_registered(tables, make_user):
    carol = make_user("carol", email="Carol.Smith@Example.COM")

    _, body, _ = call(auth_me.lambda_handler, make_event(ROUTE, token=carol.access))

    assert body["email"] == "Carol.Smith@Example.COM"


def test_me_never_shows_the_password_hash(alice, lambda_context):
    out = auth_me.lambda_handler(make_event(ROUTE, token=alice.access), lambda_context)

    assert "$2b$" not in out["body"]
    assert "password" not in out["body"]


def test_me_without_a_token_answers_401(tables):
    status, body, headers = call(auth_me.lambda_handler, make_event(ROUTE))

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == 401


def test_me_on_the_trailing_slash_route_answers_the_same(alice):
    status, body, _ = call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me/", token=alice.access))

    assert status == 200
    assert body["id"] == alice.id
