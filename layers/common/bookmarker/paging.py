"""Paging: page/per_page as the original API had, and signed cursors that cost one Query per page."""
import base64
import binascii
import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from bookmarker import query
from bookmarker.errors import BadRequest
from bookmarker.keys import derived_key

_INT = re.compile(r"[0-9]{1,9}")
PER_PAGE, MAX_PER_PAGE = 5, 100  # docs/api.md: the original API's default, and a page DynamoDB reads in one Query
MAX_PAGE = 100_000_000  # past any real list (the quota is 10,000), yet an int DynamoDB and JSON carry exactly


# Where a cursor resumes: the last bookmark id answered (the plain list), or the last sort key (a filtered one).
type Position = str | list[str | int]


@dataclass(frozen=True)
class PageRequest:
    page: int | None      # None in cursor mode
    per_page: int
    after: Position | None


def _int(params: query.Query, name: str, default: int, low: int, high: int) -> int:
    raw = query.one(params, name)
    if raw is None:
        return default
    if not _INT.fullmatch(raw) or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be an integer from {low} to {high}", code="invalid_paging",
                         errors=[{"field": name, "message": f"an integer from {low} to {high}"}])
    return int(raw)


def read(params: query.Query, owner: str, view: str = "") -> PageRequest:
    """`view` is the filter and order the page is of (filters.Find.fingerprint): a cursor made for another is a 400."""
    per_page = _int(params, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    cursor = query.one(params, "cursor")
    if cursor is not None:
        if query.one(params, "page") is not None:
            raise BadRequest("give page or cursor, not both", code="invalid_paging")
        return PageRequest(page=None, per_page=per_page, after=decode_cursor(cursor, owner, view))
    return PageRequest(page=_int(params, "page", 1, 1, MAX_PAGE), per_page=per_page, after=None)


def _sign(payload: bytes) -> bytes:
    return hmac.new(derived_key("cursor"), payload, hashlib.sha256).digest()


def encode_cursor(owner: str, after: Position, view: str = "") -> str:
    payload = json.dumps({"o": owner, "a": after, **({"v": view} if view else {})}, separators=(",", ":")).encode()
    b64 = base64.urlsafe_b64encode
    return (b64(payload).rstrip(b"=") + b"." + b64(_sign(payload)).rstrip(b"=")).decode()


def decode_cursor(cursor: str, owner: str, view: str = "") -> Position:
    """The cursor's position, if this service signed it for this user and this view; anything else is a 400."""
    invalid = BadRequest("the cursor is invalid", code="invalid_cursor")
    try:
        payload_b64, _, sig_b64 = cursor.partition(".")
        payload = base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4))
        signature = base64.urlsafe_b64decode(sig_b64 + "=" * (-len(sig_b64) % 4))
    except (binascii.Error, ValueError):
        raise invalid from None
    if not hmac.compare_digest(signature, _sign(payload)):
        raise invalid
    data = json.loads(payload)
    after: object = data.get("a")
    if data.get("o") != owner:
        raise invalid  # signed, but for another user
    if data.get("v", "") == view:
        if isinstance(after, str) and not view:
            return after
        if isinstance(after, list) and view:
            return after
    raise BadRequest("the cursor was made for another filter or sort: start again without it", code="invalid_cursor",
                     errors=[{"field": "cursor", "message": "made for another filter or sort"}])


def meta(req: PageRequest, total: int, more: bool, next_cursor: str | None) -> dict[str, Any]:
    pages = math.ceil(total / req.per_page)
    if req.page is None:
        return {"page": None, "per_page": req.per_page, "pages": pages, "total_count": total, "prev_page": None,
                "next_page": None, "has_prev": True, "has_next": more, "next_cursor": next_cursor}
    return {"page": req.page, "per_page": req.per_page, "pages": pages, "total_count": total,
            "prev_page": req.page - 1 if req.page > 1 else None,
            "next_page": req.page + 1 if req.page < pages else None,
            "has_prev": req.page > 1, "has_next": req.page < pages, "next_cursor": next_cursor}
