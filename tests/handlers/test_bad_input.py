"""The bad-input table: every route with a body, every kind of malformed input, never a 5xx.
A new route joins by adding a row to ROUTES."""
import base64
import importlib
import json
import re

import pytest

from tests.conftest import TEMPLATE, call, make_event

BOOKMARK_ID = "01JD8X2Q7R5N3M4K6P9T0V1W2X"  # well-formed, so the body is what gets judged
ROUTES = {  # route -> a valid body
    "POST /api/v1/auth/register": {"username": "carol", "email": "carol@example.com", "password": "long enough pw"},
    "POST /api/v1/auth/login": {"email": "alice@example.com", "password": "correct horse battery"},
    "POST /api/v1/auth/password": {"current_password": "correct horse battery", "new_password": "another secret"},
    "DELETE /api/v1/auth/me": {"password": "correct horse battery"},
    "POST /api/v1/bookmarks": {"url": "https://example.com/", "body": "note"},
    "PUT /api/v1/bookmarks/{id}": {"url": "https://example.com/", "body": "note"},
    "PATCH /api/v1/bookmarks/{id}": {"url": "https://example.com/", "body": "note"},
}
WRONG_TYPES = [1, 1.5, True, None, [], {}, ["x"]]
MALFORMED = {
    "truncated JSON": "{\"url\": ",
    "not JSON": "url=https://example.com",
    "empty body": "",
    "a JSON array": "[]",
    "a JSON string": "\"hello\"",
    "JSON null": "null",
    "a number": "42",
    "trailing garbage": "{}}",
    "a lone surrogate": "{\"url\": \"https://example.com/\\ud800\"}",
    "NaN": "{\"url\": NaN}",
}


def handler_for(route: str):
    for r in TEMPLATE.routes:
        if r.route_key == route:
            return importlib.import_module(r.handler.split(".")[0]).lambda_handler
    raise AssertionError(f"{route} is not in template.yaml")


def send(route: str, account, body, *, binary: bool = False):
    event = make_event(route, path_params={"id": BOOKMARK_ID} if "{id}" in route else None, body=body,
                       token=account.access, binary=binary)
    return call(handler_for(route), event)


def assert_problem(status: int, body: dict, headers: dict, expected: int | None = None):
    assert 400 <= status < 500, (status, body)
    if expected:
        assert status == expected, body
    assert headers["Content-Type"] == "application/problem+json"
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body["code"])
    assert body["status"] == status
    assert "Traceback" not in json.dumps(body)


def test_every_route_with_a_body_is_in_the_table():
    with_body = {"POST", "PUT", "PATCH"}
    declared = {r.route_key for r in TEMPLATE.routes
                if r.method in with_body and not r.path.endswith("/") and r.path != "$default"}

    assert declared - {"POST /api/v1/auth/token/refresh", "POST /api/v1/auth/logout"} <= set(ROUTES)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_bodies_are_a_400(alice, route, name):
    status, body, headers = send(route, alice, MALFORMED[name])

    assert_problem(status, body, headers, 400)


@pytest.mark.parametrize("route", ROUTES)
def test_each_field_of_the_wrong_type_is_a_400_naming_the_field(alice, route):
    for field in ROUTES[route]:
        for wrong in WRONG_TYPES:
            status, body, headers = send(route, alice, {**ROUTES[route], field: wrong})

            assert_problem(status, body, headers, 400)
            assert any(e["field"].startswith(field) for e in body["errors"]), (field, wrong, body)


@pytest.mark.parametrize("route", ROUTES)
def test_unknown_fields_are_a_400(alice, route):
    status, body, headers = send(route, alice, {**ROUTES[route], "is_admin": True})

    assert_problem(status, body, headers, 400)
    assert body["errors"][0]["field"] == "is_admin"


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.startswith("PATCH")])
def test_missing_required_fields_are_a_400(alice, route):
    for field in ("url", "username", "email", "password", "current_password", "new_password"):
        if field in ROUTES[route]:
            partial = {k: v for k, v in ROUTES[route].items() if k != field}

            status, body, headers = send(route, alice, partial)

            assert_problem(status, body, headers, 400)


