"""POST /api/v1/auth/password: change the password; every earlier token stops working."""
from bookmarker import accounts
from bookmarker.auth import authenticated
from bookmarker.http import Request, endpoint
from bookmarker.models import PasswordChangeIn, parse


@endpoint
@authenticated
def lambda_handler(request: Request):
    accounts.change_password(request.user, parse(PasswordChangeIn, request.body))
    return 204, None
