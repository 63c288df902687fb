"""A real browser on /docs: Swagger UI loads under its CSP, Authorize takes a token, Try it out calls the API; and on
a password-protected short link: the form, a wrong password, the right one, and the page it leads to."""
import json
import os
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.helpers import new_user
from tests.harness import PERSON

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 20_000
# Any CSP violation reaches the console as an error, with what was blocked.
REPORT_CSP = ("document.addEventListener('securitypolicyviolation', e => console.error("
              "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():  # never a silent skip: `make test` installs it (scripts/ensure-chromium)
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (apt-get install chromium) or set CHROMIUM")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(REPORT_CSP)
    page.problems = []  # console errors, uncaught exceptions, failed requests
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url} {r.failure}"))
    yield page
    context.close()


def authorize(page: Page, token: str, scheme: str = "bearerAuth") -> None:
    """Swagger UI's Authorize dialog: the token pasted under one scheme (a login's JWT, or an API token)."""
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    box = dialog.locator(".auth-container").filter(has_text=scheme)
    box.locator("input").first.fill(token)
    box.locator(".auth-btn-wrapper button.authorize").click()
    box.locator("button.btn-done").click()
    expect(page.locator(".auth-wrapper button.authorize.locked")).to_be_visible()


def try_it_out(page: Page, operation_id: str, body: str | None = None):
    """Open the operation, "Try it out", optionally edit the body, "Execute"; the live response's status and body."""
    block = page.locator(f"[id$='-{operation_id}']")
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    if body is not None:
        block.locator("textarea.body-param__text").fill(body)
    block.locator("button.execute").click()
    live = block.locator(".live-responses-table")
    status = live.locator("tbody .response-col_status").first
    expect(status).to_have_text(re.compile(r"\d{3}"))
    return status.inner_text().strip(), live.locator(".response-col_description .microlight").first.inner_text()


def test_swagger_ui_authorizes_and_tries_out_me_and_create_bookmark(local_api, page):
    user = new_user(local_api.client)
    url = f"https://example.com/from-swagger-{uuid.uuid4().hex[:8]}"

    page.goto(local_api.url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    authorize(page, user.access)
    me_status, me_body = try_it_out(page, "getMe")
    created_status, created_body = try_it_out(page, "createBookmark", json.dumps({"url": url, "body": "via docs"}))

    assert me_status == "200"
    assert json.loads(me_body)["email"] == user.email
    assert created_status == "201"
    assert json.loads(created_body)["url"] == url
    listed = local_api.client.get("/api/v1/bookmarks", headers={"authorization": f"Bearer {user.access}"}).json()
    assert [b["url"] for b in listed["data"]] == [url]
    assert page.problems == []


def test_swagger_ui_takes_an_api_token_under_authorize(local_api, page):
    user = new_user(local_api.client)
    auth = {"authorization": f"Bearer {user.access}"}
    url = f"https://example.com/for-a-script-{uuid.uuid4().hex[:8]}"
    local_api.client.post("/api/v1/bookmarks", headers=auth, json={"url": url, "tags": ["from-a-script"]})
    token = local_api.client.post("/api/v1/auth/tokens", headers=auth, json={
        "name": "swagger", "scopes": ["bookmarks:read"]}).json()["token"]

    page.goto(local_api.url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    authorize(page, token, "apiToken")
    status, body = try_it_out(page, "listTags")  # no parameter for Swagger UI to fill in with an example

    assert status == "200"
    assert json.loads(body)["data"] == [{"name": "from-a-script", "count": 1}]
    assert page.problems == []


def test_root_redirects_the_browser_to_the_docs(local_api, page):
    page.goto(local_api.url + "/")

    assert page.url == local_api.url + "/docs"
    expect(page.locator(".information-container .title")).to_contain_text("Bookmarker API")
    assert page.problems == []


LANDED = "<!doctype html><html lang=en><head><title>Members only</title></head><body><h1 id=landed>Welcome in</h1>"


@pytest.fixture
def target_site():
    """The page a protected link leads to: the test's own, on 127.0.0.1, so nothing leaves the machine."""
    class Target(BaseHTTPRequestHandler):
        def do_GET(self):
            body = LANDED.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_protected_link_asks_for_its_password_then_leads_to_its_page(local_api, browser, target_site, tmp_path):
    user, secret = new_user(local_api.client), "open sesame 123"
    auth = {"authorization": f"Bearer {user.access}"}
    made = local_api.client.post("/api/v1/bookmarks", headers=auth, json={
        "url": f"{target_site}/members?from=flyer", "link_password": secret}).json()
    context = browser.new_context(user_agent=PERSON)  # a person's browser: HeadlessChrome is a bot by name
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{local_api.url}/{made['short_code']}")
        expect(page.locator("h1")).to_have_text("This link is protected")
        page.screenshot(path=tmp_path / "1-asked.png")
        page.fill("input[name=password]", "not the password")
        page.click("button[type=submit]")
        expect(page.locator("[role=alert]")).to_be_visible()
        page.screenshot(path=tmp_path / "2-wrong.png")
        page.fill("input[name=password]", secret)
        page.click("button[type=submit]")
        expect(page.locator("#landed")).to_have_text("Welcome in")
        page.screenshot(path=tmp_path / "3-landed.png")
        landed_at = page.url
    finally:
        context.close()

    assert landed_at == f"{target_site}/members?from=flyer"
    got = local_api.client.get(f"/api/v1/bookmarks/{made['id']}", headers=auth).json()
    assert (got["visits"], got["bot_visits"]) == (1, 0)  # the right password's visit only
    assert all((tmp_path / name).stat().st_size > 1000 for name in ("1-asked.png", "2-wrong.png", "3-landed.png"))
    # Chromium reports each 401 page as a failed resource load; anything else is a problem (a blocked script...).
    assert [e for e in errors if "status of 401" not in e] == []
