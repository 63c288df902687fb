"""`python -m local` (make run): the local API on 127.0.0.1:${PORT:-3000} with an embedded or given DynamoDB."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from local.dynamo import LocalDynamo, signing_key, state_dir
from local.iam import RECORD_ENV
from local.iam import install as install_recorder
from local.server import LocalApiServer
from local.template import DEFAULT_TEMPLATE, Template


def local_environment(template: Template, *, base_url: str, dynamodb_url: str, key: str,
                      user_env: Mapping[str, str]) -> dict[str, str]:
    """The environment the handlers see: the template's, adjusted for a laptop; the user's (non-empty) values win."""
    env = {**template.merged_environment(), "DYNAMODB_ENDPOINT_URL": dynamodb_url, "SIGNING_KEY": key,
           "POWERTOOLS_LOG_LEVEL": user_env.get("LOG_LEVEL", "WARNING"),
           "POWERTOOLS_METRICS_NAMESPACE": "Bookmarker", "POWERTOOLS_TRACE_DISABLED": "true"}
    if not env.get("PUBLIC_BASE_URL"):
        env["PUBLIC_BASE_URL"] = base_url
    return {**env, **{name: user_env[name] for name in env if user_env.get(name)}}


def aws_defaults(user_env: Mapping[str, str], *, embedded: bool) -> dict[str, str]:
    region = user_env.get("AWS_REGION") or user_env.get("AWS_DEFAULT_REGION") or "us-east-1"
    env = {"AWS_REGION": region, "AWS_DEFAULT_REGION": user_env.get("AWS_DEFAULT_REGION", region)}
    if embedded and not user_env.get("AWS_ACCESS_KEY_ID"):
        env.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})  # moto accepts any
        env.pop("AWS_SESSION_TOKEN", None)
    return env


def _shown(path: Path) -> str:
    try:
        return f"{path.resolve().relative_to(Path.cwd())}/"
    except ValueError:
        return str(path)


def main() -> int:
    template = Template(os.environ.get("LOCAL_TEMPLATE") or DEFAULT_TEMPLATE)
    if record := os.environ.get(RECORD_ENV):  # the tests' IAM check: before any DynamoDB client is made
        install_recorder(template, Path(record))
    directory = state_dir()
    given_endpoint = os.environ.get("DYNAMODB_ENDPOINT_URL")
    os.environ.update(aws_defaults(os.environ, embedded=given_endpoint is None))

    dynamo = LocalDynamo(template, directory, given_endpoint, region=os.environ["AWS_REGION"])
    port = int(os.environ.get("PORT") or 3000)
    try:
        server = LocalApiServer(template, ("127.0.0.1", port), dynamo.mark_dirty)
    except OSError as err:
        print(f"Cannot listen on 127.0.0.1:{port} ({err.strerror}); try PORT=3001 make run", file=sys.stderr)
        return 1
    base_url = f"http://127.0.0.1:{server.server_port}"
    dynamodb_url = dynamo.start()
    os.environ.update(local_environment(template, base_url=base_url, dynamodb_url=dynamodb_url,
                                        key=os.environ.get("SIGNING_KEY") or signing_key(directory),
                                        user_env=dict(os.environ)))

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    where = (f"embedded at {dynamodb_url}, state in {_shown(directory)}" if dynamo.embedded
             else f"{dynamodb_url}")
    print(f"Bookmarker local API on {base_url} (DynamoDB: {where})", flush=True)
    while not stop.wait(0.5):
        pass

    print("Stopping" + (": saving state" if dynamo.embedded else ""), flush=True)
    server.shutdown()
    server.server_close()
    dynamo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
