"""GET and HEAD /{short_code}: 302 to the saved link; GET counts the visit. Public, and the hot path."""
from bookmarker import shortlinks
from bookmarker.http import Request, endpoint


@endpoint(on_error=shortlinks.error_page)
def lambda_handler(request: Request):
    return shortlinks.redirect(request)
