"""One low-level DynamoDB client per container (botocore, lighter to load than boto3's resources), and what
its failures mean: a fault of DynamoDB is `Unavailable` (503), a lost race is `Conflict` (409)."""
import functools
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final, Unpack, cast

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from bookmarker.config import settings
from bookmarker.errors import ApiError, Conflict, Unavailable
from bookmarker.log import logger
from bookmarker.snapstart import after_restore

if TYPE_CHECKING:  # type stubs, for the checker only: Lambda's runtime has none of them
    from botocore.client import BaseClient
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        QueryOutputTypeDef,
        TransactWriteItemTypeDef,
    )

# An item, or a key, as the low-level client writes and reads it: {"pk": {"S": "USER#..."}, ...}.
type Item = dict[str, AttributeValueTypeDef]

# The SDK's retries, chosen here and only here. "standard" retries throttling, 5xx, timeouts and
# connection errors with jittered exponential backoff (at most 1 s, then 2 s). DynamoDB answers in
# milliseconds: a second without a connection or an answer means it will not come. One call's worst case
# is 3 x (1 s + 1 s) + 3 s of backoff = 9 s, so even a request whose three calls each run out of
# retries answers 503 within the functions' 29 s Timeout, itself inside API Gateway's 30 s.
RETRY_MODE: Final = "standard"
MAX_ATTEMPTS = 3  # in all, the first included (botocore's own "max_attempts" would count only retries)
CONNECT_TIMEOUT = 1
# READ: settings().dynamodb_read_timeout, 1 s in AWS. The local API sets 10 s: its moto reads a user's whole
# collection (a filtered list) in seconds, where DynamoDB takes milliseconds.
# Our own retries of a cancelled transaction (two writes to one user's count at once): a few, jittered.
TRANSACTION_ATTEMPTS = 6
TRANSACTION_BACKOFF = (0.01, 0.05)  # seconds, times the attempt number
BATCH_WRITE_ITEMS = 25  # DynamoDB's limit on the items of one BatchWriteItem
BATCH_WRITERS = 4  # BatchWriteItem requests in flight at once: a long-lived link's days go in a few round trips
UNPROCESSED_ATTEMPTS = 5  # a batch the table throttled in part hands back what it did not do: sent again

# Error codes that are DynamoDB's trouble, not the request's (the SDK has already retried them).
FAULTS = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
          "InternalServerError", "ServiceUnavailable", "LimitExceededException"}
# Cancellation reasons of a transaction worth another attempt: contention, or throttling of one item.
CONTENTION, THROTTLED = {"None", "TransactionConflict"}, {"ThrottlingError", "ProvisionedThroughputExceeded"}


class _Client:
    """The botocore client, each call's faults mapped once: throttling, 5xx, timeouts and connection
    errors -> Unavailable; an item locked by another transaction -> Conflict. Other errors (a failed
    condition, a cancelled transaction) go on as ClientError for the store to decide on."""

    def __init__(self, raw: "BaseClient") -> None:
        self.raw, self.meta = raw, raw.meta

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        call = getattr(self.raw, operation)  # an AttributeError for an operation botocore does not have

        def guarded(**params: Any) -> Any:
            try:
                return call(**params)
            except ClientError as exc:
                code = error_code(exc)
                if code == "TransactionConflictException":
                    raise Conflict("the data changed meanwhile; try again") from exc
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if code in FAULTS or status >= 500:
                    raise _unavailable(operation, code) from exc
                raise
            except (HTTPClientError, ConnectionError) as exc:
                raise _unavailable(operation, type(exc).__name__) from exc

        setattr(self, operation, guarded)  # made once per operation and container
        return guarded


def _unavailable(operation: str, cause: str) -> Unavailable:
    logger.warning("dynamodb unavailable", operation=operation, cause=cause)
    return Unavailable("the database is not answering right now; try again shortly")


@functools.cache
def client() -> "DynamoDBClient":
    session = botocore.session.get_session()
    raw = session.create_client(
        "dynamodb",
        endpoint_url=settings().dynamodb_endpoint_url,
        config=Config(retries={"mode": RETRY_MODE, "total_max_attempts": MAX_ATTEMPTS},
                      connect_timeout=CONNECT_TIMEOUT, read_timeout=settings().dynamodb_read_timeout),
    )
    # _Client passes every operation on to the botocore client, same arguments, same answers (it maps only the
    # errors), so it is typed as that client: every call of the store is checked against DynamoDB's API.
    return cast("DynamoDBClient", _Client(raw))


