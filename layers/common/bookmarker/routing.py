"""What the $default route answers: 404 for a path no route has, 405 with Allow for a wrong method."""
import functools
import re

from bookmarker.errors import ApiError, MethodNotAllowed, NotFound
from bookmarker.openapi import spec

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


@functools.cache
def _routes() -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
    paths = spec()["paths"]
    return [(p, re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(p)) + "$"),
             frozenset(m.upper() for m in ops if m in _METHODS))
            for p, ops in paths.items()]


def unmatched(method: str, path: str, *, besides: str | None = None) -> ApiError:
    """The error for a request no route took (API Gateway sent it to $default); `besides`: a path of the document
    that took it and found nothing (POST /docs reaches POST /{short_code}: 405 as the document says of /docs)."""
    if path != "/":
        path = path.rstrip("/") or "/"  # a trailing slash means the same path (docs/api.md)
    allowed: set[str] = set()
    for template, pattern, methods in _routes():
        if template != besides and pattern.match(path):
            allowed |= methods
    if not allowed or method in allowed:  # e.g. GET /abc1234/: that method is routed, but not this path
        return NotFound(f"no resource at {path}")
    return MethodNotAllowed(sorted(allowed))
