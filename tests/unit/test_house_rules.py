"""Rules of the house that a grep can hold."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEMPLATE

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.joinpath("functions").rglob("*.py"), *ROOT.joinpath("layers").rglob("*.py")]


def test_no_scan_in_functions_or_the_layer():
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(r"\bscan\s*\(|\bScan\b", p.read_text())]

    assert offenders == []


def test_only_the_store_talks_to_dynamodb():
    outside = [p for p in SOURCES if "store" not in p.parts]
    offenders = [str(p.relative_to(ROOT)) for p in outside
                 if re.search(r"botocore|boto3|TableName|\bKey\b=|ExpressionAttribute", p.read_text())]

    assert offenders == []


def test_handlers_stay_thin():
    fat = [p.name for p in ROOT.joinpath("functions").glob("*.py") if len(p.read_text().splitlines()) > 20]

    assert fat == []


# Public functions that must not pay for pydantic, pyjwt or bcrypt on a cold start.
LIGHT = {"redirect", "health", "fallback", "docs_page", "openapi_document", "root_redirect"}


@pytest.mark.parametrize("module", sorted(LIGHT))
def test_light_functions_import_neither_pydantic_nor_jwt_nor_bcrypt(module):
    code = (f"import sys; import {module}; "
            "print(','.join(m for m in ('pydantic', 'jwt', 'bcrypt', 'boto3', 'aws_xray_sdk') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "functions")])}

    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert out.stdout.strip() == ""


def test_every_function_reads_only_variables_the_template_gives_it():
    # Read by bookmarker.config.settings(): each function must have them in its own environment.
    needed = set(re.findall(r'env\["([A-Z_]+)"\]', (ROOT / "layers/common/bookmarker/config.py").read_text()))
    for fn in TEMPLATE.functions.values():
        assert needed <= set(fn.environment), fn.logical_id
