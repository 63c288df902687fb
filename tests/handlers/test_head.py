"""HEAD on the service's own GET routes answers as GET would, without a body (link checkers use HEAD),
instead of falling into the short link route."""
import pytest

import docs_page
import health
import openapi_document
import root_redirect
from tests.conftest import TEMPLATE, FakeContext, make_event

ROUTES = [
    (health, "/api/v1/health", {}),
    (health, "/api/v1/health/", {}),
    (openapi_document, "/openapi.json", {}),
    (docs_page, "/docs", {}),
    (docs_page, "/docs/", {}),
    (docs_page, "/docs/{file}", {"file": "swagger-ui.min.css"}),
    (root_redirect, "/", {}),
]


@pytest.mark.parametrize(("module", "path", "params"), ROUTES)
def test_head_answers_as_get_without_a_body(module, path, params):
    get = module.lambda_handler(make_event(f"GET {path}", path_params=params), FakeContext())
    head = module.lambda_handler(make_event(f"HEAD {path}", path_params=params), FakeContext())

    assert head["statusCode"] == get["statusCode"] < 400
    assert "body" not in head
    assert head["headers"] == get["headers"]


def test_every_route_of_the_service_itself_has_its_head_route_in_the_template():
    routes = {(r.method, r.path) for r in TEMPLATE.routes}

    assert {("HEAD", path) for _, path, _ in ROUTES} <= routes
