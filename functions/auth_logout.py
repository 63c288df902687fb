"""POST /api/v1/auth/logout: every token issued to the caller so far stops working."""
from bookmarker import accounts
from bookmarker.auth import authenticated
from bookmarker.http import Request, endpoint


@endpoint
@authenticated
def lambda_handler(request: Request):
    accounts.logout(request.user)
    return 204, None
