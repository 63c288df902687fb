"""GET /api/v1/auth/tokens: the caller's API tokens, newest first, without their secrets. A login session only."""
from bookmarker import api_tokens
from bookmarker.auth import SessionRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("session")
def lambda_handler(request: SessionRequest) -> Result:
    return 200, api_tokens.listing(request.user_id)
