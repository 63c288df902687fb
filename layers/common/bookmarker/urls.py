"""URLs: what the API accepts, when two are the same bookmark (docs/api.md), and the ASCII form a redirect's
`Location` carries. Light on imports: the redirect uses it."""
import hashlib
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_LENGTH = 2048        # code points, as given
MAX_ASCII_LENGTH = 4096  # the ASCII form: browsers and proxies cap a Location header's line near 8 KB
# Reserved characters and existing escapes stay as they are in the ASCII form.
_KEEP = "!#$%&'()*+,/:;=?@[]~"


def _netloc(parts: SplitResult, host: str, port: int | None) -> str:
    """userinfo@host:port, with an IPv6 literal in brackets again (urlsplit's hostname drops them)."""
    if ":" in host:
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0] + "@" if "@" in parts.netloc else ""
    return userinfo + host + (f":{port}" if port is not None else "")


def is_acceptable(url: str) -> bool:
    """Absolute http(s) with a host, at most 2048 code points, no whitespace, control character (C0, DEL,
    C1) or backslash anywhere (browsers read a backslash in the authority as a slash, so they could visit
    another host than the one checked here), and an ASCII form of at most 4096 characters."""
    if len(url) > MAX_LENGTH or "\\" in url or any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F
                                                    for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
        if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
            return False
        return len(ascii_form(url)) <= MAX_ASCII_LENGTH
    except ValueError:  # "http://[::1/" (an unclosed IPv6 bracket), a lone surrogate (no UTF-8 form)
        return False


def normalize(url: str) -> str:
    parts = urlsplit(url)
    scheme, port = parts.scheme.lower(), parts.port
    netloc = _netloc(parts, (parts.hostname or "").lower(), None if port == DEFAULT_PORTS.get(scheme) else port)
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def url_key(url: str) -> str:
    """Key attributes are limited to 1-2 KB and URLs may be 2 KB: claims are keyed by a digest."""
    return hashlib.sha256(normalize(url).encode("utf-8")).hexdigest()


def ascii_form(url: str) -> str:
    """The URL as a header can carry it: an IDNA host, the rest percent-encoded. An ASCII URL is itself."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = quote(host, safe="")
    netloc = quote(_netloc(parts, host, parts.port), safe=_KEEP)
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=_KEEP), quote(parts.query, safe=_KEEP),
                       quote(parts.fragment, safe=_KEEP)))
