"""GET /: 302 to the API's docs."""
from bookmarker import docs
from bookmarker.http import Request, endpoint


@endpoint
def lambda_handler(request: Request):
    return docs.root()
