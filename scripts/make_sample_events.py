"""Writes events/: one payload 2.0 event per function of template.yaml (events/<LogicalId>.json, for `sam local
invoke`) and events/env.json (the environment `sam local` gives the functions: a DynamoDB on the host).

    .venv/bin/python -m scripts.make_sample_events           # from the repo root: rewrite them
    .venv/bin/python -m scripts.make_sample_events --check   # exit 1 if a file differs from what it would write

The events are built by local/server.py's build_event, as tests/conftest.py's make_event builds the tests' (one
shape for tests, `make run` and `sam local`), with fixed ids and times: a file changes only when the template or
the gateway's shape does. Ids, short codes and tokens are placeholders (below) that no stack holds;
tests/unit/test_sample_events.py replaces them with real ones and feeds every event to its handler."""

import argparse
import base64
import hashlib
import json
import sys
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from local.server import build_event
from local.template import DEFAULT_ROUTE, REPO_ROOT, Template

EVENTS_DIR = REPO_ROOT / "events"
ENV_FILE = "env.json"

# Placeholders: a sample cannot hold a live token, nor an id that exists in whichever tables it is sent to.
ACCESS_TOKEN = "REPLACE_WITH_AN_ACCESS_TOKEN"  # noqa: S105 (a placeholder, not a secret)
REFRESH_TOKEN = "REPLACE_WITH_A_REFRESH_TOKEN"  # noqa: S105
BOOKMARK_ID = "01JDQ5J4T0AAAAAAAAAAAAAAAA"  # a ULID's shape, as bookmark ids have
API_TOKEN_ID = "01JDQ5J4T0BBBBBBBBBBBBBBBB"  # noqa: S105 (an id, not the token)
SHORT_CODE = "Sample1"  # an open link's short code
LOCKED_SHORT_CODE = "Locked1"  # a password-protected link's

# What the samples send, so a test can make the account, bookmark and link they speak of.
EMAIL, USERNAME, PASSWORD = "alice@example.com", "alice", "correct horse battery"
SAVED_URL = "https://example.com/articles/serverless-patterns"  # the bookmark that {id} and check?url= name
LINK_PASSWORD = "open sesame 123"  # noqa: S105 (the protected link's, sent by LinkUnlockFunction's sample)

# A fixed moment (2025-01-01T12:00:00Z) and a stable request id per function: the files do not change run to run.
NOW = 1_735_732_800.0
HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
SOURCE_IP = "198.51.100.7"  # TEST-NET-2 (RFC 5737)
CLI = "curl/8.5.0"
BROWSER = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
           "Safari/537.36")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

BOOKMARKS_FILE = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><A HREF="https://docs.aws.amazon.com/lambda/latest/dg/welcome.html" ADD_DATE="1735689600" TAGS="aws">What is \
AWS Lambda?</A>
    <DT><A HREF="https://www.python.org/" ADD_DATE="1735689600" TAGS="python">Welcome to Python.org</A>
    <DD>The language's home page.
