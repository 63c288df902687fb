"""GET /docs, /docs/ and /docs/{file}: Swagger UI for the API, its static files served as files of their own."""
from bookmarker import docs
from bookmarker.http import Request, Result, endpoint


@endpoint
def lambda_handler(request: Request) -> Result:
    return docs.page(request.path_params.get("file"), request.headers)
