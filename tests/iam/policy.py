"""Each function's DynamoDB grants, read from template.yaml's Policies, and calls decided as IAM decides them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from local.template import ACCOUNT_ID, CfnLoader, Template, TemplateError
from tests.iam.recorder import Call

# Written beside a grant the offline suites cannot reach, on the action's own line or the line above it.
JUSTIFIED = re.compile(r"#\s*unused offline:\s*(\S.*?)\s*$")
UNSUPPORTED_KEYS = ("NotAction", "NotResource", "Condition")


@dataclass(frozen=True)
class Grant:
    function: str
    effect: str  # Allow or Deny
    action: str  # as written, wildcards included: dynamodb:GetItem, dynamodb:Get*, dynamodb:*
    resource: str  # the resolved ARN pattern
    line: int  # template.yaml's line (1-based) that names the action
    justification: str | None = None  # why it is not used offline: the `# unused offline: <why>` beside it

    def covers(self, action: str, resource: str) -> bool:
        # IAM: action names ignore case, ARNs do not; * is any run of characters, ? is one.
        return _like(self.action, action, case=False) and _like(self.resource, resource, case=True)

    def __str__(self) -> str:
        return f"{self.function}: {self.effect} {self.action} on {self.resource} (template.yaml:{self.line})"


@functools.cache
def _pattern(pattern: str, case: bool) -> re.Pattern[str]:
    regex = ".*".join(".".join(re.escape(part) for part in piece.split("?")) for piece in pattern.split("*"))
    return re.compile(regex, 0 if case else re.IGNORECASE)


def _like(pattern: str, value: str, *, case: bool) -> bool:
    return _pattern(pattern, case).fullmatch(value) is not None


def _is_dynamodb(action: str) -> bool:
    return _like(action.split(":", 1)[0], "dynamodb", case=False)


class Policies:
    """The DynamoDB statements of every function's `Policies` in a template, with their lines."""

    def __init__(self, template: Template):
        self.template = template
        self.lines = template.path.read_text().splitlines()
        self.grants: dict[str, list[Grant]] = {lid: [] for lid in template.functions}
        loader = CfnLoader("\n".join(self.lines))
        try:
            self._loader, root = loader, loader.get_single_node()
            resources = _child(root, "Resources")
            for lid in template.functions:
                policies = _child(_child(_child(resources, lid), "Properties"), "Policies")
                for policy in _items(policies):
                    self._read_policy(lid, policy)
        finally:
            loader.dispose()

    def arn(self, call: Call) -> str:
        if call.table is None:
            return "*"
        table = call.table if call.table.startswith("arn:") else (
            f"arn:aws:dynamodb:{self.template.region}:{ACCOUNT_ID}:table/{call.table}")
        return f"{table}/index/{call.index}" if call.index else table

    def allows(self, call: Call) -> bool:
        """An Allow of its own function covers it and no Deny does (a table's ARN does not cover its index)."""
        matching = [g for g in self.grants.get(call.function, []) if g.covers(call.action, self.arn(call))]
        return any(g.effect == "Allow" for g in matching) and not any(g.effect == "Deny" for g in matching)

    def denied(self, calls: set[Call]) -> list[Call]:
        return sorted((c for c in calls if not self.allows(c)),
                      key=lambda c: (c.function, c.action, c.table or "", c.index or ""))

    def unused(self, calls: set[Call]) -> list[Grant]:
        """The Allow grants no recorded call of their function needed."""
        return [g for grants in self.grants.values() for g in grants if g.effect == "Allow"
                and not any(c.function == g.function and g.covers(c.action, self.arn(c)) for c in calls)]

    # ---- reading the YAML nodes, so that every action keeps its line -------------------------------

    def _value(self, node: yaml.Node) -> Any:
        return self.template.resolve(self._loader.construct_object(node, deep=True))

    def _read_policy(self, function: str, policy: yaml.Node) -> None:
        if isinstance(policy, yaml.ScalarNode):  # a managed policy, by name or ARN: its text is not here
            if "dynamodb" in str(policy.value).lower():
                raise TemplateError(f"{function}: cannot check managed policy {policy.value}; write its statements")
            return
        keys = [k.value for k, _ in policy.value]
        if "Statement" not in keys:  # a SAM policy template: {Name: {parameters}}
            if any(k.startswith("DynamoDB") for k in keys):
                raise TemplateError(f"{function}: cannot check policy template {keys}; write its statements")
            return  # not DynamoDB (AWSSecretsManagerGetSecretValuePolicy, ...)
        for statement in _items(_child(policy, "Statement")):
            self._read_statement(function, statement)

    def _read_statement(self, function: str, statement: yaml.Node) -> None:
        fields = {k.value: v for k, v in statement.value}
        actions = [(n.start_mark.line, self._value(n)) for n in _items(fields.get("Action"))]
        if not any(_is_dynamodb(action) for _, action in actions):
            return
        if unsupported := [k for k in UNSUPPORTED_KEYS if k in fields]:
            raise TemplateError(f"{function}: a statement with {unsupported} cannot be checked here")
        effect = self._value(fields["Effect"])
        resources = self._value(fields["Resource"])
        per_line: dict[int, int] = {}
        for line, _ in actions:
            per_line[line] = per_line.get(line, 0) + 1
        for line, action in actions:
            if not _is_dynamodb(action):
                continue
            why = self._justification(line)
            if why and per_line[line] > 1:
                raise TemplateError(f"template.yaml:{line + 1}: put an action justified as unused offline "
                                    "on a line of its own")
            for resource in resources if isinstance(resources, list) else [resources]:
                self.grants[function].append(Grant(function, effect, action, resource, line + 1, why))

    def _justification(self, line: int) -> str | None:
        if match := JUSTIFIED.search(self.lines[line]):
            return match.group(1)
        above = self.lines[line - 1].strip() if line else ""
        return match.group(1) if above.startswith("#") and (match := JUSTIFIED.match(above)) else None


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    if node is None:
        return []
    return list(node.value) if isinstance(node, yaml.SequenceNode) else [node]
