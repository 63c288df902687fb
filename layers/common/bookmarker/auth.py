"""The `authenticated` decorator: a Bearer access token that is still current -> an AuthenticatedRequest."""
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bookmarker import tokens
from bookmarker.errors import TokenRevoked
from bookmarker.http import Request
from bookmarker.log import logger
from bookmarker.store import users


@dataclass
class AuthenticatedRequest(Request):
    """A request whose access token was checked: `user` is its caller, as the users table has it now."""
    user: users.User

    @property
    def user_id(self) -> str:
        return self.user.id


def current_user(headers: Mapping[str, str], typ: tokens.TokenKind) -> tuple[users.User, tokens.Claims]:
    """The user of the Bearer token of this type, if they still exist and nothing (logout, a password
    change) revoked the token since; and the token's claims."""
    claims = tokens.decode(tokens.bearer(headers), typ)
    user = users.get_user(claims["sub"])
    if user is None or user.token_version != claims["ver"]:
        raise TokenRevoked("the token has been revoked")
    return user, claims


def authenticated[R](fn: Callable[[AuthenticatedRequest], R]) -> Callable[[Request], R]:
    """`fn(request)` with the caller known, or 401 before it runs (missing, invalid or revoked token)."""
    @functools.wraps(fn)
    def wrapper(request: Request) -> R:
        user, _ = current_user(request.headers, "access")
        logger.append_keys(user_id=user.id)
        return fn(AuthenticatedRequest(**vars(request), user=user))

    return wrapper
