"""DynamoDB's item size and the capacity units it bills for it, computed from the items (the benchmarks' own
figures: moto does not return ConsumedCapacity)."""
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from unittest import mock

RCU_BYTES = 4 * 1024  # one read unit: 4 KB strongly consistent, half of one eventually consistent
WCU_BYTES = 1024      # one write unit: 1 KB of an item written; a transaction's write costs two


# ---- DynamoDB's item size: attribute names + values in UTF-8, a number ~1 byte per 2 significant digits + 1 -----

def _number_size(text: str) -> int:
    mantissa = text.lstrip("+-").lower().split("e")[0]
    digits = mantissa.replace(".", "").strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


_SIZES: dict[str, Callable[[Any], int]] = {
    "S": lambda v: len(v.encode()), "N": _number_size, "B": len, "BOOL": lambda v: 1, "NULL": lambda v: 1,
    "SS": lambda v: sum(len(s.encode()) for s in v), "NS": lambda v: sum(_number_size(n) for n in v),
    "BS": lambda v: sum(len(b) for b in v),
    "L": lambda v: 3 + sum(1 + _value_size(e) for e in v),  # 3 bytes for the list, 1 for each element
    "M": lambda v: 3 + sum(len(k.encode()) + 1 + _value_size(e) for k, e in v.items()),
}


def _value_size(value: Mapping[str, Any]) -> int:
    ((kind, v),) = value.items()
    return _SIZES[kind](v)


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def read_units(size: int, consistent: bool) -> float:
    """One request's units: its items' total size rounded up to 4 KB (at least one unit, even for nothing)."""
    return max(1, math.ceil(size / RCU_BYTES)) * (1.0 if consistent else 0.5)


def write_units(size: int, transactional: bool) -> int:
    """One item's write: its size rounded up to 1 KB (at least one unit), twice that in a transaction."""
    return max(1, math.ceil(size / WCU_BYTES)) * (2 if transactional else 1)


@contextmanager
def hooked(events: Any, before: Callable[..., Any], after: Callable[..., Any], name: str) -> Iterator[None]:
    """`before` and `after` on every DynamoDB call of the client whose `meta.events` is `events`, for the block."""
    events.register_first("before-call.dynamodb", before, unique_id=f"{name}-before")
    events.register_first("after-call.dynamodb", after, unique_id=f"{name}-after")
    try:
        yield
    finally:
        events.unregister("before-call.dynamodb", unique_id=f"{name}-before")
        events.unregister("after-call.dynamodb", unique_id=f"{name}-after")


@contextmanager
def in_process(template: Any, region: str) -> Iterator[dict[str, str]]:
    """The handlers importable and their environment set, as the local API does, against moto in this process
    (never a running local API); moto copying a table once per transaction, as in the tests. Yields the env."""
    from tests.moto_fixes import one_backup_per_table

    code = [str(p) for p in [*template.layer_dirs, *(f.code_dir for f in template.functions.values())]]
    sys.path[:0] = sorted(set(code) - set(sys.path))
    env = template.merged_environment({
        "SIGNING_KEY": "bench-signing-key-not-a-secret-0123456789abcdef", "BCRYPT_ROUNDS": "4",
        "AWS_DEFAULT_REGION": region, "AWS_REGION": region, "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing", "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_DEV": "false",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true"})
    one_backup_per_table()
    with mock.patch.dict(os.environ, env):
        os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
        yield env
