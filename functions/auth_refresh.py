"""POST /api/v1/auth/token/refresh: a refresh token (as Bearer) for a new pair; the old one stops working."""
from bookmarker import accounts
from bookmarker.auth import current_user
from bookmarker.http import Request, Result, endpoint


@endpoint
def lambda_handler(request: Request) -> Result:
    user, claims = current_user(request.headers, "refresh")
    return 200, accounts.refresh(user, claims["jti"])
