"""The IAM check itself (tests/iam/recorder.py, tests/iam/policy.py): it maps calls to IAM actions, attributes them to
the handler that made them, and can fail: a missing action, an index behind a table-only grant, a wildcard."""
import functools
import importlib.util
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from local.template import Template, TemplateError
from tests.iam.policy import Policies
from tests.iam.recorder import Call, Recorder, iam_actions

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/bookmarker-local-ItemsTable"

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: handlers/
Resources:
  ItemsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  ReadFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: read.lambda_handler
      Policies:
        - AWSSecretsManagerGetSecretValuePolicy: {SecretArn: "arn:aws:secretsmanager:us-east-1:1:secret:x"}
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:Query]
              Resource: !GetAtt ItemsTable.Arn
  WildFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: wild.lambda_handler
      Policies:
        - Statement:
            - Effect: Allow
              Action:
                - dynamodb:Get*
                # unused offline: only an operator's script scans
                - dynamodb:Scan
              Resource: [!GetAtt ItemsTable.Arn, !Sub "${ItemsTable.Arn}/index/*"]
            - Effect: Deny
              Action: dynamodb:GetItem
              Resource: !Sub "${ItemsTable.Arn}/index/Secret*"
"""


@pytest.fixture
def policies(tmp_path) -> Policies:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return Policies(Template(tmp_path / "template.yaml"))


def test_a_granted_call_passes_and_a_missing_action_is_denied(policies):
    get = Call("ReadFunction", "dynamodb:GetItem", "bookmarker-local-ItemsTable")
    put = Call("ReadFunction", "dynamodb:PutItem", "bookmarker-local-ItemsTable")

    assert policies.denied({get, put}) == [put]
    assert policies.arn(put) == TABLE


def test_a_table_grant_does_not_cover_its_index(policies):
    on_index = Call("ReadFunction", "dynamodb:Query", "bookmarker-local-ItemsTable", "ByCode")

    assert policies.denied({on_index}) == [on_index]
    assert policies.arn(on_index) == f"{TABLE}/index/ByCode"


def test_wildcards_match_actions_and_resources_and_a_deny_wins(policies):
    calls = {Call("WildFunction", "dynamodb:GetItem", "bookmarker-local-ItemsTable", "ByCode"),
             Call("WildFunction", "dynamodb:getitem", "bookmarker-local-ItemsTable")}  # action names ignore case
    secret = Call("WildFunction", "dynamodb:GetItem", "bookmarker-local-ItemsTable", "SecretIndex")
    put = Call("WildFunction", "dynamodb:PutItem", "bookmarker-local-ItemsTable")
    other_table = Call("WildFunction", "dynamodb:GetItem", "bookmarker-local-OtherTable")

    assert set(policies.denied({*calls, secret, put, other_table})) == {secret, put, other_table}


def test_a_policy_never_grants_another_functions_calls(policies):
    theirs = Call("WildFunction", "dynamodb:Query", "bookmarker-local-ItemsTable")

    assert policies.denied({theirs}) == [theirs]


def test_unused_grants_are_listed_with_their_line_and_justification(policies):
    calls = {Call("ReadFunction", "dynamodb:GetItem", "bookmarker-local-ItemsTable"),
             Call("WildFunction", "dynamodb:GetItem", "bookmarker-local-ItemsTable")}

    unused = {(g.function, g.action, g.resource, g.justification) for g in policies.unused(calls)}

    assert unused == {("ReadFunction", "dynamodb:Query", TABLE, None),
                      ("WildFunction", "dynamodb:Get*", f"{TABLE}/index/*", None),
                      ("WildFunction", "dynamodb:Scan", TABLE, "only an operator's script scans"),
                      ("WildFunction", "dynamodb:Scan", f"{TABLE}/index/*", "only an operator's script scans")}
    assert {g.line for g in policies.unused(calls) if g.action == "dynamodb:Scan"} == {
        TEMPLATE.splitlines().index("                - dynamodb:Scan") + 1}


def test_a_justification_must_sit_beside_one_action_alone(tmp_path):
    text = TEMPLATE.replace("[dynamodb:GetItem, dynamodb:Query]", "[dynamodb:GetItem, dynamodb:Query]  "
                                                                 "# unused offline: which one?")
    (tmp_path / "template.yaml").write_text(text)

    with pytest.raises(TemplateError, match="a line of its own"):
        Policies(Template(tmp_path / "template.yaml"))


def test_a_dynamodb_policy_template_is_refused_rather_than_ignored(tmp_path):
    text = TEMPLATE.replace("- AWSSecretsManagerGetSecretValuePolicy:", "- DynamoDBReadPolicy:")
    (tmp_path / "template.yaml").write_text(text)

    with pytest.raises(TemplateError, match="DynamoDBReadPolicy"):
        Policies(Template(tmp_path / "template.yaml"))


@pytest.mark.parametrize(("operation", "params", "expected"), [
    ("GetItem", {"TableName": "T"}, [("dynamodb:GetItem", "T", None)]),
    ("Query", {"TableName": "T", "IndexName": "I"}, [("dynamodb:Query", "T", "I")]),
    ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "A"}}, {"Update": {"TableName": "A"}},
                                              {"Delete": {"TableName": "B"}}, {"ConditionCheck": {"TableName": "B"}}]},
     [("dynamodb:PutItem", "A", None), ("dynamodb:UpdateItem", "A", None), ("dynamodb:DeleteItem", "B", None),
      ("dynamodb:ConditionCheckItem", "B", None)]),
    ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": "A"}}]}, [("dynamodb:GetItem", "A", None)]),
    ("BatchWriteItem", {"RequestItems": {"A": [], "B": []}},
     [("dynamodb:BatchWriteItem", "A", None), ("dynamodb:BatchWriteItem", "B", None)]),
    ("BatchGetItem", {"RequestItems": {"A": {}}}, [("dynamodb:BatchGetItem", "A", None)]),
    ("ListTables", {}, [("dynamodb:ListTables", None, None)]),
])
def test_each_call_becomes_the_actions_iam_checks(operation, params, expected):
    assert iam_actions(operation, params) == expected


HANDLER = '''
from concurrent.futures import ThreadPoolExecutor

@endpoint
@authenticated
def lambda_handler(event, context):
    event["call"]("UpdateItem")
    with ThreadPoolExecutor(max_workers=2) as pool:  # a worker thread has no handler on its stack
        list(pool.map(event["call"], ["BatchWriteItem"]))
'''


def _decorator(operation: str):
    """Like bookmarker's @endpoint and @authenticated: a wrapper that reads DynamoDB before the handler runs."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(event, context):
            event["call"](operation)
            return fn(event, context)

        return wrapper

    return decorate


def test_calls_are_attributed_to_the_handler_they_serve_decorators_and_worker_threads_included(tmp_path):
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "read.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    recorder = Recorder(Template(tmp_path / "template.yaml"))
    spec = importlib.util.spec_from_file_location("read_for_iam_test", tmp_path / "handlers" / "read.py")
    handler = importlib.util.module_from_spec(spec)
    handler.endpoint, handler.authenticated = _decorator("Query"), _decorator("GetItem")
    spec.loader.exec_module(handler)

    def call(operation: str) -> None:  # defined here, not in the handler file: only the stack leads to it
        recorder(model=SimpleNamespace(name=operation), params={"TableName": "T", "RequestItems": {"T": []}})

    handler.lambda_handler({"call": call}, None)
    call("PutItem")  # test setup: outside any handler
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(call, "DeleteItem").result()  # nor submitted by one

    assert recorder.calls == {Call("ReadFunction", f"dynamodb:{op}", "T")
                              for op in ("Query", "GetItem", "UpdateItem", "BatchWriteItem")}
