"""POST /api/v1/bookmarks with an Idempotency-Key: a retry gets the first answer and creates nothing; another
body is 422; a retry while the first runs is 409 with Retry-After; the key is the caller's own; a refused or
failed create keeps nothing; faults of the idempotency table are 503 with Retry-After."""
import hashlib
import json
import os
import threading
import uuid

import pytest

import bookmarks_create
import bookmarks_delete
from bookmarker import bookmarks
from bookmarker.store import bookmarks as store
from bookmarker.store import client as store_client
from tests.conftest import at_once, call, make_event
from tests.faults import INTERNAL, NO_CONNECTION, READ_TIMEOUT, THROTTLING, fail_call

ROUTE = "POST /api/v1/bookmarks"


def _post(account, body, key: str | None = None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return call(bookmarks_create.lambda_handler, make_event(ROUTE, body=body, token=account.access, headers=headers))


def _link() -> dict:
    return {"url": f"https://example.com/{uuid.uuid4().hex[:12]}", "body": "read later"}


def _records(tables) -> list[dict]:
    return tables.scan(TableName=os.environ["IDEMPOTENCY_TABLE"], ConsistentRead=True)["Items"]


def test_a_retry_with_the_same_key_and_body_returns_the_first_answer_and_creates_nothing(tables, make_user):
    alice, link, key = make_user(), _link(), str(uuid.uuid4())
    first = _post(alice, link, key)

    again = _post(alice, link, key)

    assert first[0] == 201, first
    assert again[0] == 201
    assert again[1] == first[1]
    assert list(again[1]) == list(first[1])  # the first answer as it was, key order too
    assert again[2]["Location"] == first[2]["Location"] == f"/api/v1/bookmarks/{first[1]['id']}"
    assert store.count(alice.id) == 1
    assert [r["status"]["S"] for r in _records(tables)] == ["COMPLETED"]


def test_a_create_without_a_key_writes_no_idempotency_record(tables, make_user):
    alice, link = make_user(), _link()

    status, body, headers = _post(alice, link)

    assert status == 201
    assert headers["Location"] == f"/api/v1/bookmarks/{body['id']}"
    assert _records(tables) == []


def test_the_same_key_with_another_body_is_422_and_creates_nothing(tables, make_user):
    alice, key = make_user(), "order-1"
    assert _post(alice, _link(), key)[0] == 201

    status, body, headers = _post(alice, _link(), key)

    assert status == 422
    assert body["code"] == "idempotency_key_reused"
    assert headers["Content-Type"] == "application/problem+json"
    assert store.count(alice.id) == 1


def test_the_body_is_compared_parsed_not_as_text(tables, make_user):
    alice, link = make_user(), _link()
    first = _post(alice, link, "k")

    again = _post(alice, f'{{ "body" : "{link["body"]}",  "url": "{link["url"]}" }}', "k")

    assert again[0] == 201
    assert again[1] == first[1]
    assert store.count(alice.id) == 1


def test_one_key_used_by_two_users_creates_two_bookmarks(tables, make_user):
    alice, bob, link = make_user(), make_user(), _link()

    for_alice = _post(alice, link, "shared-key")
    for_bob = _post(bob, link, "shared-key")

    assert for_alice[0] == for_bob[0] == 201
    assert for_alice[1]["id"] != for_bob[1]["id"]
    assert store.count(alice.id) == store.count(bob.id) == 1
    assert len(_records(tables)) == 2


def test_concurrent_retries_of_one_key_create_one_bookmark(tables, make_user):
    alice, link, n = make_user(), _link(), 12
    answers = at_once([lambda: _post(alice, link, "same-key")] * n)

    created = [a for a in answers if a[0] == 201]
    waiting = [a for a in answers if a[0] != 201]
    assert created
    assert all(a[1] == created[0][1] and a[2]["Location"] == created[0][2]["Location"] for a in created)
    assert all(a[0] == 409 and a[1]["code"] == "request_in_progress" and a[2]["Retry-After"] == "1"
               for a in waiting), waiting
    assert store.count(alice.id) == 1


def test_a_retry_while_the_first_still_runs_is_409_request_in_progress_with_retry_after(tables, make_user,
                                                                                        monkeypatch):
    alice, link = make_user(), _link()
    running, release, real = threading.Event(), threading.Event(), bookmarks.create

    def slow_create(*args):
        running.set()
        assert release.wait(10)
        return real(*args)

    monkeypatch.setattr(bookmarks, "create", slow_create)
    first = []
    worker = threading.Thread(target=lambda: first.append(_post(alice, link, "slow")))
    worker.start()
    assert running.wait(10)

    status, body, headers = _post(alice, link, "slow")
    release.set()
    worker.join()

    assert status == 409
    assert body["code"] == "request_in_progress"
    assert headers["Retry-After"] == "1"
    assert first[0][0] == 201
    assert _post(alice, link, "slow")[1] == first[0][1]  # once done, the retry gets the first answer
    assert store.count(alice.id) == 1


def test_a_create_refused_with_url_exists_is_not_replayed_as_a_success(tables, make_user):
    alice, link = make_user(), _link()
    saved = _post(alice, link)[1]

    refused = _post(alice, link, "k")
    again = _post(alice, link, "k")

    assert (refused[0], refused[1]["code"]) == (409, "url_exists")
    assert (again[0], again[1]["code"]) == (409, "url_exists")
    assert _records(tables) == []  # the refusal kept nothing: the key is free
    status, _, _ = call(bookmarks_delete.lambda_handler, make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": saved["id"]}, token=alice.access))
    assert status == 204
    created = _post(alice, link, "k")
    assert created[0] == 201
    assert created[1]["id"] != saved["id"]


@pytest.mark.parametrize("kind", [THROTTLING, INTERNAL, READ_TIMEOUT, NO_CONNECTION])
def test_a_fault_recording_the_key_is_503_with_retry_after_and_the_retry_creates(tables, make_user, kind):
    alice, link = make_user(), _link()

    with fail_call(1, kind, operation="PutItem", clients=[store_client.client()]) as faults:
        status, body, headers = _post(alice, link, "k")

    assert faults.injected
    assert (status, body["code"], headers["Retry-After"]) == (503, "unavailable", "1")
    assert store.count(alice.id) == 0
    assert _post(alice, link, "k")[0] == 201
    assert store.count(alice.id) == 1


def test_a_fault_of_the_create_itself_keeps_nothing_so_the_retry_creates(tables, make_user):
    alice, link = make_user(), _link()

    with fail_call(1, INTERNAL, operation="TransactWriteItems"):
        failed = _post(alice, link, "k")

    assert (failed[0], failed[2]["Retry-After"]) == (503, "1")
    assert _records(tables) == []
    created = _post(alice, link, "k")
    assert created[0] == 201
    assert _post(alice, link, "k")[1] == created[1]
    assert store.count(alice.id) == 1


def test_a_fault_saving_the_answer_still_answers_the_create_once(tables, make_user):
    alice, link = make_user(), _link()

    with fail_call(1, THROTTLING, operation="UpdateItem", clients=[store_client.client()]) as faults:
        status, body, _ = _post(alice, link, "k")

    assert [i.operation for i in faults.injected] == ["UpdateItem"]
    assert status == 201  # the bookmark was created: its answer, though the record could not keep it
    assert store.get_bookmark(alice.id, body["id"]) is not None
    assert store.count(alice.id) == 1
    retried = _post(alice, link, "k")  # the record is still "in progress" until its run's time is up
    assert (retried[0], retried[1]["code"], retried[2]["Retry-After"]) == (409, "request_in_progress", "1")
    assert store.count(alice.id) == 1


def test_a_fault_clearing_the_key_of_a_refused_create_is_503_with_retry_after(tables, make_user):
    alice, link = make_user(), _link()
    _post(alice, link)

    with fail_call(1, INTERNAL, operation="DeleteItem", clients=[store_client.client()]) as faults:
        status, body, headers = _post(alice, link, "k")

    assert [i.operation for i in faults.injected] == ["DeleteItem"]
    assert (status, body["code"], headers["Retry-After"]) == (503, "unavailable", "1")
    assert store.count(alice.id) == 1


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_a_key_not_1_to_255_characters_is_400_naming_the_header(tables, make_user, key):
    alice = make_user()

    status, body, _ = _post(alice, _link(), key)

    assert status == 400
    assert body["code"] == "invalid_idempotency_key"
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert store.count(alice.id) == 0
    assert _records(tables) == []


@pytest.mark.parametrize("key", ["k", "x" * 255])
def test_a_key_of_1_to_255_characters_is_taken(tables, make_user, key):
    alice, link = make_user(), _link()

    first = _post(alice, link, key)

    assert first[0] == 201
    assert _post(alice, link, key)[1] == first[1]
    assert store.count(alice.id) == 1


def test_a_link_password_is_kept_in_the_record_only_as_an_hmac(tables, make_user):
    """Powertools keeps a SHA-256 of the body for 24 h: of a body holding a password, that hash could be guessed
    offline faster than bcrypt. The record's is of the body with the password replaced by an HMAC."""
    alice, key, password = make_user(), "locked-1", "open sesame 123"
    link = {**_link(), "link_password": password}

    first, again = _post(alice, link, key), _post(alice, link, key)
    other = _post(alice, {**link, "link_password": "another secret"}, key)

    assert first[0] == again[0] == 201 and again[1] == first[1] and first[1]["password_protected"] is True
    assert (other[0], other[1]["code"]) == (422, "idempotency_key_reused")
    (record,) = _records(tables)
    plain = {**link, "tags": [], "expires_at": None, "max_visits": None, "short_code": None}
    as_powertools_would = hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()
    assert record["validation"]["S"] != as_powertools_would
    assert password not in str(record)
