"""events/: one sample event per function of template.yaml for `sam local invoke`, each what API Gateway sends for one
of the function's routes (payload 2.0), and each answered by its handler, over moto, with the status openapi.yaml
documents for that route: the samples cannot rot. events/env.json: `sam local --env-vars`' file."""
import base64
import functools
import importlib
import json
from typing import Any
from urllib.parse import unquote

import pytest
import yaml

import auth_tokens_create
import bookmarks_create
from local.server import http_response, match_route
from local.template import DEFAULT_ROUTE, REPO_ROOT
from scripts import make_sample_events as samples
from tests.conftest import TEMPLATE, Account, call, make_event

FUNCTIONS = sorted(TEMPLATE.functions)
REGENERATE = "run `.venv/bin/python -m scripts.make_sample_events` and commit events/"
# $default is in no path of openapi.yaml: FallbackFunction answers only what no route took, a 404 (or a 405).
FALLBACK_STATUS = 404
PLACEHOLDERS = [samples.ACCESS_TOKEN, samples.REFRESH_TOKEN, samples.BOOKMARK_ID, samples.API_TOKEN_ID,
                samples.SHORT_CODE, samples.LOCKED_SHORT_CODE]


def sample(logical_id: str) -> dict[str, Any]:
    return json.loads((samples.EVENTS_DIR / f"{logical_id}.json").read_text())


@functools.cache
def openapi() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "openapi.yaml").read_text())


def documented_status(route_key: str) -> int:
    """The success status openapi.yaml gives the route (its first 2xx or 3xx): what the sample must get."""
    if route_key == DEFAULT_ROUTE:
        return FALLBACK_STATUS
    method, path = route_key.split(" ", 1)
    operation = openapi()["paths"][path.rstrip("/") or "/"][method.lower()]  # a trailing slash is the same path
    return min(int(code) for code in map(str, operation["responses"]) if code[0] in "23")


def made_real(logical_id: str, text: str, make_user, make_bookmark) -> dict[str, str]:
    """What the sample speaks of, made through the handlers (only that: the test stays fast): the account (unless the
    sample registers it), its bookmark and its API token. Placeholder -> the real token, id or short code."""
    real: dict[str, str] = {}
    if samples.EMAIL not in text and samples.ACCESS_TOKEN not in text and samples.REFRESH_TOKEN not in text:
        return real
    if logical_id == "AuthRegisterFunction":  # it registers the account itself
        return real
    alice: Account = make_user(samples.USERNAME, email=samples.EMAIL, password=samples.PASSWORD)
    real |= {samples.ACCESS_TOKEN: alice.access, samples.REFRESH_TOKEN: alice.refresh}
    if samples.BOOKMARK_ID in text or samples.SAVED_URL in text:
        real[samples.BOOKMARK_ID] = make_bookmark(alice, samples.SAVED_URL, tags=["reading"])["id"]
    if samples.API_TOKEN_ID in text:
        status, minted, _ = call(auth_tokens_create.lambda_handler, make_event(
            "POST /api/v1/auth/tokens", token=alice.access, body={"name": "a script", "scopes": ["bookmarks:read"]}))
        assert status == 201, minted
        real[samples.API_TOKEN_ID] = minted["id"]
    return real


def made_link(text: str, make_user, make_bookmark) -> dict[str, str]:
    """The short links the redirect's samples follow: an open one, or one with the sample's password."""
    if samples.SHORT_CODE not in text and samples.LOCKED_SHORT_CODE not in text:
        return {}
    owner: Account = make_user()
    if samples.SHORT_CODE in text:
        return {samples.SHORT_CODE: make_bookmark(owner)["short_code"]}
    status, locked, _ = call(bookmarks_create.lambda_handler, make_event("POST /api/v1/bookmarks", token=owner.access,
                             body={"url": "https://example.com/members/only", "link_password": samples.LINK_PASSWORD}))
    assert status == 201, locked
    return {samples.LOCKED_SHORT_CODE: locked["short_code"]}


# ---- the files ------------------------------------------------------------------------------------------------

def test_events_holds_one_sample_per_function_of_the_template_and_the_env_file():
    names = {path.name for path in samples.EVENTS_DIR.iterdir()}

    assert names == {f"{lid}.json" for lid in FUNCTIONS} | {samples.ENV_FILE}, REGENERATE


