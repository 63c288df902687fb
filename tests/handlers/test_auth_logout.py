"""POST /api/v1/auth/logout: every token issued before it stops working; a new login works."""
import auth_login
import auth_logout
import auth_me
import auth_refresh
from tests.conftest import call, make_event

ROUTE = "POST /api/v1/auth/logout"


def me(token: str) -> int:
    return call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=token))[0]


def refresh(token: str) -> int:
    return call(auth_refresh.lambda_handler, make_event("POST /api/v1/auth/token/refresh", token=token))[0]


def login(email: str, password: str) -> tuple[int, dict]:
    status, body, _ = call(auth_login.lambda_handler,
                           make_event("POST /api/v1/auth/login", body={"email": email, "password": password}))
    return status, body


def test_logout_answers_204_with_no_body(alice, lambda_context):
    out = auth_logout.lambda_handler(make_event(ROUTE, token=alice.access), lambda_context)

    assert out["statusCode"] == 204
    assert not out.get("body")


def test_after_logout_the_old_access_and_refresh_tokens_answer_401(alice):
    call(auth_logout.lambda_handler, make_event(ROUTE, token=alice.access))

    assert me(alice.access) == 401
    assert refresh(alice.refresh) == 401


def test_logout_revokes_the_tokens_of_every_session(alice):
    _, laptop = login(alice.email, alice.password)

    call(auth_logout.lambda_handler, make_event(ROUTE, token=alice.access))

    assert me(laptop["user"]["access"]) == 401
    assert refresh(laptop["user"]["refresh"]) == 401


def test_a_new_login_after_logout_works(alice):
    call(auth_logout.lambda_handler, make_event(ROUTE, token=alice.access))

    status, body = login(alice.email, alice.password)

    assert status == 200
    assert me(body["user"]["access"]) == 200
    assert refresh(body["user"]["refresh"]) == 200


def test_logout_twice_with_the_same_token_answers_401(alice):
    assert call(auth_logout.lambda_handler, make_event(ROUTE, token=alice.access))[0] == 204

    status, _, headers = call(auth_logout.lambda_handler, make_event(ROUTE, token=alice.access))

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")


def test_logout_leaves_other_users_logged_in(alice, bob):
    call(auth_logout.lambda_handler, make_event(ROUTE, token=alice.access))

    assert me(bob.access) == 200


def test_logout_without_a_token_answers_401(tables):
    status, body, headers = call(auth_logout.lambda_handler, make_event(ROUTE))

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert body["status"] == 401


def test_logout_with_a_refresh_token_answers_401_and_revokes_nothing(alice):
    status, _, _ = call(auth_logout.lambda_handler, make_event(ROUTE, token=alice.refresh))

    assert status == 401
    assert me(alice.access) == 200
