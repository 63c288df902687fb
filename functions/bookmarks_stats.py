"""GET /api/v1/bookmarks/stats: visits and last visit of each of the caller's bookmarks."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:read")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return 200, bookmarks.stats(request.user_id, request.query, request.base_url)
