"""The HTTP side of the local API: routes, payload 2.0 events, responses and CORS as API Gateway HTTP API does them."""

import base64
import fnmatch
import importlib
import json
import os
import re
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.message import Message
from types import SimpleNamespace
from typing import IO, Any
from urllib.parse import parse_qsl, unquote
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from local.template import ACCOUNT_ID, DEFAULT_ROUTE, STACK_NAME, Function, Route, Template

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
MAX_LENGTH = 2**63 - 1  # a declared length past 64 bits is a malformed request, not a large one
MAX_LINE, MAX_TRAILERS = 4096, 100  # the longest chunk-size or trailer line; the most trailer lines
_TEXT = re.compile(r"text/.*|application/(json|xml|javascript|x-www-form-urlencoded|.*\+json)")  # sent as text
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # a method is a token (RFC 9110, 9.1)
_DECIMAL = re.compile(r"0*([0-9]{1,19})")
_CHUNK_SIZE = re.compile(r"0*([0-9A-Fa-f]{1,16})[ \t]*(?:;.*)?")  # chunk-size [chunk-ext] (RFC 9112, 7.1)

# The gateway's own answers carry the functions' security headers too (in AWS they would not). A copy of
# bookmarker.http.SECURITY_HEADERS: local/ loads no function code before the functions' environment is set;
# tests/e2e/test_local_strictness.py holds the two equal.
SECURITY_HEADERS = [("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"),
                    ("strict-transport-security", "max-age=31536000; includeSubDomains")]

Response = tuple[int, list[tuple[str, str]], bytes]
_IMPORTING = threading.Lock()  # one handler module imported at a time: two at once can deadlock on an import cycle


def _match(route_path: str, raw_path: str) -> dict[str, str] | None:
    pattern, parts = route_path.split("/")[1:], raw_path.split("/")[1:]
    if pattern[-1].endswith("+}"):  # a greedy variable, always the last: the rest of the path, slashes included
        parts = [*parts[:len(pattern) - 1], "/".join(parts[len(pattern) - 1:])]
    if len(parts) != len(pattern):
        return None
    params = {}
    for segment, part in zip(pattern, parts, strict=True):
        if segment.startswith("{"):
            if not part:  # a variable is never empty
                return None
            params[segment.strip("{+}")] = unquote(part)
        elif unquote(part) != segment:
            return None
    return params


def _specificity(route: Route) -> tuple[bool, int, tuple[bool, ...], bool]:
    # Ascending: literal paths, then fewer {variables} (leftmost literals first), {greedy+} last; a method before ANY.
    variables = tuple(s.startswith("{") for s in route.path.split("/")[1:])
    return route.path.endswith("+}"), sum(variables), variables, route.method == "ANY"


def match_route(routes: Iterable[Route], method: str, raw_path: str) -> tuple[Route | None, dict[str, str]]:
    """The route API Gateway picks for a request, and its path parameters; (None, {}) when nothing matches."""
    default = None
    for route in sorted(routes, key=_specificity):
        if route.path == DEFAULT_ROUTE:
            default = route
        elif route.method in (method, "ANY") and (params := _match(route.path, raw_path)) is not None:
            return route, params
    return default, {}


