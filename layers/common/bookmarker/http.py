"""Payload 2.0 events in, API Gateway responses out: the one `endpoint` decorator every handler wears."""
import base64
import binascii
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast, overload

from aws_lambda_powertools.logging import correlation_paths

from bookmarker import metrics, query
from bookmarker.config import settings
from bookmarker.errors import ApiError, BadRequest, PayloadTooLarge
from bookmarker.log import logger

if TYPE_CHECKING:  # the import of aws_lambda_powertools.utilities alone costs a cold start about 90 ms
    from aws_lambda_powertools.utilities.typing import LambdaContext

MAX_BODY = 64 * 1024  # docs/api.md: 413 past 64 KiB (API Gateway's own limit is 10 MB)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


@dataclass
class Request:
    method: str
    path: str
    route_key: str
    headers: dict[str, str]
    query: dict[str, list[str]]
    path_params: dict[str, str]
    body: str
    source_ip: str
    domain_name: str
    request_id: str

    @property
    def base_url(self) -> str:
        return settings().public_base_url or f"https://{self.domain_name}"


@dataclass
class Response:
    status: int
    body: str | bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


# What a handler returns: a Response as it is, or (status, JSON object or None for no body[, headers]).
type Payload = dict[str, Any] | None
type Result = Response | tuple[int, Payload] | tuple[int, Payload, Mapping[str, str]]
type Handler = Callable[[Request], Result]
# A payload 2.0 event in, an API Gateway response out: what Lambda calls.
type Event = dict[str, Any]
type Answer = dict[str, Any]
type LambdaHandler = Callable[[Event, LambdaContext], Answer]
type ErrorPage = Callable[[Request, ApiError], Answer]


def _decode_body(event: Event, limit: int) -> str:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        if len(raw) > (limit * 4) // 3 + 4:
            raise PayloadTooLarge(f"the body is over {limit} bytes")
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("the body is not valid base64", code="invalid_body") from None
    else:
        try:
            data = raw.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate that slipped past the gateway
            raise BadRequest("the body is not valid UTF-8", code="invalid_encoding") from None
    if len(data) > limit:
        raise PayloadTooLarge(f"the body is over {limit} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not valid UTF-8", code="invalid_encoding") from None


def to_request(event: Event, max_body: int = MAX_BODY) -> Request:
    ctx = event.get("requestContext") or {}
    http = ctx.get("http") or {}
    return Request(
        method=(http.get("method") or "GET").upper(),
        path=event.get("rawPath") or http.get("path") or "/",
        route_key=event.get("routeKey") or "$default",
        headers={k.lower(): v for k, v in (event.get("headers") or {}).items()},
        query=query.parse(event.get("rawQueryString") or ""),
        path_params=event.get("pathParameters") or {},
        body=_decode_body(event, max_body),
        source_ip=http.get("sourceIp") or "",
        domain_name=ctx.get("domainName") or "localhost",
        request_id=ctx.get("requestId") or "",
    )


def quality(header: str, *names: str) -> float:
    """The q-value an Accept-style header gives the first of `names` it lists (most specific first:
    "text/html", "text/*", "*/*"); 0 when it lists none. Names and "q" are case-insensitive (RFC 9110)."""
    listed: dict[str, float] = {}
    for part in header.lower().split(","):
        name, *params = [p.strip() for p in part.split(";")]
        q = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            listed.setdefault(name, float(q))
        except ValueError:
            listed.setdefault(name, 0.0)  # a q that is not a number accepts nothing
    return next((listed[n] for n in names if n in listed), 0.0)


def json_body(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def problem(err: ApiError) -> Answer:
    body: dict[str, object] = {"type": "about:blank", "title": err.title, "status": err.status,
                               "detail": err.detail or err.title, "code": err.code}
    if err.errors:
        body["errors"] = err.errors
    body.update(err.members)
    headers = {"Content-Type": "application/problem+json", **SECURITY_HEADERS, **err.headers}
    if err.status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return {"statusCode": err.status, "headers": headers, "body": json_body(body)}


def _encode(result: Result) -> Answer:
    if isinstance(result, Response):
        out: Answer = {"statusCode": result.status, "headers": {**SECURITY_HEADERS, **result.headers}}
        if isinstance(result.body, bytes):
            if result.body:
                out.update(body=base64.b64encode(result.body).decode("ascii"), isBase64Encoded=True)
        else:
            out["body"] = result.body
        return out
    status, payload = result[0], result[1]
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store", **(result[2] if len(result) == 3 else {})}
    if payload is None:
        return {"statusCode": status, "headers": headers}
    return {"statusCode": status, "headers": {"Content-Type": "application/json", **headers},
            "body": json_body(payload)}


@overload
def endpoint(fn: Handler, *, on_error: ErrorPage | None = None, max_body: int = MAX_BODY) -> LambdaHandler: ...
@overload
def endpoint(*, on_error: ErrorPage | None = None, max_body: int = MAX_BODY) -> Callable[[Handler], LambdaHandler]: ...


def endpoint(fn: Handler | None = None, *, on_error: ErrorPage | None = None,
             max_body: int = MAX_BODY) -> LambdaHandler | Callable[[Handler], LambdaHandler]:
    """Event -> Request -> fn -> response; an ApiError -> its problem JSON (or what on_error makes of it),
    anything else -> a logged, bare 500. `@endpoint` or `@endpoint(on_error=..., max_body=...)` over
    `fn(request)` makes Lambda's `lambda_handler(event, context)`; a body over max_body bytes is a 413."""
    if fn is None:
        return functools.partial(endpoint, on_error=on_error, max_body=max_body)

    # log_event pinned off: the event holds the Authorization header, whatever POWERTOOLS_LOGGER_LOG_EVENT says.
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True,
                                  log_event=False)
    @functools.wraps(fn)
    def handler(event: Event, context: "LambdaContext") -> Answer:
        if settings().tracing:
            return _traced(answered)(event, context)
        return answered(event, context)

    def answered(event: Event, context: "LambdaContext") -> Answer:
        request = None
        try:
            request = to_request(event, max_body)
            answer = _encode(fn(request))
        except ApiError as err:
            logger.info("request refused", status=err.status, code=err.code)
            if err.status == 503:  # DynamoDB throttled or unreachable, retries spent
                metrics.count(metrics.UNAVAILABLE)
            answer = on_error(request, err) if on_error and request else problem(err)
        except Exception:
            logger.exception("unhandled error")
            answer = problem(ApiError("the server could not answer this request"))
        if request is not None and request.method == "HEAD":  # a HEAD is answered as its GET, without a body
            answer.pop("body", None)
            answer.pop("isBase64Encoded", None)
        metrics.flush(every=settings().metrics_flush_seconds)
        return answer

    return handler


@functools.cache
def _traced(handler: LambdaHandler) -> LambdaHandler:
    """The handler under Powertools' Tracer (X-Ray: the invocation and its DynamoDB calls), made once per container;
    loaded only when template.yaml's Tracing parameter is Active, so no function pays the X-Ray SDK otherwise. The
    answer stays out of the trace: a login's holds its tokens, a new API token's its secret."""
    from aws_lambda_powertools import Tracer

    return cast("LambdaHandler", Tracer().capture_lambda_handler(handler, capture_response=False))
