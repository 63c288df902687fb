"""Bookmarks: a user's saved links, each with a short code that anyone can open."""
import hashlib
import hmac
import json
import re
import secrets
import string
from collections.abc import Callable
from typing import Any

from ulid import ULID

from bookmarker import clock, filters, metrics, paging, query, urls
from bookmarker.errors import BadRequest, BookmarkChanged, NotFound, ShortCodeTaken, Unavailable, ValidationFailed
from bookmarker.keys import derived_key
from bookmarker.log import logger
from bookmarker.models import BookmarkIn, BookmarkPatch
from bookmarker.query import Query
from bookmarker.store import bookmarks as store
from bookmarker.store import visits
from bookmarker.store.bookmarks import Bookmark

CODE_ALPHABET = string.digits + string.ascii_letters
CODE_LENGTH = 7
# 62^7 codes: a collision is rare while codes are few, and five in a row means something else is wrong.
CODE_ATTEMPTS = 5
DELETE_ATTEMPTS = 3  # a delete that lost a race to an edit reads the bookmark again, a few times
_ID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")  # a ULID: anything else cannot be a bookmark
IDEMPOTENCY_KEY_MAX = 255  # characters (API.md)


def new_code() -> str:
    """Random, so not guessable from another code. None of the service's own paths (docs/api.md) is 7 characters
    of this alphabet, so no draw can spell one (tests/unit/test_short_codes.py holds that)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def view(b: Bookmark, base: str) -> dict[str, Any]:
    return {"id": b.id, "url": b.url, "body": b.body, "tags": b.tags, "short_code": b.short_code,
            "short_url": f"{base}/{b.short_code}", "visits": b.visits, "bot_visits": b.bot_visits,
            "last_visited_at": b.last_visited_at, "expires_at": b.expires_at, "max_visits": b.max_visits,
            "password_protected": b.password_hash is not None, "created_at": b.created_at, "updated_at": b.updated_at}


def stats_view(b: Bookmark, base: str) -> dict[str, Any]:
    return {"id": b.id, "url": b.url, "short_code": b.short_code, "short_url": f"{base}/{b.short_code}",
            "visits": b.visits, "bot_visits": b.bot_visits, "last_visited_at": b.last_visited_at}


def create(owner: str, new: BookmarkIn, base: str) -> dict[str, Any]:
    now = clock.iso_now()
    b = Bookmark(id=str(ULID()), owner=owner, url=new.url, url_key=urls.url_key(new.url), body=new.body,
                 short_code="", created_at=now, updated_at=now, tags=new.tags, expires_at=new.expires_at,
                 max_visits=new.max_visits, password_hash=_hashed(new.link_password))
    if new.short_code is not None:  # a custom alias: taken is the caller's 409, not a draw to repeat
        b.short_code = new.short_code
        store.put_new_bookmark(b)
        metrics.count(metrics.BOOKMARKS_CREATED)
        logger.info("bookmark created", bookmark_id=b.id, short_code=b.short_code)
        return view(b, base)
    for _ in range(CODE_ATTEMPTS):
        b.short_code = new_code()
        try:
            store.put_new_bookmark(b)
            break
        except ShortCodeTaken:
            logger.warning("short code collision, drawing another")
    else:
        raise Unavailable("could not find a free short code; try again")
    metrics.count(metrics.BOOKMARKS_CREATED)
    logger.info("bookmark created", bookmark_id=b.id, short_code=b.short_code)
    return view(b, base)


def create_answer(owner: str, new: BookmarkIn, base: str,
                  idempotency_key: str | None) -> tuple[int, dict[str, Any], dict[str, str]]:
    """POST /api/v1/bookmarks' whole answer: 201, the bookmark, its Location. With an Idempotency-Key, the first
    answer this owner had with that key and body (within 24 h), replayed as it was, and nothing created again."""
    if idempotency_key is None:
        return _created(create(owner, new, base))
    if not 1 <= len(idempotency_key) <= IDEMPOTENCY_KEY_MAX:
        raise BadRequest(f"the Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_MAX} characters",
                         code="invalid_idempotency_key",
                         errors=[{"field": "Idempotency-Key", "message": f"1 to {IDEMPOTENCY_KEY_MAX} characters"}])
    # Imported by the first request with a key: Powertools' idempotency utility loads the full AWS SDK (+25 ms on
    # the create's 330 ms cold import), which no other request of the functions that import this module needs.
    from bookmarker.store import idempotency

    def first() -> dict[str, Any]:  # kept as JSON text, so a replay is the first answer byte for byte
        status, body, headers = _created(create(owner, new, base))
        return {"status": status, "body": json.dumps(body, ensure_ascii=False), "headers": headers}

    stored = idempotency.once(owner, idempotency_key, _fingerprinted(new), first)
    return stored["status"], json.loads(stored["body"]), stored["headers"]


def _fingerprinted(new: BookmarkIn) -> dict[str, Any]:
    """The body as the idempotency record compares it (Powertools keeps a SHA-256 of it for 24 h): a link password
    goes in as an HMAC under a key of the service's, so the record holds nothing to guess a password from offline,
    and the same password still makes the same body."""
    body = new.model_dump(mode="json")
    if new.link_password is not None:
        body["link_password"] = hmac.new(derived_key("idempotency-link-password"), new.link_password.encode(
            "utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return body


def _created(b: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    return 201, b, {"Location": f"/api/v1/bookmarks/{b['id']}"}


def _hashed(password: str | None) -> str | None:
    """A link password's bcrypt hash (the account passwords' rule); loaded here, so only a request that sets one
    pays for bcrypt."""
    if password is None:
        return None
    from bookmarker import passwords

    return passwords.hash_password(password)


def is_id(value: str) -> bool:
    """Whether this could be a bookmark id (a ULID): anything else is a 404 without a read."""
    return bool(_ID.fullmatch(value or ""))


def _mine(owner: str, bookmark_id: str) -> Bookmark:
    found = store.get_bookmark(owner, bookmark_id) if is_id(bookmark_id) else None
    if found is None:
        raise NotFound("no bookmark with this id")  # another user's bookmark too: 404, never 403
    return found


def get(owner: str, bookmark_id: str, base: str) -> dict[str, Any]:
    return view(_mine(owner, bookmark_id), base)


def check(owner: str, params: Query, base: str) -> dict[str, Any]:
    """The caller's bookmark of the `url` in the query, by docs/api.md's equality (the URL claim's key), or 404."""
    url = query.one(params, "url")  # given twice: 400 repeated_parameter
    if url is None:
        raise ValidationFailed("query parameter url is required", errors=[{"field": "url", "message": "required"}])
    if not urls.is_acceptable(url):  # no bookmark can hold it: say why, rather than a bare 404
        raise BadRequest("url must be an absolute http(s) URL the API would accept", code="invalid_url",
                         errors=[{"field": "url", "message": "not an absolute http(s) URL the API accepts"}])
    found = store.find_by_url(owner, urls.url_key(url))
    if found is None:
        raise NotFound("no bookmark of yours has this URL")  # another user's bookmark of it too
    return view(found, base)


def _update(owner: str, bookmark_id: str, change: BookmarkIn | BookmarkPatch, base: str, *,
            touch: bool) -> dict[str, Any]:
    """One read, one conditional write: a write that raced another on this bookmark and lost is a 409
    (docs/api.md: re-read, then retry), never a silent overwrite of what the other wrote."""
    old = _mine(owner, bookmark_id)
    url, body, tags = change.url, change.body, change.tags
    # A PUT's limits replace the old ones (left out: none); a PATCH's only when sent (null: none).
    limits = {name: getattr(change, name) for name in ("expires_at", "max_visits")
              if touch or name in change.model_fields_set}
    code = change.short_code
    # A password sent (PUT or PATCH) is set, null removes it; left out, it stays, even for a PUT.
    locked = "link_password" in change.model_fields_set
    if (not touch and url in (None, old.url) and body in (None, old.body) and tags in (None, old.tags)
            and code in (None, old.short_code) and all(getattr(old, name) == value for name, value in limits.items())
            and not (locked and (change.link_password is not None or old.password_hash is not None))):
        return view(old, base)  # nothing to change: PATCH {} leaves updated_at alone
    new = Bookmark(**{**old.__dict__, **limits})
    if locked:
        new.password_hash = _hashed(change.link_password)
    if url is not None:
        new.url, new.url_key = url, urls.url_key(url)
    if body is not None:
        new.body = body
    if tags is not None:
        new.tags = tags
    if code is not None:  # the old code stays claimed by this bookmark, and keeps redirecting to it
        new.short_code = code
    new.updated_at = clock.iso_now()
    store.replace_bookmark(old, new)
    logger.info("bookmark updated", bookmark_id=bookmark_id)
    return view(new, base)


def replace(owner: str, bookmark_id: str, data: BookmarkIn, base: str) -> dict[str, Any]:
    """PUT: a full replacement; optional fields left out return to their defaults."""
    return _update(owner, bookmark_id, data, base, touch=True)  # a PUT always moves updated_at


def patch(owner: str, bookmark_id: str, data: BookmarkPatch, base: str) -> dict[str, Any]:
    return _update(owner, bookmark_id, data, base, touch=False)


def delete(owner: str, bookmark_id: str) -> None:
    """A delete is meant whatever the bookmark holds now: one that raced an edit reads it again. Its day items go
    after it: once its counter is gone no visit can write a day (a day is written in a transaction with the
    counter, store/visits.py), so nothing comes back. A fault there answers 503; the same DELETE again finds no
    bookmark, sweeps the days left, and answers 404."""
    for _ in range(DELETE_ATTEMPTS):
        try:
            found = _mine(owner, bookmark_id)
        except NotFound:
            if is_id(bookmark_id):
                visits.delete_days(owner, bookmark_id)
            raise
        try:
            store.delete_bookmark(found)
        except BookmarkChanged:
            continue
        logger.info("bookmark deleted", bookmark_id=bookmark_id)
        visits.delete_days(owner, found.id)
        return
    raise BookmarkChanged("the bookmark keeps changing; read it again, then retry")


def tags(owner: str) -> dict[str, Any]:
    """The caller's tags, the most used first (then by name), each with how many bookmarks hold it."""
    counts = sorted(((n, t) for t, n in store.tag_counts(owner).items() if n > 0), key=lambda c: (-c[0], c[1]))
    return {"data": [{"name": t, "count": n} for n, t in counts]}


def _page(owner: str, params: Query, base: str, shape: Callable[[Bookmark, str], dict[str, Any]]) -> dict[str, Any]:
    find = filters.read(params)
    req = paging.read(params, owner, find.fingerprint)
    if not find.plain:
        return _found_page(owner, find, req, base, shape)
    total = store.count(owner)
    after = req.after if isinstance(req.after, str) else None  # a plain list's cursor holds an id (paging.read)
    if req.page is not None:
        offset = (req.page - 1) * req.per_page
        after = store.id_at_offset(owner, offset) if offset < total else store.PAST_END  # an empty page
    page = store.list_page(owner, limit=req.per_page, after=after)
    next_cursor = paging.encode_cursor(owner, page.items[-1].id) if page.more and page.items else None
    return {"data": [shape(b, base) for b in page.items], "meta": paging.meta(req, total, page.more, next_cursor)}


def _found_page(owner: str, find: filters.Find, req: paging.PageRequest, base: str,
                shape: Callable[[Bookmark, str], dict[str, Any]]) -> dict[str, Any]:
    """A filtered or reordered list: the whole collection read (docs/data-model.md: its cost grows with it),
    the matches kept and ordered, then paged by number or from the cursor's sort key."""
    def key(b: Bookmark) -> filters.SortKey:
        return find.key(b.id, b.visits, b.last_visited_at)

    found = sorted((b for b in store.every_bookmark(owner) if find.matches(b.url, b.body, b.tags, b.visits)),
                   key=key, reverse=find.descending)
    if req.page is not None:
        start = (req.page - 1) * req.per_page
    elif req.after is not None:  # the bookmarks at or before the last one answered come first
        last = tuple(req.after)
        start = sum(1 for b in found if (key(b) >= last if find.descending else key(b) <= last))
    else:
        start = 0
    items, more = found[start:start + req.per_page], start + req.per_page < len(found)
    next_cursor = paging.encode_cursor(owner, list(key(items[-1])), find.fingerprint) if more and items else None
    return {"data": [shape(b, base) for b in items], "meta": paging.meta(req, len(found), more, next_cursor)}


def list_bookmarks(owner: str, params: Query, base: str) -> dict[str, Any]:
    return _page(owner, params, base, view)


def stats(owner: str, params: Query, base: str) -> dict[str, Any]:
    return _page(owner, params, base, stats_view)
