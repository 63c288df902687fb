"""A TypeScript client typed from openapi.yaml (openapi-typescript, openapi-fetch) typechecks under strict, without
a cast, and works against the local API as it is. Its packages come from tests/e2e/typescript/package-lock.json."""
import hashlib
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from bookmarker.openapi import SPEC
from tests.e2e.helpers import PASSWORD, User, login

CLIENT = Path(__file__).with_name("typescript")
BIN = CLIENT / "node_modules" / ".bin"
# Written by `npm ci` below: the hash of the package files it installed from, so a rerun skips an install that
# would change nothing (npm ci always deletes node_modules first).
STAMP = CLIENT / "node_modules" / ".installed-from"
GENERATED = CLIENT / "generated" / "openapi.ts"
# Escape hatches from the generated types, in code (comments left out): a cast, `any`, a non-null assertion.
ESCAPES = re.compile(r"\bas\s+(?!const\b)[\w{(\[]|\bany\b|[\w)\]]!(?=[.\[;,)\s])")


def run(*command: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], cwd=CLIENT, capture_output=True, text=True,
                          timeout=timeout, check=False)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


@pytest.fixture(scope="module")
def typescript_client() -> Path:
    """tests/e2e/typescript with its locked packages installed and its types generated from openapi.yaml."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found on PATH: the TypeScript client test needs Node.js 20+ and npm "
                    "(Debian: apt-get install nodejs npm)")
    lock = hashlib.sha256((CLIENT / "package.json").read_bytes() + (CLIENT / "package-lock.json").read_bytes())
    if not STAMP.is_file() or STAMP.read_text() != lock.hexdigest():
        # Exactly the lock's versions, from the npm registry (or npm's cache); no package's install script runs
        # (none is needed: esbuild, under tsx, finds its platform binary in the package npm installed for it).
        installed = run("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", timeout=600)
        assert installed.returncode == 0, output(installed)
        STAMP.write_text(lock.hexdigest())

    generated = run(BIN / "openapi-typescript", SPEC, "--output", GENERATED)

    assert generated.returncode == 0, output(generated)
    return CLIENT


def test_the_typescript_client_typechecks_under_strict_without_a_cast(typescript_client):
    source = (typescript_client / "client.ts").read_text()
    code = re.sub(r"(^|\s)//.*", "", source)  # line comments (a URL's // follows a colon)

    # --incremental: a rerun on unchanged files takes half the time; its state lives and dies with node_modules.
    checked = run(BIN / "tsc", "--noEmit", "--strict", "--project", typescript_client / "tsconfig.json",
                  "--incremental", "--tsBuildInfoFile", BIN.parent / ".cache" / "client.tsbuildinfo")

    assert checked.returncode == 0, output(checked)
    assert [m.group(0) for m in ESCAPES.finditer(code)] == []
    assert "@ts-" not in source  # no @ts-ignore, @ts-expect-error or @ts-nocheck


def test_the_typescript_client_registers_logs_in_pages_patches_reads_a_409_and_deletes(typescript_client, local_api):
    suffix = uuid.uuid4().hex[:20]

    ran = run(BIN / "tsx", typescript_client / "client.ts", local_api.url, suffix)

    assert ran.returncode == 0, output(ran)
    lines = ran.stdout.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == [
        "register", "login", "create", "create", "create", "list page 1", "list by cursor", "patch", "duplicate",
        "delete", "kept"], output(ran)
    created = [line.split()[2] for line in lines if line.startswith("create:")]
    patched, deleted = lines[7].split()[2], lines[9].split()[2]
    kept = lines[10].split()[2:]
    assert lines[5].split()[4:6] == created[:0:-1]  # page 1 of 2: the two newest
    assert lines[6].split()[4] == created[0]  # then, by its next_cursor, the oldest
    assert lines[8].startswith("duplicate: 409 url_exists")
    assert lines[10].split()[1] == "2"
    # What it printed is what the API holds: the user's bookmarks, read by this test's own HTTP client.
    user = login(local_api.client, User(f"ts{suffix}", f"ts{suffix}@example.com", PASSWORD, "", ""))
    auth = {"Authorization": f"Bearer {user.access}"}
    held = local_api.client.get("/api/v1/bookmarks", params={"per_page": 100}, headers=auth).json()
    assert held["meta"]["total_count"] == 2
    assert [b["id"] for b in held["data"]] == kept == [created[2], created[0]]
    assert {b["id"]: b["body"] for b in held["data"]} == {created[2]: "note 3", patched: "patched"}
    assert deleted == created[1]
    assert local_api.client.get(f"/api/v1/bookmarks/{deleted}", headers=auth).status_code == 404
