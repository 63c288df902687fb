"""$default: every request no route took; unknown paths 404, wrong methods 405 with Allow."""
from typing import NoReturn

from bookmarker import routing
from bookmarker.http import Request, endpoint


@endpoint
def lambda_handler(request: Request) -> NoReturn:
    raise routing.unmatched(request.method, request.path)