@pytest.mark.parametrize("route", ROUTES)
def test_huge_strings_and_oversized_bodies_are_refused(alice, route):
    field = next(iter(ROUTES[route]))

    huge = send(route, alice, {**ROUTES[route], field: "x" * 60_000})
    oversized = send(route, alice, {**ROUTES[route], field: "x" * 70_000})

    assert_problem(*huge, 400)
    assert_problem(*oversized, 413)
    assert oversized[1]["code"] == "payload_too_large"


@pytest.mark.parametrize("route", ROUTES)
def test_a_base64_body_that_does_not_decode_is_a_400(alice, route):
    event = make_event(route, path_params={"id": BOOKMARK_ID} if "{id}" in route else None, body="{}",
                       token=alice.access)
    event["body"], event["isBase64Encoded"] = "%%%not base64%%%", True

    assert_problem(*call(handler_for(route), event), 400)


@pytest.mark.parametrize("route", ROUTES)
def test_invalid_utf8_in_a_base64_body_is_a_400(alice, route):
    event = make_event(route, path_params={"id": BOOKMARK_ID} if "{id}" in route else None, body="{}",
                       token=alice.access)
    event["body"], event["isBase64Encoded"] = base64.b64encode(b'{"url": "\xff\xfe"}').decode(), True

    status, body, headers = call(handler_for(route), event)

    assert_problem(status, body, headers, 400)
    assert body["code"] == "invalid_encoding"


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("text", ["", " ", "\u0000", "\u202e\u202d", "🙂" * 3, "a\u0000b"])
def test_odd_strings_in_every_field_never_crash(alice, route, text):
    for field in ROUTES[route]:
        status, body, _ = send(route, alice, {**ROUTES[route], field: text})

        assert status < 500, (field, text, body)


ID_ROUTES = ["GET /api/v1/bookmarks/{id}", "PUT /api/v1/bookmarks/{id}", "PATCH /api/v1/bookmarks/{id}",
             "DELETE /api/v1/bookmarks/{id}"]
ODD_IDS = ["../../etc/passwd", "..%2F..%2Fsecret", "%00", "\u0000", "a" * 10_240, "01JD8X2Q7R5N3M4K6P9T0V1W2X/../x",
           "01jd8x2q7r5n3m4k6p9t0v1w2x", " ", "🙂" * 26, "COUNT", "URL#abc", "B#01JD8X2Q7R5N3M4K6P9T0V1W2X"]


@pytest.mark.parametrize("route", ID_ROUTES)
@pytest.mark.parametrize("odd", ODD_IDS, ids=lambda s: s[:20].encode("unicode_escape").decode())
def test_odd_bookmark_ids_are_a_404(alice, route, odd):
    event = make_event(route, path_params={"id": odd}, token=alice.access,
                       body=None if route.startswith(("GET", "DELETE")) else {"url": "https://example.com/"})

    assert_problem(*call(handler_for(route), event), 404)


@pytest.mark.parametrize("odd", ["../admin", "%00", "\u0000", "a" * 10_240, "abc", "ab cd", "🙂🙂🙂🙂", "CODE"])
def test_odd_short_codes_are_a_404(tables, odd):
    status, body, headers = call(handler_for("GET /{short_code}"),
                                 make_event("GET /{short_code}", path_params={"short_code": odd}))

    assert_problem(status, body, headers, 404)


LIST_ROUTES = ["GET /api/v1/bookmarks", "GET /api/v1/bookmarks/stats"]


@pytest.mark.parametrize("route", LIST_ROUTES)
@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=1.5", "page=1e3", "page=%00", "per_page=0",
                                   "per_page=101", "per_page=-5", "per_page=", "page=", "page=1&page=2",
                                   "per_page=5&per_page=5", "page=1&cursor=abc", "cursor=abc", "cursor=",
                                   "page=" + "9" * 5000, "cursor=" + "A" * 10_000, "page=%EF%BC%91"])
def test_bad_paging_is_a_400(alice, route, query):
    status, body, headers = call(handler_for(route), make_event(route, query=query, token=alice.access))

    assert_problem(status, body, headers, 400)
