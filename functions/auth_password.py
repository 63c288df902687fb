"""POST /api/v1/auth/password: change the password; every earlier token stops working."""
from bookmarker import accounts
from bookmarker.auth import SessionRequest, authenticated
from bookmarker.http import Result, endpoint
from bookmarker.models import PasswordChangeIn, parse


@endpoint
@authenticated("session")
def lambda_handler(request: SessionRequest) -> Result:
    accounts.change_password(request.user, parse(PasswordChangeIn, request.body))
    return 204, None
