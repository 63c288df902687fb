"""Start `python -m local` as a subprocess on a free port: for e2e tests and benchmarks."""

from __future__ import annotations

import ctypes
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from local.template import Template

REPO = Path(__file__).resolve().parents[1]
BANNER = re.compile(r" on (http://127\.0\.0\.1:\d+) \(DynamoDB: (?:embedded at )?(http://[^,)\s]+)")
START_TIMEOUT = 30

# A person's browser: the redirect counts its hits as visits; httpx's own User-Agent is a known bot's
# (bookmarker/bots.py).
PERSON = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM if pytest dies without running its finalizers (no orphan process).
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _developer_shell() -> dict[str, str]:
    # tests/conftest.py fills os.environ with the functions' test settings; `make run` starts without them.
    dropped = {*Template().merged_environment(), "SIGNING_KEY", "DYNAMODB_ENDPOINT_URL", "LOG_LEVEL"}
    return {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(("AWS_", "POWERTOOLS_"))}


class LocalApi:
    """One `python -m local` process; restart() keeps the state dir, as a developer's second `make run` does."""

    def __init__(self, state_dir: Path, env: dict[str, str] | None = None, record: Path | None = None):
        """record: a file the process appends its handlers' DynamoDB calls to (tests/iam/recorder.py), for the IAM
        tests; the process is then `python -m tests.iam.local_api`, the local API with the recorder installed."""
        self.state_dir = state_dir
        self.env = {**_developer_shell(), "PORT": "0", "LOCAL_STATE_DIR": str(state_dir), "BCRYPT_ROUNDS": "4",
                    # every test client is 127.0.0.1: the per-client limit has its own test
                    "CLIENT_MAX_ATTEMPTS": "1000000", "PYTHONUNBUFFERED": "1", **(env or {})}
        self.command = ["-m", "tests.iam.local_api", str(record)] if record else ["-m", "local"]
        self.process: subprocess.Popen[str] | None = None
        self.lines: list[str] = []  # everything the process printed (stdout and stderr)
        self.url = self.dynamodb_url = ""
        self.client: httpx.Client | None = None

    def start(self) -> LocalApi:
        self.lines.clear()
        banner: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen([sys.executable, *self.command], cwd=REPO, env=self.env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        preexec_fn=_die_with_parent)  # noqa: PLW1509 (only calls prctl)
        threading.Thread(target=self._read, args=(self.process, banner), daemon=True).start()
        try:
            line = banner.get(timeout=START_TIMEOUT)
        except queue.Empty:
            self.stop()
            raise RuntimeError("the local API did not start:\n" + "".join(self.lines)) from None
        match = BANNER.search(line)
        assert match is not None  # _read put only a banner line in the queue
        self.url, self.dynamodb_url = match.group(1), match.group(2)
        self.client = httpx.Client(base_url=self.url, timeout=10, headers={"user-agent": PERSON})
        return self

    def _read(self, process: subprocess.Popen[str], banner: queue.Queue[str]) -> None:
        assert process.stdout is not None  # started with stdout=PIPE
        for line in process.stdout:
            self.lines.append(line)
            if BANNER.search(line):
                banner.put(line)

    def stop(self) -> None:
        if self.client:
            self.client.close()
            self.client = None
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> LocalApi:
        self.stop()
        return self.start()

    def wait_for_line(self, pattern: str, timeout: float = 5) -> str:
        """The first printed line matching pattern (a regex), waiting for it to be printed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            time.sleep(0.02)
        raise AssertionError(f"no line matches {pattern!r} in:\n" + "".join(self.lines))

    def signup(self, username: str, password: str = "correct horse battery") -> str:
        """Register and log in a user through the API: their access token."""
        email = f"{username}@example.com"
        assert self.client is not None, "start() first"
        self.client.post("/api/v1/auth/register",
                         json={"username": username, "email": email, "password": password}).raise_for_status()
        login = self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        access: str = login.raise_for_status().json()["user"]["access"]
        return access
