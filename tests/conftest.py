"""Shared fixtures: payload 2.0 events for any route, moto tables built from template.yaml, users."""
import base64
import functools
import json
import os
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest

from local import iam
from local.template import Template

TEMPLATE = Template()
# Before any DynamoDB client exists (they are made lazily): every call a handler makes is recorded for
# tests/test_iam_policies.py, which checks it against the function's own policy (moto enforces no IAM).
iam.install(TEMPLATE)
# The functions' environment as the template gives it, with test-only values: a fixed signing key,
# the cheapest bcrypt cost, and fake credentials so nothing can reach AWS.
os.environ.update(TEMPLATE.merged_environment({
    "SIGNING_KEY": "test-signing-key-not-a-secret-0123456789abcdef",
    "BCRYPT_ROUNDS": "4",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_DEV": "false",
}))
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from local.dynamo import create_tables  # noqa: E402

DOMAIN = "api.bkm.test"
IAM_CHECKS = "test_iam_policies.py"
DESELECTED = pytest.StashKey[list]()
IAM_REPORT = pytest.StashKey[list[str]]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # The IAM checks judge what every other test recorded: they run last (a stable sort keeps the rest in order).
    items.sort(key=lambda item: item.path.name == IAM_CHECKS)


def pytest_deselected(items):
    # The IAM checks need the whole handler and e2e suites; -k or --deselect runs part of them.
    if items:
        items[0].config.stash.setdefault(DESELECTED, []).extend(items)


def pytest_terminal_summary(terminalreporter, config):
    if lines := config.stash.get(IAM_REPORT, None):
        terminalreporter.write_sep("-", "DynamoDB grants (tests/test_iam_policies.py)")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def dynamodb_calls_dir(tmp_path_factory):
    """Where each `python -m local` of the session records its handlers' DynamoDB calls (JSON lines)."""
    return tmp_path_factory.mktemp("dynamodb-calls")


def _serialize_moto() -> None:
    """moto's in-process DynamoDB is not thread-safe: a transaction's condition check and its writes, or an
    ADD's read and write, can interleave with another thread's. DynamoDB applies them atomically, so
    the concurrency tests (ten registrations of one email, fifty visits at once) run against a moto
    that handles one call at a time."""
    import threading

    from moto.core.botocore_stubber import BotocoreStubber

    lock, call = threading.RLock(), BotocoreStubber.__call__

    def one_at_a_time(self, *args, **kwargs):
        with lock:
            return call(self, *args, **kwargs)

    BotocoreStubber.__call__ = one_at_a_time


_serialize_moto()


@functools.cache
def _admin_client():
    return boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def tables():
    """Fresh, empty tables from template.yaml in moto, for one test. Clients are made once: moto
    intercepts every client made after it was imported, whichever mock is active."""
    with mock_aws():
        create_tables(_admin_client(), TEMPLATE)
        yield _admin_client()


def make_event(route: str, *, path_params: dict | None = None, body=None, query=None, token: str | None = None,
               headers: dict | None = None, raw_path: str | None = None, binary: bool = False,
               source_ip: str = "198.51.100.7") -> dict:
    """The event API Gateway (HTTP API, payload 2.0) sends for `route` ("METHOD /path/{var}" or "$default")."""
    if route == "$default":
        method, path = "GET", raw_path or "/"
    else:
        method, path = route.split(" ", 1)
    if raw_path is None:
        raw_path = path
        for name, value in (path_params or {}).items():
            raw_path = raw_path.replace("{" + name + "}", quote(value, safe=""))
    if isinstance(query, str):
        raw_query = query
    else:
        raw_query = urlencode(list(query.items()) if isinstance(query, dict) else (query or []))
    hdrs = {"accept": "application/json", "host": DOMAIN, "user-agent": "pytest", "x-forwarded-proto": "https"}
    if body is not None:
        hdrs["content-type"] = "application/json"
    if token:
        hdrs["authorization"] = f"Bearer {token}"
    hdrs.update({k.lower(): v for k, v in (headers or {}).items()})
    event = {
        "version": "2.0",
        "routeKey": route if route == "$default" else f"{method} {path}",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": hdrs,
        "requestContext": {
            "accountId": "123456789012", "apiId": "testapi", "domainName": DOMAIN, "domainPrefix": "api",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": hdrs["user-agent"]},
            "requestId": uuid.uuid4().hex[:16], "routeKey": route if route == "$default" else f"{method} {path}",
            "stage": "$default", "time": "27/Nov/2026:16:40:00 +0000", "timeEpoch": 1795797600000,
        },
        "isBase64Encoded": False,
    }
    if raw_query:
        pairs = {}
        from urllib.parse import parse_qsl

        for k, v in parse_qsl(raw_query, keep_blank_values=True):
            pairs[k] = f"{pairs[k]},{v}" if k in pairs else v  # API Gateway joins repeated keys with commas
        event["queryStringParameters"] = pairs
    if path_params:
        event["pathParameters"] = dict(path_params)
    if body is not None:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        if binary or isinstance(raw, bytes):
            event["body"] = base64.b64encode(raw if isinstance(raw, bytes) else raw.encode()).decode()
            event["isBase64Encoded"] = True
        else:
            event["body"] = raw
    return event


@pytest.fixture
def api_event():
    return make_event


@dataclass
class FakeContext:
    function_name: str = "bookmarker-test"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:bookmarker-test"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "test-request"
    log_group_name: str = "/aws/lambda/bookmarker-test"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@pytest.fixture
def lambda_context():
    return FakeContext()


@dataclass
class Account:
    id: str
    username: str
    email: str
    password: str
    access: str
    refresh: str


def call(handler, event: dict) -> tuple[int, dict, dict]:
    """Invoke a handler: (status, JSON body or {}, headers)."""
    out = handler(event, FakeContext())
    body = out.get("body") or ""
    try:
        parsed = json.loads(body) if body else {}
    except json.JSONDecodeError:
        parsed = {"raw": body}
    return out["statusCode"], parsed, out.get("headers") or {}


def signup(username: str, email: str | None = None, password: str = "correct horse battery") -> Account:
    import auth_login
    import auth_register

    email = email or f"{username}@example.com"
    status, body, _ = call(auth_register.lambda_handler, make_event(
        "POST /api/v1/auth/register", body={"username": username, "email": email, "password": password}))
    assert status == 201, body
    status, body, _ = call(auth_login.lambda_handler, make_event(
        "POST /api/v1/auth/login", body={"email": email, "password": password}))
    assert status == 200, body
    u = body["user"]
    return Account(u["id"], username, email, password, u["access"], u["refresh"])


@pytest.fixture
def alice(tables) -> Account:
    return signup("alice")


@pytest.fixture
def bob(tables) -> Account:
    return signup("bob")
