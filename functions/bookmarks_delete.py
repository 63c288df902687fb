"""DELETE /api/v1/bookmarks/{id}: delete a bookmark; its short link then answers 404."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:write")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    bookmarks.delete(request.user_id, request.path_params.get("id", ""))
    return 204, None
