"""Another user's bookmark answers exactly as a missing one, on every route, and stays as it was."""
import pytest

import bookmarks_delete
import bookmarks_get
import bookmarks_list
import bookmarks_patch
import bookmarks_replace
from bookmarker.store import bookmarks as store
from tests.conftest import call, make_event, module_user

ATTEMPTS = {
    "get": (bookmarks_get, "GET /api/v1/bookmarks/{id}", None),
    "put": (bookmarks_replace, "PUT /api/v1/bookmarks/{id}", {"url": "https://evil.example/", "body": "mine now"}),
    "patch": (bookmarks_patch, "PATCH /api/v1/bookmarks/{id}", {"body": "mine now"}),
    "delete": (bookmarks_delete, "DELETE /api/v1/bookmarks/{id}", None),
}


# Bob's attempts change nothing (or the test fails): the tables, both users and alice's bookmark are made once.
alice = module_user("alice")
bob = module_user("bob")


@pytest.fixture(scope="module")
def alices_bookmark(alice, make_bookmark) -> dict:
    return make_bookmark(alice, "https://example.com/private", "alice's")


@pytest.mark.parametrize("verb", list(ATTEMPTS))
def test_another_users_bookmark_answers_404_and_stays_unchanged(alice, bob, alices_bookmark, verb):
    module, route, payload = ATTEMPTS[verb]

    status, body, _ = call(module.lambda_handler, make_event(
        route, path_params={"id": alices_bookmark["id"]}, body=payload, token=bob.access))

    assert status == 404
    assert body["code"] == "not_found"
    assert "alice" not in str(body)
    status, still, _ = call(bookmarks_get.lambda_handler, make_event(
        "GET /api/v1/bookmarks/{id}", path_params={"id": alices_bookmark["id"]}, token=alice.access))
    assert status == 200
    assert still == alices_bookmark
    assert store.count(alice.id) == 1
    assert store.count(bob.id) == 0


def test_another_users_bookmark_answers_exactly_as_a_missing_one(alice, bob, alices_bookmark):
    foreign = call(bookmarks_get.lambda_handler, make_event(
        "GET /api/v1/bookmarks/{id}", path_params={"id": alices_bookmark["id"]}, token=bob.access))

    missing = call(bookmarks_get.lambda_handler, make_event(
        "GET /api/v1/bookmarks/{id}", path_params={"id": "01J00000000000000000000000"}, token=bob.access))

    assert foreign[:2] == missing[:2]


def test_the_list_never_shows_another_users_bookmarks(alice, bob, alices_bookmark):
    status, body, _ = call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks", token=bob.access))

    assert status == 200
    assert body["data"] == []
    assert body["meta"]["total_count"] == 0
