"""Reads template.yaml: routes, functions, environment, tables and CORS, with intrinsics resolved locally."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"
STACK_NAME = "bookmarker-local"
DEFAULT_ROUTE = "$default"


class TemplateError(ValueError):
    """template.yaml says something the local API cannot serve."""


# ---- YAML with CloudFormation short tags ---------------------------------------------------

class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref X`, `!Sub ...`, `!GetAtt A.B` ... into their long forms."""


def _construct(tag: str):
    def build(loader: CfnLoader, node: yaml.Node) -> dict:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if tag == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        if tag in ("Ref", "Condition"):
            return {tag: value}
        return {f"Fn::{tag}": value}

    return build


for _tag in ("Ref", "Condition", "Sub", "GetAtt", "Join", "If", "Select", "Split", "Equals", "Not", "And",
             "Or", "FindInMap", "ImportValue", "Base64", "GetAZs", "Cidr", "Length", "ToJsonString"):
    CfnLoader.add_constructor(f"!{_tag}", _construct(_tag))


def load_yaml(text: str) -> dict:
    return yaml.load(text, Loader=CfnLoader) or {}  # noqa: S506 (CfnLoader is a SafeLoader)


# ---- intrinsic functions --------------------------------------------------------------------

_NO_VALUE = object()  # AWS::NoValue: the key or list item disappears


@dataclass
class Context:
    """What intrinsics resolve against: the template's sections plus parameter overrides."""

    resources: Mapping[str, Any]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    conditions: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"

    @classmethod
    def of(cls, doc: Mapping, overrides: Mapping[str, Any] | None = None, region: str = "us-east-1") -> Context:
        return cls(doc.get("Resources") or {}, doc.get("Parameters") or {}, doc.get("Conditions") or {},
                   doc.get("Mappings") or {}, dict(overrides or {}), region)


def table_name(logical_id: str) -> str:
    return f"{STACK_NAME}-{logical_id}"


def _parameter(name: str, ctx: Context) -> Any:
    spec = ctx.parameters[name] or {}
    value = ctx.overrides.get(name, spec.get("Default"))
    if value is None:
        raise TemplateError(f"parameter {name} has no Default and no override")
    kind = str(spec.get("Type", "String"))
    if kind == "CommaDelimitedList" or kind.startswith("List<"):
        return value if isinstance(value, list) else [part.strip() for part in str(value).split(",")]
    return _string(value)


def _string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (int, float)) else value


def _ref(name: str, ctx: Context) -> Any:
    pseudo = {"AWS::Region": ctx.region, "AWS::AccountId": ACCOUNT_ID, "AWS::URLSuffix": "amazonaws.com",
              "AWS::StackName": STACK_NAME, "AWS::Partition": "aws", "AWS::NoValue": _NO_VALUE,
              "AWS::StackId": f"arn:aws:cloudformation:{ctx.region}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
              "AWS::NotificationARNs": []}
    if name in pseudo:
        return pseudo[name]
    if name in ctx.parameters:
        return _parameter(name, ctx)
    if name not in ctx.resources:
        raise TemplateError(f"!Ref {name}: no such parameter or resource")
    kind = ctx.resources[name].get("Type", "")
    arn = f"arn:aws:{{}}:{ctx.region}:{ACCOUNT_ID}:{{}}"
    return {
        "AWS::DynamoDB::Table": table_name(name),
        "AWS::SecretsManager::Secret": arn.format("secretsmanager", f"secret:{name}"),
        "AWS::Serverless::LayerVersion": arn.format("lambda", f"layer:{name}:1"),
        "AWS::SNS::Topic": arn.format("sns", name),
        "AWS::SQS::Queue": f"https://sqs.{ctx.region}.amazonaws.com/{ACCOUNT_ID}/{name}",
        "AWS::Serverless::HttpApi": "local",
    }.get(kind, f"{STACK_NAME}-{name}")


def _get_att(args: list, ctx: Context) -> str:
    name, attr = resolve(args[0], ctx), resolve(args[1], ctx)
    if name not in ctx.resources:
        raise TemplateError(f"!GetAtt {name}.{attr}: no such resource")
    kind = ctx.resources[name].get("Type", "")
    if kind == "AWS::DynamoDB::Table" and attr == "Arn":
        return f"arn:aws:dynamodb:{ctx.region}:{ACCOUNT_ID}:table/{table_name(name)}"
    if kind == "AWS::DynamoDB::Table" and attr == "StreamArn":
        return f"arn:aws:dynamodb:{ctx.region}:{ACCOUNT_ID}:table/{table_name(name)}/stream/local"
    if kind.endswith("::Function") and attr == "Arn":
        return f"arn:aws:lambda:{ctx.region}:{ACCOUNT_ID}:function:{STACK_NAME}-{name}"
    return f"{STACK_NAME}-{name}-{attr}"


