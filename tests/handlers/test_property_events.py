"""Arbitrary payload 2.0 events, for every handler in template.yaml: never an unhandled exception, never a 5xx."""
import base64
import importlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TEMPLATE, make_event

HANDLERS = sorted({(r.route_key, r.handler) for r in TEMPLATE.routes if not r.path.endswith("/") or r.path == "/"})
text = st.text(max_size=300)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                           max_leaves=12)
# URL-shaped strings reach the URL parser's corners (unclosed IPv6 brackets, odd ports, schemes).
url_like = st.builds(lambda head, rest: head + rest,
                     st.sampled_from(["http://", "https://", "HTTP://", "http://[", "https://[::1", "ftp://", "//",
                                      "http://example.com:", "javascript:", ""]), text)
bodies = st.one_of(
    st.none(),
    text,
    json_values.map(json.dumps),
    st.fixed_dictionaries({}, optional={"url": url_like | json_values, "body": json_values, "email": json_values,
                                        "password": json_values, "username": json_values,
                                        "current_password": json_values, "new_password": json_values})
      .map(json.dumps),
    st.binary(max_size=300).map(lambda b: ("b64", base64.b64encode(b).decode())),
    text.map(lambda t: ("b64", t)),  # claims base64, may not be
)


@pytest.mark.parametrize(("route", "handler"), HANDLERS)
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_event_makes_a_handler_fail(alice, lambda_context, route, handler, data):
    fn = getattr(importlib.import_module(handler.split(".")[0]), handler.split(".")[1])
    body = data.draw(bodies, label="body")
    token = data.draw(st.sampled_from([None, alice.access, alice.refresh, "x.y.z"]) | text, label="token")
    params = {name: data.draw(text, label=name) for name in ("id", "short_code") if "{" + name + "}" in route}
    event = make_event(route, path_params=params or None, token=token or None,
                       query=data.draw(text, label="query"),
                       headers=data.draw(st.dictionaries(st.sampled_from(["accept", "content-type", "origin",
                                                                          "user-agent", "x-forwarded-for"]),
                                                         text, max_size=3), label="headers"))
    if isinstance(body, tuple):
        event["body"], event["isBase64Encoded"] = body[1], True
    elif body is not None:
        event["body"] = body

    out = fn(event, lambda_context)

    assert isinstance(out["statusCode"], int)
    assert out["statusCode"] < 500, out
