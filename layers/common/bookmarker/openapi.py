"""The OpenAPI document this layer ships (the repo's openapi.yaml links to it), parsed once a container."""
import functools
from pathlib import Path
from typing import Any

SPEC = Path(__file__).with_name("openapi.yaml")


@functools.cache
def spec() -> dict[str, Any]:
    """The fallback's routes and /openapi.json both read it."""
    import yaml  # here, not at the top: only the fallback and the docs functions pay for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    return document
