"""Every answer of every function carries the safe defaults, errors included."""
import importlib

import pytest

from tests.conftest import TEMPLATE, make_event

ROUTES = sorted({(r.route_key, r.handler) for r in TEMPLATE.routes if not r.path.endswith("/") or r.path == "/"})


@pytest.mark.parametrize(("route", "handler"), ROUTES)
@pytest.mark.parametrize("authorized", [False, True])
def test_every_answer_carries_the_security_headers(alice, lambda_context, route, handler, authorized):
    module, name = handler.split(".")
    params = {p: "01JD8X2Q7R5N3M4K6P9T0V1W2X" for p in ("id", "short_code", "file") if "{" + p + "}" in route}
    event = make_event(route, path_params=params or None, token=alice.access if authorized else None,
                       body={} if route.split()[0] in ("POST", "PUT", "PATCH", "DELETE") else None)

    out = getattr(importlib.import_module(module), name)(event, lambda_context)

    headers = {k.lower(): v for k, v in out["headers"].items()}
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["strict-transport-security"].startswith("max-age=")

