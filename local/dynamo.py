"""DynamoDB for the local API: moto's server (state saved in .local/) or a given endpoint; tables from the template."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from local.template import REPO_ROOT, Template

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
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
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


def _client(endpoint_url: str, region: str) -> Any:
    import boto3

    return boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)


# Items are kept in DynamoDB's typed JSON; binary values (bytes) are written as base64 text.
def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: base64.b64encode(v).decode() if k == "B" else
                [base64.b64encode(b).decode() for b in v] if k == "BS" else _encode(v) for k, v in value.items()}
    return [_encode(v) for v in value] if isinstance(value, list) else value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: base64.b64decode(v) if k == "B" else
                [base64.b64decode(b) for b in v] if k == "BS" else _decode(v) for k, v in value.items()}
    return [_decode(v) for v in value] if isinstance(value, list) else value


class LocalDynamo:
    """Embedded moto server with saved state, or a user-given endpoint (DYNAMODB_ENDPOINT_URL) as is."""

    def __init__(self, template: Template, directory: Path, endpoint_url: str | None = None,
                 region: str = "us-east-1"):
        self.template, self.directory, self.region = template, directory, region
        self.endpoint_url = endpoint_url
        self.embedded = endpoint_url is None
        self._moto: Any = None
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._saver: threading.Thread | None = None

    @property
    def state_file(self) -> Path:
        return self.directory / "dynamodb.json"

    def start(self) -> str:
        if self.embedded:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            self._moto = serialized_moto_server(ip_address="127.0.0.1", port=0, verbose=False)
            self._moto.start()
            host, port = self._moto.get_host_and_port()
            self.endpoint_url = f"http://{host}:{port}"
        self.client = _client(self.endpoint_url, self.region)
        create_tables(self.client, self.template)
        if self.embedded:
            self.restore()
            self._saver = threading.Thread(target=self._save_loop, name="dynamodb-saver", daemon=True)
            self._saver.start()
        self.directory.mkdir(parents=True, exist_ok=True)  # written last: a reader finds restored tables
        endpoint_file(self.directory).write_text(json.dumps({"endpoint_url": self.endpoint_url, "region": self.region}))
        return self.endpoint_url

    def mark_dirty(self) -> None:
        self._dirty.set()

    def _save_loop(self) -> None:
        while not self._stop.wait(SAVE_EVERY_SECONDS):
            if self._dirty.is_set():
                self.save()

    def save(self) -> None:
        if not self.embedded:
            return
        with self._lock:
            self._dirty.clear()  # cleared before the scan, so a write during it marks the next save
            tables = {}
            for kw in self.template.tables:
                pages = self.client.get_paginator("scan").paginate(TableName=kw["TableName"], ConsistentRead=True)
                tables[kw["TableName"]] = [_encode(item) for page in pages for item in page["Items"]]
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.state_file.with_suffix(".json.tmp")
            tmp.write_text(json.dumps({"version": 1, "tables": tables}))
            os.replace(tmp, self.state_file)

    def restore(self) -> int:
        if not self.state_file.exists():
            return 0
        saved = json.loads(self.state_file.read_text()).get("tables", {})
        known = {kw["TableName"] for kw in self.template.tables}
        count = 0
        for name, items in saved.items():
            if name not in known:  # a table removed from the template since
                continue
            for start in range(0, len(items), 25):
                requests = {name: [{"PutRequest": {"Item": _decode(i)}} for i in items[start:start + 25]]}
                while requests:
                    requests = self.client.batch_write_item(RequestItems=requests).get("UnprocessedItems")
            count += len(items)
        return count

    def stop(self) -> None:
        endpoint_file(self.directory).unlink(missing_ok=True)
        self._stop.set()
        if self._saver:
            self._saver.join()
        self.save()
        if self._moto:
            self._moto.stop()


def serialized(app: Any, lock: threading.Lock) -> Any:
    """A WSGI app that answers one request at a time. moto's DynamoDB is not thread-safe (an ADD is a
    read-modify-write in Python, so concurrent visits could be lost); DynamoDB applies each write to
    an item atomically, and this keeps the local API as faithful."""

    def app_under_lock(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    return app_under_lock


def serialized_moto_server(**kwargs: Any) -> Any:
    """moto's ThreadedMotoServer with its app answering one request at a time, and no Nagle delay."""
    from moto.moto_server.threaded_moto_server import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        ThreadedMotoServer,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    class Handler(MotoRequestHandler):
        disable_nagle_algorithm = True  # else Nagle plus delayed ACK add 40 ms to each DynamoDB call

    class Server(ThreadedMotoServer):
        def _server_entry(self) -> None:  # moto's own, with the app wrapped
            app = serialized(DomainDispatcherApplication(create_backend_app), threading.Lock())
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=Handler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return Server(**kwargs)