_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def _sub(args: Any, ctx: Context) -> str:
    text, variables = (args, {}) if isinstance(args, str) else (args[0], resolve(args[1], ctx))

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("!"):  # ${!Literal} is written out as ${Literal}
            return "${" + name[1:] + "}"
        if name in variables:
            return str(variables[name])
        if "." in name and not name.startswith("AWS::"):
            return _get_att(name.split(".", 1), ctx)
        return str(_ref(name, ctx))

    return _SUB_VAR.sub(replace, text)


def _condition(name: str, ctx: Context) -> bool:
    if name not in ctx.conditions:
        raise TemplateError(f"no such condition: {name}")
    return bool(resolve(ctx.conditions[name], ctx))


def _find_in_map(args: list, ctx: Context) -> Any:
    name, top, second = (resolve(a, ctx) for a in args)
    return ctx.mappings[name][top][second]


_FUNCTIONS = {
    "Ref": lambda a, c: _ref(resolve(a, c), c),
    "Condition": _condition,
    "Fn::Sub": _sub,
    "Fn::GetAtt": lambda a, c: _get_att(a if isinstance(a, list) else a.split(".", 1), c),
    "Fn::Join": lambda a, c: str(resolve(a[0], c)).join(str(v) for v in resolve(a[1], c)),
    "Fn::If": lambda a, c: resolve(a[1] if _condition(a[0], c) else a[2], c),
    "Fn::Select": lambda a, c: resolve(a[1], c)[int(resolve(a[0], c))],
    "Fn::Split": lambda a, c: str(resolve(a[1], c)).split(resolve(a[0], c)),
    "Fn::Equals": lambda a, c: resolve(a[0], c) == resolve(a[1], c),
    "Fn::Not": lambda a, c: not resolve(a[0] if isinstance(a, list) else a, c),
    "Fn::And": lambda a, c: all(resolve(v, c) for v in a),
    "Fn::Or": lambda a, c: any(resolve(v, c) for v in a),
    "Fn::FindInMap": _find_in_map,
    "Fn::ImportValue": lambda a, c: f"imported-{resolve(a, c)}",
    "Fn::Base64": lambda a, c: base64.b64encode(str(resolve(a, c)).encode()).decode(),
    "Fn::GetAZs": lambda a, c: [f"{c.region}{z}" for z in "abc"],
    "Fn::Length": lambda a, c: len(resolve(a, c)),
}