</DL><p>
"""


@dataclass(frozen=True)
class Sample:
    """One request to a function, as a client would send it."""
    route: str  # one of the function's route keys in template.yaml
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None  # dict or list: JSON; str: as is, in `content_type`
    content_type: str = "application/json"
    bearer: str | None = ACCESS_TOKEN
    browser: bool = False  # a browser's headers (the redirect, the docs) rather than an API client's
    headers: dict[str, str] = field(default_factory=dict)
    raw_path: str = ""  # for $default: the path no route took
    method: str = "GET"  # for $default


BOOKMARK = {"id": BOOKMARK_ID}
SAMPLES: dict[str, Sample] = {
    "HealthFunction": Sample("GET /api/v1/health", bearer=None),
    "FallbackFunction": Sample(DEFAULT_ROUTE, bearer=None, raw_path="/api/v1/bookmark"),  # a typo: 404
    "AuthRegisterFunction": Sample("POST /api/v1/auth/register", bearer=None,
                                   body={"username": USERNAME, "email": EMAIL, "password": PASSWORD}),
    "AuthLoginFunction": Sample("POST /api/v1/auth/login", bearer=None, body={"email": EMAIL, "password": PASSWORD}),
    "AuthRefreshFunction": Sample("POST /api/v1/auth/token/refresh", bearer=REFRESH_TOKEN),
    "AuthMeFunction": Sample("GET /api/v1/auth/me"),
    "AuthDeleteFunction": Sample("DELETE /api/v1/auth/me", body={"password": PASSWORD}),
    "AuthTokensCreateFunction": Sample("POST /api/v1/auth/tokens", body={
        "name": "backup script", "scopes": ["bookmarks:read"], "expires_in_days": 90}),
    "AuthTokensListFunction": Sample("GET /api/v1/auth/tokens"),
    "AuthTokensDeleteFunction": Sample("DELETE /api/v1/auth/tokens/{id}", path_params={"id": API_TOKEN_ID}),
    "AuthLogoutFunction": Sample("POST /api/v1/auth/logout"),
    "AuthPasswordFunction": Sample("POST /api/v1/auth/password", body={
        "current_password": PASSWORD, "new_password": "a longer passphrase 2025"}),
    "BookmarksCreateFunction": Sample(
        "POST /api/v1/bookmarks", headers={"idempotency-key": "5f0c6b7e-3d2a-4c1b-9e8f-7a6b5c4d3e2f"},
        body={"url": "https://example.com/articles/payload-format-2", "body": "What API Gateway sends a Lambda.",
              "tags": ["aws", "reading"]}),
    "BookmarksListFunction": Sample("GET /api/v1/bookmarks", query={"tag": "reading", "per_page": "20"}),
    "BookmarksStatsFunction": Sample("GET /api/v1/bookmarks/stats", query={"per_page": "50"}),
    "BookmarksCheckFunction": Sample("GET /api/v1/bookmarks/check", query={"url": SAVED_URL}),
    "BookmarksImportFunction": Sample("POST /api/v1/bookmarks/import", body=BOOKMARKS_FILE, content_type="text/html"),
    "BookmarksExportFunction": Sample("GET /api/v1/bookmarks/export", query={"format": "html"}),
    "TagsListFunction": Sample("GET /api/v1/tags"),
    "BookmarksGetFunction": Sample("GET /api/v1/bookmarks/{id}", path_params=BOOKMARK),
    "BookmarksQrFunction": Sample("GET /api/v1/bookmarks/{id}/qr", path_params=BOOKMARK,
                                  query={"format": "svg", "size": "256"}),
    "BookmarksVisitsFunction": Sample("GET /api/v1/bookmarks/{id}/visits", path_params=BOOKMARK,
                                      query={"from": "2024-12-26", "to": "2025-01-01"}),
    "BookmarksReplaceFunction": Sample("PUT /api/v1/bookmarks/{id}", path_params=BOOKMARK, body={
        "url": SAVED_URL, "body": "Patterns for serverless APIs, reread.", "tags": ["aws", "architecture"]}),
    "BookmarksPatchFunction": Sample("PATCH /api/v1/bookmarks/{id}", path_params=BOOKMARK,
                                     body={"tags": ["aws", "favourite"]}),
    "BookmarksDeleteFunction": Sample("DELETE /api/v1/bookmarks/{id}", path_params=BOOKMARK),
    "RedirectFunction": Sample("GET /{short_code}", path_params={"short_code": SHORT_CODE}, bearer=None,
                               browser=True),
    # The redirect's password form, as a browser posts it.
    "LinkUnlockFunction": Sample("POST /{short_code}", path_params={"short_code": LOCKED_SHORT_CODE}, bearer=None,
                                 browser=True, body=urlencode({"password": LINK_PASSWORD}),
                                 content_type="application/x-www-form-urlencoded",
                                 headers={"origin": f"https://{HOST}"}),
    "OpenApiFunction": Sample("GET /openapi.json", bearer=None),
    "DocsFunction": Sample("GET /docs", bearer=None, browser=True),
    "RootFunction": Sample("GET /", bearer=None, browser=True),
}


def _request_id(logical_id: str) -> str:
    """16 base64 characters, as API Gateway's ids, the same for a function every run."""
    return base64.b64encode(hashlib.sha256(logical_id.encode()).digest()[:11]).decode()


