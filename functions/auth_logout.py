"""POST /api/v1/auth/logout: every token issued to the caller so far stops working."""
from bookmarker import accounts
from bookmarker.auth import SessionRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("session")
def lambda_handler(request: SessionRequest) -> Result:
    accounts.logout(request.user)
    return 204, None
