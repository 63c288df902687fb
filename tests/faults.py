"""DynamoDB failures on demand, for fault tests: the errors a real table gives under load or over a bad network.

    with inject(rate=0.3, seed=7) as faults:     # about 30% of the store's calls fail, drawn from a seeded random
        ...                                      # run handlers
    faults.calls, faults.injected, faults.by_kind()

    with fail_call(3, THROTTLING) as faults:     # the 3rd DynamoDB call of the block fails (1-based)
        ...
    with fail_call(1, INTERNAL, operation="TransactWriteItems"):   # the first transaction of the block
        ...

A failure is injected on botocore's `before-call` event, before the request is signed or sent, so the call
changes nothing and botocore's own retries do not hide it: the store sees the error its caller would see
once the SDK has given up. LOST is the other half of a network fault: the call goes through (its write
is applied) and then its answer is lost as a read timeout.

By default the store's client (`bookmarker.store.client.client()`, one per process, as in a Lambda
container) gets the faults; pass `clients=` for others (a test's own client stays unharmed by default, so
it can check the tables afterwards).
"""
from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

THROTTLING = "ThrottlingException"          # HTTP 400, as DynamoDB throttles a request
PROVISIONED = "ProvisionedThroughputExceededException"  # HTTP 400, throttled by a table's or partition's capacity
INTERNAL = "InternalServerError"            # HTTP 500
READ_TIMEOUT = "ReadTimeoutError"           # no answer in time (the request was not applied)
NO_CONNECTION = "EndpointConnectionError"   # DynamoDB unreachable
LOST = "lost"                               # applied, then the answer is lost (a ReadTimeoutError)
KINDS = (THROTTLING, INTERNAL, READ_TIMEOUT, NO_CONNECTION)
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}

ENDPOINT = "https://dynamodb.us-east-1.amazonaws.com/"
_STATUS = {THROTTLING: 400, PROVISIONED: 400, INTERNAL: 500}
_MESSAGE = {THROTTLING: "Rate of requests exceeds the allowed throughput.",
            PROVISIONED: "The level of configured provisioned throughput for the table was exceeded.",
            INTERNAL: "Internal server error"}


@dataclass(frozen=True)
class Injected:
    call: int        # the block's n-th DynamoDB call, 1-based
    operation: str   # "TransactWriteItems", ...
    kind: str


@dataclass
class Faults:
    """What a block saw: DynamoDB calls counted by operation, and the failures injected into them."""
    operations: Counter = field(default_factory=Counter)
    injected: list[Injected] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(self.operations.values())

    def by_kind(self) -> Counter:
        return Counter(i.kind for i in self.injected)

    def writes_applied(self) -> int:
        """Write calls that went through (a LOST one did): compare before and after a request to know
        whether it could have left anything half-written."""
        refused = sum(1 for i in self.injected if i.operation in WRITES and i.kind != LOST)
        return sum(n for op, n in self.operations.items() if op in WRITES) - refused


def failure(kind: str) -> tuple[AWSResponse, dict]:
    """An error answer as botocore's `before-call` handlers return it: (HTTP response, parsed body)."""
    status = _STATUS[kind]
    parsed = {"Error": {"Code": kind, "Message": _MESSAGE[kind]},
              "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}}
    return AWSResponse(ENDPOINT, status, {}, None), parsed


class _Injector:
    """Registers on the clients' events for one block; `decide(n, operation)` names the kind to inject, or None."""

    def __init__(self, decide: Callable[[int, str], str | None], clients: Iterable | None):
        self.decide, self.faults = decide, Faults()
        self.clients = list(clients) if clients is not None else _store_clients()
        self._lock, self._local, self._id = threading.Lock(), threading.local(), uuid.uuid4().hex

    def _before(self, model, **_):
        with self._lock:  # the store calls from several threads at once (an account's deletion)
            self.faults.operations[model.name] += 1
            n = self.faults.calls
            kind = self.decide(n, model.name)
            if kind:
                self.faults.injected.append(Injected(n, model.name, kind))
        self._local.lose = kind == LOST
        if kind == READ_TIMEOUT:
            raise ReadTimeoutError(endpoint_url=ENDPOINT)
        if kind == NO_CONNECTION:
            raise EndpointConnectionError(endpoint_url=ENDPOINT)
        return failure(kind) if kind in _STATUS else None

    def _after(self, **_):
        if getattr(self._local, "lose", False):
            self._local.lose = False
            raise ReadTimeoutError(endpoint_url=ENDPOINT)

    def __enter__(self) -> Faults:
        for c in self.clients:
            c.meta.events.register_first("before-call.dynamodb", self._before, unique_id=f"before-{self._id}")
            c.meta.events.register_first("after-call.dynamodb", self._after, unique_id=f"after-{self._id}")
        return self.faults

    def __exit__(self, *exc) -> None:
        for c in self.clients:
            c.meta.events.unregister("before-call.dynamodb", unique_id=f"before-{self._id}")
            c.meta.events.unregister("after-call.dynamodb", unique_id=f"after-{self._id}")


def _store_clients():
    from bookmarker.store.client import client

    return [client()]


@contextmanager
def inject(kinds: Iterable[str] = KINDS, *, rate: float = 0.3, seed: int = 0, operations: Iterable[str] | None = None,
           clients: Iterable | None = None) -> Iterator[Faults]:
    """Fail about `rate` of the DynamoDB calls made in the block (only `operations`, if given), each with a
    kind drawn from `kinds`; the same seed draws the same faults for the same sequence of calls."""
    kinds, only, rng = list(kinds), set(operations or ()), random.Random(seed)

    def decide(n: int, operation: str) -> str | None:
        if only and operation not in only:
            return None
        return rng.choice(kinds) if rng.random() < rate else None

    with _Injector(decide, clients) as faults:
        yield faults


@contextmanager
def fail_call(n: int, kind: str = THROTTLING, *, operation: str | None = None,
              clients: Iterable | None = None) -> Iterator[Faults]:
    """Fail the n-th DynamoDB call of the block (1-based), or the n-th call of `operation`; the rest go through."""
    seen = Counter()

    def decide(_: int, op: str) -> str | None:
        if operation and op != operation:
            return None
        seen[operation] += 1
        return kind if seen[operation] == n else None

    with _Injector(decide, clients) as faults:
        yield faults
