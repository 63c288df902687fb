"""POST /api/v1/auth/register: create an account."""
from bookmarker import accounts
from bookmarker.http import Request, endpoint
from bookmarker.models import RegisterIn, parse


@endpoint
def lambda_handler(request: Request):
    return 201, accounts.register(parse(RegisterIn, request.body)), {"Location": "/api/v1/auth/me"}
