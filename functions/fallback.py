"""$default: every request no route took; unknown paths 404, wrong methods 405 with Allow."""
from bookmarker import routing
from bookmarker.http import Request, endpoint


@endpoint
def lambda_handler(request: Request):
    raise routing.unmatched(request.method, request.path)
