"""Opening a password-protected short link: POST /{short_code} with its password, as form fields (the redirect's
form) or JSON. Apart from the redirect, which never loads bcrypt: only this path checks a link's password. Each
try is counted per link and client before bcrypt runs, so a flood of guesses is refused cheaply."""
import ipaddress
from urllib.parse import parse_qs

from bookmarker import clock, passwords, routing, shortlinks
from bookmarker.config import settings
from bookmarker.errors import (
    BadRequest,
    MethodNotAllowed,
    NotFound,
    TooManyRequests,
    UnsupportedMediaType,
    WrongLinkPassword,
)
from bookmarker.http import Response
from bookmarker.models import LinkPasswordIn, parse, validate
from bookmarker.store import bookmarks as store
from bookmarker.store import users

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
MAX_BODY = 4096  # bytes: a password of 1,024 characters, percent-encoded, fits
MAX_FIELDS = 10  # form fields: the password, and whatever a hand-made form adds beside it


def unlock(code: str, *, path: str, content_type: str, body: str, client_ip: str, user_agent: str) -> Response:
    """The right password: 302 and the visit counted as a GET counts it (caps, bots, the day). An expired or used-up
    link is 410 before any password is looked at; a link without a password is 405 (GET and HEAD open it)."""
    try:
        link = shortlinks.find(code)
    except NotFound:  # POST /docs reaches this route too: answer as its own path would
        raise routing.unmatched("POST", path, besides="/{short_code}") from None
    if not link.protected:
        raise MethodNotAllowed(["GET", "HEAD"])
    shortlinks.not_used_up(link)
    password = _password(content_type, body)
    s, now, client = settings(), clock.epoch(), _client(client_ip)
    attempt = users.count_link_attempt(link.bookmark_id, client, now, s.link_window, s.link_max_failures)
    if not attempt.allowed:
        raise TooManyRequests("too many wrong passwords for this link from here; wait, then try again",
                              headers={"Retry-After": str(max(1, attempt.ends - now))})
    hashed = store.password_hash_of(link)
    if hashed is not None and not passwords.verify(password, hashed):  # None: the password was removed meanwhile
        raise WrongLinkPassword("that is not this link's password")
    users.clear_link_attempts(link.bookmark_id, client)
    return shortlinks.follow(link, user_agent)


def _client(source_ip: str) -> str:
    """Who is trying, for the count: an IPv4 address, or an IPv6 address's /64 (one subscriber's network: any
    of its 2^64 addresses is the same client, or a single machine could try without end)."""
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return source_ip
    if address.version == 4:
        return source_ip
    return f"{ipaddress.ip_network(f'{address}/64', strict=False).network_address}/64"


def _password(content_type: str, body: str) -> str:
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    if media == JSON:
        return parse(LinkPasswordIn, body).password
    if media != FORM:
        raise UnsupportedMediaType("send the password as form fields (application/x-www-form-urlencoded) or as "
                                   "JSON {\"password\"}")
    try:
        fields = parse_qs(body, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the form is not valid (too many fields, or not UTF-8)", code="validation_failed",
                         errors=[{"field": "", "message": "form fields in UTF-8"}]) from None
    given = fields.get("password", [])
    # Other fields are left alone (a form may carry a button's name); the password alone is checked.
    return validate(LinkPasswordIn, {"password": given[0] if len(given) == 1 else given} if given else {}).password
