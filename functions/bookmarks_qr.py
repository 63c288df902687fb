"""GET /api/v1/bookmarks/{id}/qr: the QR code of one of the caller's bookmarks' short URL, as SVG or PNG."""
from bookmarker import qr
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:read")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return qr.image(request.user_id, request.path_params.get("id", ""), request.query, request.headers,
                    request.base_url)