def test_the_files_are_what_the_script_writes():
    wanted = samples.rendered(TEMPLATE)

    stale = [name for name, text in wanted.items()
             if not (samples.EVENTS_DIR / name).exists() or (samples.EVENTS_DIR / name).read_text() != text]

    assert stale == [], REGENERATE


# ---- each event: payload 2.0, for a route of its function -------------------------------------------------------

@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_sample_is_a_payload_2_event_api_gateway_routes_to_its_function(logical_id):
    event = sample(logical_id)
    context, http = event["requestContext"], event["requestContext"]["http"]
    own = {route.route_key for route in TEMPLATE.routes if route.function_logical_id == logical_id}

    assert event["version"] == "2.0"
    assert event["routeKey"] in own and context["routeKey"] == event["routeKey"]
    # The route the gateway would pick for this method and path is this one (and its path parameters these).
    route, params = match_route(TEMPLATE.routes, http["method"], event["rawPath"])
    assert route is not None and route.route_key == event["routeKey"]
    assert event.get("pathParameters", {}) == params
    assert http["path"] == unquote(event["rawPath"]) and http["sourceIp"] and http["protocol"] == "HTTP/1.1"
    assert context["stage"] == "$default" and context["requestId"] and context["domainName"] == event["headers"]["host"]
    assert isinstance(context["timeEpoch"], int) and context["time"].endswith("+0000")
    assert all(name == name.lower() for name in event["headers"])
    assert http["userAgent"] == event["headers"]["user-agent"]
    assert isinstance(event["isBase64Encoded"], bool) and ("body" in event) == ("content-type" in event["headers"])
    # Never a live credential: only the placeholder the README tells to replace.
    assert event["headers"].get("authorization") in (None, f"Bearer {samples.ACCESS_TOKEN}",
                                                     f"Bearer {samples.REFRESH_TOKEN}")


# ---- each event, answered by its handler ------------------------------------------------------------------------

@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_sample_gets_the_answer_its_route_documents(logical_id, tables, make_user, make_bookmark,
                                                         lambda_context):
    text = (samples.EVENTS_DIR / f"{logical_id}.json").read_text()
    made = made_real(logical_id, text, make_user, make_bookmark) | made_link(text, make_user, make_bookmark)
    for placeholder, real in made.items():
        text = text.replace(placeholder, real)
    assert [p for p in PLACEHOLDERS if p in text] == []  # each placeholder the sample holds is made here
    event = json.loads(text)
    function = TEMPLATE.functions[logical_id]
    handler = getattr(importlib.import_module(function.handler_module), function.handler_name)

    answer = handler(event, lambda_context)

    assert isinstance(answer, dict) and type(answer["statusCode"]) is int
    assert isinstance(answer["headers"], dict) and all(isinstance(v, str) for v in answer["headers"].values())
    assert isinstance(answer.get("body", ""), str)  # a 204 may have none
    if answer.get("isBase64Encoded"):
        base64.b64decode(answer["body"], validate=True)
    http_response(answer)  # read as the gateway reads it
    assert answer["statusCode"] == documented_status(event["routeKey"]), answer.get("body", "")[:500]


# ---- events/env.json --------------------------------------------------------------------------------------------

def test_the_env_file_points_every_function_at_the_local_tables_with_a_local_key():
    env = json.loads((samples.EVENTS_DIR / samples.ENV_FILE).read_text())

    assert list(env) == ["Parameters"]  # one set of values for every function
    params = env["Parameters"]
    assert all(isinstance(value, str) for value in params.values())
    tables = {kw["TableName"] for kw in TEMPLATE.tables}
    assert {name: value for name, value in TEMPLATE.environment.items() if value in tables} == {
        name: value for name, value in params.items() if name.endswith("_TABLE")}
    assert params["DYNAMODB_ENDPOINT_URL"] == "http://host.docker.internal:8000"
    assert "NEVER-use-in-AWS" in params["SIGNING_KEY"] and int(params["BCRYPT_ROUNDS"]) == 4


def test_sam_local_passes_every_variable_of_the_env_file():
    # sam local sets only the variables template.yaml declares, and drops the others without a word.
    env = json.loads((samples.EVENTS_DIR / samples.ENV_FILE).read_text())

    assert set(env["Parameters"]) - set(TEMPLATE.environment) == set()
