"""GET /api/v1/bookmarks/check?url=: the caller's bookmark of a URL (docs/api.md's equality), or 404.

The tables, alice's bookmark and bob are made once for the module: the tests only read."""
import pytest

import bookmarks_check
from local.server import match_route
from tests.conftest import TEMPLATE, call, make_event, module_user

pytestmark = pytest.mark.usefixtures("module_tables")
ROUTE = "GET /api/v1/bookmarks/check"


alice = module_user("alice")
bob = module_user("bob")


@pytest.fixture(scope="module")
def saved(alice, make_bookmark) -> dict:
    return make_bookmark(alice, "https://Example.com:443", "notes")


def check(account, query):
    return call(bookmarks_check.lambda_handler, make_event(ROUTE, query=query, token=account.access))


def test_check_answers_200_with_the_callers_bookmark_of_the_url(alice, saved):
    status, body, headers = check(alice, {"url": "https://Example.com:443"})

    assert status == 200
    assert body == saved
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("spelling", ["https://example.com/", "HTTPS://EXAMPLE.COM", "https://example.com:443/"])
def test_check_finds_the_bookmark_by_another_spelling_of_the_same_url(alice, saved, spelling):
    status, body, _ = check(alice, {"url": spelling})

    assert status == 200
    assert body["id"] == saved["id"]
    assert body["url"] == "https://Example.com:443"  # stored as given


@pytest.mark.parametrize("other", ["https://example.com/other", "http://example.com/", "https://example.com:8443/",
                                   "https://example.com/?a=1"])
def test_check_of_a_url_the_caller_never_saved_is_404(alice, saved, other):
    status, body, headers = check(alice, {"url": other})

    assert status == 404
    assert body["code"] == "not_found"
    assert headers["Content-Type"] == "application/problem+json"


def test_check_of_a_url_only_another_user_saved_is_404(bob, saved):
    status, body, _ = check(bob, {"url": "https://example.com/"})

    assert (status, body["code"]) == (404, "not_found")


def test_check_follows_the_url_after_an_edit_and_forgets_it_after_a_delete(make_user, make_bookmark):
    import bookmarks_delete
    import bookmarks_patch

    carol = make_user()
    made = make_bookmark(carol, "https://example.com/before")
    call(bookmarks_patch.lambda_handler, make_event("PATCH /api/v1/bookmarks/{id}", path_params={"id": made["id"]},
                                                    body={"url": "https://example.com/after"}, token=carol.access))

    assert check(carol, {"url": "https://example.com/before"})[0] == 404
    assert check(carol, {"url": "https://example.com/after"})[1]["id"] == made["id"]

    call(bookmarks_delete.lambda_handler, make_event("DELETE /api/v1/bookmarks/{id}", path_params={"id": made["id"]},
                                                     token=carol.access))

    assert check(carol, {"url": "https://example.com/after"})[0] == 404


@pytest.mark.parametrize(("query", "code"), [
    ("", "validation_failed"),
    ("q=https%3A%2F%2Fexample.com%2F", "validation_failed"),
    ("url=https%3A%2F%2Fexample.com%2F&url=https%3A%2F%2Fexample.com%2F", "repeated_parameter"),
])
def test_a_missing_or_repeated_url_is_a_400_naming_the_field(alice, saved, query, code):
    status, body, headers = check(alice, query)

    assert (status, body["code"]) == (400, code)
    assert [e["field"] for e in body["errors"]] == ["url"]
    assert headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("url", ["", "example.com", "ftp://example.com/", "https://", "https://exa mple.com/",
                                 "https://example.com\\@evil.test/", "https://example.com/" + "a" * 2048,
                                 "http://[::1/", "https://example.com:99999/"])
def test_a_url_the_api_would_not_accept_is_a_400_invalid_url(alice, saved, url):
    status, body, _ = check(alice, {"url": url})

    assert (status, body["code"]) == (400, "invalid_url")
    assert [e["field"] for e in body["errors"]] == ["url"]


def test_check_without_a_token_is_401(saved):
    status, _, headers = call(bookmarks_check.lambda_handler, make_event(ROUTE, query={"url": "https://example.com/"}))

    assert status == 401
    assert headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/api/v1/bookmarks/check", "/api/v1/bookmarks/check/"])
def test_the_check_path_is_its_own_route_not_a_bookmark_id(path):
    route, params = match_route(TEMPLATE.routes, "GET", path)

    assert route is not None
    assert route.function_logical_id == "BookmarksCheckFunction"
    assert params == {}
