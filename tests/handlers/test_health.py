import json

import health


def test_health_answers_ok_and_the_version_without_a_token(api_event, lambda_context):
    out = health.lambda_handler(api_event("GET /api/v1/health"), lambda_context)

    assert out["statusCode"] == 200
    assert out["headers"]["Content-Type"] == "application/json"
    assert json.loads(out["body"]) == {"status": "ok", "version": "1.0.0"}
    assert out["headers"]["X-Content-Type-Options"] == "nosniff"
