"""GET /openapi.json: the API's OpenAPI document (openapi.yaml, shipped in the layer) as JSON."""
from bookmarker import docs
from bookmarker.http import Request, endpoint


@endpoint
def lambda_handler(request: Request):
    return docs.openapi(request.headers)
