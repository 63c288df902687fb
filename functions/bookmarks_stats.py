"""GET /api/v1/bookmarks/stats: visits and last visit of each of the caller's bookmarks."""
from bookmarker import bookmarks
from bookmarker.auth import authenticated
from bookmarker.http import Request, endpoint


@endpoint
@authenticated
def lambda_handler(request: Request):
    return 200, bookmarks.stats(request.user_id, request.query, request.base_url)
