"""Import and export: a browser's bookmark file (Netscape HTML) or a JSON list in, every bookmark out."""
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ulid import ULID

from bookmarker import bookmarks, clock, metrics, netscape, paging, query, urls
from bookmarker.errors import (
    ApiError,
    BadRequest,
    PayloadTooLarge,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from bookmarker.http import Response
from bookmarker.log import logger
from bookmarker.models import BookmarkIn, validate
from bookmarker.query import Query
from bookmarker.store import bookmarks as store
from bookmarker.store.bookmarks import Bookmark

MAX_LINKS = 1_000
MAX_IMPORT_BYTES = 2 * 1024 * 1024  # docs/api.md; API Gateway's own limit is 10 MB
EXPORT_PAGE = 1_000                # bookmarks a JSON page
MAX_EXPORT_BYTES = 5_000_000       # an answer, within Lambda's 6 MB response limit
# What an exported bookmark holds beside url, body and tags: made by the service, or the link's limits (an
# expiry long past would refuse the link), so ignored on import.
READ_ONLY = frozenset({"id", "short_code", "short_url", "visits", "bot_visits", "last_visited_at", "created_at",
                       "updated_at", "expires_at", "max_visits", "password_protected"})

type Item = tuple[int, object, BookmarkIn | ApiError]  # (index in the file, its url as given, what it is)


# ---- import ------------------------------------------------------------------------------------------------

def import_file(owner: str, content_type: str, text: str) -> dict[str, Any]:
    """200 {"created", "skipped", "failed": [{"index", "url", "code"}]}: each link whole or not at all; URLs the
    owner holds (or that come twice in the file) skipped; a DynamoDB fault part-way a 503 that says how many
    went in (the same file again skips them)."""
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    if media == "text/html":
        items = [_from_link(i, link) for i, link in enumerate(netscape.parse(text, MAX_LINKS))]
    elif media == "application/json":
        items = _from_json(text)
    else:
        raise UnsupportedMediaType("send a browser's bookmark file as text/html, or a JSON list as application/json")
    failed = [{"index": i, "url": url if isinstance(url, str) else None, "code": got.code}
              for i, url, got in items if isinstance(got, ApiError)]
    fresh, skipped = _new_ones(owner, [(i, got) for i, _, got in items if isinstance(got, BookmarkIn)])
    created = 0

    def written(group: list[Bookmark]) -> None:
        nonlocal created
        created += len(group)

    try:
        out = store.put_many(owner, [b for _, b in fresh], bookmarks.new_code, written)
    except Unavailable as exc:
        exc.detail = (f"{created} of the file's links were saved before the database stopped answering; send the "
                      "same file again: what is saved is skipped")
        exc.members["created"] = created
        raise
    index = {id(b): i for i, b in fresh}
    failed += [{"index": index[id(b)], "url": b.url, "code": "quota_exceeded"} for b in out.over_quota]
    metrics.count(metrics.IMPORTS)
    metrics.count(metrics.BOOKMARKS_IMPORTED, len(out.created))
    # "created" is a LogRecord attribute of its own: the counts take other names.
    logger.info("bookmarks imported", imported=len(out.created), skipped_links=skipped + len(out.url_taken),
                failed_links=len(failed))
    return {"created": len(out.created), "skipped": skipped + len(out.url_taken),
            "failed": sorted(failed, key=lambda f: f["index"])}


def _from_link(index: int, link: netscape.Link) -> Item:
    # A browser's title is the only text most links have: it becomes the body, unless it is the URL itself
    # (our own export, and links without a title); a description, when there is one, wins.
    body = link.description or ("" if link.title == link.url else link.title)
    return _item(index, {"url": link.url, "body": body, "tags": list(link.tags)})


def _from_json(text: str) -> list[Item]:
    try:
        data = json.loads(text)
    except ValueError:
        raise BadRequest("the body is not valid JSON", code="invalid_json") from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]  # a page of our own JSON export
    if not isinstance(data, list):
        raise BadRequest("the body must be a JSON list of {url, body?, tags?}, or an export page",
                         code="invalid_import", errors=[{"field": "", "message": "a JSON list"}])
    if len(data) > MAX_LINKS:
        raise BadRequest(f"at most {MAX_LINKS} links per import", code="too_many_links")
    return [_item(i, {k: v for k, v in entry.items() if k not in READ_ONLY} if isinstance(entry, dict) else entry)
            for i, entry in enumerate(data)]


