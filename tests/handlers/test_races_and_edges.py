"""Edges a review found: races on the lockout and on writes, a non-ASCII URL, a failed account deletion."""

import pytest

import auth_delete
import auth_login
import auth_me
import auth_password
import bookmarks_delete
import redirect
from bookmarker import passwords
from bookmarker.errors import BookmarkChanged, Unauthorized
from bookmarker.store import bookmarks as store
from tests.conftest import at_once, call, make_event


def test_a_non_ascii_url_redirects_with_an_ascii_location(alice, make_bookmark):
    made = make_bookmark(alice, "https://bücher.example/ü€?q=ä")

    status, _, headers = call(redirect.lambda_handler,
                              make_event("GET /{short_code}", path_params={"short_code": made["short_code"]}))

    assert status == 302
    assert headers["Location"] == "https://xn--bcher-kva.example/%C3%BC%E2%82%AC?q=%C3%A4"


def test_parallel_wrong_passwords_check_bcrypt_at_most_the_lockout_threshold(alice, monkeypatch):
    checked, real = [], passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda pw, h: checked.append(1) or real(pw, h))
    statuses = [status for status, _, _ in at_once([lambda: call(auth_login.lambda_handler, make_event(
        "POST /api/v1/auth/login", body={"email": alice.email, "password": "a wrong guess"}))] * 25)]

    assert len(checked) <= 10
    assert statuses.count(401) == len(checked)
    assert statuses.count(429) == 25 - len(checked)


def test_a_stolen_token_cannot_guess_the_password_endlessly(alice):
    wrong = {"current_password": "not it at all", "new_password": "whatever long"}
    answers = [call(auth_password.lambda_handler, make_event("POST /api/v1/auth/password", body=wrong,
                                                             token=alice.access))[0] for _ in range(11)]

    assert answers[:10] == [401] * 10
    assert answers[10] == 429


def test_a_failed_account_deletion_leaves_an_account_to_retry_with(alice, make_bookmark, monkeypatch):
    made = make_bookmark(alice, "https://example.com/kept")

    def broken(owner):
        raise RuntimeError("DynamoDB went away")

    monkeypatch.setattr(store, "delete_all", broken)
    failed = call(auth_delete.lambda_handler, make_event("DELETE /api/v1/auth/me", body={"password": alice.password},
                                                         token=alice.access))
    monkeypatch.undo()
    still_there = call(auth_me.lambda_handler, make_event("GET /api/v1/auth/me", token=alice.access))
    retried = call(auth_delete.lambda_handler, make_event("DELETE /api/v1/auth/me", body={"password": alice.password},
                                                          token=alice.access))
    link = call(redirect.lambda_handler,
                make_event("GET /{short_code}", path_params={"short_code": made["short_code"]}))

    assert failed[0] == 500
    assert still_there[0] == 200
    assert retried[0] == 204
    assert link[0] == 404


def test_a_bookmark_for_an_owner_that_no_longer_exists_is_not_written(tables):
    ghost = store.Bookmark(id="01JD8X2Q7R5N3M4K6P9T0V1W2X", owner="01JD8X2Q7R5N3M4K6P9T0V1W2Y",
                           url="https://example.com/", url_key="k", body="", short_code="Ghost01",
                           created_at="2026-11-27T00:00:00.000Z", updated_at="2026-11-27T00:00:00.000Z")

    with pytest.raises(Unauthorized):
        store.put_new_bookmark(ghost)

    assert store.get_bookmark(ghost.owner, ghost.id) is None


def test_a_delete_that_loses_a_race_to_another_delete_answers_404_not_409(alice, make_bookmark, monkeypatch):
    made = make_bookmark(alice, "https://example.com/raced")
    real = store.delete_bookmark

    def other_request_wins(b):
        real(b)  # the other request deletes it first
        raise BookmarkChanged("the bookmark changed meanwhile; try again")

    monkeypatch.setattr(store, "delete_bookmark", other_request_wins)
    status, body, _ = call(bookmarks_delete.lambda_handler, make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": made["id"]}, token=alice.access))

    assert status == 404
    assert body["code"] == "not_found"


def test_a_second_account_can_still_log_in_while_one_is_locked(tables, make_user):
    locked, other = make_user("lockedout"), make_user("fine")
    for _ in range(10):
        call(auth_login.lambda_handler, make_event("POST /api/v1/auth/login",
                                                   body={"email": locked.email, "password": "wrong!"}))

    assert call(auth_login.lambda_handler, make_event(
        "POST /api/v1/auth/login", body={"email": locked.email, "password": locked.password}))[0] == 429
    assert call(auth_login.lambda_handler, make_event(
        "POST /api/v1/auth/login", body={"email": other.email, "password": other.password}))[0] == 200
