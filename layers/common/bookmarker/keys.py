"""The HS256 key that signs tokens and paging cursors: Secrets Manager in AWS, the environment locally."""
import hashlib
import hmac
import sys

from bookmarker.config import settings
from bookmarker.snapstart import after_restore


def signing_key() -> bytes:
    s = settings()
    if s.signing_key:
        return s.signing_key.encode()
    from aws_lambda_powertools.utilities import parameters

    # Powertools caches the value per container; an hour keeps Secrets Manager calls rare.
    return parameters.get_secret(s.signing_secret_arn, max_age=3600).encode()


def derived_key(purpose: str) -> bytes:
    """A key of its own for each use, so a cursor signature can never pass as a token's."""
    return hmac.new(signing_key(), purpose.encode(), hashlib.sha256).digest()


@after_restore
def _renewed() -> None:
    """After a SnapStart restore, the secret is read again: the snapshot's copy may be older than a rotation."""
    if (parameters := sys.modules.get("aws_lambda_powertools.utilities.parameters")) is not None:
        parameters.clear_caches()
