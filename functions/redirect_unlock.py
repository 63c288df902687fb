"""POST /{short_code}: a protected link's password (form fields or JSON) -> 302, the visit counted as a GET counts
it; wrong: 401, the form again for a browser. Its own function, so the redirect never loads bcrypt."""
from bookmarker import shortlinks, unlock
from bookmarker.errors import ApiError
from bookmarker.http import Answer, Request, Result, endpoint


def _error_page(request: Request, err: ApiError) -> Answer:
    return shortlinks.error_page(request.headers.get("accept", ""), err)


@endpoint(on_error=_error_page, max_body=unlock.MAX_BODY)
def lambda_handler(request: Request) -> Result:
    return unlock.unlock(request.path_params.get("short_code", ""), path=request.path,
                         content_type=request.headers.get("content-type", ""), body=request.body,
                         client_ip=request.source_ip, user_agent=request.headers.get("user-agent", ""))
