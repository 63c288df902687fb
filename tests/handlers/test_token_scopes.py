"""Every route of openapi.yaml that takes a Bearer credential, called with a login session's access token, a
`bookmarks:read` API token and a `bookmarks:write` API token: each answer agrees with the scope the operation
declares (`x-required-scope`), so a route cannot take a token its document refuses, nor forget to declare one."""
import importlib
import inspect

import pytest

import auth_tokens_create
from bookmarker.openapi import spec
from tests.conftest import TEMPLATE, call, make_event

SCOPES = {"bookmarks:read", "bookmarks:write", "session"}
REFUSED = {"missing_token", "invalid_token", "insufficient_scope"}  # what a credential turned away answers
METHODS = ("get", "post", "put", "patch", "delete")


def _secured() -> list[tuple[str, str, dict]]:
    return [(method.upper(), path, op) for path, ops in spec()["paths"].items() for method, op in ops.items()
            if method in METHODS and any("bearerAuth" in s for s in op.get("security", []))]


OPERATIONS = _secured()


def _handler(route: str):
    for r in TEMPLATE.routes:
        if r.route_key == route:
            return importlib.import_module(r.handler.split(".")[0]).lambda_handler
    raise AssertionError(f"{route} is in openapi.yaml, not in template.yaml")


def _body(op: dict):
    content = op.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("example")


def _token(account, scope: str) -> str:
    status, made, _ = call(auth_tokens_create.lambda_handler, make_event(
        "POST /api/v1/auth/tokens", token=account.access, body={"name": scope, "scopes": [scope]}))
    assert status == 201, made
    return made["token"]


def test_every_secured_operation_declares_its_scope_and_api_tokens_only_where_the_document_says():
    for method, path, op in OPERATIONS:
        declared = op.get("x-required-scope")
        api_token = any("apiToken" in s for s in op["security"])
        assert declared in SCOPES, f"{method} {path}: x-required-scope is {declared!r}"
        assert api_token == (declared != "session"), f"{method} {path}: apiToken offered for {declared}"
        assert (declared == "session") == path.startswith("/api/v1/auth/"), f"{method} {path}"
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_each_credential_gets_what_the_operation_declares(tables, make_user, make_bookmark, operation):
    method, path, op = operation
    declared = op["x-required-scope"]
    route, handler = f"{method} {path}", _handler(f"{method} {path}")
    outcomes = {}
    for credential in ("login", "bookmarks:read", "bookmarks:write"):
        account = make_user()  # a fresh one each time: some operations log out, change or delete the account
        bookmark = make_bookmark(account, "https://example.com/scoped")
        token = {"login": account.refresh if path.endswith("/token/refresh") else account.access}.get(
            credential) or _token(account, credential)
        params = {"id": bookmark["id"]} if "{id}" in path else None
        status, body, _ = call(handler, make_event(route, path_params=params, token=token, body=_body(op)))
        outcomes[credential] = (status, body.get("code"))

    for credential, (status, code) in outcomes.items():
        if credential in ("login", declared):
            assert code not in REFUSED and status < 500, f"{route} with a {credential} credential: {status} {code}"
        else:
            assert (status, code) == (403, "insufficient_scope"), f"{route} with {credential}: {status} {code}"


def test_every_handler_behind_a_credential_declares_what_it_needs():
    """The decorator takes its scope or "session" as its argument: written bare, it fails at import."""
    from bookmarker.auth import authenticated

    with pytest.raises(TypeError):
        authenticated(lambda request: (200, None))  # type: ignore[arg-type]
    documented = {f"{m} {p}" for m, p, _ in OPERATIONS}
    for r in TEMPLATE.routes:
        source = inspect.getsource(importlib.import_module(r.handler.split(".")[0]))
        if "@authenticated(" in source and not r.path.endswith("/"):
            assert r.route_key in documented, f"{r.route_key} takes a credential the document does not declare"
