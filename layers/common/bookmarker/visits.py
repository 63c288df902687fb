"""Visits per day: a bookmark's visits and bot visits for each UTC day of a range, as the redirect counted them,
with the days nobody came filled in as zeros."""
import re
from datetime import date, timedelta
from typing import Any

from bookmarker import bookmarks, clock, query
from bookmarker.errors import BadRequest, NotFound
from bookmarker.query import Query
from bookmarker.store import visits as store

DEFAULT_DAYS = 30  # ending today (API.md)
MAX_DAYS = 366     # a leap year, both ends included
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # date.fromisoformat alone would take 20261201 too


def per_day(owner: str, bookmark_id: str, params: Query) -> dict[str, Any]:
    """GET /api/v1/bookmarks/{id}/visits: one row per day from `from` to `to`, oldest first."""
    first, last = _range(params)
    counters = store.today_of(owner, bookmark_id) if bookmarks.is_id(bookmark_id) else None
    if counters is None:
        raise NotFound("no bookmark with this id")  # another user's bookmark too: 404, never 403
    counted = store.by_day(owner, bookmark_id, first.isoformat(), last.isoformat())
    for today in counters:  # each counter's own day (a hot link has several counters)
        if today.day is not None and first.isoformat() <= today.day <= last.isoformat():
            before = counted.get(today.day, (0, 0))
            counted[today.day] = (before[0] + today.visits, before[1] + today.bot_visits)
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return {"data": [{"date": day, "visits": counted.get(day, (0, 0))[0], "bot_visits": counted.get(day, (0, 0))[1]}
                     for day in days]}


def _range(params: Query) -> tuple[date, date]:
    """`from` and `to`, both included: by default the 30 days ending today (UTC); `to` alone ends them, and
    `from` alone runs to today."""
    last = _date(params, "to") or clock.now().date()
    span = timedelta(days=DEFAULT_DAYS - 1)
    first = _date(params, "from") or (last - span if last - date.min >= span else date.min)  # to=0001-01-01
    if first > last:
        raise BadRequest(f"from ({first}) is after to ({last}; today when it is not given)", code="invalid_date_range",
                         errors=[{"field": "from", "message": "after to"}])
    if (last - first).days + 1 > MAX_DAYS:
        raise BadRequest(f"at most {MAX_DAYS} days at once; from {first} to {last} is {(last - first).days + 1}",
                         code="invalid_date_range",
                         errors=[{"field": "to", "message": f"over {MAX_DAYS} days after from"}])
    return first, last


def _date(params: Query, name: str) -> date | None:
    raw = query.one(params, name)
    if raw is None:
        return None
    try:
        if _DATE.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass  # 2026-02-30: the right shape, no such day
    raise BadRequest(f"{name} must be a date as YYYY-MM-DD", code="invalid_date",
                     errors=[{"field": name, "message": "a date as YYYY-MM-DD"}])
