"""GET /api/v1/bookmarks/check?url=: the caller's bookmark of a URL, or 404."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:read")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return 200, bookmarks.check(request.user_id, request.query, request.base_url)