def build_event(method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes = b"", *,
                route: Route | None = None, path_params: dict[str, str] | None = None, source_ip: str = "127.0.0.1",
                request_id: str | None = None, now: float | None = None) -> dict[str, Any]:
    """A payload format 2.0 event, built the way API Gateway HTTP API builds it."""
    raw_path, _, raw_query = target.partition("?")
    pairs = [(name.lower(), value) for name, value in headers]
    # Repeated header names and query keys are joined with commas; cookies are a list of their own.
    joined = {name: ",".join(values) for name, values in MultiDict(p for p in pairs if p[0] != "cookie").lists()}
    cookies = [c.strip() for name, value in pairs if name == "cookie" for c in value.split(";") if c.strip()]
    query = {key: ",".join(values) for key, values in MultiDict(parse_qsl(raw_query, keep_blank_values=True)).lists()}
    now = time.time() if now is None else now
    moment = datetime.fromtimestamp(now, UTC)
    route_key = route.route_key if route else DEFAULT_ROUTE
    host = joined.get("host", "127.0.0.1")
    try:  # a body is text when its type is textual and it is UTF-8; otherwise it is sent base64-encoded
        textual = _TEXT.fullmatch(joined.get("content-type", "").split(";", maxsplit=1)[0].strip().lower())
        text = body.decode() if body and textual else None
    except UnicodeDecodeError:
        text = None
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": route_key, "rawPath": raw_path, "rawQueryString": raw_query, "headers": joined,
        "requestContext": {
            "accountId": ACCOUNT_ID, "apiId": "local", "domainName": host, "domainPrefix": host.split(".")[0],
            "http": {"method": method, "path": unquote(raw_path), "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": joined.get("user-agent", "")},
            "requestId": request_id or new_request_id(), "routeKey": route_key, "stage": "$default",
            "time": moment.strftime(f"%d/{_MONTHS[moment.month - 1]}/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now * 1000)},
        "isBase64Encoded": bool(body) and text is None}
    optional = {"cookies": cookies, "queryStringParameters": query, "pathParameters": path_params,
                "body": base64.b64encode(body).decode() if text is None else text}
    return event | {key: value for key, value in optional.items() if value}  # what the request lacks is left out


def new_request_id() -> str:
    return base64.b64encode(os.urandom(11)).decode()  # the shape of API Gateway's ids: 16 base64 characters


def lambda_context(function: Function) -> SimpleNamespace:
    """What the Lambda runtime passes as `context`."""
    name, deadline = f"{STACK_NAME}-{function.logical_id}", time.monotonic() + function.timeout
    return SimpleNamespace(
        function_name=name, function_version="$LATEST", memory_limit_in_mb=function.memory_size,
        invoked_function_arn=f"arn:aws:lambda:{os.environ.get('AWS_REGION', 'us-east-1')}:{ACCOUNT_ID}:function:{name}",
        aws_request_id=str(uuid.uuid4()), log_group_name=f"/aws/lambda/{name}",
        log_stream_name=f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}",
        get_remaining_time_in_millis=lambda: max(0, int((deadline - time.monotonic()) * 1000)))


def gateway_error(status: int) -> Response:
    """An answer of the gateway's own, such as {"message": "Not Found"}."""
    body = json.dumps({"message": HTTP_STATUS_CODES[status]}).encode()
    return status, [("content-type", "application/json"), *SECURITY_HEADERS], body


def http_response(result: Any) -> Response:
    """What API Gateway answers for a handler's return value (payload 2.0, including its inference)."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return 200, [("content-type", "application/json")], json.dumps(result).encode()
    status = int(result["statusCode"])
    if not 100 <= status <= 599:
        raise ValueError(f"statusCode {status} is not an HTTP status")
    headers = [(k.lower(), str(v)) for k, v in (result.get("headers") or {}).items()
               if k.lower() not in ("content-length", "transfer-encoding", "connection")]
    headers += [("set-cookie", str(c)) for c in result.get("cookies") or []]
    body = "" if (given := result.get("body")) is None else given
    if result.get("isBase64Encoded"):
        return status, headers, base64.b64decode(body, validate=True)
    return status, headers, (body if isinstance(body, str) else json.dumps(body)).encode()


def cors_headers(cors: dict[str, Any], origin: str | None, *, preflight: bool = False) -> list[tuple[str, str]]:
    """What API Gateway writes for the HttpApi's CorsConfiguration: nothing unless the origin is allowed."""
    origins = cors.get("AllowOrigins") or []
    if not origin or not ("*" in origins or any(fnmatch.fnmatch(origin.lower(), o.lower()) for o in origins)):
        return []
    headers = {"allow-origin": "*" if "*" in origins else origin}
    if preflight:
        headers |= {"allow-methods": ",".join(cors.get("AllowMethods") or []),
                    "allow-headers": ",".join(cors.get("AllowHeaders") or []), "max-age": str(cors.get("MaxAge", ""))}
    else:
        headers["expose-headers"] = ",".join(cors.get("ExposeHeaders") or [])
    return [(f"access-control-{name}", value) for name, value in headers.items() if value]


