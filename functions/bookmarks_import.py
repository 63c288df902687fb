"""POST /api/v1/bookmarks/import: a browser's bookmark file (text/html) or a JSON list, up to 1,000 links."""
from bookmarker import transfer
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint(max_body=transfer.MAX_IMPORT_BYTES)
@authenticated("bookmarks:write")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return 200, transfer.import_file(request.user_id, request.headers.get("content-type", ""), request.body)
