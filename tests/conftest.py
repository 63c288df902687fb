"""Shared fixtures: payload 2.0 events for any route, moto tables built from template.yaml, users and bookmarks."""
import functools
import json
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest

from local.template import Template
from tests.iam import recorder

TEMPLATE = Template()
# Before any DynamoDB client exists (they are made lazily): every call a handler makes is recorded for
# tests/test_iam_policies.py, which checks it against the function's own policy (moto enforces no IAM).
recorder.install(TEMPLATE)
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
from local.server import build_event  # noqa: E402
from local.template import DEFAULT_ROUTE  # noqa: E402
from tests.moto_fixes import one_backup_per_table  # noqa: E402

DOMAIN = "api.bkm.test"
IAM_CHECKS = "test_iam_policies.py"
DESELECTED = pytest.StashKey[list]()
IAM_REPORT = pytest.StashKey[list[str]]()
PASSWORD = "correct horse battery"


def pytest_configure(config):
    config.addinivalue_line("markers", "timing: measures wall-clock time; left out of `make check` (noisy on a busy "
                                       "machine), run by `make test`")


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
one_backup_per_table()


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


@pytest.fixture(scope="module")
def module_tables():
    """Tables made once for a whole module, for tests that only read what module-scoped fixtures wrote, or that
    each write under a user of their own (`make_user()`) that no other test reads. Such a module uses no `tables`
    (nor `alice`, `bob`): a second mock_aws() would empty these."""
    with mock_aws():
        create_tables(_admin_client(), TEMPLATE)
        yield _admin_client()


def module_user(name: str):
    """A module-scoped fixture named `name`: that user, made once in the module's tables (`module_tables`).
    In a test module: `alice = module_user("alice")`."""
    @pytest.fixture(scope="module", name=name)
    def user(module_tables, make_user):
        return make_user(name)

    return user


ROUTES = {route.route_key: route for route in TEMPLATE.routes}


def make_event(route: str, *, path_params: dict | None = None, body=None, query=None, token: str | None = None,
               headers: dict | None = None, raw_path: str | None = None, method: str = "GET",
               source_ip: str = "198.51.100.7") -> dict:
    """The event API Gateway (HTTP API, payload 2.0) sends for `route` of template.yaml ("METHOD /path/{var}", or
    "$default" with the request's `method` and `raw_path`), built by the local API's own `build_event`: tests and
    `make run` send one shape. A dict or list body goes as JSON; a `str` or `bytes` body as is (bad JSON). The
    content type (JSON unless `headers` say otherwise) decides whether the body arrives base64-encoded."""
    if route not in ROUTES:
        raise AssertionError(f"{route!r} is not a route of template.yaml")
    if route != DEFAULT_ROUTE:
        method, path = route.split(" ", 1)
        if raw_path is None:
            raw_path = path
            for name, value in (path_params or {}).items():
                raw_path = raw_path.replace("{" + name + "}", quote(value, safe=""))
    if not isinstance(query, str):
        query = urlencode(list(query.items()) if isinstance(query, dict) else (query or []))
    sent = {"accept": "application/json", "host": DOMAIN, "user-agent": "pytest", "x-forwarded-proto": "https"}
    if body is not None:
        sent["content-type"] = "application/json"
    if token:
        sent["authorization"] = f"Bearer {token}"
    sent.update({name.lower(): value for name, value in (headers or {}).items()})
    if body is None or isinstance(body, bytes):
        raw = body or b""
    else:  # surrogatepass: a lone surrogate is not UTF-8, so the gateway base64-encodes it as it would such bytes
        raw = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8", "surrogatepass")
    target = (raw_path or "/") + (f"?{query}" if query else "")
    return build_event(method, target, sent.items(), raw, route=ROUTES[route], path_params=path_params,
                       source_ip=source_ip)


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


def at_once[T](calls: list[Callable[[], T]]) -> list[T]:
    """Each call from a thread of its own, all released together (a barrier): their answers, in order."""
    start = threading.Barrier(len(calls))

    def run(fn: Callable[[], T]) -> T:
        start.wait()
        return fn()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def call(handler, event: dict) -> tuple[int, dict, dict]:
    """Invoke a handler: (status, JSON body or {}, headers)."""
    out = handler(event, FakeContext())
    body = out.get("body") or ""
    try:
        parsed = json.loads(body) if body else {}
    except json.JSONDecodeError:
        parsed = {"raw": body}
    return out["statusCode"], parsed, out.get("headers") or {}


def _signup(name: str | None = None, *, email: str | None = None, password: str = PASSWORD) -> Account:
    import auth_login
    import auth_register

    name = name or f"u{uuid.uuid4().hex[:12]}"
    email = email or f"{name}@example.com"
    status, body, _ = call(auth_register.lambda_handler, make_event(
        "POST /api/v1/auth/register", body={"username": name, "email": email, "password": password}))
    assert status == 201, body
    status, body, _ = call(auth_login.lambda_handler, make_event(
        "POST /api/v1/auth/login", body={"email": email, "password": password}))
    assert status == 200, body
    u = body["user"]
    return Account(u["id"], name, email, password, u["access"], u["refresh"])


def _make_bookmark(account: Account, url: str | None = None, body: str | None = None, *, tags: list[str] | None = None,
                   expect: int = 201) -> dict:
    import bookmarks_create

    payload = {"url": url or f"https://example.com/{uuid.uuid4().hex[:12]}", **({} if body is None else {"body": body}),
               **({} if tags is None else {"tags": tags})}
    status, answer, _ = call(bookmarks_create.lambda_handler,
                             make_event("POST /api/v1/bookmarks", body=payload, token=account.access))
    assert status == expect, answer
    return answer


def _get_bookmark(account: Account, bookmark_id: str) -> dict:
    import bookmarks_get

    status, answer, _ = call(bookmarks_get.lambda_handler, make_event(
        "GET /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, token=account.access))
    assert status == 200, answer
    return answer


# The factories write through the handlers into whichever tables the test has (`tables`, or `module_tables`), so
# they are session-scoped: module-scoped fixtures use them too.

@pytest.fixture
def with_settings(monkeypatch):
    """with_settings(NAME=value, ...): these environment variables for the rest of the test, and settings() read
    anew (it is cached, as in a Lambda container); both restored after it."""
    from bookmarker.config import settings

    def apply(**env: object) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, str(value))
        settings.cache_clear()

    yield apply
    monkeypatch.undo()
    settings.cache_clear()


@pytest.fixture(scope="session")
def make_user():
    """make_user(name=None, *, email=None, password=PASSWORD) -> an Account registered and logged in through the
    handlers; a unique name when none is given."""
    return _signup


@pytest.fixture(scope="session")
def make_bookmark():
    """make_bookmark(account, url=None, body=None, *, tags=None, expect=201) -> the answer of POST
    /api/v1/bookmarks (the created bookmark; a unique URL when none is given), asserting its status."""
    return _make_bookmark


@pytest.fixture(scope="session")
def get_bookmark():
    """get_bookmark(account, bookmark_id) -> the bookmark as GET /api/v1/bookmarks/{id} answers it (a 200)."""
    return _get_bookmark


@pytest.fixture
def alice(tables, make_user) -> Account:
    return make_user("alice")


@pytest.fixture
def bob(tables, make_user) -> Account:
    return make_user("bob")
