"""GET /api/v1/bookmarks/export: every bookmark of the caller, as a browser's bookmark file or JSON pages."""
from bookmarker import transfer
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:read")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    answer = transfer.export(request.user_id, request.query, request.base_url)
    return answer if not isinstance(answer, dict) else (200, answer)
