"""The health answer: configuration only, nothing heavier."""
from bookmarker.config import settings


def status() -> dict:
    return {"status": "ok", "version": settings().version}
