"""The health answer: configuration only, nothing heavier."""
from bookmarker.config import settings


def status() -> dict[str, str]:
    return {"status": "ok", "version": settings().version}
