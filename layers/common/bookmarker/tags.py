"""Tags: what one may be, and how input becomes one (docs/api.md: lower-cased, trimmed, duplicates merged)."""
import re

MAX_TAGS = 20        # per bookmark, after duplicates are merged
MAX_LENGTH = 50      # characters of one tag
_TAG = re.compile(rf"[a-z0-9_-]{{1,{MAX_LENGTH}}}")


def clean(raw: str) -> str | None:
    """The tag `raw` stands for, or None when it cannot be one."""
    tag = raw.strip().lower()
    return tag if _TAG.fullmatch(tag) else None


def merged(tags: list[str]) -> list[str]:
    """Clean tags, duplicates merged, in a stable order (sorted): what a bookmark holds and answers."""
    return sorted(set(tags))
