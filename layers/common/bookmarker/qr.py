"""QR codes: a bookmark's short URL as an SVG or PNG image, sized in whole modules, revalidated by ETag."""
import io
import re
from collections.abc import Mapping

from bookmarker import bookmarks, query
from bookmarker.docs import current, etag
from bookmarker.errors import BadRequest
from bookmarker.http import Response
from bookmarker.query import Query

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}  # the first is the default
SIZE_MIN, SIZE_MAX, SIZE_DEFAULT = 64, 2048, 256  # pixels, the image's width and height (API.md)
QUIET_ZONE = 4  # modules of light margin on each side: the least ISO/IEC 18004 asks, and what scanners expect
ERROR_LEVEL = "m"  # recovers 15% of the code: a printed or photographed code survives a smudge
# The image's bytes follow from these alone (the short URL never changes for a bookmark id), so the ETag is known
# without drawing; a custom alias later changes the short URL, hence revalidation rather than max-age.
CACHE = "private, no-cache"
_SIZE = re.compile(r"[0-9]{1,5}")


def image(owner: str, bookmark_id: str, params: Query, asked: Mapping[str, str], base: str) -> Response:
    """GET /api/v1/bookmarks/{id}/qr. `asked`: the request's (lower-cased) headers, for If-None-Match."""
    fmt = query.one(params, "format")
    fmt = next(iter(FORMATS)) if fmt is None else fmt
    if fmt not in FORMATS:  # "format=" too, as the export's
        raise BadRequest("format: svg or png", code="invalid_format",
                         errors=[{"field": "format", "message": "svg or png"}])
    size = _size(query.one(params, "size"))
    short_url = bookmarks.get(owner, bookmark_id, base)["short_url"]  # another user's bookmark: 404 as GET's
    headers = {"Cache-Control": CACHE, "ETag": etag(f"{short_url}\n{fmt}\n{size}".encode())}
    if current(asked, headers["ETag"]):
        return Response(304, b"", headers)
    return Response(200, _render(short_url, fmt, size), {"Content-Type": FORMATS[fmt], **headers})


def _size(raw: str | None) -> int:
    if raw is None:
        return SIZE_DEFAULT
    if not _SIZE.fullmatch(raw) or not SIZE_MIN <= int(raw) <= SIZE_MAX:
        raise BadRequest(f"size must be an integer from {SIZE_MIN} to {SIZE_MAX}", code="invalid_size",
                         errors=[{"field": "size", "message": f"an integer from {SIZE_MIN} to {SIZE_MAX}"}])
    return int(raw)


def _render(content: str, fmt: str, size: int) -> str | bytes:
    """The code at the largest whole number of pixels a module whose image, quiet zone included, is at most
    `size` pixels wide: SVG as text, PNG as bytes (the endpoint sends them base64-encoded)."""
    import segno  # here, not at the top: only this function's requests pay for loading it

    code = segno.make_qr(content, error=ERROR_LEVEL)  # never a Micro QR, which many phone cameras do not read
    modules = code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    scale = size // modules
    if scale < 1:  # a short URL of over ~180 bytes: no alias or domain of ours comes near it
        raise BadRequest(f"this bookmark's QR code needs a size of at least {modules}", code="invalid_size",
                         errors=[{"field": "size", "message": f"at least {modules} for this bookmark"}])
    out = io.BytesIO()
    # Light modules drawn white, not left transparent: a code on a dark page must still scan.
    code.save(out, kind=fmt, scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    return out.getvalue().decode("utf-8") if fmt == "svg" else out.getvalue()
