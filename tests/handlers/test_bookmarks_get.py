import pytest
from ulid import ULID

import bookmarks_create
import bookmarks_get
from tests.conftest import call, make_event


def create(account, url, body=None):
    payload = {"url": url} if body is None else {"url": url, "body": body}
    status, answer, _ = call(bookmarks_create.lambda_handler,
                             make_event("POST /api/v1/bookmarks", body=payload, token=account.access))
    assert status == 201, answer
    return answer


def get(account, bookmark_id):
    return call(bookmarks_get.lambda_handler, make_event("GET /api/v1/bookmarks/{id}", path_params={"id": bookmark_id},
                                                         token=account.access))


def test_get_answers_200_with_the_bookmark_as_created(alice):
    created = create(alice, "https://example.com/", "notes")

    status, body, headers = get(alice, created["id"])

    assert status == 200
    assert body == created
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("bookmark_id", [
    str(ULID()),                  # well-formed, never created
    "U" * 26,                     # 26 chars, but U is not in the ULID alphabet
    "!" * 26,
    "01j0000000000000000000000a",  # lower case: our ids are upper case
    "A" * 10_240,                 # 10 KB
    "../x",
    "",
    " ",
])
def test_get_of_an_unknown_or_malformed_id_is_404_not_found(alice, bookmark_id):
    create(alice, "https://example.com/")

    status, body, headers = get(alice, bookmark_id)

    assert status == 404
    assert body["code"] == "not_found"
    assert headers["Content-Type"] == "application/problem+json"


def test_get_of_an_id_with_the_counter_suffix_is_404(alice):
    created = create(alice, "https://example.com/")

    status, body, _ = get(alice, created["id"] + "#V")

    assert status == 404
    assert body["code"] == "not_found"


def test_get_without_a_token_is_401(alice):
    created = create(alice, "https://example.com/")

    status, _, headers = call(bookmarks_get.lambda_handler,
                              make_event("GET /api/v1/bookmarks/{id}", path_params={"id": created["id"]}))

    assert status == 401
    assert headers["WWW-Authenticate"] == "Bearer"
