import json

import pytest

import fallback


@pytest.mark.parametrize(("method", "path"), [("GET", "/nope/nothing"), ("POST", "/api/v2/bookmarks"),
                                              ("GET", "/api/v1/bookmarks/1/2/3"), ("GET", "/abc1234/"),
                                              ("GET", "/openapi.json/"), ("GET", "/api/")])
def test_unknown_paths_answer_404_problem_json(api_event, lambda_context, method, path):
    event = api_event("$default", method=method, raw_path=path)

    out = fallback.lambda_handler(event, lambda_context)

    assert out["statusCode"] == 404
    assert out["headers"]["Content-Type"] == "application/problem+json"
    assert json.loads(out["body"])["code"] == "not_found"


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/api/v1/bookmarks", "GET, POST"),
    ("DELETE", "/api/v1/bookmarks/", "GET, POST"),
    ("POST", "/api/v1/bookmarks/01J0000000000000000000000A", "DELETE, GET, PATCH, PUT"),
    ("GET", "/api/v1/auth/login", "POST"),
    ("PUT", "/abc1234", "GET, HEAD, POST"),  # POST: a protected link's password (its own route)
])
def test_wrong_methods_answer_405_with_allow(api_event, lambda_context, method, path, allow):
    event = api_event("$default", method=method, raw_path=path)

    out = fallback.lambda_handler(event, lambda_context)

    assert out["statusCode"] == 405
    assert out["headers"]["Allow"] == allow
    assert json.loads(out["body"])["code"] == "method_not_allowed"
