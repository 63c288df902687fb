"""PATCH /api/v1/bookmarks/{id}: change some fields of a bookmark; {} changes nothing."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint
from bookmarker.models import BookmarkPatch, parse


@endpoint
@authenticated("bookmarks:write")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    data = parse(BookmarkPatch, request.body)
    return 200, bookmarks.patch(request.user_id, request.path_params.get("id", ""), data, request.base_url)
