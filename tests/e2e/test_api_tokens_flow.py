"""API tokens over real HTTP, as the issue's client uses them: minted with each scope through the local API, used on
the routes their scopes allow and refused elsewhere, revoked, kept through a logout and a password change, gone
with the account."""
from tests.e2e.helpers import PASSWORD, login, new_user


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def test_tokens_through_revocation_a_password_change_and_the_account_deletion(local_api):
    c = local_api.client
    user = new_user(c)

    def mint(name: str, *scopes: str) -> dict:
        made = c.post("/api/v1/auth/tokens", headers=bearer(user.access), json={"name": name, "scopes": list(scopes)})
        assert made.status_code == 201, made.text
        return made.json()

    reader, writer = mint("reader", "bookmarks:read"), mint("writer", "bookmarks:write")
    both = mint("both", "bookmarks:read", "bookmarks:write")

    created = c.post("/api/v1/bookmarks", headers=bearer(writer["token"]), json={"url": "https://example.com/api"})
    assert created.status_code == 201
    assert c.get("/api/v1/bookmarks", headers=bearer(reader["token"])).json()["meta"]["total_count"] == 1
    refused = c.post("/api/v1/bookmarks", headers=bearer(reader["token"]), json={"url": "https://example.com/no"})
    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")
    assert c.get("/api/v1/auth/me", headers=bearer(both["token"])).status_code == 403
    listed = c.get("/api/v1/auth/tokens", headers=bearer(user.access)).json()["data"]
    assert [t["name"] for t in listed] == ["both", "writer", "reader"] and "token" not in listed[0]
    assert {t["name"]: t["last_used_at"] is not None for t in listed} == {"both": False, "writer": True,
                                                                          "reader": True}

    assert c.delete(f"/api/v1/auth/tokens/{reader['id']}", headers=bearer(user.access)).status_code == 204
    gone = c.get("/api/v1/bookmarks", headers=bearer(reader["token"]))
    assert (gone.status_code, gone.headers["www-authenticate"]) == (401, "Bearer")

    assert c.post("/api/v1/auth/logout", headers=bearer(user.access)).status_code == 204
    user = login(c, user)
    assert c.post("/api/v1/auth/password", headers=bearer(user.access), json={
        "current_password": PASSWORD, "new_password": "a new long password"}).status_code == 204
    assert c.get("/api/v1/bookmarks", headers=bearer(both["token"])).status_code == 200  # left alone by both

    fresh = c.post("/api/v1/auth/login", json={"email": user.email, "password": "a new long password"}).json()
    deleted = c.request("DELETE", "/api/v1/auth/me", headers=bearer(fresh["user"]["access"]),
                        json={"password": "a new long password"})
    assert deleted.status_code == 204
    assert c.get("/api/v1/bookmarks", headers=bearer(both["token"])).status_code == 401
