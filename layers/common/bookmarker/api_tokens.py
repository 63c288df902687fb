"""Personal API tokens: long-lived, scoped credentials for scripts and integrations, minted, listed and revoked
from a login session. The secret is shown once; only its SHA-256 is kept (store/api_tokens.py)."""
import secrets
from datetime import timedelta
from typing import Any

from ulid import ULID

from bookmarker import clock, tokens
from bookmarker.log import logger
from bookmarker.models import TokenIn
from bookmarker.store import api_tokens as store
from bookmarker.store.api_tokens import ApiToken

SECRET_BYTES = 32  # 256 random bits: 43 URL-safe characters after the prefix
SHOWN = 12         # the first characters of a token, shown in every listing so a person can recognise it


def view(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "scopes": list(t.scopes), "prefix": t.prefix, "created_at": t.created_at,
            "expires_at": None if t.expires_at is None else clock.iso(clock.at(t.expires_at)),
            "last_used_at": t.last_used_at}


def mint(user_id: str, asked: TokenIn) -> dict[str, Any]:
    """POST /api/v1/auth/tokens: a new token, its secret in this answer only."""
    secret = tokens.API_TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    now = clock.now()
    expires = None if asked.expires_in_days is None else int((now + timedelta(days=asked.expires_in_days)).timestamp())
    t = ApiToken(id=str(ULID()), user_id=user_id, name=asked.name, scopes=tuple(asked.scopes), prefix=secret[:SHOWN],
                 created_at=clock.iso(now), expires_at=expires)
    store.put_token(t, store.digest(secret))
    logger.info("api token created", token_id=t.id, scopes=list(t.scopes))
    return {**view(t), "token": secret}


def listing(user_id: str) -> dict[str, Any]:
    return {"data": [view(t) for t in store.tokens_of(user_id)]}


def revoke(user_id: str, token_id: str) -> None:
    store.delete_token(user_id, token_id)
    logger.info("api token deleted", token_id=token_id)
