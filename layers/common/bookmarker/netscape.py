"""The Netscape bookmark file: the HTML that Chrome, Firefox and Safari export and import, read and written."""
import html
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from html.entities import html5
from html.parser import HTMLParser

from bookmarker.errors import BadRequest

DOCTYPE = "<!DOCTYPE NETSCAPE-Bookmark-file-1>"
HEADER = (f"{DOCTYPE}\n"
          "<!-- This is an automatically generated file.\n"
          "     It will be read and overwritten.\n"
          "     DO NOT EDIT! -->\n"
          '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
          "<TITLE>Bookmarks</TITLE>\n"
          "<H1>Bookmarks</H1>\n"
          "<DL><p>\n")
FOOTER = "</DL><p>\n"
# Bytes read as text: C0 and C1 controls (but tab, newlines and form feed) and U+FFFD, decoding's stand-in.
_CONTROLS = frozenset(map(chr, [*range(0x20), *range(0x7F, 0xA0), 0xFFFD])) - set("\t\n\r\f")
_SNIFF = 4096         # characters looked at for the share of controls
_MAX_DATE_DIGITS = 18  # any longer is no date, and int() refuses over 4300 digits
# Where html.unescape ends an entity's name ('&' too, but the value is split at each '&' first).
_NAME_END = "\t\n\f <#;"
_MAX_NAME = 32        # html.unescape reads at most 32 characters of a name


@dataclass(frozen=True)
class Link:
    url: str                 # the HREF as written (entity-decoded), not validated here
    title: str               # the anchor text, whitespace at both ends stripped
    description: str         # the text of the <DD> that follows the <DT><A>, stripped; "" when none
    tags: tuple[str, ...]    # the TAGS attribute split on commas, each stripped, empties dropped; () when none
    add_date: int | None     # ADD_DATE as an int (epoch seconds), None when absent or not an integer


def _invalid(detail: str) -> BadRequest:
    return BadRequest(detail, code="invalid_bookmark_file")


def _is_binary(text: str) -> bool:
    """A NUL anywhere, or controls in over a tenth of the first 4 KiB: bytes, not an exported HTML file."""
    start = text[:_SNIFF]
    return "\0" in text or sum(c in _CONTROLS for c in start) * 10 > len(start)


def _check_kind(text: str) -> None:
    if _is_binary(text):
        raise _invalid("not a Netscape bookmark file: it holds binary data (NUL or control characters)")
    start = text.lstrip(" \t\r\n\f\ufeff")[:len(DOCTYPE)]
    if start.lower() != DOCTYPE.lower():  # what Chrome, Firefox and Safari all write first
        raise _invalid(f"not a Netscape bookmark file: it does not start with {DOCTYPE}")


def _kept(ref: str) -> bool:
    """Whether '&' + ref starts with a legacy entity name (one allowed without its ';', as in "&copy") that an
    ASCII letter, digit or '=' follows: in an attribute HTML leaves that as written. The name is read as
    html.unescape reads it, so this is true exactly where the two part ways."""
    end = 0
    while end < min(len(ref), _MAX_NAME) and ref[end] not in _NAME_END:
        end += 1
    name = ref[:end + 1] if ref[end:end + 1] == ";" else ref[:end]
    if name in html5:
        return False
    for size in range(len(name) - 1, 1, -1):  # longest first, as html.unescape
        if name[:size] in html5:
            after = name[size]
            return after == "=" or (after.isascii() and after.isalnum())
    return False


def _unescape_attribute(raw: str) -> str:
    """An attribute decoded as HTML decodes it. Chrome and Firefox write a URL's '&' as is, and
    HREF="/?a=1&region=eu" must keep "&region": html.unescape, which HTMLParser uses, makes it "®ion"."""
    first, *refs = raw.split("&")
    return html.unescape(first + "".join(("&amp;" if _kept(ref) else "&") + ref for ref in refs))


