"""The `authenticated` decorator: a Bearer access token that is still current -> request.user_id."""
import functools

from bookmarker import tokens
from bookmarker.errors import TokenRevoked
from bookmarker.http import Request
from bookmarker.log import logger
from bookmarker.store import users


def current_user(headers: dict[str, str], typ: str) -> tuple[users.User, dict]:
    """The user of the Bearer token of this type, if they still exist and nothing (logout, a password
    change) revoked the token since; and the token's claims."""
    claims = tokens.decode(tokens.bearer(headers), typ)
    user = users.get_user(claims["sub"])
    if user is None or user.token_version != claims["ver"]:
        raise TokenRevoked("the token has been revoked")
    return user, claims


def authenticated(fn):
    @functools.wraps(fn)
    def wrapper(request: Request):
        user, _ = current_user(request.headers, "access")
        request.user_id, request.user = user.id, user
        logger.append_keys(user_id=user.id)
        return fn(request)

    return wrapper
