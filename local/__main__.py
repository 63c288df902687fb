"""`python -m local` (make run): the local API on 127.0.0.1:${PORT:-3000} with an embedded or given DynamoDB."""

import os
import signal
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from local.dynamo import SAVE_EVERY_SECONDS, LocalDynamo, signing_key, state_dir
from local.server import serve
from local.template import DEFAULT_TEMPLATE, Template


def local_environment(template: Template, *, base_url: str, dynamodb_url: str, key: str,
                      user_env: Mapping[str, str]) -> dict[str, str]:
    """The environment the handlers see: the template's, adjusted for a laptop; the user's (non-empty) values win."""
    env = {**template.merged_environment(), "DYNAMODB_ENDPOINT_URL": dynamodb_url, "SIGNING_KEY": key,
           "POWERTOOLS_LOG_LEVEL": user_env.get("LOG_LEVEL", "WARNING"), "DYNAMODB_READ_TIMEOUT": "10",
           "POWERTOOLS_METRICS_NAMESPACE": "Bookmarker", "POWERTOOLS_TRACE_DISABLED": "true",
           "POWERTOOLS_METRICS_DISABLED": "true", "TRACING": "PassThrough"}  # no EMF lines in the terminal, no X-Ray
    env["PUBLIC_BASE_URL"] = env.get("PUBLIC_BASE_URL") or base_url
    return {**env, **{name: user_env[name] for name in env if user_env.get(name)}}


def main() -> int:
    template = Template(os.environ.get("LOCAL_TEMPLATE") or DEFAULT_TEMPLATE)
    directory = state_dir()
    given_endpoint = os.environ.get("DYNAMODB_ENDPOINT_URL")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    os.environ.update(AWS_REGION=region, AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION", region))
    if given_endpoint is None and not os.environ.get("AWS_ACCESS_KEY_ID"):
        os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})  # moto accepts any

    dynamo = LocalDynamo(template, directory, given_endpoint, region)
    port = int(os.environ.get("PORT") or 3000)
    try:
        server = serve(template, port, dynamo.changed)
    except OSError as err:
        print(f"Cannot listen on 127.0.0.1:{port} ({os.strerror(err.errno or 0)}); try PORT=3001 make run",
              file=sys.stderr)
        return 1
    base_url = f"http://127.0.0.1:{server.port}"
    dynamodb_url = dynamo.start()
    os.environ.update(local_environment(template, base_url=base_url, dynamodb_url=dynamodb_url,
                                        key=os.environ.get("SIGNING_KEY") or signing_key(directory),
                                        user_env=dict(os.environ)))

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    state = directory.resolve()
    shown = f"{state.relative_to(Path.cwd())}/" if state.is_relative_to(Path.cwd()) else directory
    where = f"embedded at {dynamodb_url}, state in {shown}" if dynamo.embedded else dynamodb_url
    print(f"Bookmarker local API on {base_url} (DynamoDB: {where})", flush=True)
    while not stop.wait(SAVE_EVERY_SECONDS):  # moto keeps data in memory only
        dynamo.save()
    print("Stopping" + (": saving state" if dynamo.embedded else ""), flush=True)
    server.shutdown()
    dynamo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
