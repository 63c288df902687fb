"""The `authenticated` decorator, one for both kinds of credential in `Authorization: Bearer`: a login session's
access token (a JWT) or a personal API token (`bkm_...`). Each route declares, here and only here, what it needs:
a scope an API token may hold ("bookmarks:read", "bookmarks:write"), or "session" (a login session alone: the
/api/v1/auth/* routes, which no API token ever reaches)."""
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, overload

from bookmarker import clock, tokens
from bookmarker.errors import Conflict, InsufficientScope, TokenRevoked, Unauthorized
from bookmarker.http import Request, Result
from bookmarker.log import logger
from bookmarker.store import api_tokens, users

type Scope = Literal["bookmarks:read", "bookmarks:write"]
type Needs = Scope | Literal["session"]
_API_TOKEN = re.compile(re.escape(tokens.API_TOKEN_PREFIX) + r"[A-Za-z0-9_-]{43}")  # api_tokens.mint's shape
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at moves at most this often: a busy script writes little


@dataclass
class AuthenticatedRequest(Request):
    """A request whose credential was checked: `user_id` is its caller. `user`, the caller as the users table has
    it, is read for a login session; an API token's request does without (bookmark routes need the id alone)."""
    user_id: str
    user: users.User | None


@dataclass
class SessionRequest(AuthenticatedRequest):
    """A request of a login session: the caller's user item, read when the token's version was checked."""
    user: users.User


def current_user(headers: Mapping[str, str], typ: tokens.TokenKind) -> tuple[users.User, tokens.Claims]:
    """The user of the Bearer token of this type, if they still exist and nothing (logout, a password
    change) revoked the token since; and the token's claims. An API token is never one: 403."""
    bearer = tokens.bearer(headers)
    if bearer.startswith(tokens.API_TOKEN_PREFIX):
        raise InsufficientScope("an API token cannot be used here: log in for this")
    claims = tokens.decode(bearer, typ)
    user = users.get_user(claims["sub"])
    if user is None or user.token_version != claims["ver"]:
        raise TokenRevoked("the token has been revoked")
    return user, claims


def token_holder(secret: str, scope: Scope) -> str:
    """The user id of a live API token holding `scope`: unknown, revoked or expired is 401, a token without the
    scope 403. Its last_used_at moves when it is older than a minute (one conditional write, no more)."""
    if not _API_TOKEN.fullmatch(secret):  # not one we could have made: no read
        raise Unauthorized("the API token is unknown or has been deleted")
    hashed = api_tokens.digest(secret)
    found = api_tokens.find(hashed)
    if found is None:
        raise Unauthorized("the API token is unknown or has been deleted")
    if found.expires_at is not None and found.expires_at <= clock.epoch():
        raise Unauthorized("the API token has expired")
    if scope not in found.scopes:
        raise InsufficientScope(f"this API token's scopes do not include {scope}")
    now = clock.now()
    stale = clock.iso(now - LAST_USED_EVERY)
    if found.last_used_at is None or found.last_used_at < stale:
        try:
            api_tokens.mark_used(hashed, clock.iso(now), stale)
        except Conflict:  # its deletion's transaction holds the item: read it again, gone is 401
            if api_tokens.find(hashed) is None:
                raise Unauthorized("the API token is unknown or has been deleted") from None
    return found.user_id


@overload
def authenticated(needs: Literal["session"]) -> Callable[[Callable[[SessionRequest], Result]],
                                                         Callable[[Request], Result]]: ...
@overload
def authenticated(needs: Scope) -> Callable[[Callable[[AuthenticatedRequest], Result]],
                                            Callable[[Request], Result]]: ...


def authenticated(needs: Needs) -> Callable[[Callable[..., Result]], Callable[[Request], Result]]:
    """`@authenticated("bookmarks:read")` over `fn(request)`: fn runs with the caller known, or 401 before it
    runs (missing, invalid, revoked or expired credential), or 403 `insufficient_scope` (an API token without the
    scope, or on a "session" route). Written without what it needs, `@authenticated` alone fails at import."""
    if needs not in ("session", "bookmarks:read", "bookmarks:write"):
        raise TypeError(f"@authenticated needs a scope or 'session', not {needs!r}")

    def decorate(fn: Callable[..., Result]) -> Callable[[Request], Result]:
        @functools.wraps(fn)
        def wrapper(request: Request) -> Result:
            bearer = tokens.bearer(request.headers)
            if bearer.startswith(tokens.API_TOKEN_PREFIX) and needs != "session":
                holder = token_holder(bearer, needs)
                logger.append_keys(user_id=holder, credential="api_token")
                return fn(AuthenticatedRequest(**vars(request), user_id=holder, user=None))
            user, _ = current_user(request.headers, "access")
            logger.append_keys(user_id=user.id)
            kind = SessionRequest if needs == "session" else AuthenticatedRequest
            return fn(kind(**vars(request), user_id=user.id, user=user))

        return wrapper

    return decorate
