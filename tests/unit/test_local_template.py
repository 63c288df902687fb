"""The local API's template reader, router, event builder and response mapping, without HTTP."""

import base64
import json
import re
import textwrap

import boto3
import pytest
from moto import mock_aws

from local.__main__ import local_environment
from local.dynamo import create_tables
from local.server import build_event, http_response, match_route
from local.template import Route, Template, TemplateError


def template(text: str, **parameters) -> Template:
    return Template("/srv/app/template.yaml", parameters=parameters, text=textwrap.dedent(text))


SMALL = """
Parameters:
  Rounds: {Type: Number, Default: 12}
  Origins: {Type: CommaDelimitedList, Default: "https://a.example, https://b.example"}
Globals:
  Function:
    CodeUri: functions/
    Timeout: 29
    Environment:
      Variables:
        ROUNDS: !Ref Rounds
        TABLE: !Ref Items
        TABLE_ARN: !GetAtt Items.Arn
        INDEX_ARN: !Sub "${Items.Arn}/index/ByG"
        SECRET: !Ref Secret
        URL: !Sub "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
        FLAG: true
        NUMBER: 4
Resources:
  Logs: {Type: AWS::Logs::LogGroup}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      AccessLogSettings: {DestinationArn: !GetAtt Logs.Arn}  # not read locally, so never resolved
      CorsConfiguration: {AllowOrigins: !Ref Origins}
  Secret: {Type: AWS::SecretsManager::Secret}
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: g, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      GlobalSecondaryIndexes:
        - IndexName: ByG
          KeySchema: [{AttributeName: g, KeyType: HASH}]
          Projection: {ProjectionType: KEYS_ONLY}
          ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
      TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
  One:
    Type: AWS::Serverless::Function
    Properties:
      Handler: one.lambda_handler
      MemorySize: 1024
      Events:
        Get: {Type: HttpApi, Properties: {Method: get, Path: /one}}
        Default: {Type: HttpApi, Properties: {ApiId: !Ref Api}}
"""
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/bookmarker-local-Items"


