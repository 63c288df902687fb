"""Reads template.yaml: routes, functions, environment, tables and CORS, with the intrinsics it uses resolved locally:
`!Ref` (a parameter's override or Default, a pseudo parameter, a resource), `!GetAtt Table.Arn` and `!Sub "text"`
with those inside. Any other is a TemplateError, never a value left unresolved."""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"
STACK_NAME = "bookmarker-local"
DEFAULT_ROUTE = "$default"
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
CORS_KEYS = {"AllowOrigins", "AllowHeaders", "AllowMethods", "ExposeHeaders", "MaxAge"}  # what server.py applies


class TemplateError(ValueError):
    """template.yaml says something the local API cannot serve."""


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads `!Ref X`, `!GetAtt X.Attr` and `!Sub text` as their long forms; another tag is refused."""


def _short_form(loader: CfnLoader, tag: str, node: yaml.Node) -> dict[str, Any]:
    if tag not in ("Ref", "GetAtt", "Sub") or not isinstance(node, yaml.ScalarNode):
        raise TemplateError(f"!{tag} (line {node.start_mark.line + 1}): the local API resolves only "
                            "!Ref X, !GetAtt X.Attr and !Sub text")
    value = loader.construct_scalar(node)
    return {"Ref": value} if tag == "Ref" else {f"Fn::{tag}": value.split(".", 1) if tag == "GetAtt" else value}


CfnLoader.add_multi_constructor("!", _short_form)


def table_name(logical_id: str) -> str:
    return f"{STACK_NAME}-{logical_id}"


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
    """template.yaml, loaded once, with what the local API reads resolved (only that: the rest has no local value)."""

    def __init__(self, path: str | Path = DEFAULT_TEMPLATE, parameters: Mapping[str, Any] | None = None,
                 region: str = "us-east-1", text: str | None = None):
        self.path, self.region, self.overrides = Path(path).resolve(), region, dict(parameters or {})
        text = self.path.read_text() if text is None else text
        self.doc: dict[str, Any] = yaml.load(text, Loader=CfnLoader) or {}  # noqa: S506 (CfnLoader is a SafeLoader)
        self.resources: dict[str, dict[str, Any]] = self.doc.get("Resources") or {}
        self.parameters: dict[str, Any] = self.doc.get("Parameters") or {}
        self.globals: dict[str, Any] = (self.doc.get("Globals") or {}).get("Function") or {}
        # All functions run in one process, so they get one environment: the Globals'.
        variables = (self._get(self.globals, "Environment") or {}).get("Variables") or {}
        self.environment = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in variables.items()}
        functions = list(self._of_type("AWS::Serverless::Function"))
        self.functions = {lid: self._function(lid, props) for lid, props in functions}
        self.routes = [route for lid, props in functions for route in self._routes(self.functions[lid], props)]
        self.tables: list[dict[str, Any]] = []  # create_table's arguments
        self.ttl: list[dict[str, Any]] = []  # update_time_to_live's
        for lid, props in self._of_type("AWS::DynamoDB::Table"):
            self.tables.append(self._table(lid, props))
            ttl = self._get(props, "TimeToLiveSpecification") or {}
            if str(ttl.get("Enabled")).lower() == "true":  # YAML's true, or "true"
                self.ttl.append({"TableName": table_name(lid), "TimeToLiveSpecification": {**ttl, "Enabled": True}})
        apis = [props for _, props in self._of_type("AWS::Serverless::HttpApi") if "CorsConfiguration" in props]
        self.cors: dict[str, Any] | None = self._get(apis[0], "CorsConfiguration") if apis else None
        if not isinstance(self.cors, dict | None) or set(self.cors or {}) - CORS_KEYS:
            raise TemplateError(f"CorsConfiguration: the local API applies {sorted(CORS_KEYS)}, no more")
        self.layer_dirs = [self.path.parent / str(self._get(props, "ContentUri"))
                           for _, props in self._of_type("AWS::Serverless::LayerVersion")]

    def merged_environment(self, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        """The functions' environment; overrides win over the template."""
        return {**self.environment, **(overrides or {})}

    def resolve(self, value: Any) -> Any:
        """value with every intrinsic function in it resolved; one the local API does not know is a TemplateError."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1 and ((key := next(iter(value))) == "Ref" or key.startswith("Fn::")):
            if key == "Ref":
                return self.ref(value[key])
            if key == "Fn::GetAtt" and isinstance(value[key], list) and len(value[key]) == 2:
                return self.get_att(*value[key])
            if key == "Fn::Sub" and isinstance(value[key], str):
                return self.sub(value[key])
            raise TemplateError(f"{value}: the local API resolves only Ref, Fn::GetAtt and Fn::Sub of a string")
        return {k: self.resolve(v) for k, v in value.items()}

    def ref(self, name: str) -> str | list[str]:
        pseudo = {"AWS::Region": self.region, "AWS::AccountId": ACCOUNT_ID, "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            spec = self.parameters[name] or {}
            if (value := self.overrides.get(name, spec.get("Default"))) is None:
                raise TemplateError(f"parameter {name} has no Default and no override")
            if spec.get("Type") == "CommaDelimitedList":
                return [part.strip() for part in str(value).split(",")]
            return str(value)
        if name not in self.resources:
            raise TemplateError(f"!Ref {name}: no such parameter or resource")
        return {"AWS::DynamoDB::Table": table_name(name), "AWS::Serverless::HttpApi": "local",
                "AWS::SecretsManager::Secret": f"arn:aws:secretsmanager:{self.region}:{ACCOUNT_ID}:secret:{name}",
                }.get(str(self.resources[name].get("Type")), f"{STACK_NAME}-{name}")

    def get_att(self, name: str, attribute: str) -> str:
        if self.resources.get(name, {}).get("Type") != "AWS::DynamoDB::Table" or attribute != "Arn":
            raise TemplateError(f"!GetAtt {name}.{attribute}: the local API knows only a table's Arn")
        return f"arn:aws:dynamodb:{self.region}:{ACCOUNT_ID}:table/{table_name(name)}"

    def sub(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            if "." in (name := match[1]) and not name.startswith("AWS::"):
                return self.get_att(*name.split(".", 1))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(value, text)

    def _of_type(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        return ((lid, r.get("Properties") or {}) for lid, r in self.resources.items() if r.get("Type") == kind)

    def _get(self, props: Mapping[str, Any], key: str, default: Any = None) -> Any:
        return self.resolve(props.get(key, default))

    def _function(self, logical_id: str, props: dict[str, Any]) -> Function:
        if "Environment" in props:
            raise TemplateError(f"{logical_id}: Environment goes in Globals (all functions share the local process)")
        merged = {**self.globals, **props}
        module, _, name = str(self._get(merged, "Handler", "")).rpartition(".")
        if not module:
            raise TemplateError(f"{logical_id}: Handler must be module.function, got {merged.get('Handler')!r}")
        code_dir = (self.path.parent / str(self._get(merged, "CodeUri", "."))).resolve()
        timeout, memory = int(self._get(merged, "Timeout", 3)), int(self._get(merged, "MemorySize", 128))
        return Function(logical_id, module, name, code_dir, self.environment, timeout, memory)

    def _routes(self, function: Function, props: dict[str, Any]) -> Iterator[Route]:
        for event in (props.get("Events") or {}).values():
            if event.get("Type") == "HttpApi":
                event_props = event.get("Properties") or {}
                path = str(event_props.get("Path", DEFAULT_ROUTE))  # an HttpApi event without a Path is $default
                method = "ANY" if path == DEFAULT_ROUTE else str(event_props.get("Method", "ANY")).upper()
                yield Route(method, path, function.logical_id, f"{function.handler_module}.{function.handler_name}")

    def _table(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        # On demand whatever the template says: capacity means nothing locally.
        kw = {"TableName": table_name(logical_id), "BillingMode": "PAY_PER_REQUEST",
              "AttributeDefinitions": self._get(props, "AttributeDefinitions"),
              "KeySchema": self._get(props, "KeySchema")}
        if indexes := self._get(props, "GlobalSecondaryIndexes"):
            kw["GlobalSecondaryIndexes"] = [{k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
                                            for index in indexes]
        return kw
