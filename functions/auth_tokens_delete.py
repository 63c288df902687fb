"""DELETE /api/v1/auth/tokens/{id}: one of the caller's API tokens stops working at once. A login session only."""
from bookmarker import api_tokens
from bookmarker.auth import SessionRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("session")
def lambda_handler(request: SessionRequest) -> Result:
    api_tokens.revoke(request.user_id, request.path_params.get("id", ""))
    return 204, None
