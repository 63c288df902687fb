"""Business metrics as CloudWatch embedded metric format (EMF): counted in memory, then written by Powertools'
Metrics as one JSON line that CloudWatch turns into metrics (namespace Bookmarker, dimension service).
`endpoint` (bookmarker/http.py) writes after each answer that counted something. Redirects are the exception:
a line per redirect would cost about $0.10 a million in log ingestion, so their counts wait in the container and
go out with the next line written at least METRICS_FLUSH_SECONDS (60) after the last, or with any other count.
Each value is a count since the last line (stamped when written), so a metric's Sum is exact whatever the grouping.
Redirects a container counted in its last minute are lost if Lambda reclaims it idle before its next request, and
so are the counts of an invocation that timed out or crashed: the visits in DynamoDB are the exact figures, these
feed the alarms and the dashboard. POWERTOOLS_METRICS_DISABLED=true (the local API's
`make run`) writes nothing."""
import threading
import time
from collections import Counter

from aws_lambda_powertools.metrics import Metrics, MetricUnit

NAMESPACE = "Bookmarker"
# The names, one place: template.yaml's alarms and dashboard read them.
REGISTRATIONS, FAILED_LOGINS, LOCKOUTS = "Registrations", "FailedLogins", "Lockouts"
BOOKMARKS_CREATED, IMPORTS, BOOKMARKS_IMPORTED = "BookmarksCreated", "Imports", "BookmarksImported"
REDIRECTS, BOT_REDIRECTS, UNKNOWN_CODES, EXPIRED_LINKS = "Redirects", "BotRedirects", "UnknownCodes", "ExpiredLinks"
VISITS_NOT_COUNTED, UNAVAILABLE = "VisitsNotCounted", "ServiceUnavailable"
BATCHED = frozenset({REDIRECTS, BOT_REDIRECTS})  # the hot path's: written once a minute per container at most

_counts: Counter[str] = Counter()
_written = float("-inf")  # a container's first count is written at once
_lock = threading.Lock()  # the local API runs invocations in threads of one process


def count(name: str, n: int = 1) -> None:
    with _lock:
        _counts[name] += n


def flush(*, every: float, now: float | None = None) -> None:
    """One EMF line of what was counted since the last: now if anything but a redirect was counted, else once
    `every` seconds (METRICS_FLUSH_SECONDS) have passed since the last line."""
    global _written  # noqa: PLW0603 (one container's state, as Lambda keeps it between invocations)
    now = time.monotonic() if now is None else now
    with _lock:
        if not _counts or (_counts.keys() <= BATCHED and now - _written < every):
            return
        _written = now
        emf = Metrics(namespace=NAMESPACE)  # the service dimension: POWERTOOLS_SERVICE_NAME; its set is per process
        for name, value in sorted(_counts.items()):
            emf.add_metric(name=name, unit=MetricUnit.Count, value=value)
        _counts.clear()
        emf.flush_metrics()
