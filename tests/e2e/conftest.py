"""Fixtures that run `python -m local` as a subprocess on a free port, for HTTP tests against it."""

from __future__ import annotations

import ctypes
import os
import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
BANNER = re.compile(r" on (http://127\.0\.0\.1:\d+) \(DynamoDB: (?:embedded at )?(http://[^,)\s]+)")
START_TIMEOUT = 30


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM if pytest dies without running its finalizers (no orphan process).
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _developer_shell() -> dict[str, str]:
    # tests/conftest.py fills os.environ with the functions' test settings; `make run` starts without them.
    from local.template import Template

    dropped = {*Template().merged_environment(), "SIGNING_KEY", "DYNAMODB_ENDPOINT_URL", "LOG_LEVEL"}
    return {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(("AWS_", "POWERTOOLS_"))}


class LocalApi:
    """One `python -m local` process; restart() keeps the state dir, as a developer's second `make run` does."""

    def __init__(self, state_dir: Path, env: dict[str, str] | None = None):
        self.state_dir = state_dir
        self.env = {**_developer_shell(), "PORT": "0", "LOCAL_STATE_DIR": str(state_dir), "BCRYPT_ROUNDS": "4",
                    "PYTHONUNBUFFERED": "1", **(env or {})}
        self.process: subprocess.Popen | None = None
        self.lines: list[str] = []  # everything the process printed (stdout and stderr)
        self.url = self.dynamodb_url = ""
        self.client: httpx.Client | None = None

    def start(self) -> LocalApi:
        self.lines.clear()
        banner: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen([sys.executable, "-m", "local"], cwd=REPO, env=self.env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        preexec_fn=_die_with_parent)  # noqa: PLW1509 (only calls prctl)
        threading.Thread(target=self._read, args=(self.process, banner), daemon=True).start()
        try:
            line = banner.get(timeout=START_TIMEOUT)
        except queue.Empty:
            self.stop()
            pytest.fail("the local API did not start:\n" + "".join(self.lines))
        match = BANNER.search(line)
        self.url, self.dynamodb_url = match.group(1), match.group(2)
        self.client = httpx.Client(base_url=self.url, timeout=10)
        return self

    def _read(self, process: subprocess.Popen, banner: queue.Queue) -> None:
        for line in process.stdout:
            self.lines.append(line)
            if BANNER.search(line):
                banner.put(line)

    def stop(self) -> None:
        if self.client:
            self.client.close()
            self.client = None
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> LocalApi:
        self.stop()
        return self.start()

    def wait_for_line(self, pattern: str, timeout: float = 5) -> str:
        """The first printed line matching pattern (a regex), waiting for it to be printed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            time.sleep(0.02)
        raise AssertionError(f"no line matches {pattern!r} in:\n" + "".join(self.lines))


@pytest.fixture(scope="session")
def local_api(tmp_path_factory):
    """The local API on the real template.yaml, with its own empty state dir."""
    api = LocalApi(tmp_path_factory.mktemp("local-state")).start()
    yield api
    api.stop()


@pytest.fixture
def start_local_api(tmp_path):
    """Factory: start_local_api(state_dir=None, **env) -> a started LocalApi, stopped after the test."""
    started: list[LocalApi] = []

    def start(state_dir: Path | None = None, **env: str) -> LocalApi:
        api = LocalApi(state_dir or tmp_path / "state", env).start()
        started.append(api)
        return api

    yield start
    for api in started:
        api.stop()


ECHO_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Origins: {Type: CommaDelimitedList, Default: "https://app.example, https://*.example.org"}
Globals:
  Function:
    CodeUri: handlers/
    Timeout: 5
    Environment: {Variables: {ITEMS_TABLE: !Ref ItemsTable, ITEMS_ARN: !GetAtt ItemsTable.Arn}}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: !Ref Origins
        AllowHeaders: [authorization, content-type]
        AllowMethods: [GET, POST]
        ExposeHeaders: [location]
        MaxAge: 60
  ItemsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: echo.lambda_handler
      Events:
        Item: {Type: HttpApi, Properties: {Method: GET, Path: "/items/{id}"}}
        Special: {Type: HttpApi, Properties: {Method: GET, Path: /items/special}}
        Files: {Type: HttpApi, Properties: {Method: GET, Path: "/files/{path+}"}}
        Post: {Type: HttpApi, Properties: {Method: POST, Path: /echo}}
        Head: {Type: HttpApi, Properties: {Method: HEAD, Path: /echo}}
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Handler: echo.other
      Events:
        Any: {Type: HttpApi, Properties: {Method: ANY, Path: "/other/{what}"}}
"""

ECHO_HANDLERS = '''
import base64, json, os

def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"event": event, "table": os.environ["ITEMS_TABLE"],
            "remaining": context.get_remaining_time_in_millis()}),
            "headers": {"content-type": "application/json", "access-control-allow-origin": "https://evil.example"}}

def other(event, context):
    what = event["pathParameters"]["what"]
    if what == "boom":
        raise RuntimeError("boom")
    if what == "plain":
        return {"hello": "world"}
    if what == "binary":
        return {"statusCode": 201, "isBase64Encoded": True, "body": base64.b64encode(bytes(range(256))).decode(),
                "headers": {"content-type": "application/octet-stream"}, "cookies": ["a=1; Path=/", "b=2"]}
    return {"statusCode": 200, "body": str(len(base64.b64decode(event["body"]) if event["isBase64Encoded"]
                                           else event.get("body", "").encode()))}
'''


@pytest.fixture(scope="session")
def echo_api(tmp_path_factory):
    """The local API on a small template whose handlers echo the event: checks the gateway, not the app."""
    root = tmp_path_factory.mktemp("echo")
    (root / "handlers").mkdir()
    (root / "handlers" / "echo.py").write_text(textwrap.dedent(ECHO_HANDLERS))
    (root / "template.yaml").write_text(ECHO_TEMPLATE)
    api = LocalApi(root / "state", {"LOCAL_TEMPLATE": str(root / "template.yaml")}).start()
    yield api
    api.stop()
