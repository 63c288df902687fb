"""The implementation is held to its document: schemathesis runs every operation of openapi.yaml against the
local API, with a real user's token, and checks statuses, content types, headers and bodies against it."""
import time
import uuid

import pytest
import schemathesis
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from bookmarker.openapi import SPEC
from tests.e2e.helpers import PASSWORD, login, new_user

# Bounded so `make test` stays fast and every run sends the same requests: a fixed seed, no example database,
# no shrinking (a failure still prints the request that reproduces it, as a curl command). The examples and
# coverage phases add the documented examples and the schema's boundary values to the fuzzed cases.
MAX_EXAMPLES = 25
CONFIG = SchemathesisConfig.from_dict({
    "seed": 20261127,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True, "database": "none",
                   "mode": "all"},
    # TRACE is left out: the local server (http.server) answers it 501 itself, before any route.
    "phases": {"stateful": {"enabled": False},
               "coverage": {"unexpected-methods": ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"]}},
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
})
schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
EXAMPLE_ID, EXAMPLE_CODE = "01JD8X2Q7R5N3M4K6P9T0V1W2X", "aZ3k9Qx"  # openapi.yaml's path examples
SENT: list[int] = []


class Spender:
    """A user of its own for an operation that revokes or spends tokens (logout, refresh, password, delete):
    logged in again after a success revoked its tokens, replaced after a success changed or deleted it."""

    def __init__(self, client, operation_id: str):
        self.client, self.operation_id, self.user = client, operation_id, None

    def authorization(self) -> dict[str, str]:
        if self.user is None:
            self.user = new_user(self.client)
        token = self.user.refresh if self.operation_id == "refreshToken" else self.user.access
        return {"Authorization": f"Bearer {token}"}

    def answered(self, status: int) -> None:
        if 200 <= status < 300:
            self.user = login(self.client, self.user) if self.operation_id in ("logout", "refreshToken") else None


class Caller:
    """The user every other operation runs as, with a bookmark of its own for the documented example id and code,
    so that examples reach the success answers too (random ids and codes only ever find 404)."""

    def __init__(self, client):
        self.client, self.user = client, new_user(client)
        self.bookmark = self.new_bookmark()
        # The login example's account, so that example logs in (and the register example meets 409).
        client.post("/api/v1/auth/register", json={"username": "alice", "email": "alice@example.com",
                                                   "password": PASSWORD})

    def new_bookmark(self) -> dict:
        created = self.client.post("/api/v1/bookmarks", json={"url": f"https://example.com/{uuid.uuid4().hex}"},
                                   headers=self.authorization())
        assert created.status_code == 201, created.text
        return created.json()

    def authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.user.access}"}

    def real_ids(self, case) -> None:
        params = case.path_parameters or {}
        if params.get("id") == EXAMPLE_ID:  # DELETE gets a bookmark of its own: the others' stays
            params["id"] = self.new_bookmark()["id"] if case.method == "DELETE" else self.bookmark["id"]
        if params.get("short_code") == EXAMPLE_CODE:
            params["short_code"] = self.bookmark["short_code"]


@pytest.fixture(scope="module")
def callers(local_api, request):
    started = time.perf_counter()
    spenders = {op: Spender(local_api.client, op) for op in ("logout", "refreshToken", "changePassword", "deleteMe")}
    yield Caller(local_api.client), spenders
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter and capture and SENT:  # the figures that keep this test bounded, printed even without -s
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\ncontract: {len(SENT)} requests, {sum(s >= 500 for s in SENT)} 5xx, in "
                                f"{time.perf_counter() - started:.1f} s (at most {MAX_EXAMPLES} fuzzed an operation)")


@schema.parametrize()
def test_every_response_matches_the_document(case, local_api, callers):
    caller, spenders = callers
    operation = case.operation.definition.raw
    spender = spenders.get(operation.get("operationId"))
    headers = {}
    if operation.get("security", schema.raw_schema.get("security")):
        headers = spender.authorization() if spender else caller.authorization()
    caller.real_ids(case)

    response = case.call_and_validate(base_url=local_api.url, headers=headers, checks=CHECKS,
                                      allow_redirects=False, timeout=10)

    SENT.append(response.status_code)
    if spender:
        spender.answered(response.status_code)