def with_cors(cors: dict[str, Any] | None, origin: str | None, response: Response) -> Response:
    """API Gateway ignores the backend's CORS headers once CORS is configured, and writes its own."""
    if not cors:
        return response
    status, headers, body = response
    return status, [h for h in headers if not h[0].startswith("access-control-")] + cors_headers(cors, origin), body


# Read here, not by werkzeug: its DechunkedInput takes `0x5` or a bare LF and refuses chunk extensions and trailers,
# where API Gateway answers a clean 400 (BadRequest, or RequestEntityTooLarge past its limit), or reads on.
def read_body(stream: IO[bytes], headers: Message) -> bytes:
    codings = [c.strip().lower() for v in headers.get_all("transfer-encoding", []) for c in v.split(",")]
    lengths = {n.strip() for v in headers.get_all("content-length", []) for n in v.split(",")}
    if codings:
        # With Content-Length too, or a coding other than chunked alone, where the body ends is ambiguous
        # (how requests are smuggled past a proxy): RFC 9112 (6.1, 6.3) lets a server refuse it.
        if lengths or codings != ["chunked"]:
            raise BadRequest
        return _read_chunked(stream)
    if not lengths:
        return b""
    # Lines that agree, in decimal digits (RFC 9112, 6.3: a sign, a space or `1_0` is not a length).
    match = _DECIMAL.fullmatch(lengths.pop()) if len(lengths) == 1 else None
    if not match or (length := int(match[1])) > MAX_LENGTH:
        raise BadRequest
    if length > MAX_BODY:
        raise RequestEntityTooLarge
    if len(body := stream.read(length)) < length:
        raise BadRequest  # the connection ended before the body it declared
    return body


def _read_chunked(stream: IO[bytes]) -> bytes:
    chunks, size = [], 0
    while True:
        match = _CHUNK_SIZE.fullmatch(_read_line(stream))
        if not match or (length := int(match[1], 16)) > MAX_LENGTH:
            raise BadRequest
        if not length:
            break
        if (size := size + length) > MAX_BODY:
            raise RequestEntityTooLarge
        chunks.append(stream.read(length))
        if len(chunks[-1]) < length or stream.read(2) != b"\r\n":
            raise BadRequest
    for _ in range(MAX_TRAILERS):
        if not _read_line(stream):  # the blank line after the trailers
            return b"".join(chunks)
    raise BadRequest


def _read_line(stream: IO[bytes]) -> str:
    """One line of the chunked framing, without its CRLF."""
    line = stream.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE or not line.endswith(b"\r\n"):  # too long, a bare LF, or the connection ended
        raise BadRequest
    return line[:-2].decode("latin-1")


