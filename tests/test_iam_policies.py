"""Each DynamoDB call a handler made in this session is granted by its own function's Policies in
template.yaml, and each grant is used or says why not. moto and the local API enforce no IAM (docs/iam.md).
tests/conftest.py runs these last: they judge what every other test recorded."""
from pathlib import Path

import pytest

from tests.conftest import DESELECTED, IAM_REPORT, TEMPLATE
from tests.iam import recorder
from tests.iam.policy import Policies

TESTS = Path(__file__).resolve().parent
SUITES = ("handlers", "e2e")  # the suites that run handlers: in-process, and behind the local API


@pytest.fixture(scope="module")
def calls(dynamodb_calls_dir) -> set[recorder.Call]:
    return recorder.installed().calls | recorder.load(sorted(dynamodb_calls_dir.glob("*.jsonl")))


@pytest.fixture(scope="module")
def policies() -> Policies:
    return Policies(TEMPLATE)


def _report(config: pytest.Config, lines: list[str]) -> None:
    print("\n".join(lines))
    config.stash.setdefault(IAM_REPORT, []).extend(lines)  # shown in the terminal summary


def _part_of_the_suites(session: pytest.Session) -> str | None:
    """Why this session cannot tell a grant is unused, or None when it ran every handler and e2e test."""
    ran = {item.path for item in session.items}
    missing = sorted(str(p.relative_to(TESTS.parent)) for suite in SUITES
                     for p in (TESTS / suite).glob("test_*.py") if p not in ran)
    if missing:
        return (f"unused grants are judged only when the session runs all of tests/handlers and tests/e2e; "
                f"{len(missing)} of their files did not run ({missing[0]}, ...)")
    if any(set(item.path.relative_to(TESTS).parts[:1]) & set(SUITES)
           for item in session.config.stash.get(DESELECTED, [])):
        return "unused grants are judged only when no handler or e2e test is deselected (-k, --deselect)"
    return None


def test_every_dynamodb_call_is_granted_by_its_functions_own_policy(calls, policies, request):
    if not calls:
        pytest.skip("no function's handler made a DynamoDB call in this session: nothing to check")

    denied = policies.denied(calls)

    _report(request.config, [f"{len(calls)} distinct DynamoDB calls by {len({c.function for c in calls})} "
                             f"functions checked; {len(denied)} not granted"])
    assert denied == [], ("AccessDenied in AWS (a 500): add these to the function's Policies in template.yaml\n"
                          + "\n".join(f"  {c.function}: {c.action} on {policies.arn(c)}" for c in denied))


def test_every_grant_is_used_or_justified_beside_it(calls, policies, request):
    if reason := _part_of_the_suites(request.session):
        pytest.skip(reason)

    unused = policies.unused(calls)

    justified = [f"  {g}: {g.justification}" for g in unused if g.justification]
    unjustified = [f"  {g}" for g in unused if not g.justification]
    stale = [f"  {g}" for grants in policies.grants.values() for g in grants if g.justification and g not in unused]
    _report(request.config, [f"unused grants: {len(unused)}, {len(justified)} justified", *justified,
                             *unjustified])
    assert unjustified == [], ("never used by the suites: remove them (least privilege), or write "
                               "`# unused offline: <why>` on the action's line or the line above it\n"
                               + "\n".join(unjustified))
    assert stale == [], "used after all: drop the `# unused offline` comment\n" + "\n".join(stale)
