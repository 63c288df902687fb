"""DynamoDB faults on every route: throttling, a 5xx, a read timeout and a lost connection, injected at each
DynamoDB call a route makes in turn, answer 503 `unavailable` with Retry-After (the redirect still redirects
when only its count fails); a transaction cancelled by contention is a 409, by throttling a 503."""
import itertools
import uuid

import pytest
from botocore.exceptions import ClientError

import auth_delete
import auth_login
import auth_logout
import auth_me
import auth_password
import auth_refresh
import auth_register
import bookmarks_check
import bookmarks_create
import bookmarks_delete
import bookmarks_export
import bookmarks_get
import bookmarks_import
import bookmarks_list
import bookmarks_patch
import bookmarks_qr
import bookmarks_replace
import bookmarks_stats
import bookmarks_visits
import redirect
import tags_list
from bookmarker.errors import Conflict, Unavailable
from bookmarker.store import bookmarks as store
from bookmarker.store import client as store_client
from tests.conftest import call, make_event
from tests.faults import KINDS, PROVISIONED, THROTTLING, fail_call, failure

# The redirect's own kinds beside the store's: throttled by capacity, as a hot link is.
ALL_KINDS = (*KINDS, PROVISIONED)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_kind_of_dynamodb_fault_is_unavailable_at_the_stores_client(kind):
    with fail_call(1, kind) as faults, pytest.raises(Unavailable) as refused:
        store_client.client().get_item(TableName="any", Key={"pk": {"S": "x"}})

    assert [i.kind for i in faults.injected] == [kind]
    assert refused.value.status == 503
    assert refused.value.headers["Retry-After"] == "1"


# ---- each route: how to set it up, and its request -------------------------------------------------
# Each arrange(account, make_bookmark) writes what the route needs and returns its event.

URL = "https://example.com/faults"
TAGS = ["faults", "tagged"]  # a tagged bookmark's writes move its tags' counts in the same transaction


def _url() -> str:
    """A URL of its own for each arrange: a request refused by a fault leaves its bookmark in place."""
    return f"{URL}/{uuid.uuid4().hex[:8]}"


def _one(route, body=None, query=None, *, first=False):
    """The route called by the account with its access token; after saving a bookmark when `first`."""
    def arrange(account, make_bookmark):
        if first:
            make_bookmark(account, _url(), tags=TAGS)
        return make_event(route, token=account.access, body=body, query=query)
    return arrange


def _on_bookmark(route, body=None):
    """The route on a new bookmark; body(made) makes the request's body from it."""
    def arrange(account, make_bookmark):
        made = make_bookmark(account, _url(), tags=TAGS)
        return make_event(route, path_params={"id": made["id"]}, token=account.access,
                          body=body(made) if body else None)
    return arrange


def _check(account, make_bookmark):
    """The check of a URL the account saved: the claim's GetItem, then the bookmark's Query, both reached."""
    return make_event("GET /api/v1/bookmarks/check", token=account.access,
                      query={"url": make_bookmark(account, _url())["url"]})


def _redirect(method):
    def arrange(account, make_bookmark):
        return make_event(f"{method} /{{short_code}}",
                          path_params={"short_code": make_bookmark(account, _url())["short_code"]})
    return arrange


