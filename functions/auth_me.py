"""GET /api/v1/auth/me: the caller's account."""
from bookmarker import accounts
from bookmarker.auth import authenticated
from bookmarker.http import Request, endpoint


@endpoint
@authenticated
def lambda_handler(request: Request):
    return 200, accounts.me(request.user)
