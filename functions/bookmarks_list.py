"""GET /api/v1/bookmarks: the caller's bookmarks, newest first, by page or by cursor."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:read")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return 200, bookmarks.list_bookmarks(request.user_id, request.query, request.base_url)
