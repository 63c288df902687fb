"""What a list (or stats) asks for beyond paging: tags that must all match, words to find, visited or not, and
the order (docs/api.md). Pure: the domain applies it to the bookmarks the store reads."""
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from bookmarker import query, tags
from bookmarker.errors import BadRequest

DEFAULT_SORT = "-created_at"
MAX_Q = 200          # characters of a search
MAX_TAG_FILTERS = tags.MAX_TAGS  # more could match no bookmark

# The order of each sort, as a key over (id, visits, last_visited_at), read in reverse when descending. Every key
# ends in the id, so no two bookmarks tie, and a cursor's position (the last key answered) is exact.
type SortKey = tuple[int | str, ...]
_SORTS: dict[str, tuple[Callable[[str, int, str | None], SortKey], bool]] = {
    "-created_at": (lambda i, v, last: (i,), True),   # ids are ULIDs: time-ordered
    "created_at": (lambda i, v, last: (i,), False),
    "-visits": (lambda i, v, last: (v, i), True),
    "-last_visited_at": (lambda i, v, last: (last or "", i), True),  # never visited: last
}


@dataclass(frozen=True)
class Find:
    tags: tuple[str, ...] = ()
    words: tuple[str, ...] = ()   # casefolded
    visited: bool | None = None
    sort: str = DEFAULT_SORT

    @property
    def plain(self) -> bool:
        """Nothing but the default order: the list the store reads a page at a time."""
        return self == Find()

    @property
    def fingerprint(self) -> str:
        """What a cursor made for this filter and order carries, so a changed one is refused."""
        if self.plain:
            return ""
        canonical = json.dumps([self.tags, self.words, self.visited, self.sort], separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def descending(self) -> bool:
        return _SORTS[self.sort][1]

    def key(self, bookmark_id: str, visits: int, last_visited_at: str | None) -> SortKey:
        return _SORTS[self.sort][0](bookmark_id, visits, last_visited_at)

    def matches(self, url: str, body: str, held: list[str], visits: int) -> bool:
        if self.visited is not None and (visits > 0) != self.visited:
            return False
        if not set(self.tags) <= set(held):
            return False
        text = "\n".join([url, body, *held]).casefold()
        return all(word in text for word in self.words)


def _refuse(name: str, message: str, code: str = "invalid_filter") -> BadRequest:
    return BadRequest(f"{name}: {message}", code=code, errors=[{"field": name, "message": message}])


def read(params: query.Query) -> Find:
    wanted = []
    for raw in params.get("tag", []):
        tag = tags.clean(raw)
        if tag is None:
            raise _refuse("tag", f"a tag is 1 to {tags.MAX_LENGTH} characters of a-z, 0-9, _ and -")
        wanted.append(tag)
    if len(set(wanted)) > MAX_TAG_FILTERS:
        raise _refuse("tag", f"at most {MAX_TAG_FILTERS} tags")
    q = query.one(params, "q") or ""
    if len(q) > MAX_Q:
        raise _refuse("q", f"at most {MAX_Q} characters")
    visited = query.one(params, "visited")
    if visited not in (None, "true", "false"):
        raise _refuse("visited", "true or false")
    sort = query.one(params, "sort") or DEFAULT_SORT
    if sort not in _SORTS:
        raise _refuse("sort", f"one of {', '.join(_SORTS)}", code="invalid_sort")
    return Find(tags=tuple(sorted(set(wanted))), words=tuple(sorted(set(q.casefold().split()))),
                visited=None if visited is None else visited == "true", sort=sort)
