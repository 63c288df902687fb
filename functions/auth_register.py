"""POST /api/v1/auth/register: create an account."""
from bookmarker import accounts
from bookmarker.http import Request, Result, endpoint
from bookmarker.models import RegisterIn, parse


@endpoint
def lambda_handler(request: Request) -> Result:
    created = accounts.register(parse(RegisterIn, request.body), request.source_ip)
    return 201, created, {"Location": "/api/v1/auth/me"}
