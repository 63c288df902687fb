"""Password hashing: bcrypt over a SHA-256 pre-hash, so all 128 allowed characters count."""
import base64
import functools
import hashlib

import bcrypt

from bookmarker.config import settings


def _prehash(password: str) -> bytes:
    # bcrypt reads 72 bytes at most (bcrypt 5 raises beyond): 128 characters of any script can be
    # 512 bytes. The base64 of a SHA-256 is 44 bytes, with no NUL for bcrypt to stop at.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8", "surrogatepass")).digest())


def hash_password(password: str) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds=settings().bcrypt_rounds)).decode()


def verify(password: str, hashed: str | None) -> bool:
    """Check a password; with no hash (unknown user) check a dummy one, so both take the same time."""
    # "is None", not "or": an empty stored hash is malformed (False), not a cue to accept the dummy password.
    candidate = (hashed if hashed is not None else _dummy_hash()).encode()
    try:
        ok = bcrypt.checkpw(_prehash(password), candidate)
    except ValueError:  # a malformed stored hash: refuse, never crash
        return False
    return ok and hashed is not None


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not-a-password-anyone-has")
