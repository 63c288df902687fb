"""POST /api/v1/auth/token/refresh: a refresh token (as Bearer) for a new pair; the old one stops working."""
from bookmarker import accounts, tokens
from bookmarker.http import Request, endpoint


@endpoint
def lambda_handler(request: Request):
    return 200, accounts.refresh(tokens.bearer(request.headers))
