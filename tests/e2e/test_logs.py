"""No secret, token, password or whole event ever reaches a log line, even at DEBUG."""
from urllib.parse import urlencode

import httpx

PASSWORD = "Sup3r-secret passphrase"
NEW_PASSWORD = "An0ther secret phrase"
LINK_PASSWORD, NEW_LINK_PASSWORD = "L1nk secret phrase", "L1nk secret phrase, changed"


def test_a_full_session_logs_no_secret(start_local_api, tmp_path):
    api = start_local_api(LOG_LEVEL="DEBUG")
    c = api.client
    c.post("/api/v1/auth/register", json={"username": "logged", "email": "logged@example.com", "password": PASSWORD})
    c.post("/api/v1/auth/login", json={"email": "logged@example.com", "password": "a wrong password"})
    user = c.post("/api/v1/auth/login", json={"email": "logged@example.com", "password": PASSWORD}).json()["user"]
    pair = c.post("/api/v1/auth/token/refresh", headers={"authorization": f"Bearer {user['refresh']}"}).json()
    auth = {"authorization": f"Bearer {pair['access']}"}
    made = c.post("/api/v1/bookmarks", headers=auth, json={"url": "https://example.com/?token=abc"}).json()
    c.get("/api/v1/bookmarks", headers=auth, params={"per_page": 1})
    c.get(f"/{made['short_code']}")
    locked = c.post("/api/v1/bookmarks", headers=auth, json={"url": "https://example.com/locked",
                                                             "link_password": LINK_PASSWORD}).json()
    c.get(f"/{locked['short_code']}")
    c.post(f"/{locked['short_code']}", json={"password": "a wrong link password"})
    c.post(f"/{locked['short_code']}", data={"password": LINK_PASSWORD})  # as the page's form sends it
    c.patch(f"/api/v1/bookmarks/{locked['id']}", headers=auth, json={"link_password": NEW_LINK_PASSWORD})
    api_token = c.post("/api/v1/auth/tokens", headers=auth, json={"name": "logged", "scopes": ["bookmarks:read"]}
                       ).json()["token"]
    c.get("/api/v1/bookmarks", headers={"authorization": f"Bearer {api_token}"})
    c.get("/api/v1/auth/me", headers={"authorization": f"Bearer {api_token}"})  # refused: 403
    c.get("/api/v1/auth/me", headers={"authorization": "Bearer forged.token.value"})
    c.post("/api/v1/auth/password", headers=auth, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    fresh = c.post("/api/v1/auth/login", json={"email": "logged@example.com", "password": NEW_PASSWORD}).json()
    c.request("DELETE", "/api/v1/auth/me", headers={"authorization": f"Bearer {fresh['user']['access']}"},
              json={"password": NEW_PASSWORD})
    api.stop()
    key = (tmp_path / "state" / "signing.key").read_text().strip()
    logs = "".join(api.lines)

    secrets = [PASSWORD, NEW_PASSWORD, user["access"], user["refresh"], pair["access"], pair["refresh"],
               fresh["user"]["access"], key, "forged.token.value", LINK_PASSWORD, NEW_LINK_PASSWORD,
               "a wrong link password", urlencode({"password": LINK_PASSWORD}), api_token, api_token[12:]]
    assert '"level":"DEBUG"' in logs or '"level":"INFO"' in logs  # the functions did log
    for secret in secrets:
        assert secret not in logs
    for fragment in ("password_hash", "$2b$", '"headers"', '"requestcontext"', "authorization", "bearer "):
        assert fragment not in logs.lower()  # no hash, no whole event, no header dump
    assert "Traceback" not in logs


def test_error_answers_never_carry_a_stack_trace(local_api):
    answers = [
        local_api.client.post("/api/v1/bookmarks", content=b"{", headers={"authorization": "Bearer x"}),
        local_api.client.post("/api/v1/auth/login", content=b"\xff\xfe", headers={"content-type": "application/json"}),
        local_api.client.get("/api/v1/bookmarks/..%2F..%2Fetc%2Fpasswd"),
        httpx.get(f"{local_api.url}/api/v1/auth/me", headers={"authorization": "Bearer " + "A" * 5000}),
    ]

    for answer in answers:
        assert 400 <= answer.status_code < 500
        assert "Traceback" not in answer.text and 'File "' not in answer.text
