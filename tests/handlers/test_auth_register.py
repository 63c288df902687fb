"""POST /api/v1/auth/register: 201 with the public user; 400 per invalid field; 409 for a taken email or username."""
import functools

import pytest

import auth_login
import auth_register
from bookmarker.config import settings
from tests.conftest import at_once, call, make_event

ROUTE = "POST /api/v1/auth/register"


def register(username: str, email: str, password: str = "correct horse battery") -> tuple[int, dict, dict]:
    return call(auth_register.lambda_handler,
                make_event(ROUTE, body={"username": username, "email": email, "password": password}))


def users_items(tables, prefix: str) -> list[dict]:
    items = tables.scan(TableName=settings().users_table)["Items"]
    return [i for i in items if i["pk"]["S"].startswith(prefix)]


def test_register_creates_the_account_and_answers_201_with_the_public_user(tables):
    status, body, headers = register("alice", "alice@example.com")

    assert status == 201
    assert headers["Location"] == "/api/v1/auth/me"
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {"message", "user"}
    assert isinstance(body["message"], str) and body["message"]
    assert set(body["user"]) == {"id", "username", "email"}
    assert body["user"]["username"] == "alice"
    assert body["user"]["email"] == "alice@example.com"
    [user] = users_items(tables, "USER#")
    assert user["id"]["S"] == body["user"]["id"]


def test_register_answers_neither_the_password_nor_its_hash(tables, lambda_context):
    event = make_event(ROUTE, body={"username": "alice", "email": "alice@example.com", "password": "s3cret-p4ssword"})

    out = auth_register.lambda_handler(event, lambda_context)

    assert out["statusCode"] == 201
    assert "s3cret-p4ssword" not in out["body"]
    assert "password" not in out["body"]
    assert "$2b$" not in out["body"]


def test_register_stores_only_a_bcrypt_hash_of_the_password(tables):
    register("alice", "alice@example.com", password="s3cret-p4ssword")

    [user] = users_items(tables, "USER#")
    assert user["password_hash"]["S"].startswith("$2b$04$")
    assert "s3cret-p4ssword" not in str(user)


def test_register_stores_the_email_as_given(tables):
    status, body, _ = register("alice", "Alice.Smith@Example.COM")

    assert status == 201
    assert body["user"]["email"] == "Alice.Smith@Example.COM"
    [user] = users_items(tables, "USER#")
    assert user["email"]["S"] == "Alice.Smith@Example.COM"


# Each field's rules, and their edges, are tests/unit/test_models.py's table; here, that a refusal is problem JSON
# naming its code and field, and creates nothing.
@pytest.mark.parametrize(("field", "value", "code"), [
    ("password", "x" * 7, "password_too_short"),
    ("email", "not-an-email", "invalid_email"),
])
def test_register_refuses_an_invalid_field_with_its_code_and_creates_nothing(tables, field, value, code):
    body = {"username": "alice", "email": "alice@example.com", "password": "correct horse battery", field: value}

    status, answer, headers = call(auth_register.lambda_handler, make_event(ROUTE, body=body))

    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert answer["code"] == code
    assert answer["status"] == 400
    assert [e["field"] for e in answer["errors"]] == [field]
    assert tables.scan(TableName=settings().users_table)["Items"] == []


def test_register_refuses_an_email_already_taken_in_another_case(tables):
    assert register("alice", "alice@example.com")[0] == 201

    status, body, headers = register("alice2", "ALICE@Example.com")

    assert status == 409
    assert headers["Content-Type"] == "application/problem+json"
    assert body["code"] == "email_taken"
    assert len(users_items(tables, "USER#")) == 1
    assert users_items(tables, "USERNAME#alice2") == []


def test_register_refuses_a_username_already_taken_in_another_case(tables):
    assert register("alice", "alice@example.com")[0] == 201

    status, body, _ = register("ALICE", "other@example.com")

    assert status == 409
    assert body["code"] == "username_taken"
    assert len(users_items(tables, "USER#")) == 1
    assert users_items(tables, "EMAIL#other@example.com") == []


def test_a_refused_username_leaves_the_new_email_free(tables):
    register("alice", "alice@example.com")
    assert register("Alice", "fresh@example.com")[0] == 409

    status, body, _ = register("carol", "fresh@example.com")

    assert status == 201, body
    assert len(users_items(tables, "USER#")) == 2


def test_a_refused_email_leaves_the_new_username_free(tables):
    register("alice", "alice@example.com")
    assert register("carol", "Alice@example.com")[0] == 409

    status, body, _ = register("carol", "carol@example.com")

    assert status == 201, body


def test_a_conflicting_registration_does_not_touch_the_existing_account(tables):
    register("alice", "alice@example.com", password="alice's password")

    register("mallory", "alice@example.com", password="mallory's password")

    login = make_event("POST /api/v1/auth/login", body={"email": "alice@example.com", "password": "alice's password"})
    status, body, _ = call(auth_login.lambda_handler, login)
    assert status == 200
    assert body["user"]["username"] == "alice"


def test_ten_simultaneous_registrations_of_one_email_create_exactly_one_account(tables):
    results = at_once([functools.partial(register, f"racer{i}", "same@example.com") for i in range(10)])

    statuses = sorted(status for status, _, _ in results)
    assert statuses == [201] + [409] * 9
    assert {body["code"] for status, body, _ in results if status == 409} == {"email_taken"}
    assert len(users_items(tables, "USER#")) == 1
    assert len(users_items(tables, "EMAIL#")) == 1
    assert len(users_items(tables, "USERNAME#")) == 1
