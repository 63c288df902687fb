"""POST /api/v1/auth/login: a token pair for the right password; one answer for every wrong one; a lockout."""
from datetime import UTC, datetime

import bcrypt
import jwt
import pytest
import time_machine

import auth_login
import auth_me
from bookmarker import clock
from bookmarker.config import settings
from bookmarker.keys import signing_key
from tests.conftest import call, make_event

ROUTE = "POST /api/v1/auth/login"


def login(email: str, password: str) -> tuple[int, dict, dict]:
    return call(auth_login.lambda_handler, make_event(ROUTE, body={"email": email, "password": password}))


def raw_login(email: str, password: str, context) -> dict:
    return auth_login.lambda_handler(make_event(ROUTE, body={"email": email, "password": password}), context)


def at(epoch: int):
    return time_machine.travel(datetime.fromtimestamp(epoch, UTC), tick=False)


@pytest.fixture
def checkpw_calls(monkeypatch) -> list[bytes]:
    """Every bcrypt.checkpw call, still doing the real work."""
    calls, real = [], bcrypt.checkpw

    def spy(password: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", spy)
    return calls


@pytest.fixture
def max_failures():
    """LOGIN_MAX_FAILURES set to 3 for one test, the cached settings rebuilt before and after."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGIN_MAX_FAILURES", "3")
        settings.cache_clear()
        yield 3
    settings.cache_clear()


def test_login_answers_200_with_the_user_and_a_bearer_token_pair(alice):
    status, body, headers = login(alice.email, alice.password)

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {"user", "access", "refresh", "token_type", "expires_in"}
    assert set(body["user"]) == {"id", "username", "email", "access", "refresh"}
    assert (body["access"], body["refresh"]) == (body["user"]["access"], body["user"]["refresh"])
    assert body["user"]["id"] == alice.id
    assert body["user"]["username"] == "alice"
    assert body["user"]["email"] == alice.email
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900


def test_login_tokens_are_an_access_and_a_refresh_token_for_the_user(alice):
    _, body, _ = login(alice.email, alice.password)

    access = jwt.decode(body["user"]["access"], signing_key(), algorithms=["HS256"])
    refresh = jwt.decode(body["user"]["refresh"], signing_key(), algorithms=["HS256"])
    assert (access["sub"], access["typ"]) == (alice.id, "access")
    assert (refresh["sub"], refresh["typ"]) == (alice.id, "refresh")
    assert access["exp"] - access["iat"] == 900
    assert refresh["exp"] - refresh["iat"] == 30 * 24 * 3600


def test_the_access_token_from_login_opens_the_account(alice):
    _, body, _ = login(alice.email, alice.password)

    status, me, _ = call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=body["user"]["access"]))

    assert status == 200
    assert me["id"] == alice.id


def test_login_compares_the_email_case_insensitively(alice):
    status, body, _ = login("ALICE@Example.COM", alice.password)

    assert status == 200
    assert body["user"]["id"] == alice.id
    assert body["user"]["email"] == "alice@example.com"


def test_a_wrong_password_answers_401_invalid_credentials(alice):
    status, body, headers = login(alice.email, "not the password")

    assert status == 401
    assert headers["Content-Type"] == "application/problem+json"
    assert body["code"] == "invalid_credentials"


def test_an_unknown_email_and_a_wrong_password_get_byte_identical_answers(alice, lambda_context):
    unknown = raw_login("nobody@example.com", alice.password, lambda_context)
    wrong = raw_login(alice.email, "not the password", lambda_context)

    assert unknown["statusCode"] == wrong["statusCode"] == 401
    assert unknown["body"] == wrong["body"]
    assert unknown["headers"] == wrong["headers"]


def test_an_unknown_email_and_a_wrong_password_both_run_bcrypt_once(alice, checkpw_calls):
    login("nobody@example.com", "whatever password")
    unknown_calls = len(checkpw_calls)
    login(alice.email, "not the password")

    assert unknown_calls == 1
    assert len(checkpw_calls) == 2
    assert all(h.startswith(b"$2b$04$") for h in checkpw_calls)


def test_the_password_is_case_sensitive(alice):
    status, body, _ = login(alice.email, alice.password.upper())

    assert status == 401
    assert body["code"] == "invalid_credentials"


# Malformed bodies are tests/unit/test_models.py's table and tests/handlers/test_bad_input.py's, on every route.
def test_a_login_body_without_a_password_answers_400(tables):
    status, answer, headers = call(auth_login.lambda_handler, make_event(ROUTE, body={"email": "a@example.com"}))

    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert answer["status"] == 400


# ---- lockout ---------------------------------------------------------------------------------------

def test_after_ten_failures_even_the_right_password_answers_429_with_retry_after(alice):
    for _ in range(10):
        assert login(alice.email, "not the password")[0] == 401

    status, body, headers = login(alice.email, alice.password)

    assert status == 429
    assert body["code"] == "too_many_attempts"
    assert headers["Content-Type"] == "application/problem+json"
    assert 0 < int(headers["Retry-After"]) <= 900


def test_nine_failures_do_not_lock_the_account(alice):
    for _ in range(9):
        login(alice.email, "not the password")

    status, _, _ = login(alice.email, alice.password)

    assert status == 200


def test_failures_are_counted_per_email_whatever_its_case(alice):
    for i in range(10):
        login(alice.email.upper() if i % 2 else alice.email, "not the password")

    status, body, _ = login("Alice@Example.com", alice.password)

    assert status == 429
    assert body["code"] == "too_many_attempts"


def test_failures_for_an_unknown_email_lock_it_too(tables):
    for _ in range(10):
        assert login("nobody@example.com", "whatever password")[0] == 401

    status, body, headers = login("nobody@example.com", "whatever password")

    assert status == 429
    assert body["code"] == "too_many_attempts"
    assert int(headers["Retry-After"]) > 0


def test_a_locked_email_does_not_lock_another_account(alice, bob):
    for _ in range(10):
        login(alice.email, "not the password")

    status, _, _ = login(bob.email, bob.password)

    assert status == 200


def test_a_locked_login_does_not_check_the_password(alice, checkpw_calls):
    for _ in range(10):
        login(alice.email, "not the password")
    checkpw_calls.clear()

    status, _, _ = login(alice.email, alice.password)

    assert status == 429
    assert checkpw_calls == []


def test_a_successful_login_resets_the_failure_count(alice, tables):
    for _ in range(9):
        login(alice.email, "not the password")
    assert login(alice.email, alice.password)[0] == 200
    for _ in range(9):
        login(alice.email, "not the password")

    status, _, _ = login(alice.email, alice.password)

    assert status == 200
    key = {"pk": {"S": f"LOGINFAIL#{alice.email}"}}
    assert "Item" not in tables.get_item(TableName=settings().users_table, Key=key)


def test_retry_after_counts_down_to_the_end_of_the_window(alice):
    start = clock.epoch()
    with at(start):
        for _ in range(10):
            login(alice.email, "not the password")

    with at(start + 600):
        status, _, headers = login(alice.email, alice.password)

    assert status == 429
    assert int(headers["Retry-After"]) == 300


def test_the_lock_lifts_once_the_window_has_passed(alice):
    start = clock.epoch()
    with at(start):
        for _ in range(10):
            login(alice.email, "not the password")
    with at(start + 899):
        assert login(alice.email, alice.password)[0] == 429

    with at(start + 901):
        status, body, _ = login(alice.email, alice.password)

    assert status == 200
    assert body["user"]["id"] == alice.id


def test_the_failure_threshold_is_configurable(alice, max_failures):
    for _ in range(max_failures):
        assert login(alice.email, "not the password")[0] == 401

    status, body, _ = login(alice.email, alice.password)

    assert status == 429
    assert body["code"] == "too_many_attempts"