ROUTES = {
    "register": (auth_register, lambda a, _: make_event("POST /api/v1/auth/register", body={
        "username": f"u{uuid.uuid4().hex[:12]}", "email": f"{uuid.uuid4().hex[:12]}@example.com",
        "password": "correct horse battery"})),
    "login": (auth_login, lambda a, _: make_event("POST /api/v1/auth/login",
                                                  body={"email": a.email, "password": a.password})),
    "refresh": (auth_refresh, lambda a, _: make_event("POST /api/v1/auth/token/refresh", token=a.refresh)),
    "me": (auth_me, _one("GET /api/v1/auth/me")),
    "logout": (auth_logout, _one("POST /api/v1/auth/logout")),
    "password": (auth_password, lambda a, _: make_event("POST /api/v1/auth/password", token=a.access, body={
        "current_password": a.password, "new_password": "another long password"})),
    "delete account": (auth_delete, lambda a, make_bookmark: make_bookmark(a, URL, tags=TAGS) and make_event(
        "DELETE /api/v1/auth/me", token=a.access, body={"password": a.password})),
    "create": (bookmarks_create, lambda a, _: make_event("POST /api/v1/bookmarks", token=a.access,
                                                         body={"url": _url(), "tags": TAGS})),
    "list": (bookmarks_list, _one("GET /api/v1/bookmarks", query={"page": "1"}, first=True)),
    "list by cursor": (bookmarks_list, _one("GET /api/v1/bookmarks", first=True)),
    "list filtered": (bookmarks_list, _one("GET /api/v1/bookmarks", query={"tag": "faults", "sort": "-visits"},
                                           first=True)),
    "stats": (bookmarks_stats, _one("GET /api/v1/bookmarks/stats", first=True)),
    "get": (bookmarks_get, _on_bookmark("GET /api/v1/bookmarks/{id}")),
    "qr": (bookmarks_qr, _on_bookmark("GET /api/v1/bookmarks/{id}/qr")),
    "visits per day": (bookmarks_visits, _on_bookmark("GET /api/v1/bookmarks/{id}/visits")),
    "check": (bookmarks_check, _check),
    "put, same url": (bookmarks_replace, _on_bookmark("PUT /api/v1/bookmarks/{id}",
                                                      lambda made: {"url": made["url"], "body": "b"})),
    "put, new url": (bookmarks_replace, _on_bookmark("PUT /api/v1/bookmarks/{id}", lambda _: {"url": _url()})),
    "patch": (bookmarks_patch, _on_bookmark("PATCH /api/v1/bookmarks/{id}", lambda _: {"url": _url()})),
    "patch tags": (bookmarks_patch, _on_bookmark("PATCH /api/v1/bookmarks/{id}", lambda _: {"tags": ["new"]})),
    "tags": (tags_list, _one("GET /api/v1/tags", first=True)),
    "patch alias": (bookmarks_patch, _on_bookmark("PATCH /api/v1/bookmarks/{id}",
                                                  lambda _: {"short_code": f"alias-{uuid.uuid4().hex[:12]}"})),
    "import": (bookmarks_import, lambda a, make_bookmark: make_event(  # one new link, one already saved
        "POST /api/v1/bookmarks/import", token=a.access,
        body=[{"url": _url(), "tags": TAGS}, {"url": make_bookmark(a, _url())["url"]}])),
    "export json": (bookmarks_export, _one("GET /api/v1/bookmarks/export", first=True)),
    "export html": (bookmarks_export, _one("GET /api/v1/bookmarks/export", query={"format": "html"}, first=True)),
    "delete": (bookmarks_delete, _on_bookmark("DELETE /api/v1/bookmarks/{id}")),
    "redirect HEAD": (redirect, _redirect("HEAD")),
}
# A refused request leaves its account as it was, so one account serves every call of a route; these two
# change it as they go (a refresh token is used before its successor is stored; a deletion marks the account).
FRESH_ACCOUNT_EACH_TIME = {"refresh", "delete account"}


@pytest.mark.parametrize(("route", "kind"), list(itertools.product(ROUTES, ALL_KINDS)))
def test_a_dynamodb_fault_at_any_call_of_a_route_answers_503_with_retry_after(tables, make_user, make_bookmark,
                                                                              route, kind):
    module, arrange = ROUTES[route]
    account, failed = make_user(), []
    for at in itertools.count():  # the first call fails, then the second, ... until the route makes no more
        if route in FRESH_ACCOUNT_EACH_TIME:
            account = make_user()
        event = arrange(account, make_bookmark)
        with fail_call(at + 1, kind) as faults:
            status, body, headers = call(module.lambda_handler, event)
        if not faults.injected:  # the route made fewer calls than that: every one has failed once
            assert status < 400, body
            break
        failed.append(faults.injected[0].operation)

        code = None if route.endswith("HEAD") else "unavailable"  # a HEAD is answered without a body
        assert (status, body.get("code")) == (503, code), f"call {at + 1} ({failed[-1]}): {status} {body}"
        assert int(headers["Retry-After"]) >= 1
        assert headers["Content-Type"] == "application/problem+json"
    assert failed, "the route makes no DynamoDB call"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_redirect_whose_lookup_fails_answers_503_and_whose_count_fails_still_redirects(alice, make_bookmark,
                                                                                          kind):
    made = make_bookmark(alice, URL)
    event = make_event("GET /{short_code}", path_params={"short_code": made["short_code"]})
    with fail_call(99) as faults:
        assert call(redirect.lambda_handler, event)[0] == 302
    assert dict(faults.operations) == {"Query": 1, "UpdateItem": 1}  # the index, then the count (total and day)

    with fail_call(1, kind):
        looked_up = call(redirect.lambda_handler, event)
    with fail_call(2, kind):
        counted = call(redirect.lambda_handler, event)

    assert looked_up[0] == 503
    assert looked_up[2]["Retry-After"] == "1"
    assert counted[0] == 302
    assert counted[2]["Location"] == URL


def test_a_browser_gets_the_503_as_a_page_with_retry_after(alice, make_bookmark):
    made = make_bookmark(alice, URL)
    event = make_event("GET /{short_code}", path_params={"short_code": made["short_code"]},
                       headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})

    with fail_call(1, THROTTLING):
        status, _, headers = call(redirect.lambda_handler, event)

    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Retry-After"] == "1"


# ---- transactions cancelled on every attempt ---------------------------------------------------------

def _cancelled(reason: str):
    def answer(model, **_):
        if model.name != "TransactWriteItems":
            return None
        http, parsed = failure(THROTTLING)
        parsed["Error"]["Code"] = "TransactionCanceledException"
        parsed["CancellationReasons"] = [{"Code": reason}, {"Code": "None"}]
        return http, parsed
    return answer