def _item(index: int, data: object) -> Item:
    url = data.get("url") if isinstance(data, dict) else None
    if isinstance(data, dict) and "link_password" in data:  # a thousand bcrypt hashes would outlast the request
        return index, url, ValidationFailed("an import sets no link password: set it afterwards with PATCH",
                                            errors=[{"field": "link_password", "message": "not taken by an import"}])
    try:
        return index, url, validate(BookmarkIn, data)
    except ApiError as refused:
        return index, url, refused


def _new_ones(owner: str, valid: list[tuple[int, BookmarkIn]]) -> tuple[list[tuple[int, Bookmark]], int]:
    """The bookmarks to write (the file's first link newest, as it lists first) and how many were skipped:
    URLs the owner holds, and a URL's second appearance in the file."""
    by_key: dict[str, tuple[int, BookmarkIn]] = {}
    for i, new in valid:
        by_key.setdefault(urls.url_key(new.url), (i, new))
    held = store.saved_url_keys(owner, list(by_key))
    now = clock.iso_now()
    # ULIDs made together, sorted: the file's order becomes the list's newest-first order.
    ids = sorted((str(ULID()) for _ in by_key), reverse=True)
    fresh = [(i, Bookmark(id=bookmark_id, owner=owner, url=new.url, url_key=key, body=new.body,
                          short_code=bookmarks.new_code(), created_at=now, updated_at=now, tags=new.tags))
             for bookmark_id, (key, (i, new)) in zip(ids, ((k, v) for k, v in by_key.items() if k not in held),
                                                     strict=False)]
    return fresh, len(valid) - len(fresh)


# ---- export ------------------------------------------------------------------------------------------------

def export(owner: str, params: Query, base: str) -> Response | dict[str, Any]:
    """Every bookmark of the owner, newest first: a Netscape file (format=html) or JSON pages of 1,000."""
    fmt = query.one(params, "format")
    fmt = "json" if fmt is None else fmt
    if fmt == "html":
        return _html(owner)
    if fmt != "json":
        raise BadRequest("format: html or json", code="invalid_format",
                         errors=[{"field": "format", "message": "html or json"}])
    cursor = query.one(params, "cursor")
    after = paging.decode_cursor(cursor, owner) if cursor is not None else None
    page = store.list_page(owner, limit=EXPORT_PAGE, after=after if isinstance(after, str) else None)
    data: list[dict[str, Any]] = []
    size = 0
    for b in page.items:  # stopped short of 5 MB: Lambda answers at most 6 MB
        shown = bookmarks.view(b, base)
        size += len(json.dumps(shown, ensure_ascii=False).encode())
        if data and size > MAX_EXPORT_BYTES:
            page.more = True
            break
        data.append(shown)
    next_cursor = paging.encode_cursor(owner, data[-1]["id"]) if page.more and data else None
    return {"data": data, "meta": {"count": len(data), "next_cursor": next_cursor}}


def _html(owner: str) -> Response:
    chunks, size = [], 0
    for chunk in netscape.render(_links(owner)):
        size += len(chunk.encode())
        if size > MAX_EXPORT_BYTES:
            raise PayloadTooLarge(f"the HTML export would be over {MAX_EXPORT_BYTES // 1_000_000} MB: export as JSON "
                                  "(paged) instead", code="export_too_large")
        chunks.append(chunk)
    return Response(200, "".join(chunks), {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                                           "Content-Disposition": 'attachment; filename="bookmarks.html"'})


def _links(owner: str) -> Iterator[netscape.Link]:
    for b in store.every_bookmark(owner):
        title = b.body.strip().splitlines()[0][:200] if b.body.strip() else b.url  # what a browser shows
        yield netscape.Link(url=b.url, title=title, description=b.body, tags=tuple(b.tags),
                            add_date=int(datetime.fromisoformat(b.created_at).timestamp()))