@after_restore
def _renewed() -> None:
    """After a SnapStart restore: a new client (the snapshot's pooled connections were opened in another
    environment), and `random` reseeded (every environment restored from one snapshot would draw the same counter
    shards and the same retry jitter)."""
    client.cache_clear()
    random.seed()


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def conditionally[**P, T](write: Callable[P, T], *args: P.args, **params: P.kwargs) -> T | None:
    """One conditional write (client().update_item, put_item, ...): its answer, or None when its condition
    failed, which is an outcome the caller decides on, not an error. Any other error goes on."""
    try:
        return write(*args, **params)
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        return None


def query_from(start: Item | None, **params: "Unpack[QueryInputTypeDef]") -> "QueryOutputTypeDef":
    """One Query, from where the last page ended (its LastEvaluatedKey) when there was one."""
    if start:
        params["ExclusiveStartKey"] = start
    return client().query(**params)


def query_all(**params: "Unpack[QueryInputTypeDef]") -> Iterator[Item]:
    """Every item a Query matches, page after page (1 MB a request) to the end of its key range."""
    start: Item | None = None
    while True:
        page = query_from(start, **params)
        yield from page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return


class AlreadyWritten:
    """Beside a transaction's item with a fresh key (a new ULID) that only this very call can have written:
    its failed condition means an earlier attempt of the call committed and only the answer was lost (a
    timeout the SDK retried), so the transaction is done, not refused."""


ALREADY_WRITTEN = AlreadyWritten()
# Each item of a transaction beside what its failed condition means: an error to raise, ALREADY_WRITTEN,
# or None for an item without a condition.
type Write = tuple[TransactWriteItemTypeDef, ApiError | AlreadyWritten | None]


def transact(writes: list[Write]) -> None:
    """TransactWriteItems, retried on transaction conflicts; an item's failed condition raises the error
    beside it (ALREADY_WRITTEN: returns). Still cancelled after every attempt: 409 if by other writes,
    503 if by throttling."""
    items = [item for item, _ in writes]
    reasons: list[str] = []
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            client().transact_write_items(TransactItems=items)
            return
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            for (_, meaning), reason in zip(writes, reasons, strict=False):
                if reason == "ConditionalCheckFailed":
                    if isinstance(meaning, AlreadyWritten):
                        return
                    raise meaning or Conflict("the data changed meanwhile; try again") from None
            if not set(reasons) <= CONTENTION | THROTTLED:
                raise  # a validation or other error is a bug: let it surface as a logged 500
            time.sleep(random.uniform(*TRANSACTION_BACKOFF) * (attempt + 1))  # noqa: S311 (jitter, not a secret)
    if set(reasons) & THROTTLED:
        raise _unavailable("TransactWriteItems", "ThrottlingError")
    raise Conflict("too many concurrent changes; try again")


def batch_get(table: str, keys: list[Item], projection: str) -> list[Item]:
    """The items of these keys (at most 100), read consistently; the keys a throttled batch hands back are asked
    again with backoff; still unread after that: Unavailable."""
    found: list[Item] = []
    for attempt in range(UNPROCESSED_ATTEMPTS):
        out = client().batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True,
                                                            "ProjectionExpression": projection}})
        found += out["Responses"].get(table, [])
        unread = out.get("UnprocessedKeys") or {}
        keys = list(unread[table]["Keys"]) if table in unread else []
        if not keys:
            return found
        time.sleep(0.05 * 2 ** attempt)
    raise _unavailable("BatchGetItem", "UnprocessedKeys")


def delete_keys(table: str, keys: list[Item]) -> None:
    """Delete these items, 25 a BatchWriteItem, BATCH_WRITERS requests in flight (unconditional: for items nothing
    else refers to, such as a deleted bookmark's days). What a throttled batch hands back is sent again with
    backoff; still undone after that: Unavailable. A failure part-way leaves the rest, for the same call again."""
    batches = [keys[i:i + BATCH_WRITE_ITEMS] for i in range(0, len(keys), BATCH_WRITE_ITEMS)]
    if len(batches) <= 1:
        for batch in batches:
            _delete_batch(table, batch)
        return
    with ThreadPoolExecutor(max_workers=BATCH_WRITERS) as pool:
        list(pool.map(functools.partial(_delete_batch, table), batches))  # list(): the first error is raised


def _delete_batch(table: str, keys: list[Item]) -> None:
    todo: Any = {table: [{"DeleteRequest": {"Key": key}} for key in keys]}
    for attempt in range(UNPROCESSED_ATTEMPTS):
        todo = client().batch_write_item(RequestItems=todo).get("UnprocessedItems") or {}
        if not todo:
            return
        time.sleep(0.05 * 2 ** attempt)
    raise _unavailable("BatchWriteItem", "UnprocessedItems")