@pytest.mark.parametrize(("reason", "expected"), [("TransactionConflict", Conflict), ("ThrottlingError", Unavailable)])
def test_a_transaction_cancelled_on_every_attempt_is_a_409_for_contention_and_a_503_for_throttling(
        tables, monkeypatch, reason, expected):
    monkeypatch.setattr(store_client, "TRANSACTION_BACKOFF", (0, 0))
    events = store_client.client().meta.events
    events.register("before-call.dynamodb", _cancelled(reason), unique_id="cancelled")
    try:
        with pytest.raises(expected):
            check = {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "k"}},
                                        "ConditionExpression": "attribute_exists(pk)"}}
            store_client.transact([(check, None), (check, None)])
    finally:
        events.unregister("before-call.dynamodb", unique_id="cancelled")


def test_an_item_locked_by_another_transaction_is_a_409_not_a_500(alice, make_bookmark, monkeypatch):
    made = make_bookmark(alice)
    events = store_client.client().meta.events

    def locked(model, **_):
        if model.name != "UpdateItem":
            return None
        http, parsed = failure(THROTTLING)
        parsed["Error"]["Code"] = "TransactionConflictException"
        return http, parsed

    events.register("before-call.dynamodb", locked, unique_id="locked")
    try:
        status, body, _ = call(bookmarks_patch.lambda_handler, make_event(
            "PATCH /api/v1/bookmarks/{id}", path_params={"id": made["id"]}, token=alice.access,
            body={"body": "new"}))
    finally:
        events.unregister("before-call.dynamodb", unique_id="locked")

    assert (status, body["code"]) == (409, "conflict")


def test_the_sdk_retries_are_bounded_so_a_request_answers_inside_the_function_timeout():
    from local.template import Template

    config = store_client.client().meta.config
    attempts = config.retries["total_max_attempts"]
    worst_call = (attempts * (config.connect_timeout + config.read_timeout)
                  + sum(2 ** n for n in range(attempts - 1)))  # standard mode's backoff: at most 1 s, 2 s, ...
    timeouts = {f.logical_id: f.timeout for f in Template().functions.values()}

    assert config.retries["mode"] == "standard"
    assert attempts == 3
    assert worst_call * 3 <= min(timeouts.values()) < 30  # three failing calls still answer before API Gateway


def test_a_non_fault_client_error_still_surfaces(tables):
    with pytest.raises(ClientError):
        store_client.client().get_item(TableName="no-such-table", Key={"pk": {"S": "x"}})


# ---- a write that committed but whose answer was lost, sent again by the SDK --------------------------

def test_a_create_sent_twice_because_its_answer_was_lost_is_one_whole_bookmark(tables, make_user):
    owner = make_user("twice")
    events = store_client.client().meta.events
    sent = []

    def commit_then_lose_the_answer(model, params, **_):
        """The first TransactWriteItems reaches DynamoDB and commits; its answer is lost on the way back,
        so the SDK sends the very same request again (what its retry does after a read timeout)."""
        if model.name == "TransactWriteItems" and not sent:
            sent.append(params)
            store_client.client().raw.transact_write_items(**dict(params))

    events.register("before-parameter-build.dynamodb.TransactWriteItems", commit_then_lose_the_answer, unique_id="lost")
    try:
        status, made, _ = call(bookmarks_create.lambda_handler, make_event(
            "POST /api/v1/bookmarks", body={"url": "https://example.com/once"}, token=owner.access))
    finally:
        events.unregister("before-parameter-build.dynamodb.TransactWriteItems", unique_id="lost")

    assert sent, "the transaction was not sent twice"
    assert status == 201, made
    assert store.count(owner.id) == 1
    assert [b.id for b in store.list_page(owner.id, limit=10, after=None).items] == [made["id"]]


def test_a_registration_sent_twice_because_its_answer_was_lost_is_one_account(tables):
    events = store_client.client().meta.events
    sent = []

    def commit_then_lose_the_answer(model, params, **_):
        if not sent:
            sent.append(params)
            store_client.client().raw.transact_write_items(**dict(params))

    events.register("before-parameter-build.dynamodb.TransactWriteItems", commit_then_lose_the_answer, unique_id="lost")
    try:
        status, body, _ = call(auth_register.lambda_handler, make_event("POST /api/v1/auth/register", body={
            "username": "twice", "email": "twice@example.com", "password": "correct horse battery"}))
    finally:
        events.unregister("before-parameter-build.dynamodb.TransactWriteItems", unique_id="lost")

    assert sent
    assert status == 201, body
    login = call(auth_login.lambda_handler, make_event("POST /api/v1/auth/login", body={
        "email": "twice@example.com", "password": "correct horse battery"}))
    assert login[0] == 200
    assert login[1]["user"]["id"] == body["user"]["id"]
