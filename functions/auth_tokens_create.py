"""POST /api/v1/auth/tokens: a personal API token, its secret shown in this answer only. A login session only."""
from bookmarker import api_tokens
from bookmarker.auth import SessionRequest, authenticated
from bookmarker.http import Result, endpoint
from bookmarker.models import TokenIn, parse


@endpoint
@authenticated("session")
def lambda_handler(request: SessionRequest) -> Result:
    return 201, api_tokens.mint(request.user_id, parse(TokenIn, request.body))
