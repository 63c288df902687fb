"""The public redirect: short code -> 302 to the saved URL, counting the visit. Its imports stay light
(no pydantic, pyjwt or bcrypt): this is the path every shared link takes, cold starts included."""
import re
from html import escape
from typing import Any

from bookmarker import bots, clock, metrics, urls
from bookmarker.errors import ApiError, LinkExpired, LinkLocked, NotFound, Unavailable, WrongLinkPassword
from bookmarker.http import Response, problem, quality
from bookmarker.log import logger
from bookmarker.store import bookmarks as store
from bookmarker.store import visits

_CODE = re.compile(r"[0-9A-Za-z_-]{4,64}")
NO_STORE = {"Cache-Control": "no-store"}


def redirect(code: str, *, count: bool, user_agent: str = "") -> Response:
    """302 to the link's URL; `count` (a GET, not a HEAD) counts the visit, a bot's apart (bots.is_bot). A
    password-protected link answers 401 without counting: POST /{short_code} (bookmarker.unlock) opens it. A GET
    that finds no link, or one expired or used up, is counted as such (a HEAD is not: a preview's HEAD then GET
    would count twice)."""
    try:
        link = find(code)
        if link.protected or not count:  # no write: a capped link's cap is read
            not_used_up(link)
            if link.protected:
                raise LinkLocked("this link is protected by a password: send it with POST to this same address")
            return Response(302, "", {"Location": urls.ascii_form(link.url), **NO_STORE})
        return follow(link, user_agent)
    except (NotFound, LinkExpired) as err:
        if count:
            metrics.count(metrics.UNKNOWN_CODES if isinstance(err, NotFound) else metrics.EXPIRED_LINKS)
        raise


def find(code: str) -> store.ShortLink:
    """The link of a code: 404 when there is none (or its bookmark is gone), 410 past its expiry."""
    link = store.find_by_short_code(code) if _CODE.fullmatch(code) else None
    if link is None:
        raise NotFound("no link with this code")
    if link.expires_at is not None and link.expires_at <= clock.iso_now():
        raise LinkExpired("this link has expired")
    return link


def not_used_up(link: store.ShortLink) -> None:
    """410 when a capped link has had all its visits: read, not written (a HEAD, a protected link's first answer)."""
    if link.max_visits is None:
        return
    seen = visits.visits_of(link)
    if seen is None:
        raise NotFound("no link with this code")
    if seen >= link.max_visits:
        raise LinkExpired("this link has had all the visits it allows")


def follow(link: store.ShortLink, user_agent: str) -> Response:
    """Count the visit, then 302 to the link: what a GET does, and what the right password does."""
    bot = bots.is_bot(user_agent)
    if not _count(link, clock.iso_now(), bot=bot):
        raise NotFound("no link with this code")  # deleted between the lookup and the count
    metrics.count(metrics.BOT_REDIRECTS if bot else metrics.REDIRECTS)
    return Response(302, "", {"Location": urls.ascii_form(link.url), **NO_STORE})


def _count(link: store.ShortLink, now: str, *, bot: bool) -> bool:
    """False when the link's bookmark is gone; True when counted (the total and the day, one write), or when only
    the count failed (a capped link then answers 503: its count decides whether this visit may pass)."""
    try:
        visits.count_visit(link, now, bot=bot)
    except visits.LinkGone:
        return False
    except visits.LinkCapped:
        raise LinkExpired("this link has had all the visits it allows") from None
    except visits.VisitNotCounted as exc:
        if link.max_visits is not None:
            raise Unavailable("the link's visits could not be counted; try again shortly") from exc
        _not_counted(link, exc)  # the person still arrives
    return True


def _not_counted(link: store.ShortLink, exc: Exception) -> None:
    """Throttled or unreachable: logged, and counted as a metric for an alarm to watch."""
    logger.warning("visit not counted", bookmark_id=link.bookmark_id, error=str(exc))
    metrics.count(metrics.VISITS_NOT_COUNTED)


def prefers_html(accept: str) -> bool:
    """True when the Accept header ranks text/html above JSON (a browser); a tie goes to JSON."""
    def of(media: str) -> float:
        return quality(accept, media, media.split("/", maxsplit=1)[0] + "/*", "*/*")

    return of("text/html") > max(of("application/json"), of("application/problem+json"))


# The pages below: nothing to load, nothing to run, never framed (a password form least of all). No form-action:
# Chromium applies it to the redirect that follows a form's POST, and the right password redirects elsewhere.
PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def error_page(accept: str, err: ApiError) -> dict[str, Any]:
    """Problem JSON, or for a browser the same status as a small plain page (no scripts, nothing external): for a
    password-protected link, the form that POSTs its password to the same address."""
    answer = problem(err)
    if prefers_html(accept):
        answer["headers"]["Content-Type"] = "text/html; charset=utf-8"
        answer["headers"]["Content-Security-Policy"] = PAGE_CSP
        answer["body"] = _form(err) if isinstance(err, LinkLocked) else (
            f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(err.title)}</title></head>"
            f"<body><h1>{escape(err.title)}</h1><p>{escape(err.detail or err.title)}</p></body></html>"
        )
    answer["headers"].update(NO_STORE)
    return answer


def _form(err: LinkLocked) -> str:
    """The password form; posted to the page's own address (no action), as form fields in UTF-8."""
    wrong = ('<p role="alert">That is not the right password. Try again.</p>'
             if isinstance(err, WrongLinkPassword) else "")
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Password required</title>'
            f'</head><body><h1>This link is protected</h1><p>Enter its password to open it.</p>{wrong}'
            '<form method="post"><label for="password">Password</label> '
            '<input id="password" name="password" type="password" required maxlength="1024" autocomplete="off" '
            'autofocus> <button type="submit">Open the link</button></form></body></html>')
