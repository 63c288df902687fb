"""The public redirect: short code -> 302 to the saved URL, counting the visit. Its imports stay light
(no pydantic, pyjwt or bcrypt): this is the path every shared link takes, cold starts included."""
import re
from html import escape

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from bookmarker import clock, urls
from bookmarker.errors import ApiError, NotFound
from bookmarker.http import Request, Response, problem
from bookmarker.log import logger
from bookmarker.store import bookmarks as store

_CODE = re.compile(r"[0-9A-Za-z_-]{4,64}")
NO_STORE = {"Cache-Control": "no-store"}


def redirect(request: Request) -> Response:
    code = request.path_params.get("short_code", "")
    link = store.find_by_short_code(code) if _CODE.fullmatch(code) else None
    if link is None:
        raise NotFound("no link with this code")
    if request.method != "HEAD" and not _count(link):
        raise NotFound("no link with this code")  # deleted between the lookup and the count
    return Response(302, "", {"Location": urls.ascii_form(link.url), **NO_STORE})


def _count(link: store.ShortLink) -> bool:
    """False when the link's bookmark is gone; True when counted, or when only the count failed."""
    try:
        store.count_visit(link, clock.iso_now())
    except store.LinkGone:
        return False
    except store.VisitNotCounted as exc:
        # Throttled or unreachable: the person still arrives; the miss is logged and counted.
        logger.warning("visit not counted", bookmark_id=link.bookmark_id, error=str(exc))
        with single_metric(name="VisitsNotCounted", unit=MetricUnit.Count, value=1,
                           namespace="Bookmarker") as metric:
            metric.add_dimension(name="service", value="bookmarker")
    return True


def prefers_html(accept: str) -> bool:
    """True when the Accept header ranks text/html above JSON (a browser); a tie goes to JSON."""
    def quality(media: str) -> float:
        best, best_specificity = 0.0, -1
        kind = media.split("/", maxsplit=1)[0]
        for part in accept.lower().split(","):  # media types and "q" are case-insensitive (RFC 9110)
            name, *params = [p.strip() for p in part.split(";")]
            q = 1.0
            for p in params:
                if p.startswith("q="):
                    try:
                        q = float(p[2:])
                    except ValueError:
                        q = 0.0
            specificity = 2 if name == media else 1 if name == f"{kind}/*" else 0 if name == "*/*" else -1
            if specificity > best_specificity:
                best, best_specificity = q, specificity
        return best

    return quality("text/html") > max(quality("application/json"), quality("application/problem+json"))


def error_page(request: Request, err: ApiError) -> dict:
    """Problem JSON, or for a browser the same status as a small plain page (no scripts, nothing external)."""
    answer = problem(err)
    if prefers_html(request.headers.get("accept", "")):
        answer["headers"]["Content-Type"] = "text/html; charset=utf-8"
        answer["body"] = (
            f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(err.title)}</title></head>"
            f"<body><h1>{escape(err.title)}</h1><p>{escape(err.detail or err.title)}</p></body></html>"
        )
    answer["headers"].update(NO_STORE)
    return answer
