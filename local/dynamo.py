"""DynamoDB for the local API: moto's server (state saved in .local/) or a given endpoint; tables from the template."""

import base64
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

import boto3

from local.template import REPO_ROOT, Template
from tests.moto_fixes import one_backup_per_table  # moto's, shared with the tests

SAVE_EVERY_SECONDS = 2.0


def state_dir() -> Path:
    return Path(os.environ.get("LOCAL_STATE_DIR") or REPO_ROOT / ".local")


def endpoint_file(directory: Path) -> Path:
    """Where a running local API says which DynamoDB it uses, so tools (`make check-data`) find it unasked."""
    return directory / "dynamodb-endpoint.json"


def signing_key(directory: Path) -> str:
    """The key that signs tokens, kept in the state dir so tokens survive a restart."""
    path = directory / "signing.key"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def create_tables(client: Any, template: Template | None = None) -> list[str]:
    """Create the template's tables (and TTL) that do not exist yet; works inside mock_aws() too."""
    template = template or Template()
    existing = set(client.get_paginator("list_tables").paginate().build_full_result().get("TableNames", []))
    created = []
    for kw in template.tables:
        if kw["TableName"] not in existing:
            client.create_table(**kw)
            client.get_waiter("table_exists").wait(TableName=kw["TableName"], WaiterConfig={"Delay": 1})
            created.append(kw["TableName"])
    for spec in template.ttl:
        if spec["TableName"] in created:
            client.update_time_to_live(**spec)
    return created


def _binary(value: dict[str, Any]) -> dict[str, Any]:
    """json.loads' hook: an attribute value {"B": text} or {"BS": [text]} gets back the bytes saved as base64."""
    if len(value) == 1 and (kind := next(iter(value))) in ("B", "BS") and not isinstance(value[kind], dict):
        return {kind: base64.b64decode(value[kind]) if kind == "B" else [base64.b64decode(b) for b in value[kind]]}
    return value  # an item, or another attribute value (an item's attribute named B holds a dict)


class LocalDynamo:
    """Embedded moto server with saved state, or a user-given endpoint (DYNAMODB_ENDPOINT_URL) as is."""

    def __init__(self, template: Template, directory: Path, endpoint_url: str | None, region: str):
        self.template, self.directory, self.region = template, directory, region
        self.endpoint_url, self.embedded = endpoint_url or "", endpoint_url is None
        self.state_file = directory / "dynamodb.json"
        self._moto: Any = None  # werkzeug's server around moto's app, when embedded
        self._changed = threading.Event()

    def start(self) -> str:
        if self.embedded:
            from moto.moto_server import werkzeug_app
            one_backup_per_table()
            from werkzeug.serving import make_server

            app, lock = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app), threading.Lock()

            def one_at_a_time(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
                # moto's DynamoDB is not thread-safe: an ADD is a read-modify-write in Python, so concurrent visits
                # could be lost. DynamoDB applies each write to an item atomically; moto does so one call at a time.
                with lock:
                    return list(app(environ, start_response))

            class Handler(werkzeug_app.MotoRequestHandler):
                disable_nagle_algorithm = True  # else Nagle plus delayed ACK add 40 ms to each DynamoDB call

            logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per DynamoDB call
            # Threaded, so connections are accepted while a call runs (werkzeug's listen backlog is 128, not 5).
            self._moto = make_server("127.0.0.1", 0, one_at_a_time, threaded=True, request_handler=Handler)
            threading.Thread(target=self._moto.serve_forever, name="moto", daemon=True).start()
            self.endpoint_url = f"http://127.0.0.1:{self._moto.port}"
        self.client = boto3.client("dynamodb", endpoint_url=self.endpoint_url, region_name=self.region)
        create_tables(self.client, self.template)
        if self.embedded:
            self.restore()
        self.directory.mkdir(parents=True, exist_ok=True)  # written last: a reader finds restored tables
        endpoint_file(self.directory).write_text(json.dumps({"endpoint_url": self.endpoint_url, "region": self.region}))
        return self.endpoint_url

    def changed(self) -> None:
        """A request came in: the next save() writes the tables out."""
        self._changed.set()

    def save(self) -> None:
        if not (self.embedded and self._changed.is_set()):
            return
        self._changed.clear()  # cleared before the scan, so a write during it is saved the next time
        tables = {}
        for kw in self.template.tables:
            pages = self.client.get_paginator("scan").paginate(TableName=kw["TableName"], ConsistentRead=True)
            tables[kw["TableName"]] = [item for page in pages for item in page["Items"]]
        tmp = self.state_file.with_suffix(".json.tmp")  # binary values (bytes) are written as base64 text
        tmp.write_text(json.dumps({"version": 1, "tables": tables}, default=lambda b: base64.b64encode(b).decode()))
        os.replace(tmp, self.state_file)

    def restore(self) -> None:
        if not self.state_file.exists():
            return
        saved = json.loads(self.state_file.read_text(), object_hook=_binary)["tables"]
        known = {kw["TableName"] for kw in self.template.tables}
        for name, items in saved.items():
            if name not in known:  # a table removed from the template since
                continue
            for start in range(0, len(items), 25):  # BatchWriteItem takes 25 items at most
                batch = items[start:start + 25]
                requests: Mapping[str, Sequence[Any]] | None = {name: [{"PutRequest": {"Item": i}} for i in batch]}
                while requests:
                    requests = self.client.batch_write_item(RequestItems=requests).get("UnprocessedItems")

    def stop(self) -> None:
        endpoint_file(self.directory).unlink(missing_ok=True)
        self._changed.set()  # saved whatever came in: a client may have written to DynamoDB itself
        self.save()
        if self._moto:
            self._moto.shutdown()
