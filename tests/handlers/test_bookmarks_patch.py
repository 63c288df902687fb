
import pytest

import bookmarks_patch
from bookmarker.store import bookmarks as store
from tests.conftest import call, make_event
from tests.handlers.bookmark_helpers import url_claims


def patch(account, bookmark_id, payload):
    return call(bookmarks_patch.lambda_handler, make_event(
        "PATCH /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, body=payload, token=account.access))


def test_patch_with_an_empty_object_changes_nothing(alice, make_bookmark, get_bookmark, a_minute_later):
    created = make_bookmark(alice, "https://example.com/", "notes")

    status, body, _ = patch(alice, created["id"], {})

    assert status == 200
    assert body == created
    assert get_bookmark(alice, created["id"]) == created


def test_patch_with_the_same_values_changes_nothing(alice, make_bookmark, a_minute_later):
    created = make_bookmark(alice, "https://example.com/", "notes")

    status, body, _ = patch(alice, created["id"], {"url": "https://example.com/", "body": "notes"})

    assert status == 200
    assert body["updated_at"] == created["updated_at"]


def test_patch_of_the_body_only_keeps_the_url(alice, make_bookmark, get_bookmark, a_minute_later):
    created = make_bookmark(alice, "https://example.com/keep", "old")

    status, body, _ = patch(alice, created["id"], {"body": "new"})

    assert status == 200
    assert body["url"] == "https://example.com/keep"
    assert body["body"] == "new"
    assert body["short_code"] == created["short_code"]
    assert body["created_at"] == created["created_at"]
    assert body["updated_at"] > created["updated_at"]
    assert get_bookmark(alice, created["id"]) == body


def test_patch_of_the_url_only_keeps_the_body(alice, make_bookmark, a_minute_later):
    created = make_bookmark(alice, "https://example.com/old", "keep me")

    status, body, _ = patch(alice, created["id"], {"url": "https://example.com/new"})

    assert status == 200
    assert body["url"] == "https://example.com/new"
    assert body["body"] == "keep me"
    assert body["updated_at"] > created["updated_at"]


def test_patch_to_the_bookmarks_own_url_is_200(tables, alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/a")
    claims = url_claims(tables, alice.id)

    status, body, _ = patch(alice, created["id"], {"url": "https://Example.com/a"})

    assert status == 200
    assert body["url"] == "https://Example.com/a"
    assert url_claims(tables, alice.id) == claims


def test_patch_to_another_bookmarks_url_is_409_and_changes_nothing(tables, alice, make_bookmark, get_bookmark):
    first = make_bookmark(alice, "https://example.com/first")
    second = make_bookmark(alice, "https://example.com/second", "keep me")
    claims = url_claims(tables, alice.id)

    status, body, _ = patch(alice, second["id"], {"url": "https://example.com:443/first"})

    assert status == 409
    assert body["code"] == "url_exists"
    assert get_bookmark(alice, first["id"]) == first
    assert get_bookmark(alice, second["id"]) == second
    assert url_claims(tables, alice.id) == claims
    assert make_bookmark(alice, "https://example.com/first", expect=409)["code"] == "url_exists"
    assert make_bookmark(alice, "https://example.com/second", expect=409)["code"] == "url_exists"


def test_patching_the_url_frees_the_old_one(alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/old")

    status, _, _ = patch(alice, created["id"], {"url": "https://example.com/new"})

    assert status == 200
    make_bookmark(alice, "https://example.com/old")  # asserts its 201
    assert store.count(alice.id) == 2


# What a body may be is tests/unit/test_models.py's table; here, that a refused one changes nothing.
@pytest.mark.parametrize("payload", [{"url": "javascript:alert(1)"}, {"body": None}])
def test_patch_with_an_invalid_body_is_400_and_changes_nothing(alice, make_bookmark, get_bookmark, payload):
    created = make_bookmark(alice, "https://example.com/", "notes")

    status, _, _ = patch(alice, created["id"], payload)

    assert status == 400
    assert get_bookmark(alice, created["id"]) == created


def test_patch_of_an_unknown_id_is_404(alice):
    status, body, _ = patch(alice, "01J00000000000000000000000", {"body": "x"})

    assert status == 404
    assert body["code"] == "not_found"
