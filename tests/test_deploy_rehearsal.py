"""The deploy, rehearsed offline: template.yaml through the SAM transform to the plain CloudFormation that the
stack is made of, and what must hold in it: every route of openapi.yaml reaches its function (integration and
invoke permission), every function has a log group with a retention, every alarm a metric, no IAM statement
allows Resource "*", and every parameter a samconfig.toml environment overrides exists in the template.

`sam deploy` zips and uploads the code, replaces CodeUri/ContentUri with S3 URIs and sends the template with its
`Transform: AWS::Serverless-2016-10-31`, which CloudFormation expands with the SAM translator. The same
translator (aws-sam-translator, pinned in requirements-dev.txt) runs here, in-process, on template.yaml itself,
with CodeUri/ContentUri replaced by placeholder S3 URIs, as the translator accepts nothing else.
`make build`'s .aws-sam/build/template.yaml differs from template.yaml only in those (folders of built code,
which `sam deploy` replaces with S3 URIs in turn): nothing asserted here depends on them (only the hash in an
AutoPublishAlias version's logical id does), and a fresh clone's `make test` needs no `sam build` nor the SAM CLI's
own venv. CloudFormation runs its own, newest translator; the pin is the newest that accepts our pydantic pin.

Offline: the translator gets an empty map of managed policies (its loader would list IAM's; the template names
none by name), its region from samconfig.toml's environment (or us-east-1), and no socket can connect while it
runs. Each assertion runs on the template transformed with the parameters' defaults and once more for each
samconfig.toml environment that sets parameter_overrides, with those values.
"""
import fnmatch
import functools
import json
import os
import re
import shlex
import socket
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from cfnlint.decode.cfn_yaml import loads as load_cfn_yaml
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
OPENAPI = ROOT / "openapi.yaml"
SAMCONFIG = ROOT / "samconfig.toml"

