"""The bad-input table: every route with a body, malformed input, never a 5xx. A new route joins by adding a row
to ROUTES. What a body may hold is tests/unit/test_models.py's tables, and paging tests/unit/test_paging.py's: here,
that each route is wired to them and answers their refusals as problem JSON."""
import importlib
import json
import re

import pytest

from tests.conftest import TEMPLATE, call, make_event

BOOKMARK_ID = "01JD8X2Q7R5N3M4K6P9T0V1W2X"  # well-formed, so the body is what gets judged
UNLOCK = "POST /{short_code}"  # its body is judged once the link is found, protected and live: one is made
ROUTES = {  # route -> a valid body
    "POST /api/v1/auth/register": {"username": "carol", "email": "carol@example.com", "password": "long enough pw"},
    "POST /api/v1/auth/login": {"email": "alice@example.com", "password": "correct horse battery"},
    "POST /api/v1/auth/password": {"current_password": "correct horse battery", "new_password": "another secret"},
    "DELETE /api/v1/auth/me": {"password": "correct horse battery"},
    "POST /api/v1/bookmarks": {"url": "https://example.com/", "body": "note", "tags": ["news"]},
    "PUT /api/v1/bookmarks/{id}": {"url": "https://example.com/", "body": "note", "tags": ["news"]},
    "PATCH /api/v1/bookmarks/{id}": {"url": "https://example.com/", "body": "note", "tags": ["news"]},
    UNLOCK: {"password": "open sesame 123"},
    "POST /api/v1/auth/tokens": {"name": "a script", "scopes": ["bookmarks:read"], "expires_in_days": 30},
}
MALFORMED = {"not JSON": "url=https://example.com", "a JSON array": "[]"}


def handler_for(route: str):
    for r in TEMPLATE.routes:
        if r.route_key == route:
            return importlib.import_module(r.handler.split(".")[0]).lambda_handler
    raise AssertionError(f"{route} is not in template.yaml")


def path_params(route: str, account) -> dict[str, str] | None:
    if route == UNLOCK:
        return {"short_code": locked_link(account)}
    return {"id": BOOKMARK_ID} if "{id}" in route else None


_locked: dict[str, str] = {}


def locked_link(account) -> str:
    """The short code of a password-protected link of the account's, made on first use."""
    if account.id not in _locked:
        status, made, _ = call(handler_for("POST /api/v1/bookmarks"), make_event(
            "POST /api/v1/bookmarks", token=account.access,
            body={"url": "https://example.com/locked", "link_password": ROUTES[UNLOCK]["password"]}))
        assert status == 201, made
        _locked[account.id] = made["short_code"]
    return _locked[account.id]


def send(route: str, account, body, **kwargs):
    event = make_event(route, path_params=path_params(route, account), body=body, token=account.access, **kwargs)
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

    # No body to judge (refresh, logout); a file or list, not an object: the import's own table of bad files
    # (tests/handlers/test_bookmarks_import.py).
    assert declared - {"POST /api/v1/auth/token/refresh", "POST /api/v1/auth/logout",
                       "POST /api/v1/bookmarks/import"} <= set(ROUTES)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_bodies_are_a_400(alice, route, name):
    status, body, headers = send(route, alice, MALFORMED[name])

    assert_problem(status, body, headers, 400)


@pytest.mark.parametrize("route", ROUTES)
def test_a_field_of_the_wrong_type_is_a_400_naming_the_field(alice, route):
    field = next(iter(ROUTES[route]))

    status, body, headers = send(route, alice, {**ROUTES[route], field: 1})

    assert_problem(status, body, headers, 400)
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize("route", ROUTES)
def test_unknown_fields_are_a_400(alice, route):
    status, body, headers = send(route, alice, {**ROUTES[route], "is_admin": True})

    assert_problem(status, body, headers, 400)
    assert body["errors"][0]["field"] == "is_admin"


@pytest.mark.parametrize("route", ROUTES)
def test_huge_strings_and_oversized_bodies_are_refused(alice, route):
    field = next(iter(ROUTES[route]))

    huge = send(route, alice, {**ROUTES[route], field: "x" * 60_000})
    oversized = send(route, alice, {**ROUTES[route], field: "x" * 70_000})

    assert_problem(*huge, 413 if route == UNLOCK else 400)  # a password's body is at most 4 KiB
    assert_problem(*oversized, 413)
    assert oversized[1]["code"] == "payload_too_large"


