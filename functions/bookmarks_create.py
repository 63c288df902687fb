"""POST /api/v1/bookmarks: save a link for the caller and give it a short code (once per Idempotency-Key)."""
from bookmarker import bookmarks
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint
from bookmarker.models import BookmarkIn, parse


@endpoint
@authenticated("bookmarks:write")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    new = parse(BookmarkIn, request.body)
    return bookmarks.create_answer(request.user_id, new, request.base_url, request.headers.get("idempotency-key"))
