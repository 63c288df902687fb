"""GET /: 302 to the API's docs."""
from bookmarker import docs
from bookmarker.http import Request, Result, endpoint


@endpoint
def lambda_handler(request: Request) -> Result:
    return docs.root()
