"""The API documents itself: GET /openapi.json, Swagger UI at /docs (its static files served apart), GET / -> /docs."""
import functools
import gzip
import hashlib
import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path

from bookmarker.errors import NotFound
from bookmarker.http import Response, quality
from bookmarker.openapi import spec


def _package_dir(name: str) -> Path:
    """Where an installed package lives; find_spec locates it without importing it."""
    found = importlib.util.find_spec(name)
    if found is None or found.origin is None:
        raise ModuleNotFoundError(f"no package {name}", name=name)
    return Path(found.origin).parent


# Swagger UI 5.31, as shipped inside the pinned aws-lambda-powertools (already in the layer): no CDN, no new package.
# Located, not imported: its swagger_ui module would load pydantic.
_POWERTOOLS = _package_dir("aws_lambda_powertools")
_SWAGGER_UI = _POWERTOOLS / "event_handler" / "openapi" / "swagger_ui"
_JS, _CSS = "text/javascript; charset=utf-8", "text/css; charset=utf-8"
FILES = {  # the only files /docs/{file} serves: name -> (path, content type)
    "swagger-ui-bundle.min.js": (_SWAGGER_UI / "swagger-ui-bundle.min.js", _JS),
    "swagger-ui.min.css": (_SWAGGER_UI / "swagger-ui.min.css", _CSS),
    "swagger-init.js": (Path(__file__).with_name("swagger-init.js"), _JS),
}
GZIP_OVER = 1024  # smaller answers are not worth the CPU

# Swagger UI runs from files of its own, so scripts need no 'unsafe-inline'. Its React components set
# style attributes (hence 'unsafe-inline' for styles only) and its CSS embeds data: images.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bookmarker API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.min.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.min.js"></script>
<script src="/docs/swagger-init.js"></script>
</body>
</html>
"""


@functools.cache
def openapi_json() -> bytes:
    """openapi.yaml (the file the layer ships, the repo's openapi.yaml locally) as JSON, built once a container."""
    return json.dumps(spec(), ensure_ascii=False, separators=(",", ":"), default=str).encode()


@functools.cache
def _file(name: str) -> bytes:
    return FILES[name][0].read_bytes()


@functools.cache
def _gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)  # mtime 0: the same bytes every time, one ETag


def etag(data: bytes) -> str:
    """A strong ETag for these bytes: 32 hex digits of their SHA-256, quoted."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


_etag = functools.cache(etag)  # the docs' few files and their gzipped forms, hashed once a container


def current(asked: Mapping[str, str], tag: str) -> bool:
    """Whether the copy the client holds (If-None-Match, in the request's lower-cased headers) has this ETag."""
    return tag in asked.get("if-none-match", "")


def _answer(asked: Mapping[str, str], data: bytes, content_type: str, cache: str,
            extra: dict[str, str] | None = None) -> Response:
    """The file, gzipped when the client takes it, or 304 when its copy (If-None-Match) is current."""
    headers = {"Content-Type": content_type, "Cache-Control": cache, **(extra or {})}
    gzipped = False
    if len(data) > GZIP_OVER:
        headers["Vary"] = "Accept-Encoding"
        if quality(asked.get("accept-encoding", ""), "gzip", "x-gzip", "*") > 0:
            data, gzipped = _gzipped(data), True
            headers["Content-Encoding"] = "gzip"
    headers["ETag"] = _etag(data)
    if current(asked, headers["ETag"]):
        del headers["Content-Type"]
        return Response(304, b"", headers)
    return Response(200, data if gzipped else data.decode("utf-8"), headers)  # bytes go base64


def openapi(asked: Mapping[str, str]) -> Response:
    """`asked`: the request's (lower-cased) headers, for Accept-Encoding and If-None-Match."""
    return _answer(asked, openapi_json(), "application/json", "no-cache")


def page(name: str | None, asked: Mapping[str, str]) -> Response:
    """/docs and /docs/ (no name): the Swagger UI page, no inline script; /docs/{name}: one of its files."""
    if name is None:
        return _answer(asked, PAGE.encode(), "text/html; charset=utf-8", "no-cache",
                       {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY"})
    if name not in FILES:
        raise NotFound(f"no file {name} in the docs")
    # Files change only with a deploy; an hour of caching, then a cheap revalidation by ETag.
    return _answer(asked, _file(name), FILES[name][1], "public, max-age=3600")


def root() -> Response:
    return Response(302, "", {"Location": "/docs", "Cache-Control": "no-cache"})
