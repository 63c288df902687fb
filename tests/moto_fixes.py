"""A workaround for moto's DynamoDB, applied by the tests and by the local API's embedded moto (make run)."""
import copy
from types import SimpleNamespace
from typing import Any


def one_backup_per_table() -> None:
    """moto (5.2.5) backs a transaction up by copying the whole table once per item of the transaction, so an
    import's 100-item transaction over 4,000 items took seconds, and 1,000 links minutes. One copy per table per
    transaction is the same backup: moto.dynamodb.models' only deepcopy of a Table is that backup."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    made: dict[int, Any] = {}  # this transaction's copies; moto runs one call at a time (our locks)

    def deepcopy(obj: Any) -> Any:
        if not isinstance(obj, Table):
            return copy.deepcopy(obj)
        if id(obj) not in made:
            made[id(obj)] = copy.deepcopy(obj)
        return made[id(obj)]

    transact = models.DynamoDBBackend.transact_write_items

    def once(backend: Any, items: list[dict[str, Any]]) -> None:
        made.clear()
        transact(backend, items)

    vars(models)["copy"] = SimpleNamespace(deepcopy=deepcopy)
    models.DynamoDBBackend.transact_write_items = once  # type: ignore[method-assign,assignment]
