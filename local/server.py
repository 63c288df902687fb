"""The HTTP side of the local API: routes, payload 2.0 events, responses and CORS as API Gateway HTTP API does them."""

from __future__ import annotations

import base64
import fnmatch
import importlib
import json
import os
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from local.template import ACCOUNT_ID, DEFAULT_ROUTE, STACK_NAME, Function, Route, Template

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
MAX_LENGTH = 2**63 - 1  # a declared length past 64 bits is a malformed request, not a large one
MAX_LINE = 4096  # a chunk-size or trailer line
MAX_TRAILERS = 100
TEXT_TYPES = {"application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded"}
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # a method is a token (RFC 9110, 9.1)
_DECIMAL = re.compile(r"0*([0-9]{1,19})")
_CHUNK_SIZE = re.compile(r"0*([0-9A-Fa-f]{1,16})[ \t]*(?:;.*)?")  # chunk-size [chunk-ext] (RFC 9112, 7.1)

# Our own answers carry the functions' security headers (in AWS the gateway's would not): locally, every answer does.
# A copy of bookmarker.http.SECURITY_HEADERS, not an import: local/ serves any template and must not load a
# function's code into the server (the layer's Logger would read its level before the functions' environment is
# set); tests/e2e/test_local_strictness.py holds the two equal, so the layer stays the one source.
SECURITY_HEADERS = [("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"),
                    ("strict-transport-security", "max-age=31536000; includeSubDomains")]


# ---- routing ----------------------------------------------------------------------------------

def _match(route_path: str, raw_path: str) -> dict[str, str] | None:
    pattern, parts = route_path.split("/")[1:], raw_path.split("/")[1:]
    params = {}
    for i, segment in enumerate(pattern):
        if segment.startswith("{") and segment.endswith("+}"):
            rest = "/".join(parts[i:])
            if not rest:
                return None
            params[segment[1:-2]] = unquote(rest)
            return params
        if i >= len(parts):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            if not parts[i]:
                return None
            params[segment[1:-1]] = unquote(parts[i])
        elif unquote(parts[i]) != segment:
            return None
    return params if len(parts) == len(pattern) else None


def _specificity(route: Route) -> tuple:
    # Sorted ascending: literal paths first, then fewer {variables} (leftmost literals first), {greedy+} last;
    # for the same path an explicit method beats ANY.
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


# ---- events and context ---------------------------------------------------------------------

def _is_text(content_type: str) -> bool:
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if kind.startswith("text/") or kind in TEXT_TYPES:
        return True
    return kind.startswith("application/") and kind.endswith("+json")


