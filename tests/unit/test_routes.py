"""template.yaml (what is deployed) and openapi.yaml (what clients read) declare the same routes."""
import importlib
import re

import yaml

from bookmarker.openapi import SPEC
from tests.conftest import TEMPLATE

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def template_routes() -> set[tuple[str, str]]:
    return {(r.method, r.path.rstrip("/") or "/") for r in TEMPLATE.routes if r.path != "$default"}


def openapi_routes() -> set[tuple[str, str]]:
    paths = yaml.safe_load(SPEC.read_text())["paths"]
    return {(m.upper(), p) for p, ops in paths.items() for m in ops if m in METHODS}


def test_template_and_openapi_declare_the_same_routes():
    assert template_routes() == openapi_routes()


def test_every_api_route_also_answers_with_a_trailing_slash():
    declared = {(r.method, r.path) for r in TEMPLATE.routes}
    for method, path in template_routes():
        if path.startswith("/api/"):
            assert (method, path + "/") in declared, f"{method} {path}/ is not declared"


def test_unknown_paths_and_wrong_methods_go_to_a_default_route():
    default = [r for r in TEMPLATE.routes if r.path == "$default"]

    assert len(default) == 1
    assert default[0].handler == "fallback.lambda_handler"


def test_every_function_names_a_handler_that_exists():
    for fn in TEMPLATE.functions.values():
        module = importlib.import_module(fn.handler_module)
        assert callable(getattr(module, fn.handler_name)), fn.logical_id


def test_every_function_is_arm64_python313_with_the_layer():
    doc = TEMPLATE.doc
    fn_globals = doc["Globals"]["Function"]
    assert fn_globals["Runtime"] == "python3.13"
    assert fn_globals["Architectures"] == ["arm64"]
    layer = doc["Resources"]["CommonLayer"]
    assert layer["Metadata"]["BuildArchitecture"] == "arm64"
    for name, res in doc["Resources"].items():
        if res["Type"] == "AWS::Serverless::Function":
            assert "Architectures" not in res["Properties"] or res["Properties"]["Architectures"] == ["arm64"], name
            assert "Runtime" not in res["Properties"], name


def test_no_function_gets_a_blanket_dynamodb_permission():
    for name, res in TEMPLATE.doc["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        text = yaml.safe_dump(res["Properties"].get("Policies", []), default_flow_style=True)
        assert "dynamodb:*" not in text and "Scan" not in text and "CrudPolicy" not in text, name
        assert not re.search(r"Resource: '?\*", text), name


def test_tables_are_on_demand_with_point_in_time_recovery_and_kept_on_delete():
    for name, res in TEMPLATE.doc["Resources"].items():
        if res["Type"] == "AWS::DynamoDB::Table":
            assert res["DeletionPolicy"] == "Retain", name
            assert res["Properties"]["BillingMode"] == "PAY_PER_REQUEST", name
            assert res["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], name
