"""URL equality for bookmarks (API.md): scheme and host lower-cased, default port dropped, empty path as /."""
import hashlib
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize(url: str) -> str:
    parts = urlsplit(url)
    scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    if ":" in host:
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if "@" in parts.netloc else "") + host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def url_key(url: str) -> str:
    """Key attributes are limited to 1-2 KB and URLs may be 2 KB: claims are keyed by a digest."""
    return hashlib.sha256(normalize(url).encode("utf-8")).hexdigest()
