"""GET /openapi.json: the API's OpenAPI document (openapi.yaml, shipped in the layer) as JSON."""
from bookmarker import docs
from bookmarker.http import Request, Result, endpoint


@endpoint
def lambda_handler(request: Request) -> Result:
    return docs.openapi(request.headers)
