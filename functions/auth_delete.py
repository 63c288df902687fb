"""DELETE /api/v1/auth/me: delete the caller's account and all its bookmarks (short codes stay claimed)."""
from bookmarker import accounts
from bookmarker.auth import SessionRequest, authenticated
from bookmarker.http import Result, endpoint
from bookmarker.models import PasswordIn, parse


@endpoint
@authenticated("session")
def lambda_handler(request: SessionRequest) -> Result:
    accounts.delete_account(request.user, parse(PasswordIn, request.body))
    return 204, None