@pytest.mark.parametrize("route", ROUTES)
def test_a_base64_body_that_does_not_decode_is_a_400(alice, route):
    event = make_event(route, path_params=path_params(route, alice), body="{}", token=alice.access)
    event["body"], event["isBase64Encoded"] = "%%%not base64%%%", True  # no gateway sends this: a handler's guard

    assert_problem(*call(handler_for(route), event), 400)


@pytest.mark.parametrize("route", ROUTES)
def test_invalid_utf8_in_a_binary_body_is_a_400(alice, route):
    status, body, headers = send(route, alice, b'{"url": "\xff\xfe"}',
                                 headers={"content-type": "application/octet-stream"})  # sent base64-encoded

    assert_problem(status, body, headers, 400)
    assert body["code"] == "invalid_encoding"


ODD_TEXTS = ["", " ", "\u0000", "\u202e\u202d", "🙂" * 3, "a\u0000b"]


@pytest.mark.parametrize("route", ROUTES)
def test_odd_strings_in_every_field_never_crash(alice, route):
    for text in ODD_TEXTS:
        for field in ROUTES[route]:
            status, body, _ = send(route, alice, {**ROUTES[route], field: text})

            assert status < 500, (field, text, body)


ID_ROUTES = ["GET /api/v1/bookmarks/{id}", "PUT /api/v1/bookmarks/{id}", "PATCH /api/v1/bookmarks/{id}",
             "DELETE /api/v1/bookmarks/{id}", "GET /api/v1/bookmarks/{id}/qr", "GET /api/v1/bookmarks/{id}/visits"]
ODD_IDS = ["../../etc/passwd", "..%2F..%2Fsecret", "../x", "%00", "\u0000", "a" * 10_240, "A" * 10_240,
           "01JD8X2Q7R5N3M4K6P9T0V1W2X/../x", "01jd8x2q7r5n3m4k6p9t0v1w2x", "U" * 26, "!" * 26, "", " ", "🙂" * 26,
           "COUNT", "URL#abc", "B#01JD8X2Q7R5N3M4K6P9T0V1W2X"]


@pytest.mark.parametrize("route", ID_ROUTES)
def test_odd_bookmark_ids_are_a_404(alice, route):
    body = None if route.startswith(("GET", "DELETE")) else {"url": "https://example.com/"}
    for odd in ODD_IDS:
        event = make_event(route, path_params={"id": odd}, token=alice.access, body=body)

        status, answer, headers = call(handler_for(route), event)

        assert_problem(status, answer, headers, 404)


@pytest.mark.parametrize("route", ["GET /api/v1/bookmarks", "GET /api/v1/bookmarks/stats"])
@pytest.mark.parametrize("query", ["page=" + "9" * 5000, "cursor=" + "A" * 10_000])
def test_bad_paging_is_a_400(alice, route, query):
    status, body, headers = call(handler_for(route), make_event(route, query=query, token=alice.access))

    assert_problem(status, body, headers, 400)


ODD_URL_QUERIES = ["url=" + "%FF" * 10, "url=%00", "url=" + "a" * 10_240, "url=https%3A%2F%2F" + "%F0%9F%99%82" * 600,
                   "url=http%3A%2F%2Fexample.com%2F%0A", "url", "url=&url=", "URL=https%3A%2F%2Fexample.com%2F"]


@pytest.mark.parametrize("query", ODD_URL_QUERIES)
def test_odd_url_queries_on_the_check_are_a_400_or_a_404(alice, query):
    route = "GET /api/v1/bookmarks/check"

    status, body, headers = call(handler_for(route), make_event(route, query=query, token=alice.access))

    assert_problem(status, body, headers)
    assert status in (400, 404)


ODD_DAY_QUERIES = ["from=" + "9" * 5000, "to=%00", "from=2026-13-01", "to=2026-02-30", "from=-0001-01-01",
                   "from=2026-1-1", "to=20261201", "from=2026-12-01T00:00:00Z", "from=%F0%9F%99%82",
                   "from=2026-12-01&from=2026-12-02", "from=0000-01-01", "from=9999-12-31",
                   "from=2024-01-01&to=2025-01-01"]


@pytest.mark.parametrize("query", ODD_DAY_QUERIES)
def test_odd_days_on_the_visits_per_day_are_a_400(alice, make_bookmark, query):
    route = "GET /api/v1/bookmarks/{id}/visits"
    made = make_bookmark(alice, "https://example.com/counted")

    status, body, headers = call(handler_for(route), make_event(route, path_params={"id": made["id"]}, query=query,
                                                                  token=alice.access))

    assert_problem(status, body, headers, 400)
