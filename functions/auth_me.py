"""GET /api/v1/auth/me: the caller's account."""
from bookmarker import accounts
from bookmarker.auth import SessionRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("session")
def lambda_handler(request: SessionRequest) -> Result:
    return 200, accounts.me(request.user)
