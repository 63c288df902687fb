"""GET /api/v1/bookmarks/{id}/visits: one of the caller's bookmarks' visits per UTC day, zeros filled in."""
from bookmarker import visits
from bookmarker.auth import AuthenticatedRequest, authenticated
from bookmarker.http import Result, endpoint


@endpoint
@authenticated("bookmarks:read")
def lambda_handler(request: AuthenticatedRequest) -> Result:
    return 200, visits.per_day(request.user_id, request.path_params.get("id", ""), request.query)
