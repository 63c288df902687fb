"""JWTs: HS256 access and refresh tokens carrying the user's token version."""
import uuid

import jwt

from bookmarker import clock
from bookmarker.config import settings
from bookmarker.errors import Unauthorized
from bookmarker.keys import signing_key

ALGORITHMS = ["HS256"]  # pinned: "none", RS256 and any other header alg are refused
REQUIRED = ["sub", "iat", "exp", "jti", "typ", "ver"]


def issue(user_id: str, version: int, typ: str) -> tuple[str, dict]:
    now = clock.epoch()
    claims = {"sub": user_id, "iat": now, "exp": now + lifetime(typ),
              "jti": uuid.uuid4().hex, "typ": typ, "ver": version}
    return jwt.encode(claims, signing_key(), algorithm="HS256"), claims


def decode(token: str, typ: str) -> dict:
    """The claims of a valid token of this type, else 401: signature, algorithm, expiry, every claim."""
    try:
        claims = jwt.decode(token, signing_key(), algorithms=ALGORITHMS,
                            options={"require": REQUIRED, "verify_iat": True})
    except jwt.PyJWTError:
        raise Unauthorized("the token is invalid or expired") from None
    # pyjwt accepts a digit string for exp and iat; our tokens carry integers, nothing else passes.
    if (claims.get("typ") != typ or not isinstance(claims.get("sub"), str) or not claims["sub"]
            or any(type(claims.get(k)) is not int for k in ("ver", "exp", "iat"))
            or not isinstance(claims.get("jti"), str)):
        raise Unauthorized(f"an {typ} token is required")
    # Signed, yet living longer than its kind may: not a token we issued with today's settings (API.md).
    if claims["exp"] - claims["iat"] > lifetime(typ):
        raise Unauthorized("the token's lifetime is longer than allowed")
    return claims


def lifetime(typ: str) -> int:
    s = settings()
    return s.access_ttl if typ == "access" else s.refresh_ttl


def bearer(headers: dict[str, str]) -> str:
    scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a bearer token is required", code="missing_token")
    return token.strip()