class _RawTag(HTMLParser):
    """The attributes of one start tag as written: its every '&' escaped first, so the parser decodes none."""

    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[str, str | None]] = []
        self.feed(tag.replace("&", "&amp;"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found = attrs


def _attributes(tag: str | None, attrs: list[tuple[str, str | None]]) -> dict[str, str]:
    """Name -> value, decoded as HTML does; a bare attribute is "", and the first of two namesakes wins."""
    if tag and "&" in tag:
        attrs = [(name, _unescape_attribute(value or "")) for name, value in _RawTag(tag).found]
    return {name: value or "" for name, value in reversed(attrs)}


def _add_date(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and len(value) <= _MAX_DATE_DIGITS:
        return int(value)
    return None


def _tags(value: str | None) -> tuple[str, ...]:
    return tuple(tag for part in (value or "").split(",") if (tag := part.strip()))


@dataclass
class _Anchor:
    attributes: dict[str, str]
    text: list[str]


class _Reader(HTMLParser):
    """Links in document order. A <DL> is a folder's list; <DT> holds a link (<A>) or a folder (<H3>); a <DD>
    right after a link is its description. Browsers close none of <DT>, <DD> and <p>: an item ends where the
    next <DT>, <DD>, <DL>, </DL>, <HR> or <H3> starts. Other tags (<p>, <H1>, <META>) change nothing."""

    def __init__(self, max_links: int) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self._max_links = max_links
        self._seen = 0                 # links started, so the limit stops the parse at the first one over
        self._lists_opened = 0
        self._depth = 0                # <DL>s open
        self._in_item = False          # inside a <DT>, where an <A> is a link
        self._anchor: _Anchor | None = None
        self._after_link = False       # nothing but text since a link's </A>: a <DD> now describes it
        self._description: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open_anchor(_attributes(self.get_starttag_text(), attrs))
        elif tag in ("dt", "dd", "dl", "hr", "h3"):
            describes = self._item_boundary()
            if tag == "dd":
                self._description = [] if describes else None  # a folder's <DD> (after its <H3>): ignored
            if tag != "h3":
                self._in_item = tag == "dt"  # a folder's <H3> is inside its <DT>
            if tag == "dl":
                self._depth += 1
                self._lists_opened += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_anchor()
        elif tag == "dl":
            self._item_boundary()
            self._in_item = False
            self._depth = max(0, self._depth - 1)  # a stray </DL> is no truncation

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._anchor.text.append(data)
        elif self._description is not None:
            self._description.append(data)

    def _open_anchor(self, attributes: dict[str, str]) -> None:
        self._close_anchor()  # an <A> inside an open one closes it first, as in HTML
        if not self._in_item or "href" not in attributes:
            return
        self._seen += 1
        if self._seen > self._max_links:
            raise BadRequest(f"at most {self._max_links} links per import", code="too_many_links")
        self._anchor = _Anchor(attributes, [])

    def _close_anchor(self) -> None:
        if self._anchor is None:
            return
        found = self._anchor.attributes
        self.links.append(Link(url=found["href"], title="".join(self._anchor.text).strip(), description="",
                               tags=_tags(found.get("tags")), add_date=_add_date(found.get("add_date"))))
        self._anchor = None
        self._after_link = True

    def _item_boundary(self) -> bool:
        """A <DT>, <DD>, <DL>, </DL>, <HR> or <H3> ends the link's text and the description before it.
        True when a link's </A> came just before (text aside): a <DD> here is that link's."""
        self._close_anchor()
        if self._description is not None:
            self.links[-1] = replace(self.links[-1], description="".join(self._description).strip())
            self._description = None
        after_link, self._after_link = self._after_link, False
        return after_link

    def truncation(self) -> str:
        """Why the input read so far looks cut short, or "" when it does not. Call after feed(): it closes."""
        # After feed() the parser holds back only text (an entity may go on) or a tag, comment or doctype
        # still waiting for its end: that is markup cut in the middle.
        if "<" in self.rawdata:
            return "it ends inside a tag or comment"
        self.close()
        if self._anchor is not None:
            return "it ends inside a link"
        if not self._lists_opened:
            return "it ends before its list of bookmarks (<DL>)"
        if self._depth:
            return "a list of bookmarks (<DL>) is never closed"
        return ""


def parse(text: str, max_links: int) -> list[Link]:
    """The links of a Netscape bookmark file, in document order, folders flattened. Raises BadRequest:
    invalid_bookmark_file (not one, binary or truncated), too_many_links (over max_links, at the first one)."""
    _check_kind(text)
    reader = _Reader(max_links)
    reader.feed(text)
    if reason := reader.truncation():
        raise _invalid(f"the bookmark file looks truncated: {reason}")
    return reader.links


def _link(link: Link) -> str:
    attributes = f' HREF="{html.escape(link.url)}"'
    if link.add_date is not None:
        attributes += f' ADD_DATE="{link.add_date}"'
    if link.tags:
        attributes += f' TAGS="{html.escape(",".join(link.tags))}"'
    chunk = f"    <DT><A{attributes}>{html.escape(link.title, quote=False)}</A>\n"
    if link.description:
        chunk += f"    <DD>{html.escape(link.description, quote=False)}\n"
    return chunk


def render(links: Iterable[Link]) -> Iterator[str]:
    """A Netscape bookmark file of the links, in one flat list, in chunks: the header, one per link, the
    footer. Browsers import it; parse() reads it back as it was, but for whitespace at the ends of a text."""
    yield HEADER
    yield from map(_link, links)
    yield FOOTER
