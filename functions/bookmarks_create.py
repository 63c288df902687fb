"""POST /api/v1/bookmarks: save a link for the caller and give it a short code."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint
from bookmarker.models import BookmarkIn, parse


@endpoint
@authenticated
def lambda_handler(request: AuthenticatedRequest) -> Result:
    created = bookmarks.create(request.user_id, parse(BookmarkIn, request.body), request.base_url)
    return 201, created, {"Location": f"/api/v1/bookmarks/{created['id']}"}
