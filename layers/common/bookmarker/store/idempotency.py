"""Idempotency-Key records: Powertools' idempotency utility over its own table (IdempotencyTable), through the
store's one DynamoDB client, so its calls have the same retries, timeouts and faults (503) as every other."""
import functools
from collections.abc import Callable
from typing import Any, Final

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)

from bookmarker.config import settings
from bookmarker.errors import ApiError, Conflict, IdempotencyKeyReused, RequestInProgress
from bookmarker.log import logger
from bookmarker.store.client import client

type Stored = dict[str, Any]  # what a first run returned, as JSON: replayed as it is

KEPT_FOR: Final = 24 * 60 * 60  # seconds a key's first answer is kept (API.md); then TTL deletes the record
# How long a record stays "in progress" when its run died without a word (a crash, Lambda's timeout): the
# functions' 29 s Timeout, rounded up. No run is still going after it, so a retry then runs the request anew.
IN_PROGRESS_MS: Final = 30_000
KEY_PREFIX: Final = "bookmarks.create"  # the records' key: this prefix, then a SHA-256 of [owner, key]


class _Deadline:
    """What Powertools asks of a Lambda context: the time the run may still take, for the in-progress expiry."""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return IN_PROGRESS_MS


# The caller and the key together are the record's key, so one key used by two users is two records; the
# request's parsed body is its validation hash, so the same key with another body is refused.
_CONFIG: Final = IdempotencyConfig(event_key_jmespath="[owner, key]", payload_validation_jmespath="request",
                                   raise_on_no_idempotency_key=True, expires_after_seconds=KEPT_FOR,
                                   hash_function="sha256", lambda_context=_Deadline())  # type: ignore[arg-type]


@functools.cache
def _persistence() -> DynamoDBPersistenceLayer:
    # The store's own client: its wrapper maps DynamoDB's faults to Unavailable and passes a failed condition
    # (with the old item, ReturnValuesOnConditionCheckFailure) on to Powertools as the ClientError it expects.
    return DynamoDBPersistenceLayer(table_name=settings().idempotency_table, boto3_client=client())


def once(owner: str, key: str, request: dict[str, Any], run: Callable[[], Stored]) -> Stored:
    """run() at most once per owner and key within KEPT_FOR, and its answer: the first one, for every retry with
    the same request. An error raised by run() keeps nothing (Powertools deletes the record), so a refused or
    failed request can be sent again. The same key with another request: 422; while the first runs: 409."""
    answered: list[Stored] = []

    def attempt(*, call: dict[str, Any]) -> Stored:  # Powertools hashes `call`, the keyword argument
        answered.append(run())
        return answered[0]

    guarded = idempotent_function(attempt, data_keyword_argument="call", persistence_store=_persistence(),
                                  config=_CONFIG, key_prefix=KEY_PREFIX)
    try:
        return guarded(call={"owner": owner, "key": key, "request": request})  # type: ignore[no-any-return]
    except IdempotencyValidationError:
        raise IdempotencyKeyReused("this Idempotency-Key was used for a request with another body") from None
    except IdempotencyAlreadyInProgressError:
        raise RequestInProgress("a request with this Idempotency-Key is still running; try again shortly") from None
    except IdempotencyInconsistentStateError:  # the record changed under Powertools' retries: a race, lost
        raise Conflict("a request with this Idempotency-Key changed meanwhile; try again") from None
    except IdempotencyPersistenceLayerError as exc:
        if answered:  # done, only its record could not be saved: answer it (a retry may then run it again)
            logger.warning("idempotency record not saved", cause=type(exc.__cause__).__name__)
            return answered[0]
        if isinstance(exc.__cause__, ApiError):  # the client's mapping: a fault of DynamoDB is a 503
            raise exc.__cause__ from exc
        raise  # anything else is a bug: a logged 500
