"""POST /api/v1/auth/token/refresh: a used refresh token buys a new pair once; a second use revokes everything."""
from datetime import UTC, datetime

import jwt
import time_machine

import auth_login
import auth_me
import auth_refresh
from bookmarker import clock
from bookmarker.config import settings
from tests.conftest import call, make_event

ROUTE = "POST /api/v1/auth/token/refresh"


def refresh(token: str | None) -> tuple[int, dict, dict]:
    return call(auth_refresh.lambda_handler, make_event(ROUTE, token=token))


def me(token: str) -> int:
    return call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=token))[0]


def login(email: str, password: str) -> dict:
    status, body, _ = call(auth_login.lambda_handler,
                           make_event("POST /api/v1/auth/login", body={"email": email, "password": password}))
    assert status == 200, body
    return body["user"]


def test_a_refresh_token_buys_a_new_pair(alice):
    status, body, headers = refresh(alice.refresh)

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {"access", "refresh", "expires_in"}
    assert body["expires_in"] == 900
    assert body["access"] != alice.access
    assert body["refresh"] != alice.refresh


def test_the_new_pair_works(alice):
    _, pair, _ = refresh(alice.refresh)

    again, _, _ = refresh(pair["refresh"])

    assert me(pair["access"]) == 200
    assert again == 200


def test_a_used_refresh_token_stops_working(alice):
    assert refresh(alice.refresh)[0] == 200

    status, body, headers = refresh(alice.refresh)

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == 401


def test_reusing_a_refresh_token_revokes_every_token_of_the_user(alice):
    _, pair, _ = refresh(alice.refresh)

    assert refresh(alice.refresh)[0] == 401

    assert refresh(pair["refresh"])[0] == 401
    assert me(pair["access"]) == 401
    assert me(alice.access) == 401


def test_reusing_a_refresh_token_leaves_other_users_alone(alice, bob):
    refresh(alice.refresh)

    refresh(alice.refresh)

    assert me(bob.access) == 200
    assert refresh(bob.refresh)[0] == 200


def test_after_a_theft_alarm_the_user_can_log_in_again(alice):
    refresh(alice.refresh)
    refresh(alice.refresh)

    fresh = login(alice.email, alice.password)

    assert me(fresh["access"]) == 200
    assert refresh(fresh["refresh"])[0] == 200


def test_an_access_token_is_not_a_refresh_token(alice):
    status, body, headers = refresh(alice.access)

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert body["status"] == 401
    assert refresh(alice.refresh)[0] == 200  # and it did not count as a use of anything


def test_a_refresh_token_is_not_an_access_token(alice):
    status, _, headers = call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=alice.refresh))

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")


def test_refresh_without_a_token_answers_401(tables):
    status, body, headers = refresh(None)

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert body["code"] == "missing_token"


def test_an_expired_refresh_token_answers_401(alice):
    later = clock.epoch() + settings().refresh_ttl + 1

    with time_machine.travel(datetime.fromtimestamp(later, UTC), tick=False):
        status, _, headers = refresh(alice.refresh)

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")


def test_a_refresh_token_still_works_on_its_last_day(alice):
    later = clock.epoch() + settings().refresh_ttl - 60

    with time_machine.travel(datetime.fromtimestamp(later, UTC), tick=False):
        status, _, _ = refresh(alice.refresh)

    assert status == 200


def test_a_refresh_token_of_another_login_is_unaffected_by_rotation(tables, make_user):
    phone = make_user("carol")
    laptop = login(phone.email, phone.password)

    refresh(phone.refresh)

    assert refresh(laptop["refresh"])[0] == 200


def test_a_refresh_marks_the_record_used_in_the_table(alice, tables):
    jti = jwt.decode(alice.refresh, options={"verify_signature": False})["jti"]

    refresh(alice.refresh)

    item = tables.get_item(TableName=settings().users_table, Key={"pk": {"S": f"REFRESH#{jti}"}})["Item"]
    assert item["user_id"]["S"] == alice.id
    assert "used_at" in item