def test_intrinsics_resolve_to_local_values():
    env = template(SMALL).functions["One"].environment

    assert env["TABLE"] == "bookmarker-local-Items"
    assert env["TABLE_ARN"] == TABLE_ARN
    assert env["INDEX_ARN"] == f"{TABLE_ARN}/index/ByG"
    assert env["SECRET"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:Secret"
    assert env["URL"] == "https://local.execute-api.us-east-1.amazonaws.com/"


def test_functions_take_the_globals_and_numbers_and_booleans_become_strings():
    fn = template(SMALL).functions["One"]

    assert (fn.environment["ROUNDS"], fn.environment["NUMBER"], fn.environment["FLAG"]) == ("12", "4", "true")
    assert (fn.handler_module, fn.handler_name) == ("one", "lambda_handler")
    assert fn.code_dir.as_posix() == "/srv/app/functions"
    assert (fn.timeout, fn.memory_size) == (29, 1024)


def test_parameter_overrides_and_comma_delimited_lists():
    t = template(SMALL, Rounds=4, Origins="https://c.example")

    assert t.functions["One"].environment["ROUNDS"] == "4"
    assert t.cors == {"AllowOrigins": ["https://c.example"]}
    assert template(SMALL).cors == {"AllowOrigins": ["https://a.example", "https://b.example"]}


def test_routes_and_the_default_route():
    routes = template(SMALL).routes

    assert [(r.method, r.path, r.route_key) for r in routes] == [("GET", "/one", "GET /one"),
                                                                  ("ANY", "$default", "$default")]
    assert routes[0].handler == "one.lambda_handler"


def test_tables_are_create_table_arguments():
    t = template(SMALL)

    assert t.tables == [{
        "TableName": "bookmarker-local-Items", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"}}]}]
    assert t.ttl == [{"TableName": "bookmarker-local-Items",
                      "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}}]


def test_resolve_refuses_an_unknown_reference():
    t = template(SMALL)

    with pytest.raises(TemplateError, match="Nope"):
        t.resolve({"Ref": "Nope"})


@pytest.mark.parametrize(("value", "refused"), [
    ("!If [IsProd, a, b]", "!If"),  # an intrinsic template.yaml does not use: refused as it is read
    ("!Sub [\"${A}\", {A: x}]", "!Sub"),  # !Sub with variables of its own
    ("{\"Fn::Join\": [\",\", [a, b]]}", "Fn::Join"),  # the long form of one
    ("!GetAtt Logs.Arn", "Logs.Arn"),  # an attribute with no local value, where the local API reads it
])
def test_an_intrinsic_the_local_api_does_not_resolve_is_an_error(value, refused):
    with pytest.raises(TemplateError, match=re.escape(refused)):
        template(SMALL.replace("NUMBER: 4", f"NUMBER: {value}"))


def test_a_functions_own_environment_is_refused():
    with pytest.raises(TemplateError, match="Globals"):
        template(SMALL.replace("      MemorySize: 1024", "      Environment: {Variables: {ONLY_ONE: x}}"))


def test_the_user_environment_wins_over_the_template_and_local_defaults():
    t = Template()

    env = local_environment(t, base_url="http://127.0.0.1:9", dynamodb_url="http://127.0.0.1:8", key="k",
                            user_env={"BCRYPT_ROUNDS": "4", "LOG_LEVEL": "DEBUG", "HOME": "/root"})

    assert env["BCRYPT_ROUNDS"] == "4"
    assert env["POWERTOOLS_LOG_LEVEL"] == "DEBUG"
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:9"
    assert (env["DYNAMODB_ENDPOINT_URL"], env["SIGNING_KEY"]) == ("http://127.0.0.1:8", "k")
    assert "HOME" not in env


ROUTES = [Route("GET", "/{short_code}", "Redirect", "r.h"), Route("GET", "/docs", "Docs", "d.h"),
          Route("ANY", "$default", "Fallback", "f.h"), Route("GET", "/api/v1/bookmarks/{id}", "Get", "g.h"),
          Route("GET", "/api/v1/bookmarks/stats", "Stats", "s.h"), Route("ANY", "/files/{path+}", "Files", "x.h"),
          Route("GET", "/{a}/v1/{b}", "Left", "l.h"), Route("GET", "/{a}/{b}/x", "Right", "rt.h")]


@pytest.mark.parametrize(("method", "path", "function", "params"), [
    ("GET", "/docs", "Docs", {}),
    ("GET", "/aB3dE5f", "Redirect", {"short_code": "aB3dE5f"}),
    ("GET", "/api/v1/bookmarks/stats", "Stats", {}),
    ("GET", "/api/v1/bookmarks/01J%2Fx", "Get", {"id": "01J/x"}),
    ("DELETE", "/api/v1/bookmarks/1", "Fallback", {}),
    ("GET", "/docs/", "Fallback", {}),
    ("GET", "/", "Fallback", {}),
    ("PUT", "/files/a/b", "Files", {"path": "a/b"}),
    ("GET", "/files/", "Fallback", {}),
    ("GET", "/q/v1/x", "Left", {"a": "q", "b": "x"}),
])
def test_route_selection_follows_api_gateway(method, path, function, params):
    route, found = match_route(ROUTES, method, path)

    assert (route.function_logical_id, found) == (function, params)


def test_without_a_default_route_nothing_matches():
    assert match_route(ROUTES[:2], "GET", "/a/b") == (None, {})


def test_event_joins_repeated_headers_and_query_keys_and_splits_cookies():
    event = build_event("GET", "/api/v1/bookmarks/a%20b?tag=a&tag=b&x=%2B", [
        ("Host", "127.0.0.1:3000"), ("X-Many", "1"), ("x-many", "2"), ("Cookie", "s=1; t=2")],
        route=ROUTES[3], path_params={"id": "a b"}, request_id="rid", now=1_800_000_000.5)

    assert event["routeKey"] == event["requestContext"]["routeKey"] == "GET /api/v1/bookmarks/{id}"
    assert event["rawPath"] == "/api/v1/bookmarks/a%20b"
    assert event["rawQueryString"] == "tag=a&tag=b&x=%2B"
    assert event["queryStringParameters"] == {"tag": "a,b", "x": "+"}
    assert event["headers"] == {"host": "127.0.0.1:3000", "x-many": "1,2"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["pathParameters"] == {"id": "a b"}
    assert event["requestContext"]["http"]["path"] == "/api/v1/bookmarks/a b"
    assert event["requestContext"]["domainName"] == "127.0.0.1:3000"
    assert event["requestContext"]["time"] == "15/Jan/2027:08:00:00 +0000"
    assert event["requestContext"]["timeEpoch"] == 1_800_000_000_500
    assert "body" not in event and event["isBase64Encoded"] is False


def test_event_omits_what_the_request_lacks():
    event = build_event("GET", "/", [])

    assert event["routeKey"] == "$default"
    assert not {"cookies", "queryStringParameters", "pathParameters", "body"} & event.keys()


@pytest.mark.parametrize(("content_type", "body", "encoded"), [
    ("application/json", b'{"a": 1}', False),
    ("application/problem+json; charset=utf-8", b"{}", False),
    ("text/html", "é".encode(), False),
    ("text/plain", b"\xff\xfe", True),
    ("image/png", b"\x89PNG", True),
    ("", b"abc", True),
])
def test_body_is_text_only_for_textual_utf8_content(content_type, body, encoded):
    event = build_event("POST", "/x", [("Content-Type", content_type)] if content_type else [], body)

    assert event["isBase64Encoded"] is encoded
    assert (base64.b64decode(event["body"]) if encoded else event["body"].encode()) == body


def test_responses_are_mapped_as_api_gateway_does():
    inferred = http_response({"ok": True})
    binary = http_response({"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(b"\x00").decode(),
                            "cookies": ["a=1"], "headers": {"X-A": 1}})

    assert inferred == (200, [("content-type", "application/json")], json.dumps({"ok": True}).encode())
    assert binary == (200, [("x-a", "1"), ("set-cookie", "a=1")], b"\x00")
    assert http_response({"statusCode": 204}) == (204, [], b"")


def test_the_real_templates_tables_can_be_created_in_moto():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")

        created = create_tables(client)

        assert set(created) == {kw["TableName"] for kw in Template().tables}
        assert set(client.list_tables()["TableNames"]) == set(created)
        assert create_tables(client) == []  # already there: nothing to do
