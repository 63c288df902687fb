"""Rules of the house that a grep can hold."""
import ast
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


# Public functions that must not pay for pydantic, pyjwt or bcrypt on a cold start (nor for segno, the QR codes').
LIGHT = {"redirect", "health", "fallback", "docs_page", "openapi_document", "root_redirect"}


@pytest.mark.parametrize("module", sorted(LIGHT))
def test_light_functions_import_neither_pydantic_nor_jwt_nor_bcrypt(module):
    code = (f"import sys; import {module}; "
            "print(','.join(m for m in ('pydantic', 'jwt', 'bcrypt', 'boto3', 'aws_xray_sdk', 'segno', "
            "'crawlerdetect') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "functions")])}

    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert out.stdout.strip() == ""


def test_every_function_reads_only_variables_the_template_gives_it():
    # Read by bookmarker.config.settings(): each function must have them in its own environment.
    needed = set(re.findall(r'env\["([A-Z_]+)"\]', (ROOT / "layers/common/bookmarker/config.py").read_text()))
    for fn in TEMPLATE.functions.values():
        assert needed <= set(fn.environment), fn.logical_id


# ---- import directions (docs/architecture.md) ---------------------------------------------------------

PACKAGE = ROOT / "layers/common/bookmarker"
BASE = {"errors", "config", "log", "clock", "snapstart", "metrics"}
RULES = {"urls", "query", "paging", "tokens", "passwords", "keys", "openapi", "tags", "filters", "bots", "netscape"}
EDGE = {"http", "auth", "models"}
DOMAIN = {"accounts", "bookmarks", "shortlinks", "docs", "health", "routing", "transfer", "qr", "visits", "unlock",
          "api_tokens"}
ANSWER_PARTS = {"Response", "problem", "quality"}  # what the domain may take from http


def _imports(path: Path) -> list[tuple[str, set[str]]]:
    """(module, names) for each import of ours in a file: `from bookmarker.x import a` -> ("x", {"a"})."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bookmarker"):
            module = node.module.removeprefix("bookmarker").lstrip(".")
            names = {a.name for a in node.names}
            if not module:  # from bookmarker import clock, urls
                found += [(n, set()) for n in names]
            else:
                found.append((module, names))
        elif isinstance(node, ast.Import):
            found += [(a.name.removeprefix("bookmarker."), set()) for a in node.names
                      if a.name.startswith("bookmarker")]
    return found


def _layer(module: str) -> str:
    top = module.split(".", maxsplit=1)[0]
    if top == "store":
        return "store"
    for name, members in (("base", BASE), ("rules", RULES), ("edge", EDGE), ("domain", DOMAIN)):
        if top in members:
            return name
    raise AssertionError(f"bookmarker.{module} belongs to no layer: add it to docs/architecture.md and here")


ALLOWED = {
    "base": set(),
    "store": {"store", "base"},
    "rules": {"rules", "base"},
    "edge": {"edge", "rules", "store", "base"},
    "domain": {"domain", "rules", "store", "edge", "base"},
}


def test_every_module_of_the_layer_imports_only_from_the_layers_below_it():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "__init__.py":
            continue
        me = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for module, names in _imports(path):
            theirs = _layer(module)
            if theirs not in ALLOWED[_layer(me)]:
                wrong.append(f"{me} ({_layer(me)}) imports {module} ({theirs})")
            if _layer(me) == "domain" and module == "http" and not names <= ANSWER_PARTS:
                wrong.append(f"{me} takes {names - ANSWER_PARTS} from http: the domain takes plain values")
            if _layer(me) == "domain" and module == "auth":
                wrong.append(f"{me} imports auth: handlers authenticate, the domain gets the user")

    assert wrong == []


def test_handlers_import_the_edge_and_the_domain_only():
    wrong = [f"{path.name} imports {module}" for path in ROOT.joinpath("functions").glob("*.py")
             for module, _ in _imports(path) if _layer(module) not in ("edge", "domain", "base")]

    assert wrong == []
