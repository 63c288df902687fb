"""GET /api/v1/tags: the caller's tags, each with how many bookmarks hold it, the most used first."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:read")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return 200, bookmarks.tags(request.user_id)
