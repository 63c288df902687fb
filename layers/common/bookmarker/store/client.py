"""One low-level DynamoDB client per container (botocore, lighter to load than boto3's resources)."""
import functools
import random
import time

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from bookmarker.config import settings
from bookmarker.errors import ApiError, Conflict, Unavailable

TRANSACTION_ATTEMPTS = 6
RETRIED = {"None", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}


@functools.cache
def client():
    session = botocore.session.get_session()
    return session.create_client(
        "dynamodb",
        endpoint_url=settings().dynamodb_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5),
    )


def error_code(exc) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def conditionally(write, **params) -> dict | None:
    """One conditional write (client().update_item, put_item, ...): its answer, or None when its condition
    failed, which is an outcome the caller decides on, not an error. Any other error goes on."""
    try:
        return write(**params)
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        return None


def transact(items: list[dict], conflicts: dict[int, ApiError]) -> None:
    """TransactWriteItems, retried on transaction conflicts; a failed condition at index i raises conflicts[i]."""
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            client().transact_write_items(TransactItems=items)
            return
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            for i, reason in enumerate(reasons):
                if reason == "ConditionalCheckFailed":
                    raise conflicts.get(i) or Conflict("the data changed meanwhile; try again") from None
            if not set(reasons) <= RETRIED:
                raise  # a validation or other error is a bug: let it surface as a logged 500
            # A concurrent write to one of the items (two creates moving one user's count), or
            # throttling: back off, try again.
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # noqa: S311 (jitter, not a secret)
    raise Unavailable("too many concurrent changes; try again")
