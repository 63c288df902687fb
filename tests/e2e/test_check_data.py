"""`make check-data` next to `make run`: it finds the running local API's DynamoDB without being told, and
the saved state once the local API has stopped."""
import os
import subprocess
import sys

from local.dynamo import endpoint_file
from local.template import Template
from tests.e2e.helpers import new_user
from tests.harness import REPO


def check_data(state_dir) -> subprocess.CompletedProcess:
    """`python -m ops.check_data` as from a developer's shell: no table names, endpoint or credentials."""
    unset = {*Template().merged_environment(), "DYNAMODB_ENDPOINT_URL"}
    env = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("AWS_")}
    return subprocess.run([sys.executable, "-m", "ops.check_data"], cwd=REPO, capture_output=True, text=True,
                          env={**env, "LOCAL_STATE_DIR": str(state_dir)}, timeout=60, check=False)


def test_check_data_reads_the_running_local_api_then_its_saved_state(start_local_api, tmp_path):
    state = tmp_path / "state"
    api = start_local_api(state)
    token = new_user(api.client).access
    api.client.post("/api/v1/bookmarks", json={"url": "https://example.com/"},
                    headers={"authorization": f"Bearer {token}"}).raise_for_status()

    running = check_data(state)
    api.stop()
    stopped = check_data(state)

    assert running.returncode == 0, running.stdout + running.stderr
    assert api.dynamodb_url in running.stdout and "no problems" in running.stdout
    assert not endpoint_file(state).exists()
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "saved state" in stopped.stdout and "no problems" in stopped.stdout