def resolve(value: Any, context: Context) -> Any:
    """Resolve every intrinsic function inside value; AWS::NoValue removes keys and list items."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, args), = value.items()
            if key in _FUNCTIONS:
                return _FUNCTIONS[key](args, context)
        items = ((k, resolve(v, context)) for k, v in value.items())
        return {k: v for k, v in items if v is not _NO_VALUE}
    if isinstance(value, list):
        return [v for v in (resolve(item, context) for item in value) if v is not _NO_VALUE]
    return value


# ---- the template -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    method: str  # upper case; "ANY" matches every method
    path: str  # "$default" for the default route
    function_logical_id: str
    handler: str

    @property
    def route_key(self) -> str:
        return DEFAULT_ROUTE if self.path == DEFAULT_ROUTE else f"{self.method} {self.path}"


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler_module: str
    handler_name: str
    code_dir: Path
    environment: dict[str, str]
    timeout: int = 3
    memory_size: int = 128


class Template:
    """template.yaml, loaded once, with everything the local API needs already resolved."""

    def __init__(self, path: str | Path = DEFAULT_TEMPLATE, parameters: Mapping[str, Any] | None = None,
                 region: str = "us-east-1", text: str | None = None):
        self.path = Path(path).resolve()
        self.base_dir = self.path.parent
        self.doc = load_yaml(self.path.read_text() if text is None else text)
        self.context = Context.of(self.doc, parameters, region)
        self.resources: dict[str, dict] = self.doc.get("Resources") or {}
        self.globals: dict = resolve((self.doc.get("Globals") or {}).get("Function") or {}, self.context)
        self.functions = {lid: self._function(lid, r) for lid, r in self._of_type("AWS::Serverless::Function")}
        self.routes = [route for lid, r in self._of_type("AWS::Serverless::Function") for route in self._routes(lid, r)]
        self.tables = [self._table(lid, r) for lid, r in self._of_type("AWS::DynamoDB::Table")]
        self.ttl = [spec for lid, r in self._of_type("AWS::DynamoDB::Table") if (spec := self._ttl(lid, r))]
        self.cors = self._cors()
        self.layer_dirs = [self.base_dir / uri for _, r in self._of_type("AWS::Serverless::LayerVersion")
                           if isinstance(uri := self._props(r).get("ContentUri"), str)]

    def _of_type(self, kind: str):
        return ((lid, r) for lid, r in self.resources.items() if r.get("Type") == kind)

    def _props(self, resource: dict) -> dict:
        return resolve(resource.get("Properties") or {}, self.context)

    def _function(self, logical_id: str, resource: dict) -> Function:
        props = {**self.globals, **self._props(resource)}
        module, _, name = str(props.get("Handler", "")).rpartition(".")
        if not module:
            raise TemplateError(f"{logical_id}: Handler must be module.function, got {props.get('Handler')!r}")
        env = {**(self.globals.get("Environment") or {}).get("Variables", {}),
               **((self._props(resource).get("Environment") or {}).get("Variables") or {})}
        return Function(logical_id, module, name, (self.base_dir / str(props.get("CodeUri", "."))).resolve(),
                        {k: str(_string(v)) for k, v in env.items()},
                        int(props.get("Timeout", 3)), int(props.get("MemorySize", 128)))

    def _routes(self, logical_id: str, resource: dict) -> list[Route]:
        routes, fn = [], self.functions[logical_id]
        for event in (self._props(resource).get("Events") or {}).values():
            if event.get("Type") != "HttpApi":
                continue
            props = event.get("Properties") or {}
            method, path = props.get("Method"), props.get("Path")
            if method is None and path is None:
                method, path = "ANY", DEFAULT_ROUTE
            method = str(method or "ANY").upper()
            routes.append(Route("ANY" if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" else method, str(path),
                                logical_id, f"{fn.handler_module}.{fn.handler_name}"))
        return routes

    def _table(self, logical_id: str, resource: dict) -> dict:
        props = self._props(resource)
        on_demand = props.get("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST"
        kw: dict[str, Any] = {"TableName": table_name(logical_id),
                              "AttributeDefinitions": props["AttributeDefinitions"],
                              "KeySchema": props["KeySchema"],
                              "BillingMode": "PAY_PER_REQUEST" if on_demand else "PROVISIONED"}
        if not on_demand:
            kw["ProvisionedThroughput"] = _throughput(props.get("ProvisionedThroughput"))
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(key):
                kw[key] = [_index(i, global_=key.startswith("Global"), on_demand=on_demand) for i in props[key]]
        if view := (props.get("StreamSpecification") or {}).get("StreamViewType"):
            kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        return kw

    def _ttl(self, logical_id: str, resource: dict) -> dict | None:
        spec = self._props(resource).get("TimeToLiveSpecification") or {}
        if str(spec.get("Enabled", "false")).lower() != "true":
            return None
        return {"TableName": table_name(logical_id),
                "TimeToLiveSpecification": {"Enabled": True, "AttributeName": spec["AttributeName"]}}

    def _cors(self) -> dict | None:
        for _, resource in self._of_type("AWS::Serverless::HttpApi"):
            cors = self._props(resource).get("CorsConfiguration")
            if cors is True or str(cors).lower() == "true":  # SAM's shorthand: allow everything
                return {"AllowOrigins": ["*"], "AllowHeaders": ["*"], "AllowMethods": ["*"]}
            if isinstance(cors, dict):
                return {k: [v] if k.startswith(("Allow", "Expose")) and isinstance(v, str) else v
                        for k, v in cors.items()}
        return None

    def merged_environment(self, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        """One environment for all functions (they share a process); overrides win over the template."""
        overrides = dict(overrides or {})
        merged: dict[str, str] = {}
        owner: dict[str, str] = {}
        for fn in self.functions.values():
            for name, value in fn.environment.items():
                if name in merged and merged[name] != value and name not in overrides:
                    raise TemplateError(f"environment variable {name} is {merged[name]!r} in {owner[name]} but "
                                        f"{value!r} in {fn.logical_id}; the local API runs all functions in "
                                        "one process and cannot give them different values")
                merged.setdefault(name, value)
                owner.setdefault(name, fn.logical_id)
        return {**merged, **overrides}


def _throughput(value: dict | None) -> dict:
    value = value or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    return {k: int(value[k]) for k in ("ReadCapacityUnits", "WriteCapacityUnits")}


def _index(index: dict, *, global_: bool, on_demand: bool) -> dict:
    kw = {k: index[k] for k in ("IndexName", "KeySchema", "Projection") if k in index}
    if global_ and not on_demand:
        kw["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
    return kw
