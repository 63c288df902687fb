"""GET and HEAD /{short_code}: 302 to the saved link; GET counts the visit. Public, and the hot path."""
from bookmarker import shortlinks
from bookmarker.errors import ApiError
from bookmarker.http import Answer, Request, Result, endpoint


def _error_page(request: Request, err: ApiError) -> Answer:
    return shortlinks.error_page(request.headers.get("accept", ""), err)


@endpoint(on_error=_error_page)
def lambda_handler(request: Request) -> Result:
    return shortlinks.redirect(request.path_params.get("short_code", ""), count=request.method != "HEAD",
                               user_agent=request.headers.get("user-agent", ""))
