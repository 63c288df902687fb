"""PUT /api/v1/bookmarks/{id}: replace a bookmark (same id, same short code); left-out fields reset."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint
from bookmarker.models import BookmarkIn, parse


@endpoint
@authenticated("bookmarks:write")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    data = parse(BookmarkIn, request.body)
    return 200, bookmarks.replace(request.user_id, request.path_params.get("id", ""), data, request.base_url)
