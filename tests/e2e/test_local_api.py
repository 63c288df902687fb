"""The local API over real HTTP: the app's routes, and API Gateway's own behaviour on an echo template."""

import base64
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

API_ROUTE = "/api/v1/health"


# ---- the real template -------------------------------------------------------------------------

def test_health_answers_ok_without_a_token(local_api):
    response = local_api.client.get(API_ROUTE)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["status"] == "ok"
    assert response.headers["apigw-requestid"]


def test_health_accepts_a_trailing_slash(local_api):
    assert local_api.client.get(API_ROUTE + "/").status_code == 200


def test_unknown_path_is_answered_by_the_fallback_with_problem_json(local_api):
    response = local_api.client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_wrong_method_on_a_known_route_is_405_with_allow(local_api):
    response = local_api.client.delete(API_ROUTE)

    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


def test_preflight_is_answered_by_the_gateway_for_an_api_route(local_api):
    response = local_api.client.options("/api/v1/bookmarks", headers={
        "Origin": "https://front.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})

    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == "*"
    assert {"POST", "DELETE", "PATCH"} <= set(response.headers["access-control-allow-methods"].split(","))
    assert {"authorization", "content-type", "idempotency-key"} <= set(
        response.headers["access-control-allow-headers"].split(","))
    assert response.headers["access-control-max-age"] == "600"


def test_responses_to_a_cross_origin_request_carry_cors_headers_errors_included(local_api):
    ok = local_api.client.get(API_ROUTE, headers={"Origin": "https://front.example"})
    missing = local_api.client.get("/api/v1/nope", headers={"Origin": "https://front.example"})

    for response in (ok, missing):
        assert response.headers["access-control-allow-origin"] == "*"
        assert "location" in response.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in local_api.client.get(API_ROUTE).headers


def test_each_request_prints_one_line(local_api):
    probe = uuid.uuid4().hex

    local_api.client.get(f"{API_ROUTE}?probe={probe}")

    line = local_api.wait_for_line(f"probe={probe}")
    assert re.fullmatch(rf"GET {API_ROUTE}\?probe={probe} 200 \d+\.\dms\n", line)
    assert sum(probe in printed for printed in local_api.lines) == 1


def test_data_and_signing_key_survive_a_restart(start_local_api, tmp_path):
    api = start_local_api(tmp_path / "state")
    key = (tmp_path / "state" / "signing.key").read_text()
    item = {"pk": {"S": "persist#1"}, "note": {"S": "still here"}, "raw": {"B": b"\x00\xff"}}
    _dynamodb(api).put_item(TableName="bookmarker-local-UsersTable", Item=item)

    api.restart()

    assert api.client.get(API_ROUTE).status_code == 200
    saved = _dynamodb(api).get_item(TableName="bookmarker-local-UsersTable", Key={"pk": {"S": "persist#1"}})
    assert saved["Item"] == item
    assert (tmp_path / "state" / "signing.key").read_text() == key
    assert (tmp_path / "state" / "signing.key").stat().st_mode & 0o077 == 0


def test_concurrent_requests_log_only_their_own_correlation_id_and_user(start_local_api):
    api = start_local_api(LOG_LEVEL="INFO")
    names = [f"conc{n}{uuid.uuid4().hex[:8]}" for n in range(16)]
    for name in names:
        api.client.post("/api/v1/auth/register", json={"username": name, "email": f"{name}@example.com",
                                                       "password": "correct horse battery"}).raise_for_status()

    def session(name: str) -> list[tuple[str, str, str]]:
        """(request id, user id, function) of a login and a bookmark made with its token, while the others run."""
        login = api.client.post("/api/v1/auth/login", json={"email": f"{name}@example.com",
                                                            "password": "correct horse battery"})
        user = login.raise_for_status().json()["user"]
        made = api.client.post("/api/v1/bookmarks", json={"url": f"https://example.com/{name}"},
                               headers={"authorization": f"Bearer {user['access']}"})
        assert made.status_code == 201, made.text
        return [(login.headers["apigw-requestid"], user["id"], "AuthLoginFunction"),
                (made.headers["apigw-requestid"], user["id"], "BookmarksCreateFunction")]

    with ThreadPoolExecutor(len(names)) as pool:
        expected = {request_id: (user_id, function) for requests in pool.map(session, names)
                    for request_id, user_id, function in requests}
    api.stop()
    api.wait_for_line("^Stopping")  # every line before it has been read

    lines = [json.loads(line) for line in api.lines if line.startswith("{")]
    ours = [line for line in lines if line.get("correlation_id") in expected]
    messages = [line["message"] for line in ours]
    assert messages.count("user logged in") == messages.count("bookmark created") == len(names)
    invocations: dict[str, set[str]] = {}
    for line in ours:
        user_id, function = expected[line["correlation_id"]]
        assert line["user_id"] == user_id
        assert line["function_name"].endswith(f"-{function}")
        invocations.setdefault(line["correlation_id"], set()).add(line["function_request_id"])
    assert all(len(ids) == 1 for ids in invocations.values())  # one Lambda request id per request
    assert len(set.union(*invocations.values())) == len(expected)


def _dynamodb(api):
    return boto3.client("dynamodb", endpoint_url=api.dynamodb_url, region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


# ---- API Gateway's behaviour, on the echo template ---------------------------------------------

def _event(response):
    assert response.status_code == 200, response.text
    return response.json()["event"]


def test_event_is_payload_2_with_decoded_path_parameters(echo_api):
    response = echo_api.client.get("/items/a%20b?tag=x&tag=y&q=caf%C3%A9", headers=[
        ("X-Thing", "one"), ("X-Thing", "two"), ("Cookie", "a=1; b=2"), ("User-Agent", "pytest")])
    event = _event(response)

    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items/{id}"
    assert event["rawPath"] == "/items/a%20b"
    assert event["rawQueryString"] == "tag=x&tag=y&q=caf%C3%A9"
    assert event["queryStringParameters"] == {"tag": "x,y", "q": "café"}
    assert event["pathParameters"] == {"id": "a b"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-thing"] == "one,two"
    assert "cookie" not in event["headers"]
    assert "body" not in event and event["isBase64Encoded"] is False
    http = event["requestContext"]["http"]
    assert http == {"method": "GET", "path": "/items/a b", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                    "userAgent": "pytest"}
    assert event["requestContext"]["domainName"] == echo_api.url.removeprefix("http://")
    assert event["requestContext"]["stage"] == "$default"
    assert response.json()["table"] == "bookmarker-local-ItemsTable"
    assert 0 < response.json()["remaining"] <= 5000


def test_a_literal_route_beats_a_variable_and_greedy_takes_the_rest(echo_api):
    assert _event(echo_api.client.get("/items/special"))["routeKey"] == "GET /items/special"
    files = _event(echo_api.client.get("/files/a/b%2Fc.txt"))
    assert files["routeKey"] == "GET /files/{path+}"
    assert files["pathParameters"] == {"path": "a/b/c.txt"}


def test_no_route_and_no_default_is_the_gateways_own_404(echo_api):
    for response in (echo_api.client.get("/nowhere"), echo_api.client.delete("/items/1")):
        assert response.status_code == 404
        assert response.json() == {"message": "Not Found"}


def test_a_handler_that_raises_is_a_bare_500(echo_api):
    response = echo_api.client.get("/other/boom")

    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    echo_api.wait_for_line("RuntimeError: boom")


def test_a_result_without_status_code_is_sent_as_json(echo_api):
    response = echo_api.client.post("/other/plain")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"hello": "world"}


def test_binary_bodies_go_base64_both_ways(echo_api):
    sent = _event(echo_api.client.post("/echo", content=b"\x89PNG\x00\xff",
                                       headers={"content-type": "image/png"}))
    text = _event(echo_api.client.post("/echo", json={"a": "é"}))
    received = echo_api.client.get("/other/binary")

    assert sent["isBase64Encoded"] is True
    assert base64.b64decode(sent["body"]) == b"\x89PNG\x00\xff"
    assert text["isBase64Encoded"] is False and json.loads(text["body"]) == {"a": "é"}
    assert received.status_code == 201
    assert received.content == bytes(range(256))
    assert received.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]


def test_a_64_kib_body_reaches_the_handler_and_10_mb_is_refused_by_the_gateway(echo_api):
    big = echo_api.client.post("/other/size", content=b"x" * (64 * 1024 + 1), headers={"content-type": "text/plain"})
    chunked = echo_api.client.post("/other/size", content=iter([b"a" * 70_000, b"b" * 30_000]))
    huge = echo_api.client.post("/other/size", content=b"x" * (10 * 1024 * 1024 + 1))

    assert (big.status_code, big.text) == (200, str(64 * 1024 + 1))
    assert (chunked.status_code, chunked.text) == (200, "100000")
    assert huge.status_code == 413
    assert huge.json() == {"message": "Request Entity Too Large"}


def test_head_has_headers_but_no_body(echo_api):
    response = echo_api.client.head("/echo")

    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


@pytest.mark.parametrize("origin", ["https://app.example", "https://sub.example.org"])
def test_an_allowed_origin_is_echoed_and_the_handlers_cors_headers_are_ignored(echo_api, origin):
    preflight = echo_api.client.options("/anything", headers={"Origin": origin, "Access-Control-Request-Method": "GET"})
    response = echo_api.client.get("/items/1", headers={"Origin": origin})

    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert preflight.headers["access-control-allow-methods"] == "GET,POST"
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-expose-headers"] == "location"


def test_a_disallowed_origin_gets_no_cors_headers(echo_api):
    preflight = echo_api.client.options("/items/1", headers={"Origin": "https://evil.example",
                                                             "Access-Control-Request-Method": "GET"})
    response = echo_api.client.get("/items/1", headers={"Origin": "https://evil.example"})

    assert preflight.status_code == 204
    assert not [h for h in preflight.headers if h.startswith("access-control-")]
    assert not [h for h in response.headers if h.startswith("access-control-")]


def test_an_options_request_that_is_not_a_preflight_is_routed(echo_api):
    response = echo_api.client.options("/other/plain")

    assert response.status_code == 200
    assert response.json() == {"hello": "world"}
