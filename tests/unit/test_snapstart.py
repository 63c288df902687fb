"""SnapStart (template.yaml's SnapStart parameter): the functions it applies to publish versions, and what their init
made that must not be shared by every environment restored from one snapshot is renewed after a restore: the
DynamoDB client, `random`'s state, the cached signing secret. A fresh interpreter plays the runtime, with a
snapshot_restore_py of our own that records the hooks and runs them as a restore would."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from local.template import Template

ROOT = Path(__file__).resolve().parents[2]
# The runtime's module, as its documentation describes it: hooks registered at init, run after each restore.
RUNTIME = '''
hooks = []
def register_after_restore(func, *args, **kwargs):
    hooks.append(func)
    return func
def restore():
    for func in hooks:
        func()
'''
SNAPPED = {"RedirectFunction", "AuthRegisterFunction", "AuthLoginFunction", "AuthRefreshFunction", "AuthMeFunction",
           "AuthDeleteFunction", "AuthTokensCreateFunction", "AuthTokensListFunction", "AuthTokensDeleteFunction",
           "AuthLogoutFunction", "AuthPasswordFunction"}


def _properties() -> dict[str, dict]:
    resources = Template().doc["Resources"]
    return {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}


def test_snapstart_is_one_parameter_for_the_redirect_and_the_auth_functions_each_publishing_versions():
    functions = _properties()
    snapped = {name for name, p in functions.items() if "SnapStart" in p}

    assert snapped == SNAPPED
    for name in snapped:
        p = functions[name]
        assert p["SnapStart"] == {"ApplyOn": {"Fn::If": ["SnapStartOn", "PublishedVersions", "None"]}}, name
        # Only versions are snapshotted; a layer change must publish one too.
        assert p["AutoPublishAlias"] == "live" and p["AutoPublishAliasAllProperties"] is True, name
    assert Template().functions.keys() >= snapped  # the local API still reads them as functions


def _restored(tmp_path: Path, code: str, env: dict[str, str] | None = None) -> dict:
    (tmp_path / "snapshot_restore_py.py").write_text(RUNTIME)
    paths = [str(tmp_path), str(ROOT / "layers/common"), str(ROOT / "functions"), str(ROOT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "SIGNING_KEY": "", **(env or {})}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["redirect", "auth_login"])
def test_a_restore_renews_the_client_and_the_random_state(tmp_path, module):
    seen = _restored(tmp_path, f"""
import json, random
import snapshot_restore_py as runtime
import {module}
from bookmarker.store.client import client
before, state = client(), random.getstate()
runtime.restore()
print(json.dumps({{"hooks": sorted(f.__module__ for f in runtime.hooks), "new_client": client() is not before,
                  "reseeded": random.getstate() != state}}))
""")

    assert "bookmarker.store.client" in seen["hooks"]
    assert seen["new_client"] and seen["reseeded"]


def test_a_restore_reads_a_rotated_signing_secret_again(tmp_path):
    seen = _restored(tmp_path, """
import json
import boto3
from moto import mock_aws
import snapshot_restore_py as runtime
with mock_aws():
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    arn = secrets.create_secret(Name="signing", SecretString="before the snapshot")["ARN"]
    import os
    os.environ["SIGNING_SECRET_ARN"] = arn
    import auth_login
    from bookmarker.keys import signing_key
    snapshot = signing_key()
    secrets.put_secret_value(SecretId=arn, SecretString="rotated since")
    cached = signing_key()
    runtime.restore()
    print(json.dumps({"snapshot": snapshot.decode(), "cached": cached.decode(), "restored": signing_key().decode()}))
""", env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"})

    assert seen == {"snapshot": "before the snapshot", "cached": "before the snapshot", "restored": "rotated since"}


def test_without_the_runtime_module_nothing_is_registered():
    from bookmarker.snapstart import after_restore

    def renew() -> None:
        raise AssertionError("never run")

    assert "snapshot_restore_py" not in sys.modules
    assert after_restore(renew) is renew
