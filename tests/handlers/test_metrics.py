"""Business metrics (bookmarker/metrics.py) as the handlers write them: CloudWatch embedded metric format lines
(namespace Bookmarker, dimension service) on stdout, one after an answer that counted something; redirects'
counts wait up to METRICS_FLUSH_SECONDS per container and go out with the next line, their sum exact. No line
holds a token, a password or a URL."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import auth_login
import auth_register
import bookmarks_import
import bookmarks_patch
import redirect
from bookmarker import metrics
from tests.conftest import call, make_event
from tests.faults import THROTTLING, fail_call
from tests.handlers.test_bookmarks_visits import SLACK, hit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_container():
    """Each test a container of its own: nothing counted yet, no line written yet."""
    metrics._counts.clear()
    metrics._written = -math.inf
    yield
    metrics._counts.clear()


def lines(capsys) -> list[dict]:
    """The EMF lines written since the last look, each as {metric: value}, checked for their shape."""
    out = []
    for raw in capsys.readouterr().out.splitlines():
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if "_aws" not in doc:
            continue
        (directive,) = doc["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "Bookmarker" and directive["Dimensions"] == [["service"]]
        assert doc["service"] == "bookmarker"
        names = [m["Name"] for m in directive["Metrics"]]
        assert all(m["Unit"] == "Count" for m in directive["Metrics"])
        out.append({name: sum(doc[name]) if isinstance(doc[name], list) else doc[name] for name in names})
    return out


def total(found: list[dict], name: str) -> float:
    return sum(line.get(name, 0) for line in found)


def test_accounts_write_registrations_failed_logins_and_lockouts(tables, capsys, with_settings):
    with_settings(LOGIN_MAX_FAILURES=2)
    body = {"username": "metered", "email": "metered@example.com", "password": "correct horse battery"}
    assert call(auth_register.lambda_handler, make_event("POST /api/v1/auth/register", body=body))[0] == 201
    wrong = {"email": "metered@example.com", "password": "not the one at all"}
    statuses = [call(auth_login.lambda_handler, make_event("POST /api/v1/auth/login", body=wrong))[0]
                for _ in range(3)]

    assert statuses == [401, 401, 429]
    assert lines(capsys) == [{"Registrations": 1}, {"FailedLogins": 1}, {"FailedLogins": 1}, {"Lockouts": 1}]


def test_bookmarks_and_imports_are_counted(tables, alice, make_bookmark, capsys):
    make_bookmark(alice)
    links = [{"url": f"https://example.com/imported/{n}"} for n in range(3)]
    status, _, _ = call(bookmarks_import.lambda_handler, make_event(
        "POST /api/v1/bookmarks/import", body=links, token=alice.access))

    assert status == 200
    found = lines(capsys)
    assert total(found, "BookmarksCreated") == 1
    assert found[-1] == {"BookmarksImported": 3, "Imports": 1}


def test_redirects_wait_a_minute_and_their_sum_is_exact(tables, alice, make_bookmark, capsys, with_settings):
    with_settings(METRICS_FLUSH_SECONDS=60)
    code = make_bookmark(alice)["short_code"]
    lines(capsys)  # the create's line (another function's container)
    metrics._written = -math.inf  # the redirect's container: nothing written yet
    for _ in range(6):
        assert hit(code) == 302
    assert [hit(code, user_agent=SLACK) for _ in range(3)] == [302] * 3

    written = lines(capsys)
    assert written == [{"Redirects": 1}]  # a container's first count goes at once, the rest wait
    assert hit("NoSuchCode") == 404  # any other count takes the waiting ones with it
    assert lines(capsys) == [{"BotRedirects": 3, "Redirects": 5, "UnknownCodes": 1}]


def test_after_the_minute_the_next_redirect_writes_what_waited(tables, alice, make_bookmark, capsys, with_settings):
    with_settings(METRICS_FLUSH_SECONDS=60)
    code = make_bookmark(alice)["short_code"]
    metrics._written = -math.inf  # the redirect's container: nothing written yet
    assert [hit(code), hit(code), hit(code)] == [302] * 3
    metrics._written -= 61  # a minute has passed since the first line

    assert hit(code) == 302
    found = lines(capsys)
    assert [line.get("Redirects") for line in found if "Redirects" in line] == [1, 3]


def test_expired_links_unknown_codes_and_visits_not_counted(tables, alice, make_bookmark, capsys):
    saved, capped = make_bookmark(alice), make_bookmark(alice)
    call(bookmarks_patch.lambda_handler, make_event("PATCH /api/v1/bookmarks/{id}", path_params={"id": capped["id"]},
                                                    body={"max_visits": 1}, token=alice.access))
    assert [hit(capped["short_code"]), hit(capped["short_code"])] == [302, 410]
    with fail_call(1, THROTTLING, operation="UpdateItem"):
        assert hit(saved["short_code"]) == 302  # counted nowhere, the person still arrives

    found = lines(capsys)
    assert total(found, "ExpiredLinks") == 1
    assert total(found, "VisitsNotCounted") == 1


def test_a_503_is_counted(tables, alice, capsys):
    with fail_call(1, THROTTLING, operation="Query"), fail_call(2, THROTTLING, operation="Query"), \
            fail_call(3, THROTTLING, operation="Query"):
        status, body, _ = call(redirect.lambda_handler, make_event("GET /{short_code}",
                                                                   path_params={"short_code": "Whatever1"}))

    assert status == 503, body
    assert total(lines(capsys), "ServiceUnavailable") == 1


def test_no_line_holds_a_secret(tables, alice, make_bookmark, capsys):
    saved = make_bookmark(alice, "https://example.com/private/path?token=abc")
    hit(saved["short_code"])
    metrics.flush(every=0)
    out = capsys.readouterr().out

    for secret in (alice.access, alice.password, "private/path", "token=abc", saved["short_code"]):
        assert secret not in out


@pytest.mark.parametrize(("tracing", "traced"), [("PassThrough", 0), ("Active", 1)])
def test_the_tracer_wraps_the_handler_only_when_tracing_is_active(tracing, traced):
    code = """
