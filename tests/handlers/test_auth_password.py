"""POST /api/v1/auth/password: the current password for a new one; every earlier token stops working."""
import auth_login
import auth_me
import auth_password
import auth_refresh
from bookmarker.config import settings
from tests.conftest import call, make_event

ROUTE = "POST /api/v1/auth/password"
NEW = "a brand new passphrase"


def change(token: str, current: str, new: str) -> tuple[int, dict, dict]:
    return call(auth_password.lambda_handler,
                make_event(ROUTE, token=token, body={"current_password": current, "new_password": new}))


def login(email: str, password: str) -> tuple[int, dict]:
    status, body, _ = call(auth_login.lambda_handler,
                           make_event("POST /api/v1/auth/login", body={"email": email, "password": password}))
    return status, body


def me(token: str) -> int:
    return call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=token))[0]


def stored_hash(tables, user_id: str) -> str:
    item = tables.get_item(TableName=settings().users_table, Key={"pk": {"S": f"USER#{user_id}"}})["Item"]
    return item["password_hash"]["S"]


def test_a_password_change_answers_204_with_no_body(alice, lambda_context):
    event = make_event(ROUTE, token=alice.access, body={"current_password": alice.password, "new_password": NEW})

    out = auth_password.lambda_handler(event, lambda_context)

    assert out["statusCode"] == 204
    assert not out.get("body")


def test_after_a_password_change_the_old_tokens_answer_401(alice):
    change(alice.access, alice.password, NEW)

    assert me(alice.access) == 401
    refresh_status, _, _ = call(auth_refresh.lambda_handler,
                                make_event("POST /api/v1/auth/token/refresh", token=alice.refresh))
    assert refresh_status == 401


def test_after_a_password_change_only_the_new_password_logs_in(alice):
    change(alice.access, alice.password, NEW)

    old_status, old_body = login(alice.email, alice.password)
    new_status, new_body = login(alice.email, NEW)

    assert old_status == 401
    assert old_body["code"] == "invalid_credentials"
    assert new_status == 200
    assert me(new_body["user"]["access"]) == 200


def test_the_new_password_is_stored_as_a_new_bcrypt_hash(alice, tables):
    before = stored_hash(tables, alice.id)

    change(alice.access, alice.password, NEW)

    after = stored_hash(tables, alice.id)
    assert after != before
    assert after.startswith("$2b$04$")
    assert NEW not in after


def test_a_wrong_current_password_answers_401_and_changes_nothing(alice, tables):
    before = stored_hash(tables, alice.id)

    status, body, headers = change(alice.access, "not the password", NEW)

    assert status == 401
    assert body["code"] == "invalid_credentials"
    assert headers["Content-Type"] == "application/problem+json"
    assert stored_hash(tables, alice.id) == before
    assert me(alice.access) == 200
    assert login(alice.email, alice.password)[0] == 200


# The new password's rules are tests/unit/test_models.py's; here, that a refused one changes nothing.
def test_a_too_short_new_password_answers_400_and_changes_nothing(alice, tables):
    before = stored_hash(tables, alice.id)

    status, body, _ = change(alice.access, alice.password, "short")

    assert status == 400
    assert body["code"] == "password_too_short"
    assert body["errors"][0]["field"] == "new_password"
    assert stored_hash(tables, alice.id) == before
    assert me(alice.access) == 200


def test_a_new_password_of_128_emoji_is_accepted_and_logs_in(alice):
    emoji = "\N{GRINNING FACE}" * 128

    status, _, _ = change(alice.access, alice.password, emoji)

    assert status == 204
    assert login(alice.email, emoji)[0] == 200


def test_a_password_change_without_a_token_answers_401(alice):
    status, _, headers = call(auth_password.lambda_handler, make_event(
        ROUTE, body={"current_password": alice.password, "new_password": NEW}))

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert login(alice.email, alice.password)[0] == 200
