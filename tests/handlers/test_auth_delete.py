"""DELETE /api/v1/auth/me: with the password, the account and its bookmarks go; short codes stay claimed."""
import auth_delete
import auth_login
import auth_me
import auth_refresh
import redirect
from bookmarker.config import settings
from tests.conftest import call, make_event

ROUTE = "DELETE /api/v1/auth/me"


def delete(token: str | None, password: str) -> tuple[int, dict, dict]:
    return call(auth_delete.lambda_handler, make_event(ROUTE, token=token, body={"password": password}))


def bookmark_items(tables, pk: str) -> list[dict]:
    return tables.query(TableName=settings().bookmarks_table, KeyConditionExpression="pk = :pk",
                        ExpressionAttributeValues={":pk": {"S": pk}})["Items"]


def user_items(tables) -> list[dict]:
    """Users, claims and refresh records; not the attempt-counting windows, which a refusal does write."""
    items = tables.scan(TableName=settings().users_table)["Items"]
    return [i for i in items if not i["pk"]["S"].startswith(("LOGINFAIL#", "CLIENTFAIL#", "REGISTER#"))]


def follow(code: str) -> tuple[int, dict, dict]:
    return call(redirect.lambda_handler, make_event("GET /{short_code}", path_params={"short_code": code}))


def test_deleting_the_account_answers_204_with_no_body(alice, lambda_context):
    event = make_event(ROUTE, token=alice.access, body={"password": alice.password})

    out = auth_delete.lambda_handler(event, lambda_context)

    assert out["statusCode"] == 204
    assert not out.get("body")


def test_deleting_the_account_removes_the_user_and_its_email_and_username_claims(alice, tables):
    delete(alice.access, alice.password)

    keys = {i["pk"]["S"] for i in user_items(tables)}
    assert f"USER#{alice.id}" not in keys
    assert "EMAIL#alice@example.com" not in keys
    assert "USERNAME#alice" not in keys


def test_after_deletion_the_old_tokens_answer_401(alice):
    delete(alice.access, alice.password)

    me_status, _, me_headers = call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=alice.access))
    refresh_status, _, _ = call(auth_refresh.lambda_handler,
                                make_event("POST /api/v1/auth/token/refresh", token=alice.refresh))
    assert me_status == 401
    assert me_headers["WWW-Authenticate"].startswith("Bearer")
    assert refresh_status == 401


def test_after_deletion_the_password_no_longer_logs_in(alice):
    delete(alice.access, alice.password)

    status, body, _ = call(auth_login.lambda_handler, make_event(
        "POST /api/v1/auth/login", body={"email": alice.email, "password": alice.password}))

    assert status == 401
    assert body["code"] == "invalid_credentials"


def test_after_deletion_the_email_and_username_can_register_again(alice, make_user):
    delete(alice.access, alice.password)

    again = make_user("ALICE", email="Alice@Example.com", password="another password")

    assert again.id != alice.id
    status, body, _ = call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=again.access))
    assert status == 200
    assert body["email"] == "Alice@Example.com"


def test_deleting_the_account_removes_its_bookmarks_but_keeps_their_short_codes_claimed(alice, bob, tables,
                                                                                       make_bookmark):
    first = make_bookmark(alice, "https://example.com/one")
    second = make_bookmark(alice, "https://example.com/two")
    kept = make_bookmark(bob, "https://example.com/one")
    assert bookmark_items(tables, alice.id)

    status, _, _ = delete(alice.access, alice.password)

    assert status == 204
    assert bookmark_items(tables, alice.id) == []
    for code in (first["short_code"], second["short_code"]):
        [claim] = bookmark_items(tables, f"CODE#{code}")
        assert claim["sk"]["S"] == "CODE"
    assert bookmark_items(tables, bob.id)
    assert follow(kept["short_code"])[0] == 302


def test_the_short_links_of_a_deleted_account_answer_404(alice, make_bookmark):
    bookmark = make_bookmark(alice, "https://example.com/one")
    assert follow(bookmark["short_code"])[0] == 302

    delete(alice.access, alice.password)

    status, body, headers = follow(bookmark["short_code"])
    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == 404
    assert "Location" not in headers


def test_a_wrong_password_answers_401_and_deletes_nothing(alice, tables, make_bookmark):
    bookmark = make_bookmark(alice, "https://example.com/one")
    users_before = user_items(tables)
    bookmarks_before = bookmark_items(tables, alice.id)

    status, body, headers = delete(alice.access, "not the password")

    assert status == 401
    assert body["code"] == "invalid_credentials"
    assert headers["Content-Type"] == "application/problem+json"
    assert user_items(tables) == users_before
    assert bookmark_items(tables, alice.id) == bookmarks_before
    assert call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=alice.access))[0] == 200
    assert follow(bookmark["short_code"])[0] == 302


def test_deleting_without_a_token_answers_401_and_deletes_nothing(alice, tables):
    before = user_items(tables)

    status, _, headers = delete(None, alice.password)

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert user_items(tables) == before


def test_deleting_without_a_password_answers_400_and_deletes_nothing(alice, tables, lambda_context):
    before = user_items(tables)

    out = auth_delete.lambda_handler(make_event(ROUTE, token=alice.access, body={}), lambda_context)

    assert out["statusCode"] == 400
    assert user_items(tables) == before


def test_deleting_one_account_leaves_another_untouched(alice, bob):
    delete(alice.access, alice.password)

    status, body, _ = call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=bob.access))

    assert status == 200
    assert body["id"] == bob.id


def test_after_ten_wrong_passwords_even_the_right_one_answers_429_and_deletes_nothing(alice, tables, make_bookmark):
    make_bookmark(alice, "https://example.com/one")
    for _ in range(10):
        assert delete(alice.access, "not the password")[0] == 401
    bookmarks_before = bookmark_items(tables, alice.id)

    status, body, headers = delete(alice.access, alice.password)

    assert status == 429
    assert body["code"] == "too_many_attempts"
    assert 0 < int(headers["Retry-After"]) <= 900
    assert bookmark_items(tables, alice.id) == bookmarks_before
    assert call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=alice.access))[0] == 200