def build_event(method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes = b"", *,
                route: Route | None = None, path_params: dict[str, str] | None = None,
                source_ip: str = "127.0.0.1", request_id: str | None = None, now: float | None = None) -> dict:
    """A payload format 2.0 event, built the way API Gateway HTTP API builds it."""
    raw_path, _, raw_query = target.partition("?")
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for raw_name, value in headers:
        name = raw_name.lower()
        if name == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
        else:
            joined[name] = f"{joined[name]},{value}" if name in joined else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = time.time() if now is None else now
    moment = datetime.fromtimestamp(now, UTC)
    route_key = route.route_key if route else DEFAULT_ROUTE
    host = joined.get("host", "127.0.0.1")
    event: dict[str, Any] = {"version": "2.0", "routeKey": route_key, "rawPath": raw_path, "rawQueryString": raw_query}
    if cookies:
        event["cookies"] = cookies
    event["headers"] = joined
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": ACCOUNT_ID, "apiId": "local", "domainName": host, "domainPrefix": host.split(".")[0],
        "http": {"method": method, "path": unquote(raw_path), "protocol": "HTTP/1.1", "sourceIp": source_ip,
                 "userAgent": joined.get("user-agent", "")},
        "requestId": request_id or new_request_id(), "routeKey": route_key, "stage": "$default",
        "time": moment.strftime(f"%d/{_MONTHS[moment.month - 1]}/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }
    if path_params:
        event["pathParameters"] = path_params
    encoded = False
    if body:
        text = None
        if _is_text(joined.get("content-type", "")):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        encoded = text is None
        event["body"] = base64.b64encode(body).decode() if encoded else text
    event["isBase64Encoded"] = encoded
    return event


def new_request_id() -> str:
    return base64.b64encode(os.urandom(11)).decode()  # the shape of API Gateway's ids: 16 base64 characters


class LambdaContext:
    """What the Lambda runtime passes as `context`."""

    def __init__(self, function: Function):
        self.function_name = f"{STACK_NAME}-{function.logical_id}"
        self.function_version = "$LATEST"
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{self.function_name}"
        self.memory_limit_in_mb = function.memory_size
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# ---- responses --------------------------------------------------------------------------------

Response = tuple[int, list[tuple[str, str]], bytes]


def gateway_error(status: int, message: str) -> Response:
    return status, [("content-type", "application/json"), *SECURITY_HEADERS], json.dumps({"message": message}).encode()


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
    body = result.get("body")
    if body is None:
        data = b""
    elif result.get("isBase64Encoded"):
        data = base64.b64decode(body, validate=True)
    else:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
    return status, headers, data


def _allowed_origin(cors: dict, origin: str) -> str | None:
    origins = cors.get("AllowOrigins") or []
    if "*" in origins:
        return origin if cors.get("AllowCredentials") else "*"
    return origin if any(fnmatch.fnmatch(origin.lower(), o.lower()) for o in origins) else None


def preflight(cors: dict, origin: str) -> Response:
    allowed = _allowed_origin(cors, origin)
    if not allowed:
        return 204, list(SECURITY_HEADERS), b""
    headers = [*SECURITY_HEADERS, ("access-control-allow-origin", allowed)]
    for key, name in (("AllowMethods", "methods"), ("AllowHeaders", "headers")):
        if cors.get(key):
            headers.append((f"access-control-allow-{name}", ",".join(cors[key])))
    if cors.get("MaxAge") is not None:
        headers.append(("access-control-max-age", str(cors["MaxAge"])))
    if cors.get("AllowCredentials"):
        headers.append(("access-control-allow-credentials", "true"))
    return 204, headers, b""


def with_cors(cors: dict | None, origin: str | None, response: Response) -> Response:
    """API Gateway ignores the backend's CORS headers once CORS is configured, and writes its own."""
    if not cors:
        return response
    status, headers, body = response
    headers = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
    if origin and (allowed := _allowed_origin(cors, origin)):
        headers.append(("access-control-allow-origin", allowed))
        if cors.get("ExposeHeaders"):
            headers.append(("access-control-expose-headers", ",".join(cors["ExposeHeaders"])))
        if cors.get("AllowCredentials"):
            headers.append(("access-control-allow-credentials", "true"))
    return status, headers, body


# ---- the server -------------------------------------------------------------------------------

class Refused(Exception):
    """A request the gateway answers itself before any route, without reading the rest of it: the connection
    is closed after the answer, since where the next request would start is unknown."""

    status, message = 400, "Bad Request"


class TooLarge(Refused):
    status, message = 413, "Request Entity Too Large"


def declared_length(values: list[str]) -> int:
    """The body length that Content-Length header lines declare: they must agree and be decimal digits (RFC 9112,
    6.3; a sign, a space or `1_0` is not a length) or it is a 400; a length over the gateway's limit is a 413."""
    lengths = {length.strip() for value in values for length in value.split(",")}
    match = _DECIMAL.fullmatch(lengths.pop()) if len(lengths) == 1 else None
    if not match or (length := int(match[1])) > MAX_LENGTH:
        raise Refused
    if length > MAX_BODY:
        raise TooLarge
    return length


class LocalApiServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 overflows under a burst of concurrent clients, who then get a reset

    def __init__(self, template: Template, address: tuple[str, int] = ("127.0.0.1", 3000),
                 on_request: Callable[[], None] | None = None):
        super().__init__(address, RequestHandler)
        self.template = template
        self.on_request = on_request or (lambda: None)
        self._handlers: dict[str, Callable] = {}
        self._import_lock = threading.Lock()
        for path in [*template.layer_dirs, *{f.code_dir for f in template.functions.values()}]:
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))

    def handler(self, function: Function) -> Callable:
        key = f"{function.handler_module}.{function.handler_name}"
        with self._import_lock:
            if key not in self._handlers:
                module = importlib.import_module(function.handler_module)
                self._handlers[key] = getattr(module, function.handler_name)
            return self._handlers[key]

    def invoke(self, route: Route, event: dict) -> Response:
        function = self.template.functions[route.function_logical_id]
        try:
            return http_response(self.handler(function)(event, LambdaContext(function)))
        except Exception:
            print(f"{route.function_logical_id} failed on {event['routeKey']}:", file=sys.stderr)
            traceback.print_exc()
            sys.stderr.flush()
            return gateway_error(500, "Internal Server Error")

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exception(), ConnectionError):
            return  # the client hung up mid-request or mid-answer: nothing went wrong here
        super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle plus delayed ACK add 40 ms a request.
    disable_nagle_algorithm = True
    server: LocalApiServer

    def __getattr__(self, name: str) -> Any:
        # API Gateway routes any method (QUERY, PROPFIND, ...; $default answers 405 on a known path), where
        # http.server answers 501 for a method it has no do_X for.
        if name.startswith("do_"):
            return self.handle_any
        raise AttributeError(name)

    def handle_any(self) -> None:
        started = time.perf_counter()
        request_id = new_request_id()
        try:
            response = self._answer(request_id)
        except Refused as refused:
            self.close_connection = True  # the rest of the request is left unread
            response = with_cors(self.server.template.cors, self.headers.get("origin"),
                                 gateway_error(refused.status, refused.message))
        self._send(response, request_id)
        # One write, newline included: print() writes it apart, and another thread's log line could land between.
        sys.stdout.write(f"{self.command} {self.path} {response[0]} {(time.perf_counter() - started) * 1000:.1f}ms\n")
        sys.stdout.flush()
        self.server.on_request()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line it cannot parse, a header line over 64 KiB, too many headers)
        answered as the gateway's: JSON with the security headers, and the connection closed."""
        self.close_connection = True
        self._send(gateway_error(code, HTTPStatus(code).phrase), new_request_id())

    def _send(self, response: Response, request_id: str) -> None:
        status, headers, body = response
        # A request line too broken to name its version leaves HTTP/0.9, for which http.server writes no status line.
        self.request_version = self.protocol_version
        self.send_response_only(status)
        for name, value in [*headers, ("date", formatdate(usegmt=True)), ("content-length", str(len(body))),
                            ("apigw-requestid", request_id)]:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _answer(self, request_id: str) -> Response:
        if self.request_version == "HTTP/0.9" or not _TOKEN.fullmatch(self.command):
            raise Refused
        cors, origin = self.server.template.cors, self.headers.get("origin")
        body = self._read_body()
        if cors and self.command == "OPTIONS" and origin and self.headers.get("access-control-request-method"):
            return preflight(cors, origin)
        raw_path = self.path.partition("?")[0]
        route, params = match_route(self.server.template.routes, self.command, raw_path)
        if route is None:
            return with_cors(cors, origin, gateway_error(404, "Not Found"))
        event = build_event(self.command, self.path, self.headers.items(), body, route=route, path_params=params,
                            source_ip=self.client_address[0], request_id=request_id)
        return with_cors(cors, origin, self.server.invoke(route, event))

    def _read_body(self) -> bytes:
        codings = [c.strip().lower() for v in self.headers.get_all("transfer-encoding", []) for c in v.split(",")]
        lengths = self.headers.get_all("content-length", [])
        if codings:
            # With Content-Length too, or a coding other than chunked alone, where the body ends is ambiguous
            # (how requests are smuggled past a proxy): RFC 9112 (6.1, 6.3) lets a server refuse it.
            if lengths or codings != ["chunked"]:
                raise Refused
            return self._read_chunked()
        length = declared_length(lengths) if lengths else 0
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise Refused  # the connection ended before the body it declared
        return body

    def _read_chunked(self) -> bytes:
        chunks, size = [], 0
        while True:
            match = _CHUNK_SIZE.fullmatch(self._read_line())
            if not match or (length := int(match[1], 16)) > MAX_LENGTH:
                raise Refused
            if not length:
                break
            size += length
            if size > MAX_BODY:
                raise TooLarge
            chunks.append(self.rfile.read(length))
            if len(chunks[-1]) < length or self.rfile.read(2) != b"\r\n":
                raise Refused
        for _ in range(MAX_TRAILERS):
            if not self._read_line():  # the blank line after the trailers
                return b"".join(chunks)
        raise Refused

    def _read_line(self) -> str:
        """One line of the chunked framing, without its CRLF."""
        line = self.rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE or not line.endswith(b"\r\n"):  # too long, a bare LF, or the connection ended
            raise Refused
        return line[:-2].decode("latin-1")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is printed by handle_any
