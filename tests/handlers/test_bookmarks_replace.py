
import pytest

import bookmarks_replace
from bookmarker.store import bookmarks as store
from tests.conftest import call, make_event
from tests.handlers.bookmark_helpers import url_claims


def replace(account, bookmark_id, payload):
    return call(bookmarks_replace.lambda_handler, make_event(
        "PUT /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, body=payload, token=account.access))


def test_put_replaces_the_bookmark_keeping_its_id_short_code_and_created_at(alice, make_bookmark, get_bookmark,
                                                                             a_minute_later):
    created = make_bookmark(alice, "https://example.com/old", "old notes")

    status, body, _ = replace(alice, created["id"], {"url": "https://example.com/new", "body": "new notes"})

    assert status == 200
    assert body["id"] == created["id"]
    assert body["short_code"] == created["short_code"]
    assert body["short_url"] == created["short_url"]
    assert body["url"] == "https://example.com/new"
    assert body["body"] == "new notes"
    assert body["created_at"] == created["created_at"]
    assert body["updated_at"] > created["updated_at"]
    assert get_bookmark(alice, created["id"]) == body


def test_put_without_a_body_resets_the_body_to_empty(alice, make_bookmark, get_bookmark, a_minute_later):
    created = make_bookmark(alice, "https://example.com/", "notes")

    status, body, _ = replace(alice, created["id"], {"url": "https://example.com/"})

    assert status == 200
    assert body["body"] == ""
    assert body["updated_at"] > created["updated_at"]
    assert get_bookmark(alice, created["id"])["body"] == ""


def test_put_keeps_the_visit_count(alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/", "notes")

    status, body, _ = replace(alice, created["id"], {"url": "https://example.com/", "body": "more notes"})

    assert status == 200
    assert body["visits"] == 0
    assert body["last_visited_at"] is None


def test_put_to_the_bookmarks_own_url_in_another_spelling_is_200_and_stores_it_as_given(tables, alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/a")
    claims = url_claims(tables, alice.id)

    status, body, _ = replace(alice, created["id"], {"url": "HTTPS://EXAMPLE.COM:443/a", "body": "x"})

    assert status == 200
    assert body["url"] == "HTTPS://EXAMPLE.COM:443/a"
    assert url_claims(tables, alice.id) == claims


def test_put_to_another_bookmarks_url_is_409_and_changes_nothing(tables, alice, make_bookmark, get_bookmark):
    first = make_bookmark(alice, "https://example.com/first")
    second = make_bookmark(alice, "https://example.com/second", "keep me")
    claims = url_claims(tables, alice.id)

    status, body, _ = replace(alice, second["id"], {"url": "https://EXAMPLE.com/first", "body": "changed"})

    assert status == 409
    assert body["code"] == "url_exists"
    assert get_bookmark(alice, first["id"]) == first
    assert get_bookmark(alice, second["id"]) == second
    assert url_claims(tables, alice.id) == claims
    assert make_bookmark(alice, "https://example.com/first", expect=409)["code"] == "url_exists"
    assert make_bookmark(alice, "https://example.com/second", expect=409)["code"] == "url_exists"
    assert store.count(alice.id) == 2


def test_changing_the_url_frees_the_old_one(tables, alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/old")

    status, _, _ = replace(alice, created["id"], {"url": "https://example.com/new"})

    assert status == 200
    assert make_bookmark(alice, "https://example.com/new", expect=409)["code"] == "url_exists"
    make_bookmark(alice, "https://example.com/old")  # asserts its 201
    assert len(url_claims(tables, alice.id)) == 2


# What a body may be is tests/unit/test_models.py's table; here, that a refused one changes nothing.
@pytest.mark.parametrize("payload", [{"body": "no url"}, {"url": "javascript:alert(1)"}])
def test_put_with_an_invalid_body_is_400_and_changes_nothing(alice, make_bookmark, get_bookmark, payload):
    created = make_bookmark(alice, "https://example.com/", "notes")

    status, _, _ = replace(alice, created["id"], payload)

    assert status == 400
    assert get_bookmark(alice, created["id"]) == created


def test_put_of_an_unknown_id_is_404_and_creates_nothing(alice):
    status, body, _ = replace(alice, "01J00000000000000000000000", {"url": "https://example.com/"})

    assert status == 404
    assert body["code"] == "not_found"
    assert store.count(alice.id) == 0


def test_a_put_identical_to_what_is_stored_still_moves_updated_at(alice, make_bookmark):
    made = make_bookmark(alice, "https://example.com/same", "same")

    status, again, _ = replace(alice, made["id"], {"url": "https://example.com/same", "body": "same"})

    assert status == 200
    assert again["updated_at"] > made["updated_at"]
    assert again["created_at"] == made["created_at"]
