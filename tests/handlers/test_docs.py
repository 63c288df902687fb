"""GET /openapi.json, /docs, /docs/{file} and /: the document, Swagger UI under a strict CSP, and the redirect."""
import base64
import gzip
import json

import yaml

import docs_page
import openapi_document
import root_redirect
from bookmarker.openapi import SPEC


def test_openapi_json_is_the_layers_openapi_yaml(api_event, lambda_context):
    out = openapi_document.lambda_handler(api_event("GET /openapi.json"), lambda_context)

    assert out["statusCode"] == 200
    assert out["headers"]["Content-Type"] == "application/json"
    assert json.loads(out["body"]) == json.loads(json.dumps(yaml.safe_load(SPEC.read_text()), default=str))


def test_openapi_json_is_gzipped_when_the_client_accepts_it(api_event, lambda_context):
    event = api_event("GET /openapi.json", headers={"accept-encoding": "br, gzip;q=0.8"})

    out = openapi_document.lambda_handler(event, lambda_context)

    assert out["isBase64Encoded"] is True
    assert out["headers"]["Content-Encoding"] == "gzip"
    assert out["headers"]["Vary"] == "Accept-Encoding"
    assert json.loads(gzip.decompress(base64.b64decode(out["body"])))["openapi"].startswith("3.0")


def test_the_docs_page_has_no_inline_script_and_a_strict_csp(api_event, lambda_context):
    for route in ("GET /docs", "GET /docs/"):
        out = docs_page.lambda_handler(api_event(route), lambda_context)

        assert out["statusCode"] == 200
        assert out["headers"]["Content-Type"] == "text/html; charset=utf-8"
        csp = out["headers"]["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert "<script>" not in out["body"]
        assert '<script src="/docs/swagger-init.js"></script>' in out["body"]


def test_static_files_have_their_content_type_gzip_and_cache_headers(api_event, lambda_context):
    event = api_event("GET /docs/{file}", path_params={"file": "swagger-ui-bundle.min.js"},
                      headers={"accept-encoding": "gzip, deflate"})

    out = docs_page.lambda_handler(event, lambda_context)

    assert out["statusCode"] == 200
    assert out["headers"]["Content-Type"] == "text/javascript; charset=utf-8"
    assert out["headers"]["Cache-Control"] == "public, max-age=3600"
    assert out["headers"]["Content-Encoding"] == "gzip"
    assert b"SwaggerUIBundle" in gzip.decompress(base64.b64decode(out["body"]))


def test_a_static_file_is_sent_plain_to_a_client_that_refuses_gzip(api_event, lambda_context):
    event = api_event("GET /docs/{file}", path_params={"file": "swagger-ui.min.css"},
                      headers={"accept-encoding": "gzip;q=0, identity"})

    out = docs_page.lambda_handler(event, lambda_context)

    assert out["headers"]["Content-Type"] == "text/css; charset=utf-8"
    assert "Content-Encoding" not in out["headers"]
    assert ".swagger-ui" in out["body"]


def test_a_file_the_client_holds_answers_304(api_event, lambda_context):
    event = api_event("GET /docs/{file}", path_params={"file": "swagger-init.js"})
    etag = docs_page.lambda_handler(event, lambda_context)["headers"]["ETag"]

    again = docs_page.lambda_handler(api_event("GET /docs/{file}", path_params={"file": "swagger-init.js"},
                                               headers={"if-none-match": etag}), lambda_context)

    assert again["statusCode"] == 304
    assert "body" not in again


def test_an_unknown_docs_file_is_a_404_problem(api_event, lambda_context):
    event = api_event("GET /docs/{file}", path_params={"file": "..%2Fconfig.py"})

    out = docs_page.lambda_handler(event, lambda_context)

    assert out["statusCode"] == 404
    assert out["headers"]["Content-Type"] == "application/problem+json"
    assert json.loads(out["body"])["code"] == "not_found"


def test_root_redirects_to_the_docs(api_event, lambda_context):
    out = root_redirect.lambda_handler(api_event("GET /"), lambda_context)

    assert out["statusCode"] == 302
    assert out["headers"]["Location"] == "/docs"
