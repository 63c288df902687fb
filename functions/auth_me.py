"""GET /api/v1/auth/me: the caller's account."""
from bookmarker import accounts
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return 200, accounts.me(request.user)
