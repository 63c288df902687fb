"""GET /api/v1/bookmarks/{id}: one of the caller's bookmarks."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:read")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return 200, bookmarks.get(request.user_id, request.path_params.get("id", ""), request.base_url)