class Gateway:
    """The WSGI app: API Gateway in front of the template's functions, which it runs in this process."""

    def __init__(self, template: Template, on_request: Callable[[], None]):
        self.template, self.on_request = template, on_request
        code = {str(path) for path in [*template.layer_dirs, *(f.code_dir for f in template.functions.values())]}
        sys.path[:0] = sorted(code - set(sys.path))  # handlers are imported by the names the template gives

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started, request_id = time.perf_counter(), new_request_id()
        method, target = environ["REQUEST_METHOD"], environ["local.target"]
        try:
            status, headers, body = self.answer(environ, request_id)
        except HTTPException as refused:  # werkzeug closes the connection after it: the rest is never read
            status, headers, body = with_cors(self.template.cors, environ["local.headers"].get("origin"),
                                              gateway_error(refused.code or 400))
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, '')}",
                       [*headers, ("content-length", str(len(body))), ("apigw-requestid", request_id)])
        # One write, newline included: print() writes it apart, and another thread's log line could land between.
        sys.stdout.write(f"{method} {target} {status} {(time.perf_counter() - started) * 1000:.1f}ms\n")
        sys.stdout.flush()
        self.on_request()
        return [] if method == "HEAD" else [body]

    def answer(self, environ: WSGIEnvironment, request_id: str) -> Response:
        method, target, headers = environ["REQUEST_METHOD"], environ["local.target"], environ["local.headers"]
        if environ["local.http_0_9"] or not _TOKEN.fullmatch(method):
            raise BadRequest
        cors, origin = self.template.cors, headers.get("origin")
        body = read_body(environ["wsgi.input"], headers)
        if cors and method == "OPTIONS" and origin and headers.get("access-control-request-method"):
            return 204, [*SECURITY_HEADERS, *cors_headers(cors, origin, preflight=True)], b""
        route, params = match_route(self.template.routes, method, target.partition("?")[0])
        if route is None:
            return with_cors(cors, origin, gateway_error(404))
        event = build_event(method, target, headers.items(), body, route=route, path_params=params,
                            source_ip=environ["REMOTE_ADDR"], request_id=request_id)
        function = self.template.functions[route.function_logical_id]
        try:
            with _IMPORTING:
                handler = getattr(importlib.import_module(function.handler_module), function.handler_name)
            return with_cors(cors, origin, http_response(handler(event, lambda_context(function))))
        except Exception:
            print(f"{route.function_logical_id} failed on {route.route_key}:", file=sys.stderr)
            traceback.print_exc()
            return with_cors(cors, origin, gateway_error(500))


class GatewayRequestHandler(WSGIRequestHandler):
    """werkzeug's, giving the app the request as sent; it closes each connection after one answer (no keep-alive)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: else Nagle plus delayed ACK add 40 ms

    def make_environ(self) -> WSGIEnvironment:
        # `GET /` is HTTP/0.9 to http.server, which would answer it without a status line: the app refuses it.
        http_0_9, self.request_version = self.request_version == "HTTP/0.9", self.protocol_version
        # What the app reads, as sent: werkzeug's environ drops header names with a "_", keeps one of two
        # Content-Length lines, dechunks leniently, re-encodes the target and fails on one such as `//[`.
        return {"REQUEST_METHOD": self.command, "REMOTE_ADDR": self.client_address[0], "wsgi.input": self.rfile,
                "local.headers": self.headers, "local.target": self.path, "local.http_0_9": http_0_9}

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's refusals (a request line it cannot parse or over 64 KiB, too many headers): the gateway's."""
        self.request_version, self.close_connection = self.protocol_version, True
        status, headers, body = gateway_error(code)
        self.send_response(status)
        for name, value in [*headers, ("content-length", str(len(body))), ("apigw-requestid", new_request_id()),
                            ("connection", "close")]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body if self.command != "HEAD" else b"")

    def send_response(self, code: int, message: str | None = None) -> None:
        self.send_response_only(code, message)  # without http.server's Server header and log line
        self.send_header("date", self.date_time_string())


def serve(template: Template, port: int, on_request: Callable[[], None] = lambda: None) -> BaseWSGIServer:
    """The local API's threaded server on 127.0.0.1:port (0: any free port), not serving yet; OSError if it cannot."""
    # Bound here: werkzeug would print its own advice and exit if the port is taken, where `make run` says what to do.
    # The backlog is werkzeug's 128: socketserver's 5 overflows under a burst of 16 clients, who then get a reset.
    with socket.create_server(("127.0.0.1", port), backlog=128) as sock:
        return make_server("127.0.0.1", port, Gateway(template, on_request), threaded=True,
                           request_handler=GatewayRequestHandler, fd=sock.fileno())
