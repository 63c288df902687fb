"""Accounts over real HTTP, against the local API: docs/api.md's auth table walked by a client."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

PASSWORD = "correct horse battery"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def register(client: httpx.Client, name: str, email: str | None = None) -> httpx.Response:
    return client.post("/api/v1/auth/register",
                       json={"username": name, "email": email or f"{name}@example.com", "password": PASSWORD})


def login(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def test_register_login_and_me_work_as_the_readme_shows(local_api):
    name = unique("reader")
    c = local_api.client

    created = register(c, name)
    logged_in = login(c, f"{name.upper()}@EXAMPLE.com")
    me = c.get("/api/v1/auth/me", headers=bearer(logged_in.json()["user"]["access"]))

    assert created.status_code == 201
    assert created.headers["location"] == "/api/v1/auth/me"
    assert logged_in.status_code == 200
    assert logged_in.json()["token_type"] == "Bearer"
    assert me.status_code == 200
    assert me.json()["username"] == name
    assert me.json()["created_at"].endswith("Z")


def test_ten_simultaneous_registrations_of_one_email_give_one_account(local_api):
    email = f"{unique('race')}@example.com"

    def attempt(i: int) -> int:
        with httpx.Client(base_url=local_api.url, timeout=30) as c:
            return register(c, unique(f"r{i}"), email).status_code

    with ThreadPoolExecutor(10) as pool:
        statuses = sorted(pool.map(attempt, range(10)))

    assert statuses == [201] + [409] * 9


def test_refresh_rotates_and_a_reused_refresh_token_revokes_everything(local_api):
    c, name = local_api.client, unique("rot")
    register(c, name)
    first = login(c, f"{name}@example.com").json()["user"]

    rotated = c.post("/api/v1/auth/token/refresh", headers=bearer(first["refresh"]))
    reused = c.post("/api/v1/auth/token/refresh", headers=bearer(first["refresh"]))
    after_theft = c.get("/api/v1/auth/me", headers=bearer(rotated.json()["access"]))
    second_refresh = c.post("/api/v1/auth/token/refresh", headers=bearer(rotated.json()["refresh"]))

    assert rotated.status_code == 200
    assert reused.status_code == 401
    assert reused.headers["www-authenticate"].startswith("Bearer")
    assert after_theft.status_code == 401
    assert second_refresh.status_code == 401


def test_logout_and_password_change_revoke_earlier_tokens(local_api):
    c, name = local_api.client, unique("out")
    register(c, name)
    tokens = login(c, f"{name}@example.com").json()["user"]

    changed = c.post("/api/v1/auth/password", headers=bearer(tokens["access"]),
                     json={"current_password": PASSWORD, "new_password": "a brand new secret"})
    old_access = c.get("/api/v1/auth/me", headers=bearer(tokens["access"]))
    old_password = login(c, f"{name}@example.com")
    fresh = login(c, f"{name}@example.com", "a brand new secret").json()["user"]
    logged_out = c.post("/api/v1/auth/logout", headers=bearer(fresh["access"]))
    after_logout = c.get("/api/v1/auth/me", headers=bearer(fresh["access"]))

    assert changed.status_code == 204
    assert old_access.status_code == 401
    assert old_password.status_code == 401
    assert logged_out.status_code == 204
    assert after_logout.status_code == 401


def test_deleting_an_account_frees_its_email_and_kills_its_links(local_api):
    c, name = local_api.client, unique("gone")
    register(c, name)
    access = login(c, f"{name}@example.com").json()["user"]["access"]
    code = c.post("/api/v1/bookmarks", headers=bearer(access), json={"url": "https://example.com/"}).json()["short_code"]

    deleted = c.request("DELETE", "/api/v1/auth/me", headers=bearer(access), json={"password": PASSWORD})

    assert deleted.status_code == 204
    assert c.get("/api/v1/auth/me", headers=bearer(access)).status_code == 401
    assert c.get(f"/{code}").status_code == 404
    assert register(c, name).status_code == 201


def test_unknown_email_and_wrong_password_look_the_same(local_api):
    c, name = local_api.client, unique("same")
    register(c, name)

    wrong_password = login(c, f"{name}@example.com", "not the password")
    unknown = login(c, f"nobody-{name}@example.com", "not the password")

    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.json() == unknown.json()
