"""GET /api/v1/bookmarks/{id}: the caller's bookmark as created; 404 for any other id.

The tests only read: the tables and alice's bookmark are made once for the module."""
import pytest

import bookmarks_get
from tests.conftest import call, make_event, module_user

alice = module_user("alice")


@pytest.fixture(scope="module")
def created(alice, make_bookmark) -> dict:
    return make_bookmark(alice, "https://example.com/", "notes")


def get(account, bookmark_id):
    return call(bookmarks_get.lambda_handler, make_event("GET /api/v1/bookmarks/{id}", path_params={"id": bookmark_id},
                                                         token=account.access))


def test_get_answers_200_with_the_bookmark_as_created(alice, created):
    status, body, headers = get(alice, created["id"])

    assert status == 200
    assert body == created
    assert headers["Content-Type"] == "application/json"


# Malformed ids, on every route that takes one: tests/handlers/test_bad_input.py.
@pytest.mark.parametrize("bookmark_id", [
    "01JD8X2Q7R5N3M4K6P9T0V1W2X",  # well-formed, never created
    "01j0000000000000000000000a",  # lower case: our ids are upper case
])
def test_get_of_an_unknown_or_malformed_id_is_404_not_found(alice, created, bookmark_id):
    status, body, headers = get(alice, bookmark_id)

    assert status == 404
    assert body["code"] == "not_found"
    assert headers["Content-Type"] == "application/problem+json"


def test_get_of_an_id_with_the_counter_suffix_is_404(alice, created):
    status, body, _ = get(alice, created["id"] + "#V")

    assert status == 404
    assert body["code"] == "not_found"


def test_get_without_a_token_is_401(created):
    status, _, headers = call(bookmarks_get.lambda_handler,
                              make_event("GET /api/v1/bookmarks/{id}", path_params={"id": created["id"]}))

    assert status == 401
    assert headers["WWW-Authenticate"] == "Bearer"