import json, sys, boto3
from moto import mock_aws
with mock_aws():
    from local.dynamo import create_tables
    from local.template import Template
    create_tables(boto3.client("dynamodb", region_name="us-east-1"), Template())
    from local.server import build_event, lambda_context
    template = Template()
    route = next(r for r in template.routes if r.route_key == "GET /{short_code}")
    event = build_event("GET", "/NoSuchCode", [("host", "api.bkm.test")], b"", route=route,
                        path_params={"short_code": "NoSuchCode"}, source_ip="198.51.100.7")
    import redirect
    answer = redirect.lambda_handler(event, lambda_context(template.functions["RedirectFunction"]))
    from bookmarker import http
    print(json.dumps({"status": answer["statusCode"], "traced": http._traced.cache_info().currsize,
                      "xray": "aws_xray_sdk" in sys.modules}))
"""
    env = {**os.environ, "TRACING": tracing,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "functions"), str(ROOT)])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)

    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert (seen["status"], seen["traced"]) == (404, traced)
    if not traced:  # the X-Ray SDK never loaded (outside Lambda, Powertools' Tracer stays off even when Active)
        assert not seen["xray"]


def test_only_a_get_counts_an_unknown_code_and_a_password_change_is_no_failed_login(tables, alice, capsys):
    import auth_password
    import redirect_unlock

    call(redirect.lambda_handler, make_event("HEAD /{short_code}", path_params={"short_code": "NoSuchCode"}))
    call(redirect_unlock.lambda_handler, make_event("POST /{short_code}", path_params={"short_code": "NoSuchCode"},
                                                    body={"password": "whatever it is"}))
    status, _, _ = call(auth_password.lambda_handler, make_event(
        "POST /api/v1/auth/password", token=alice.access,
        body={"current_password": "not the current one", "new_password": "another horse battery"}))

    assert status == 401
    found = lines(capsys)
    assert total(found, "UnknownCodes") == 0 and total(found, "FailedLogins") == 0


def test_a_trace_never_holds_the_answer(monkeypatch):
    """A login's answer holds its tokens, a new API token's its secret: the Tracer records no answer."""
    import aws_lambda_powertools

    from bookmarker import http

    seen = {}

    class Tracer:
        def capture_lambda_handler(self, handler, **options):
            seen.update(options)
            return handler

    monkeypatch.setattr(aws_lambda_powertools, "Tracer", Tracer)
    http._traced.cache_clear()
    try:
        http._traced(lambda event, context: {})
    finally:
        http._traced.cache_clear()

    assert seen == {"capture_response": False}