DEFAULT_REGION = "us-east-1"
ACCOUNT = "123456789012"  # stands for ${AWS::AccountId} in the ARNs compared below
PLACEHOLDER_BUCKET = "s3://deploy-rehearsal"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
DEFAULT_ROUTE = "$default"
APIGATEWAY = "apigateway.amazonaws.com"
FUNCTION, ALIAS = "AWS::Lambda::Function", "AWS::Lambda::Alias"
PSEUDO_PARAMETERS = {"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
                     "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}


# ---- samconfig.toml -------------------------------------------------------------------------------------------

def _parse_overrides(value: str | list[str]) -> list[tuple[str, str | None]]:
    """(key, value) pairs of parameter_overrides as the SAM CLI reads them: `Key=Value Key2="Value 2"`, a string or
    a list of such strings, or the CLI's `ParameterKey=Key,ParameterValue=Value`. A token without `=`: (token, None)."""
    pairs: list[tuple[str, str | None]] = []
    for text in [value] if isinstance(value, str) else value:
        # The SAM CLI refuses `Key=` with nothing after it (an empty value is written `Key=""`): here too.
        if re.search(r"(?:^|\s)[A-Za-z0-9]+=(?:\s|$)", text):
            pairs.append((text, None))
            continue
        for token in shlex.split(text):
            if m := re.fullmatch(r"ParameterKey=([^,]+),ParameterValue=(.*)", token):
                pairs.append((m[1], m[2]))
            elif "=" in token:
                key, _, val = token.partition("=")
                pairs.append((key, val))
            else:
                pairs.append((token, None))
    return pairs


def _samconfig() -> dict[str, Any]:
    return tomllib.loads(SAMCONFIG.read_text()) if SAMCONFIG.exists() else {}


def _environments() -> dict[str, dict[str, Any]]:
    """samconfig.toml's environments: its top-level tables ([default.deploy.parameters] is environment `default`)."""
    return {name: env for name, env in _samconfig().items() if isinstance(env, dict)}


def _overrides_by_command(env: dict[str, Any]) -> dict[str, list[tuple[str, str | None]]]:
    """{command (deploy, global, ...): its parameter_overrides} of one environment."""
    return {command: _parse_overrides(table["parameters"]["parameter_overrides"])
            for command, table in env.items()
            if isinstance(table, dict) and "parameter_overrides" in table.get("parameters", {})}


def _region(env: dict[str, Any]) -> str:
    for command in ("deploy", "global"):
        if region := env.get(command, {}).get("parameters", {}).get("region"):
            return str(region)
    return DEFAULT_REGION


def _variants() -> dict[str, tuple[dict[str, str], str]]:
    """What the template is transformed with: {name: (parameter values, region)}. `sam deploy` in an environment
    sends its global parameter_overrides overridden by its deploy ones."""
    variants = {"defaults": ({}, DEFAULT_REGION)}
    for name, env in _environments().items():
        by_command = _overrides_by_command(env)
        if "deploy" in by_command or "global" in by_command:
            values = {k: v for k, v in [*by_command.get("global", []), *by_command.get("deploy", [])] if v is not None}
            variants[f"samconfig-{name}"] = (values, _region(env))
    return variants


VARIANTS = _variants()


# ---- the transform --------------------------------------------------------------------------------------------

class _NoManagedPolicies(ManagedPolicyLoader):
    """The translator maps managed policy names to ARNs with IAM's list of them: here no name is mapped, and IAM
    is never asked."""

    def __init__(self) -> None:
        super().__init__(iam_client=None)  # no client: load() below never lists policies

    def load(self) -> dict[str, str]:
        return {}


def _load_template() -> dict[str, Any]:
    """template.yaml as plain dicts, lists and strings, short tags (!Ref, !GetAtt, !Sub, ...) in their long form."""
    return json.loads(json.dumps(load_cfn_yaml(TEMPLATE.read_text(), str(TEMPLATE))))


def _with_code_in_s3(doc: dict[str, Any]) -> dict[str, Any]:
    """What `sam deploy` does after uploading: local CodeUri/ContentUri/DefinitionUri become S3 URIs."""
    holders = [*doc.get("Globals", {}).values(), *(r.get("Properties", {}) for r in doc["Resources"].values())]
    for props in holders:
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            if isinstance(props, dict) and isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"{PLACEHOLDER_BUCKET}/{props[key].strip('/') or 'root'}"
    return doc


def _offline(*_args: object, **_kwargs: object) -> None:
    raise OSError("the deploy rehearsal is offline: the SAM transform tried to connect to something")


@functools.cache
def _transformed(variant: str) -> dict[str, Any]:
    values, region = VARIANTS[variant]
    doc = _with_code_in_s3(_load_template())
    with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": region}), \
            mock.patch.object(socket.socket, "connect", _offline):
        os.environ.pop("AWS_PROFILE", None)  # restored by patch.dict
        try:
            return transform(doc, dict(values), _NoManagedPolicies())
        except InvalidDocumentException as e:
            causes = "\n".join(f"  {cause.message}" for cause in e.causes)
            pytest.fail(f"the SAM transform ({variant}) refuses template.yaml:\n{causes}")


@dataclass(frozen=True)
class Rehearsal:
    variant: str
    region: str
    cfn: dict[str, Any]


@pytest.fixture(params=sorted(VARIANTS))
def rehearsal(request) -> Rehearsal:
    return Rehearsal(request.param, VARIANTS[request.param][1], _transformed(request.param))


@pytest.fixture
def cfn(rehearsal) -> dict[str, Any]:
    return rehearsal.cfn


# ---- reading CloudFormation ------------------------------------------------------------------------------------

def _of_type(cfn: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in cfn["Resources"].items() if res.get("Type") in types}


def _props(resource: dict[str, Any]) -> dict[str, Any]:
    return resource.get("Properties") or {}


def _intrinsic(value: Any) -> tuple[str, Any] | None:
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        return fn, arg
    return None


def _referenced(value: Any) -> str | None:
    """The logical id an ARN or name points at: Ref X, GetAtt X.Arn, or a Sub of `${X}`/`${X.Arn}` (alone, or as
    the function of an API Gateway integration URI `.../functions/${X.Arn}/invocations`)."""
    match _intrinsic(value):
        case ("Ref", str(name)):
            return name
        case ("Fn::GetAtt", [str(name), *_]):
            return name
        case ("Fn::GetAtt", str(dotted)):
            return dotted.split(".")[0]
        case ("Fn::Sub", arg):
            text, names = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            m = re.search(r"functions/\$\{([^}]+)\}/invocations", text) or re.fullmatch(r"\$\{([^}]+)\}", text)
            if m:
                return _referenced(names[m[1]]) if m[1] in names else m[1].removesuffix(".Arn")
    return None


def _render(value: Any, known: dict[str, str]) -> str | None:
    """A string-valued property as text: names in `known` (pseudo parameters) by their value, any other reference as
    `${Name}` / `${Name.Attr}`, so that a Sub, a Join and a Ref naming the same thing compare equal. None for what
    is no string (an If, a number)."""
    if isinstance(value, str):
        return value
    match _intrinsic(value):
        case ("Ref", str(name)):
            return known.get(name, f"${{{name}}}")
        case ("Fn::GetAtt", arg):
            return f"${{{'.'.join(arg) if isinstance(arg, list) else arg}}}"
        case ("Fn::Join", [str(sep), list(items)]):
            parts = [_render(item, known) for item in items]
            return None if None in parts else sep.join(p for p in parts if p is not None)
        case ("Fn::Sub", arg):
            text, names = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

            def substitute(m: re.Match[str]) -> str:
                if m[1] in names:
                    rendered = _render(names[m[1]], known)
                    return m[0] if rendered is None else rendered
                return known.get(m[1], m[0])

            return re.sub(r"\$\{(?!!)([^}]+)\}", substitute, text)
    return None


def _alternatives(value: Any) -> list[Any]:
    """The values a property can take: both branches of each Fn::If, none for AWS::NoValue."""
    match _intrinsic(value):
        case ("Fn::If", [_, yes, no]):
            return _alternatives(yes) + _alternatives(no)
        case ("Ref", "AWS::NoValue"):
            return []
    return [value]


# ---- routes ----------------------------------------------------------------------------------------------------

def _shape(path: str) -> str:
    """A route path with its parameters unnamed: /a/{id} and /a/{bookmark_id} are one route; {proxy+} stays greedy."""
    return re.sub(r"\{[^}/+]+\}", "{}", re.sub(r"\{[^}/]+\+\}", "{+}", path))


def _api_routes(cfn: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """{(HTTP API logical id, METHOD or ANY, path or $default): its operation} from each API's OpenAPI Body, where
    SAM puts the routes of HttpApi events."""
    routes = {}
    for api, res in _of_type(cfn, "AWS::ApiGatewayV2::Api").items():
        for path, item in (_props(res).get("Body") or {}).get("paths", {}).items():
            for key, operation in item.items():
                method = "ANY" if key == ANY_METHOD else key.upper() if key in METHODS else None
                if method and isinstance(operation, dict):
                    routes[(api, method, path)] = operation
    return routes


def _route_for(routes: dict[tuple[str, str, str], dict[str, Any]], method: str, path: str):
    """The route declared for `method path` that API Gateway picks: the same path (parameters named anyhow) with the
    method, else with ANY, else the longest greedy {proxy+} path above it, the method before ANY. $default is none:
    it takes what no route was declared for."""
    shape = _shape(path)
    for wanted in (method, "ANY"):
        for (api, m, p), operation in routes.items():
            if m == wanted and p != DEFAULT_ROUTE and _shape(p) == shape:
                return api, m, p, operation
    greedy = []
    for (api, m, p), operation in routes.items():
        above = _shape(p).removesuffix("{+}")  # /docs/{proxy+}: /docs/ and at least one segment below it
        if m in (method, "ANY") and _shape(p).endswith("{+}") and shape.startswith(above) and shape != above:
            greedy.append((len(above), m == method, (api, m, p, operation)))
    return max(greedy, key=lambda g: g[:2])[2] if greedy else None


def _request_paths(path: str) -> set[str]:
    """The resource paths a request to `path` can have in its execute-api ARN: with a value for each parameter, and
    as declared; without a trailing slash (API Gateway drops it, which is why SAM does: aws-sam-translator's
    eventsources/push.py, issue #665)."""
    concrete = re.sub(r"\{[^}/]+\}", "x1", re.sub(r"\{[^}/]+\+\}", "x1/x2", path))
    return {p.rstrip("/") or "/" for p in (concrete, path)}


def _stages(cfn: dict[str, Any], api: str) -> list[str]:
    stages = [str(_props(s).get("StageName")) for s in _of_type(cfn, "AWS::ApiGatewayV2::Stage").values()
              if _referenced(_props(s).get("ApiId")) == api]
    return stages or [DEFAULT_ROUTE]


def _route_problems(rehearsal: Rehearsal, *, api: str, route: str, operation: dict[str, Any], method: str,
                    path: str) -> list[str]:
    """What keeps `method path`, served by `route` of `api`, from reaching a function: no Lambda proxy integration,
    or no AWS::Lambda::Permission for API Gateway on the integration's function or alias whose SourceArn covers the
    request's execute-api ARN."""
    integration = operation.get(INTEGRATION)
    if not isinstance(integration, dict):
        return [f"{route}: no {INTEGRATION}"]
    problems = []
    if integration.get("type") != "aws_proxy":
        problems.append(f"{route}: integration type {integration.get('type')!r}, not aws_proxy")
    if str(integration.get("payloadFormatVersion")) != "2.0":
        problems.append(f"{route}: payloadFormatVersion {integration.get('payloadFormatVersion')!r}, the handlers "
                        "read 2.0")
    cfn, region = rehearsal.cfn, rehearsal.region
    target = _referenced(integration.get("uri"))
    resources = cfn["Resources"]
    if resources.get(target, {}).get("Type") not in (FUNCTION, ALIAS):
        return [*problems, f"{route}: integration uri {json.dumps(integration.get('uri'))} names no Lambda function "
                           "or alias of this template"]
    known = {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": ACCOUNT}
    requests = {f"arn:aws:execute-api:{region}:{ACCOUNT}:${{{api}}}/{stage}/{method}{p}"
                for stage in _stages(cfn, api) for p in _request_paths(path)}
    patterns = [pattern for perm in _of_type(cfn, "AWS::Lambda::Permission").values()
                if _props(perm).get("Principal") == APIGATEWAY
                and _props(perm).get("Action") in ("lambda:InvokeFunction", "lambda:*")
                and _referenced(_props(perm).get("FunctionName")) == target
                for pattern in [_render(_props(perm).get("SourceArn", "*"), known)] if pattern is not None]
    uncovered = sorted(arn for arn in requests if not any(fnmatch.fnmatchcase(arn, p) for p in patterns))
    if uncovered:
        problems.append(f"{route}: no AWS::Lambda::Permission lets {APIGATEWAY} invoke {target} "
                        f"({resources[target]['Type']}) as {', '.join(uncovered)}; its permissions: {patterns}")
    return problems


def _openapi_routes() -> list[tuple[str, str]]:
    paths = yaml.safe_load(OPENAPI.read_text())["paths"]
    return sorted((m.upper(), path) for path, item in paths.items() for m in item if m in METHODS)


# ---- the tests -------------------------------------------------------------------------------------------------

def test_the_transform_leaves_plain_cloudformation(cfn):
    left = {name: res["Type"] for name, res in cfn["Resources"].items() if res["Type"].startswith("AWS::Serverless::")}

    assert "Transform" not in cfn and left == {}, f"not transformed: {left}"


def test_every_route_of_openapi_yaml_reaches_its_function(rehearsal):
    """Each (method, path) of openapi.yaml has a route of the HTTP API declared for it (not just $default, which
    answers 404/405 here), with a Lambda proxy integration (payload 2.0) and an invoke permission that covers it.
    A function with AutoPublishAlias is invoked through its alias: integration and permission then name the
    AWS::Lambda::Alias."""
    cfn = rehearsal.cfn
    routes = _api_routes(cfn)
    problems = []
    for method, path in _openapi_routes():
        found = _route_for(routes, method, path)
        if found is None:
            fallback = [k for k in routes if k[2] == DEFAULT_ROUTE]
            problems.append(f"{method} {path}: no route of the HTTP API is declared for it"
                            + (f" (only {DEFAULT_ROUTE} would take it)" if fallback else ""))
            continue
        api, route_method, route_path, operation = found
        problems += [f"{method} {path} -> {p}" for p in _route_problems(
            rehearsal, api=api, route=f"{route_method} {route_path}", operation=operation, method=method, path=path)]

    assert problems == [], "routes of openapi.yaml that would not reach a function:\n" + "\n".join(problems)


def test_every_route_of_the_http_api_has_its_integration_and_invoke_permission(rehearsal):
    """The same for each route the template declares, the trailing-slash twins and $default included."""
    cfn = rehearsal.cfn
    problems = []
    for (api, method, path), operation in sorted(_api_routes(cfn).items()):
        request_method = "GET" if method == "ANY" else method
        request_path = "/no/such/route" if path == DEFAULT_ROUTE else path
        problems += _route_problems(rehearsal, api=api, route=f"{method} {path}", operation=operation,
                                    method=request_method, path=request_path)

    assert _api_routes(cfn), "no route in any AWS::ApiGatewayV2::Api Body"
    assert problems == [], "routes that would not reach a function:\n" + "\n".join(problems)


def test_every_function_has_a_log_group_with_a_retention(cfn):
    """Lambda writes to /aws/lambda/<function name> (or its LoggingConfig.LogGroup): a group the stack makes, with
    RetentionInDays, e.g. `LogGroupName: !Sub /aws/lambda/${HealthFunction}` (Ref of a function is its name)."""
    known = {"AWS::Partition": "aws"}
    groups: dict[str, list[tuple[str, Any]]] = {}  # log group name -> [(logical id, RetentionInDays)]
    log_groups = _of_type(cfn, "AWS::Logs::LogGroup")
    for name, res in log_groups.items():
        group = _render(_props(res).get("LogGroupName", {"Ref": name}), known)  # Ref of a log group is its name
        if group is not None:
            groups.setdefault(group, []).append((name, _props(res).get("RetentionInDays")))
    problems = []
    for name, res in sorted(_of_type(cfn, FUNCTION).items()):
        props = _props(res)
        function_name = _render(props.get("FunctionName", {"Ref": name}), known)
        configured = (props.get("LoggingConfig") or {}).get("LogGroup")
        if isinstance(configured, dict) and configured.get("Ref") in log_groups:  # the stack's own group, by Ref
            group = configured["Ref"]
            found = [(group, _props(log_groups[group]).get("RetentionInDays"))]
            destination = group
        else:
            destination = _render(configured, known) if configured is not None else f"/aws/lambda/{function_name}"
            found = groups.get(destination or "", [])
        if not found:
            problems.append(f"{name}: no AWS::Logs::LogGroup named {destination}")
        elif not any(retention is not None for _, retention in found):
            problems.append(f"{name}: {', '.join(g for g, _ in found)} ({destination}) has no RetentionInDays")

    assert problems == [], (f"{len(problems)} of {len(_of_type(cfn, FUNCTION))} functions would log to a group that "
                            "Lambda creates itself, kept forever:\n" + "\n".join(problems))


def _alarm_problems(name: str, props: dict[str, Any]) -> list[str]:
    problems = []
    metrics = props.get("Metrics")
    if metrics is not None:
        if not isinstance(metrics, list) or not metrics:
            return [f"{name}: Metrics is no list of metrics"]
        ids = set()
        for i, query in enumerate(metrics):
            ids.add(query.get("Id"))
            stat = query.get("MetricStat")
            if ("Expression" in query) == (stat is not None):
                problems.append(f"{name}: Metrics[{i}] needs one of MetricStat and Expression")
            elif stat is not None and not ({"MetricName", "Namespace"} <= set(stat.get("Metric") or {})
                                           and {"Period", "Stat"} <= set(stat)):
                problems.append(f"{name}: Metrics[{i}].MetricStat needs Metric (MetricName, Namespace), Period, Stat")
        if props.get("ThresholdMetricId") is not None and props["ThresholdMetricId"] not in ids:
            problems.append(f"{name}: ThresholdMetricId {props['ThresholdMetricId']!r} is no Id of its Metrics")
    elif not {"MetricName", "Namespace"} <= set(props):
        problems.append(f"{name}: no metric (MetricName and Namespace, or Metrics)")
    elif not ({"Statistic", "ExtendedStatistic"} & set(props) and "Period" in props):
        problems.append(f"{name}: MetricName {props['MetricName']!r} needs Statistic (or ExtendedStatistic) and Period")
    if props.get("Threshold") is None and props.get("ThresholdMetricId") is None:
        problems.append(f"{name}: neither Threshold nor ThresholdMetricId")
    for required in ("ComparisonOperator", "EvaluationPeriods"):
        if props.get(required) is None:
            problems.append(f"{name}: no {required}")
    return problems


def test_every_alarm_has_its_metric(cfn):
    alarms = _of_type(cfn, "AWS::CloudWatch::Alarm")
    if not alarms:
        pytest.skip("no AWS::CloudWatch::Alarm in the template (yet)")
    problems = [p for name, res in sorted(alarms.items()) for p in _alarm_problems(name, _props(res))]

    assert problems == [], "alarms CloudWatch would refuse or never evaluate:\n" + "\n".join(problems)


def _statements(cfn: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, statement) of every identity policy the stack makes: roles', users' and groups' inline Policies
    (SAM's Policies, policy templates expanded, land in the function's role) and each IAM Policy, ManagedPolicy
    and RolePolicy. Managed policy ARNs (AWSLambdaBasicExecutionRole) are references, no statements."""
    found = []
    for name, res in cfn["Resources"].items():
        if not res.get("Type", "").startswith("AWS::IAM::"):
            continue
        props = _props(res)
        documents = [(f"{name}.{p.get('PolicyName', i)}", p.get("PolicyDocument"))
                     for i, p in enumerate(props.get("Policies") or []) if isinstance(p, dict)]
        if "PolicyDocument" in props:
            documents.append((name, props["PolicyDocument"]))
        for where, document in documents:
            for doc in _alternatives(document):
                for statements in _alternatives(doc.get("Statement") if isinstance(doc, dict) else None):
                    for statement in statements if isinstance(statements, list) else [statements]:
                        found += [(where, s) for s in _alternatives(statement) if isinstance(s, dict)]
    return found


def test_no_policy_allows_every_resource(cfn):
    """No Allow statement with Resource "*" (alone or in its list) or NotResource (all but some: as broad). An ARN
    with a wildcard in it (a table's indexes, a group's streams) names its resources and is fine."""
    offenders = []
    for where, statement in _statements(cfn):
        if statement.get("Effect") != "Allow":
            continue
        if "NotResource" in statement:
            offenders.append(f"{where}: NotResource {json.dumps(statement['NotResource'])} "
                             f"for {json.dumps(statement.get('Action'))}")
        resources = [r for alt in _alternatives(statement.get("Resource"))
                     for item in (alt if isinstance(alt, list) else [alt]) for r in _alternatives(item)]
        if "*" in resources:
            offenders.append(f"{where}: Resource \"*\" for {json.dumps(statement.get('Action'))}")

    assert _statements(cfn), "no IAM policy statement found: the functions' roles carry their Policies"
    assert offenders == [], "policy statements that allow every resource:\n" + "\n".join(offenders)


def _references(value: Any, out: set[str]) -> None:
    """Names that Ref, GetAtt, Sub, If and DependsOn use in `value` (prefixed `condition:` for conditions)."""
    if isinstance(value, list):
        for item in value:
            _references(item, out)
    if not isinstance(value, dict):
        return
    match _intrinsic(value):
        case ("Ref", str(name)):
            out.add(name)
            return
        case ("Fn::GetAtt", [str(name), *_]) | ("Fn::GetAtt", str(name)):
            out.add(name.split(".")[0])
        case ("Fn::Sub", arg):
            text, names = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            out |= {m.split(".")[0] for m in re.findall(r"\$\{(?!!)([^}]+)\}", text) if m not in names}
        case ("Fn::If", [str(condition), *_]):
            out.add(f"condition:{condition}")
    for item in value.values():
        _references(item, out)


def test_every_reference_in_the_transformed_template_resolves(cfn):
    """What CloudFormation checks first ("Unresolved resource dependencies"): each Ref, GetAtt, Sub variable and
    DependsOn names a resource or a parameter, each Fn::If and Condition a condition. Catches an alarm, a log group
    or an output naming a function or alias under a name SAM does not give it."""
    resources, parameters = set(cfn["Resources"]), set(cfn.get("Parameters", {}))
    conditions = {f"condition:{c}" for c in cfn.get("Conditions", {})}
    known = resources | parameters | PSEUDO_PARAMETERS | conditions
    problems = []
    for section in ("Resources", "Outputs", "Conditions"):
        for name, body in cfn.get(section, {}).items():
            used: set[str] = set()
            _references(body, used)
            if isinstance(body, dict) and section == "Resources":
                depends = body.get("DependsOn", [])
                used |= set([depends] if isinstance(depends, str) else depends)
                if "Condition" in body:
                    used.add(f"condition:{body['Condition']}")
            problems += [f"{section}.{name}: {ref}" for ref in sorted(used - known)]

    assert problems == [], "references to nothing in the transformed template:\n" + "\n".join(problems)


def test_every_samconfig_parameter_override_exists_in_the_template():
    parameters = _load_template().get("Parameters", {})
    problems = []
    for env, table in sorted(_environments().items()):
        for command, pairs in sorted(_overrides_by_command(table).items()):
            for key, value in pairs:
                if value is None:
                    problems.append(f"[{env}.{command}.parameters] {key!r}: not Key=Value")
                elif key not in parameters:
                    problems.append(f"[{env}.{command}.parameters] {key}: no such parameter in template.yaml")

    assert problems == [], ("samconfig.toml's parameter_overrides that `sam deploy` would send and CloudFormation "
                            "refuse:\n" + "\n".join(problems) + f"\n(the template's: {sorted(parameters)})")


def _value_problems(key: str, value: str, spec: dict[str, Any]) -> list[str]:
    problems = []
    kind = spec.get("Type", "String")
    values = [v.strip() for v in value.split(",")] if kind.startswith(("List<", "CommaDelimitedList")) else [value]
    if "AllowedValues" in spec:
        allowed = [str(v) for v in spec["AllowedValues"]]
        problems += [f"{key}={v!r}: not one of {allowed}" for v in values if v not in allowed]
    if kind == "Number":
        try:
            number = float(value)
        except ValueError:
            return [*problems, f"{key}={value!r}: not a Number"]
        if "MinValue" in spec and number < float(spec["MinValue"]):
            problems.append(f"{key}={value}: below MinValue {spec['MinValue']}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            problems.append(f"{key}={value}: above MaxValue {spec['MaxValue']}")
    if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
        problems.append(f"{key}={value!r}: does not match AllowedPattern {spec['AllowedPattern']!r}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        problems.append(f"{key}={value!r}: shorter than MinLength {spec['MinLength']}")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        problems.append(f"{key}={value!r}: longer than MaxLength {spec['MaxLength']}")
    return problems


def test_every_samconfig_parameter_override_is_a_value_its_parameter_accepts():
    parameters = _load_template().get("Parameters", {})
    problems = [f"[{env}.{command}.parameters] {p}"
                for env, table in sorted(_environments().items())
                for command, pairs in sorted(_overrides_by_command(table).items())
                for key, value in pairs if value is not None and key in parameters
                for p in _value_problems(key, value, parameters[key])]

    assert problems == [], "values CloudFormation would refuse:\n" + "\n".join(problems)


def test_every_parameter_without_a_default_is_set_by_each_deploying_environment():
    parameters = _load_template().get("Parameters", {})
    required = {name for name, spec in parameters.items() if "Default" not in spec}
    problems = []
    for env, table in sorted(_environments().items()):
        if "deploy" not in table:
            continue
        by_command = _overrides_by_command(table)
        given = {key for pairs in (by_command.get("global", []), by_command.get("deploy", [])) for key, _ in pairs}
        problems += [f"[{env}]: {name}" for name in sorted(required - given)]

    assert problems == [], ("parameters without a Default that an environment's `sam deploy` leaves unset "
                            "(CloudFormation: \"Parameters: [...] must have values\"):\n" + "\n".join(problems))
