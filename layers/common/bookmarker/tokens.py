"""JWTs: HS256 access and refresh tokens carrying the user's token version."""
import uuid
from collections.abc import Mapping
from typing import Any, Literal, TypedDict, TypeGuard

import jwt

from bookmarker import clock
from bookmarker.config import settings
from bookmarker.errors import Unauthorized
from bookmarker.keys import signing_key

# What starts a personal API token (bookmarker.api_tokens) in `Authorization: Bearer`, where a JWT never can.
API_TOKEN_PREFIX = "bkm_"  # noqa: S105 (a marker, not a secret)
ALGORITHMS = ["HS256"]  # pinned: "none", RS256 and any other header alg are refused
REQUIRED = ["sub", "iat", "exp", "jti", "typ", "ver"]

TokenKind = Literal["access", "refresh"]


class Claims(TypedDict):
    sub: str   # the user id
    iat: int
    exp: int
    jti: str   # a refresh token's record, used at most once
    typ: TokenKind
    ver: int   # the user's token version when issued: a logout or a password change moves it


def issue(user_id: str, version: int, typ: TokenKind) -> tuple[str, Claims]:
    now = clock.epoch()
    claims: Claims = {"sub": user_id, "iat": now, "exp": now + lifetime(typ),
                      "jti": uuid.uuid4().hex, "typ": typ, "ver": version}
    return jwt.encode(dict(claims), signing_key(), algorithm="HS256"), claims


def decode(token: str, typ: TokenKind) -> Claims:
    """The claims of a valid token of this type, else 401: signature, algorithm, expiry, every claim."""
    try:
        claims = jwt.decode(token, signing_key(), algorithms=ALGORITHMS,
                            options={"require": REQUIRED, "verify_iat": True})
    except jwt.PyJWTError:
        raise Unauthorized("the token is invalid or expired") from None
    if not _well_formed(claims, typ):
        raise Unauthorized(f"{'an' if typ == 'access' else 'a'} {typ} token is required")
    # Signed, yet living longer than its kind may: not a token we issued with today's settings (docs/api.md).
    if claims["exp"] - claims["iat"] > lifetime(typ):
        raise Unauthorized("the token's lifetime is longer than allowed")
    return claims


def _well_formed(claims: dict[str, Any], typ: TokenKind) -> TypeGuard[Claims]:
    # pyjwt accepts a digit string for exp and iat; our tokens carry integers, nothing else passes.
    return (claims.get("typ") == typ and isinstance(claims.get("sub"), str) and bool(claims["sub"])
            and all(type(claims.get(k)) is int for k in ("ver", "exp", "iat"))
            and isinstance(claims.get("jti"), str))


def lifetime(typ: TokenKind) -> int:
    s = settings()
    return s.access_ttl if typ == "access" else s.refresh_ttl


def bearer(headers: Mapping[str, str]) -> str:
    scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a bearer token is required", code="missing_token")
    return token.strip()