def event(template: Template, logical_id: str, sample: Sample) -> dict[str, Any]:
    routes = {route.route_key: route for route in template.routes if route.function_logical_id == logical_id}
    if sample.route not in routes:
        raise SystemExit(f"{logical_id}: {sample.route!r} is not one of its routes in template.yaml "
                         f"({', '.join(sorted(routes))})")
    method, raw_path = sample.method, sample.raw_path
    if sample.route != DEFAULT_ROUTE:
        method, raw_path = sample.route.split(" ", 1)
        for name, value in sample.path_params.items():
            raw_path = raw_path.replace("{" + name + "}", quote(value, safe=""))
    body = b"" if sample.body is None else (
        sample.body if isinstance(sample.body, str) else json.dumps(sample.body)).encode()
    trace = hashlib.sha256(f"trace {logical_id}".encode()).hexdigest()[:24]
    headers = {"accept": BROWSER_ACCEPT if sample.browser else "application/json",
               **({"accept-encoding": "gzip, deflate, br", "accept-language": "en-GB,en;q=0.9"} if sample.browser
                  else {}),
               **({"authorization": f"Bearer {sample.bearer}"} if sample.bearer else {}),
               **({"content-length": str(len(body)), "content-type": sample.content_type} if body else {}),
               "host": HOST, "user-agent": BROWSER if sample.browser else CLI,
               "x-amzn-trace-id": f"Root=1-{int(NOW):08x}-{trace}", "x-forwarded-for": SOURCE_IP,
               "x-forwarded-port": "443", "x-forwarded-proto": "https", **sample.headers}
    query = urlencode(list(sample.query.items()))
    target = raw_path + (f"?{query}" if query else "")
    built = build_event(method, target, sorted(headers.items()), body, route=routes[sample.route],
                        path_params=sample.path_params or None, source_ip=SOURCE_IP,
                        request_id=_request_id(logical_id), now=NOW)
    built["requestContext"]["apiId"] = built["requestContext"]["domainPrefix"]  # "local" is `make run`'s API id
    return built


def sample_events(template: Template | None = None) -> dict[str, dict[str, Any]]:
    """Each function's sample event, by logical id; a function without a sample (or a sample without its function)
    stops the script: a new function needs a line in SAMPLES."""
    template = template or Template()
    if missing := set(template.functions) ^ set(SAMPLES):
        raise SystemExit(f"SAMPLES and template.yaml's functions differ: {sorted(missing)}")
    return {lid: event(template, lid, SAMPLES[lid]) for lid in sorted(template.functions)}


def env_vars(template: Template | None = None) -> dict[str, dict[str, str]]:
    """events/env.json: `sam local --env-vars`' file, {"Parameters": {...}} for every function. Values for a laptop:
    the tables `make run` names, on a DynamoDB Local seen from the Lambda container, and a key for local use only."""
    template = template or Template()
    # The template's !Ref UsersTable and so on, as local/template.py resolves them (bookmarker-local-UsersTable):
    # sam local would give the bare logical id.
    names = {kw["TableName"] for kw in template.tables}
    tables = {variable: value for variable, value in template.environment.items() if value in names}
    return {"Parameters": {
        **tables,
        "DYNAMODB_ENDPOINT_URL": "http://host.docker.internal:8000",  # DynamoDB Local on the host's port 8000
        "DYNAMODB_READ_TIMEOUT": "10",  # seconds: DynamoDB Local answers its first calls slowly, as make run's moto
        "SIGNING_KEY": "local-only-dev-signing-key-NEVER-use-in-AWS-0123456789",
        "BCRYPT_ROUNDS": "4",  # the cheapest cost: a login in milliseconds on a laptop
        "PUBLIC_BASE_URL": "http://127.0.0.1:3000",  # sam local start-api's address: short URLs that open locally
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }}


def rendered(template: Template | None = None) -> dict[str, str]:
    """File name -> the text the script writes there."""
    template = template or Template()
    files = {f"{lid}.json": body for lid, body in sample_events(template).items()}
    files[ENV_FILE] = env_vars(template)
    return {name: json.dumps(body, indent=2, ensure_ascii=False) + "\n" for name, body in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    args = parser.parse_args(argv)
    wanted = rendered()
    stale = sorted(p.name for p in EVENTS_DIR.glob("*.json") if p.name not in wanted)
    changed = sorted(name for name, text in wanted.items()
                     if not (EVENTS_DIR / name).exists() or (EVENTS_DIR / name).read_text() != text)
    if args.check:
        for name in changed + stale:
            print(f"events/{name}: {'no function of template.yaml' if name in stale else 'out of date'}")
        return 1 if changed or stale else 0
    EVENTS_DIR.mkdir(exist_ok=True)
    for name in changed:
        (EVENTS_DIR / name).write_text(wanted[name])
    for name in stale:
        (EVENTS_DIR / name).unlink()
    print(f"events/: {len(wanted)} files, {len(changed)} written, {len(stale)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
