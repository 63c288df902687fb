"""`python -m tests.iam.local_api SINK`: `python -m local` with the DynamoDB call recorder installed first, so that the
handlers' calls behind the local API are recorded into SINK (JSON lines) for tests/test_iam_policies.py."""

import os
import sys
from pathlib import Path

from local.__main__ import main
from local.template import DEFAULT_TEMPLATE, Template
from tests.iam import recorder

if __name__ == "__main__":
    # Before the local API makes any DynamoDB client: only clients created afterwards call the hook.
    recorder.install(Template(os.environ.get("LOCAL_TEMPLATE") or DEFAULT_TEMPLATE), Path(sys.argv[1]))
    sys.exit(main())
