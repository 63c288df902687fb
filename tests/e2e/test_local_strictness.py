"""The local API is as strict as API Gateway: any method reaches routing, a request it cannot frame is a clean 400,
and every answer it makes itself carries the functions' security headers."""

import socket
import uuid

import pytest

from bookmarker.http import SECURITY_HEADERS
from local import server

ODD_METHODS = ["QUERY", "PROPFIND", "MKCOL", "LOCK", "PURGE", "FOO"]
TIMEOUT = 5  # seconds: a server that waits for a body it will never get fails the test instead of hanging it


def exchange(api, request: bytes, *, hang_up: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes and read until the server closes the connection: (status, headers, body)."""
    host, port = api.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        if hang_up:  # the client has sent all it will
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def post(headers: str, body: bytes = b"", path: str = "/api/v1/health") -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n".encode() + body


def assert_refused_cleanly(api, request: bytes, *, hang_up: bool = False) -> None:
    """400 JSON with the connection closed, and nothing like a traceback printed."""
    mark = len(api.lines)

    status, headers, body = exchange(api, request, hang_up=hang_up)

    assert (status, body) == (400, b'{"message": "Bad Request"}')
    assert headers["connection"] == "close"
    assert headers["content-type"] == "application/json"
    # The server closes the socket only after any traceback is printed; a later request's line comes after it.
    probe = uuid.uuid4().hex
    assert api.client.get(f"/api/v1/health?probe={probe}").status_code == 200
    api.wait_for_line(probe)
    printed = "".join(api.lines[mark:])
    assert "Traceback" not in printed and "Exception" not in printed


# ---- any method reaches routing --------------------------------------------------------------------

@pytest.mark.parametrize("method", ODD_METHODS)
def test_any_method_on_a_known_path_gets_the_fallbacks_405_with_allow(local_api, method):
    response = local_api.client.request(method, "/api/v1/health")

    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("method", ODD_METHODS)
def test_any_method_on_an_unknown_path_gets_the_fallbacks_404(local_api, method):
    response = local_api.client.request(method, "/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("method", ODD_METHODS)
def test_any_method_reaches_an_any_route(echo_api, method):
    response = echo_api.client.request(method, "/other/plain")

    assert response.status_code == 200
    assert response.json() == {"hello": "world"}


@pytest.mark.parametrize("request_line", [b"GE(T / HTTP/1.1", b"GET /", b"GARBAGE", b"GET / HTTP/1.1 extra"])
def test_a_request_line_that_is_not_http_1_is_a_400(local_api, request_line):
    assert_refused_cleanly(local_api, request_line + b"\r\nHost: localhost\r\n\r\n")


# ---- a request whose body cannot be framed ---------------------------------------------------------

@pytest.mark.parametrize("value", ["abc", "-1", "+5", "5 5", "1_0", "0x5", "", "5, 6", "9" * 30, "9" * 5000])
def test_a_malformed_content_length_is_a_400_and_closes_the_connection(local_api, value):
    assert_refused_cleanly(local_api, post(f"Content-Length: {value}\r\n", b"hello"))


def test_two_different_content_lengths_are_a_400(local_api):
    assert_refused_cleanly(local_api, post("Content-Length: 5\r\nContent-Length: 6\r\n", b"hello!"))


def test_a_body_shorter_than_its_content_length_is_a_400(local_api):
    assert_refused_cleanly(local_api, post("Content-Length: 100\r\n", b"hello"), hang_up=True)


@pytest.mark.parametrize("chunks", [
    b"zz\r\nhello\r\n0\r\n\r\n",                   # not hex
    b"-5\r\nhello\r\n0\r\n\r\n",                   # negative
    b"0x5\r\nhello\r\n0\r\n\r\n",                  # a prefix, not a size
    b"5\r\nhelloXY0\r\n\r\n",                      # no CRLF after the data
    b"5\nhello\r\n0\r\n\r\n",                      # a bare LF
    b"f" * 17 + b"\r\nhello\r\n0\r\n\r\n",         # over 64 bits
    b"ffffffffffffffff\r\nhello\r\n0\r\n\r\n",     # over 2**63 - 1
    b"5;" + b"x" * 5000 + b"\r\nhello\r\n0\r\n\r\n",  # a chunk line over 4 KiB
])
def test_a_malformed_chunked_body_is_a_400(local_api, chunks):
    assert_refused_cleanly(local_api, post("Transfer-Encoding: chunked\r\n", chunks))


@pytest.mark.parametrize("chunks", [b"a\r\nhello", b"5\r\nhello\r\n", b"5\r\nhello\r\n0\r\nX-Trailer: 1\r\n"])
def test_a_chunked_body_cut_short_is_a_400(local_api, chunks):
    assert_refused_cleanly(local_api, post("Transfer-Encoding: chunked\r\n", chunks), hang_up=True)


@pytest.mark.parametrize("headers", ["Transfer-Encoding: chunked\r\nContent-Length: 10\r\n",
                                     "Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: identity\r\n",
                                     "Transfer-Encoding: chunked, gzip\r\n"])
def test_an_ambiguous_or_unsupported_transfer_encoding_is_a_400(local_api, headers):
    assert_refused_cleanly(local_api, post(headers, b"5\r\nhello\r\n0\r\n\r\n"))


@pytest.mark.parametrize(("headers", "body"), [
    ("Content-Length: 0005\r\n", b"hello"),
    ("Content-Length: 5, 5\r\n", b"hello"),
    ("Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"),
    ("Transfer-Encoding: chunked\r\n", b"2;name=value\r\nhe\r\n3 \r\nllo\r\n0\r\nX-Trailer: 1\r\n\r\n"),
    ("Transfer-Encoding: Chunked\r\n", b"05\r\nhello\r\n0\r\n\r\n"),
])
def test_well_formed_framing_still_reaches_the_handler(echo_api, headers, body):
    status, _, answer = exchange(echo_api, post("Connection: close\r\n" + headers, body, "/other/size"))

    assert (status, answer) == (200, b"5")


# ---- the gateway's own answers carry the security headers ------------------------------------------

def test_the_local_copy_of_the_security_headers_is_the_layers():
    assert dict(server.SECURITY_HEADERS) == {name.lower(): value for name, value in SECURITY_HEADERS.items()}


def _raw(request: bytes):
    return lambda api: exchange(api, request)[:2]


def _http(method: str, path: str, **options):
    def send(api):
        response = api.client.request(method, path, **options)
        return response.status_code, response.headers

    return send


SELF_MADE = {
    "413 too large": (413, _raw(post(f"Content-Length: {server.MAX_BODY + 1}\r\n", path="/echo"))),
    "413 too large, chunked": (413, _raw(post("Transfer-Encoding: chunked\r\n", b"%x\r\n" % (server.MAX_BODY + 1),
                                              "/echo"))),
    "204 preflight": (204, _http("OPTIONS", "/items/1", headers={"Origin": "https://app.example",
                                                                "Access-Control-Request-Method": "GET"})),
    "204 preflight, origin refused": (204, _http("OPTIONS", "/items/1", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})),
    "400 bad content-length": (400, _raw(post("Content-Length: x\r\n", path="/echo"))),
    "400 bad request line": (400, _raw(b"GARBAGE\r\n\r\n")),
    "431 too many headers": (431, _raw(b"GET / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n")),
    "414 request line too long": (414, _raw(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")),
    "404 no route": (404, _http("GET", "/nowhere")),
    "500 handler crashed": (500, _http("GET", "/other/boom")),
}


@pytest.mark.parametrize("answer", SELF_MADE)
def test_every_answer_the_gateway_makes_itself_carries_the_security_headers(echo_api, answer):
    expected_status, send = SELF_MADE[answer]

    status, headers = send(echo_api)

    assert status == expected_status
    for name, value in SECURITY_HEADERS.items():
        assert headers[name.lower()] == value


def test_the_preflight_of_the_real_template_carries_the_security_headers(local_api):
    response = local_api.client.options("/api/v1/bookmarks", headers={
        "Origin": "https://front.example", "Access-Control-Request-Method": "POST"})

    assert response.status_code == 204
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
