"""Fixtures that run `python -m local` as a subprocess on a free port, for HTTP tests against it."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

import pytest

from tests.harness import LocalApi


@pytest.fixture(scope="session")
def local_api(tmp_path_factory, dynamodb_calls_dir):
    """The local API on the real template.yaml, with its own empty state dir; its DynamoDB calls are recorded."""
    api = LocalApi(tmp_path_factory.mktemp("local-state"), record=dynamodb_calls_dir / "local_api.jsonl").start()
    yield api
    api.stop()


@pytest.fixture
def start_local_api(tmp_path, dynamodb_calls_dir):
    """Factory: start_local_api(state_dir=None, **env) -> a started LocalApi, stopped after the test; its
    DynamoDB calls are recorded."""
    started: list[LocalApi] = []

    def start(state_dir: Path | None = None, **env: str) -> LocalApi:
        record = dynamodb_calls_dir / f"{uuid.uuid4().hex}.jsonl"
        api = LocalApi(state_dir or tmp_path / "state", env, record=record).start()
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
