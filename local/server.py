"""The HTTP side of the local API: routes, payload 2.0 events, responses and CORS as API Gateway HTTP API does them."""

from __future__ import annotations

import base64
import fnmatch
import importlib
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from local.template import ACCOUNT_ID, DEFAULT_ROUTE, STACK_NAME, Function, Route, Template

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
TEXT_TYPES = {"application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded"}
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


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
    return status, [("content-type", "application/json")], json.dumps({"message": message}).encode()


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
        return 204, [], b""
    headers = [("access-control-allow-origin", allowed)]
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

class TooLarge(Exception):
    pass


class LocalApiServer(ThreadingHTTPServer):
    daemon_threads = True

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


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle plus delayed ACK add 40 ms a request.
    disable_nagle_algorithm = True
    server: LocalApiServer

    def handle_any(self) -> None:
        started = time.perf_counter()
        request_id = new_request_id()
        try:
            status, headers, body = self._answer(request_id)
        except TooLarge:
            self.close_connection = True  # the rest of the body is left unread
            status, headers, body = with_cors(self.server.template.cors, self.headers.get("origin"),
                                              gateway_error(413, "Request Entity Too Large"))
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
        print(f"{self.command} {self.path} {status} {(time.perf_counter() - started) * 1000:.1f}ms", flush=True)
        self.server.on_request()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = do_CONNECT = handle_any

    def _answer(self, request_id: str) -> Response:
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
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            chunks, size = [], 0
            while (length := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)) > 0:
                size += length
                if size > MAX_BODY:
                    raise TooLarge
                chunks.append(self.rfile.read(length))
                self.rfile.readline()
            while self.rfile.readline().strip():  # trailers, up to the blank line
                pass
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            raise TooLarge
        return self.rfile.read(length) if length else b""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is printed by handle_any
