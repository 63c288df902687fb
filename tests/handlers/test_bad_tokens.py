"""Every way an access token can be wrong answers 401 problem JSON with `WWW-Authenticate: Bearer`.

What a token must be (signature, algorithm, lifetime, each claim) is tests/unit/test_tokens.py's tables; here,
one case of each kind proves the handlers are wired to them, and what only the users table decides (a user
that is gone, a token version moved by a logout or a password change) is shown whole."""
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from unittest import mock

import jwt
import pytest
import time_machine

import auth_delete
import auth_logout
import auth_me
import auth_password
import auth_refresh
import auth_tokens_create
import auth_tokens_delete
import auth_tokens_list
import bookmarks_check
import bookmarks_create
import bookmarks_qr
import bookmarks_visits
import tags_list
from bookmarker import clock
from bookmarker.config import settings
from bookmarker.keys import signing_key
from tests.conftest import call, make_event

ME = "GET /api/v1/auth/me"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(obj) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def forge(header: dict, claims: dict, key: bytes | None = None) -> str:
    """A JWT built by hand: HMAC-SHA256 over header.payload with `key`, or no signature at all."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    if key is None:
        return signing_input + "."
    return signing_input + "." + b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


def claims_for(user_id: str, **changes) -> dict:
    now = clock.epoch()
    claims = {"sub": user_id, "iat": now, "exp": now + 900, "jti": "0" * 32, "typ": "access", "ver": 0, **changes}
    return {k: v for k, v in claims.items() if v is not ...}


def assert_refused(status: int, body: dict, headers: dict) -> None:
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["detail"], str) and body["detail"]


def me_with(token: str | None = None, **headers) -> tuple[int, dict, dict]:
    return call(auth_me.lambda_handler, make_event(ME, token=token, headers=headers))


def test_a_hand_forged_token_with_the_real_key_is_accepted(alice):
    """The forging helper is right, so every refusal below is about the one thing each test changes."""
    token = forge({"alg": "HS256", "typ": "JWT"}, claims_for(alice.id), signing_key())

    status, body, _ = me_with(token)

    assert status == 200
    assert body["id"] == alice.id


# ---- the header, the token's form, its algorithm and signature ----------------------------------------

def test_a_missing_authorization_header_answers_401(alice):
    assert_refused(*me_with())


@pytest.mark.parametrize("value", ["Basic YWxpY2U6cGFzc3dvcmQ=", "Bearer"])
def test_a_malformed_authorization_header_answers_401(alice, value):
    assert_refused(*me_with(authorization=value))


def test_a_garbage_token_answers_401(alice):
    assert_refused(*me_with("a.b.c"))


def test_an_unsigned_alg_none_token_answers_401(alice):
    token = forge({"alg": "none", "typ": "JWT"}, claims_for(alice.id))

    assert_refused(*me_with(token))


def test_a_token_whose_header_names_another_algorithm_answers_401(alice):
    # The classic HS/RS confusion: an "RS256" token HMAC-signed with the key a verifier might use as a public key.
    token = forge({"alg": "RS256", "typ": "JWT"}, claims_for(alice.id), signing_key())

    assert_refused(*me_with(token))


def test_a_token_with_a_tampered_payload_answers_401(alice, bob):
    header, _, signature = alice.access.split(".")
    claims = jwt.decode(alice.access, options={"verify_signature": False})
    tampered = f"{header}.{segment({**claims, 'sub': bob.id})}.{signature}"

    assert_refused(*me_with(tampered))


# ---- time and claims ---------------------------------------------------------------------------

def test_an_expired_access_token_answers_401(alice):
    later = clock.epoch() + settings().access_ttl + 1

    with time_machine.travel(datetime.fromtimestamp(later, UTC), tick=False):
        result = me_with(alice.access)

    assert_refused(*result)


def test_a_token_missing_its_version_answers_401(alice):
    token = forge({"alg": "HS256", "typ": "JWT"}, claims_for(alice.id, ver=...), signing_key())

    assert_refused(*me_with(token))


def test_a_token_for_a_user_that_never_existed_answers_401(alice):
    token = forge({"alg": "HS256", "typ": "JWT"}, claims_for("01J0000000000000000000000Z"), signing_key())

    assert_refused(*me_with(token))


def test_a_token_carrying_a_future_token_version_answers_401(alice):
    token = forge({"alg": "HS256", "typ": "JWT"}, claims_for(alice.id, ver=1), signing_key())

    assert_refused(*me_with(token))


# ---- the wrong kind, or revoked --------------------------------------------------------------------

def test_a_refresh_token_used_as_an_access_token_answers_401(alice):
    assert_refused(*me_with(alice.refresh))


def test_an_access_token_used_as_a_refresh_token_answers_401(alice):
    assert_refused(*call(auth_refresh.lambda_handler, make_event("POST /api/v1/auth/token/refresh",
                                                                 token=alice.access)))


def test_the_tokens_of_a_deleted_user_answer_401(alice):
    call(auth_delete.lambda_handler, make_event("DELETE /api/v1/auth/me", token=alice.access,
                                                body={"password": alice.password}))

    assert_refused(*me_with(alice.access))


def test_tokens_issued_before_logout_answer_401(alice):
    call(auth_logout.lambda_handler, make_event("POST /api/v1/auth/logout", token=alice.access))

    assert_refused(*me_with(alice.access))


def test_tokens_issued_before_a_password_change_answer_401(alice):
    call(auth_password.lambda_handler, make_event("POST /api/v1/auth/password", token=alice.access, body={
        "current_password": alice.password, "new_password": "a brand new passphrase"}))

    assert_refused(*me_with(alice.access))


# ---- every authenticated route checks the same way -------------------------------------------------

@pytest.mark.parametrize(("handler", "route", "body"), [
    (auth_me, "GET /api/v1/auth/me", None),
    (auth_logout, "POST /api/v1/auth/logout", None),
    (auth_password, "POST /api/v1/auth/password", {"current_password": "x" * 8, "new_password": "y" * 8}),
    (auth_delete, "DELETE /api/v1/auth/me", {"password": "x" * 8}),
    (bookmarks_create, "POST /api/v1/bookmarks", {"url": "https://example.com/"}),
    (bookmarks_check, "GET /api/v1/bookmarks/check", None),
    (tags_list, "GET /api/v1/tags", None),
    (bookmarks_qr, "GET /api/v1/bookmarks/{id}/qr", None),
    (bookmarks_visits, "GET /api/v1/bookmarks/{id}/visits", None),
    (auth_tokens_create, "POST /api/v1/auth/tokens", {"name": "n", "scopes": ["bookmarks:read"]}),
    (auth_tokens_list, "GET /api/v1/auth/tokens", None),
    (auth_tokens_delete, "DELETE /api/v1/auth/tokens/{id}", None),
])
@pytest.mark.parametrize("kind", ["missing", "other_key", "refresh"])
def test_every_authenticated_route_refuses_a_bad_token(alice, handler, route, body, kind):
    token = {
        "missing": None,
        "other_key": jwt.encode(claims_for(alice.id), "another-key-of-the-same-length-0123456789abcd"),
        "refresh": alice.refresh,
    }[kind]

    assert_refused(*call(handler.lambda_handler, make_event(route, token=token, body=body)))


# ---- API tokens: unknown, deleted or expired is 401 on every route that takes one ----------------------------------

API_TOKEN_ROUTES = [
    (bookmarks_create, "POST /api/v1/bookmarks", {"url": "https://example.com/"}),
    (bookmarks_check, "GET /api/v1/bookmarks/check", None),
    (tags_list, "GET /api/v1/tags", None),
    (bookmarks_qr, "GET /api/v1/bookmarks/{id}/qr", None),
    (bookmarks_visits, "GET /api/v1/bookmarks/{id}/visits", None),
]


def _api_token(account, kind: str) -> str:
    status, made, _ = call(auth_tokens_create.lambda_handler, make_event(
        "POST /api/v1/auth/tokens", token=account.access,
        body={"name": kind, "scopes": ["bookmarks:read", "bookmarks:write"], "expires_in_days": 1}))
    assert status == 201, made
    if kind == "deleted":
        call(auth_tokens_delete.lambda_handler, make_event("DELETE /api/v1/auth/tokens/{id}",
                                                           path_params={"id": made["id"]}, token=account.access))
    return made["token"]


@pytest.mark.parametrize(("handler", "route", "body"), API_TOKEN_ROUTES)
@pytest.mark.parametrize("kind", ["unknown", "deleted", "expired", "altered"])
def test_every_api_token_route_refuses_a_bad_api_token(alice, handler, route, body, kind):
    token = "bkm_" + "x" * 43 if kind == "unknown" else _api_token(alice, kind)
    if kind == "altered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    later = clock.epoch() + (2 * 86_400 if kind == "expired" else 0)

    with mock.patch.object(clock, "epoch", lambda: later):
        status, answer, headers = call(handler.lambda_handler, make_event(route, token=token, body=body))

    assert_refused(status, answer, headers)
    assert answer["code"] == "invalid_token"
