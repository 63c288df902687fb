"""POST /api/v1/auth/login: email and password for an access and a refresh token."""
from bookmarker import accounts
from bookmarker.http import Request, Result, endpoint
from bookmarker.models import LoginIn, parse


@endpoint
def lambda_handler(request: Request) -> Result:
    return 200, accounts.login(parse(LoginIn, request.body), request.source_ip)
