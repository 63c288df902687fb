"""Filtered lists: `tag`, `q`, `visited` or another `sort` read the caller's whole collection (docs/data-model.md,
access patterns), so their time and read units grow with it; the plain first page's do not. In-process, over moto."""
from __future__ import annotations

import json
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, urlencode

from bench.dynamo_costs import hooked, in_process, item_size, read_units
from local.server import build_event, lambda_context
from local.template import Template

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from botocore.model import OperationModel
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from bookmarker.store.bookmarks import Bookmark
    from bookmarker.store.client import Item

SIZES = (1_000, 10_000)
PER_PAGE, RUNS = 20, 5
# moto answers a Query slowly (its response serializer costs ~1 ms an item): a filtered list of 10,000 bookmarks
# takes ~20 s here. A list gets up to RUNS runs, but no new run once its runs took ROW_BUDGET_S: the whole bench
# stays near 2 minutes, and the table says how many runs each figure is of.
ROW_BUDGET_S = 8.0
CHECKED = 1_000  # the size whose tables ops.check_data reads whole (cheap at this size)
OTHER_BOOKMARKS = 3  # another user's, tagged python and holding "tutorial": no count may include them
LISTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("plain page", {}), ("tag=python", {"tag": "python"}), ("q=tutorial", {"q": "tutorial"}),
    ("sort=-visits", {"sort": "-visits"}), ("visited=false", {"visited": "false"}))
BUDGET_MS = 1000.0  # the filtered list's time the summary line looks for
REGION, DOMAIN, PASSWORD = "us-east-1", "api.bkm.test", "correct horse battery"
BATCH = 25  # items of one BatchWriteItem: DynamoDB's limit
QUERY_PAGE = 1024 * 1024  # DynamoDB answers a Query after 1 MB read, with a LastEvaluatedKey

# The collection: typical sizes (docs/data-model.md: URL ~60 characters, body ~200), words from a vocabulary that
# holds no "tutorial" (that word goes into about 10% of the bodies, nowhere else), a few non-ASCII ones.
WORDS = ("async", "python", "data", "query", "index", "cache", "design", "notes", "guide", "deep", "dive", "intro",
         "performance", "serverless", "lambda", "table", "patterns", "testing", "review", "api", "release", "talk",
         "paper", "library", "install", "debug", "memory", "network", "security", "cloud", "storage", "stream",
         "event", "model", "schema", "migration", "rust", "compiler", "kernel", "browser", "css", "layout", "font",
         "café", "naïve", "résumé", "Zürich", "über", "the", "a", "of", "and", "with", "for", "how", "why", "when")
HOSTS = ("docs.python.org", "realpython.com", "aws.amazon.com", "martinfowler.com", "blog.example-dev.io",
         "news.ycombinator.com", "developer.mozilla.org", "engineering.example.com", "github.com", "lwn.net")
TAGS = ("aws", "dynamodb", "serverless", "rust", "web", "reading", "video", "security", "databases", "design")
THE_TAG, THE_WORD = "python", "tutorial"
TAG_SHARE, WORD_SHARE, NEVER_VISITED, MAX_VISITS = 1 / 3, 0.10, 0.30, 50


@dataclass
class _Calls:
    """What the store's client asked DynamoDB during one request, and the read units it would be billed."""
    operations: Counter[str] = field(default_factory=Counter)
    query_items: int = 0
    query_bytes: int = 0
    read_units: float = 0.0
    seconds: float = 0.0  # inside the calls: botocore and moto, from before-call to after-call
    probe: float = 0.0  # seconds this observer spent sizing items: taken out of the run's time

    @property
    def requests(self) -> int:
        return sum(self.operations.values())


@dataclass
class _Figures:
    name: str
    best: float
    median: float
    runs: int
    own: float  # ms of the first run outside its DynamoDB calls: the function's own filtering, ordering, JSON
    calls: _Calls
    total: int  # meta.total_count: the matches


@contextmanager
def _observed() -> Iterator[_Calls]:
    """Every DynamoDB call of the store's client in the block, counted on botocore's events as tests/faults.py
    does, with the sizes of the items each read returned."""
    from bookmarker.store.client import client

    calls, events = _Calls(), client().meta.events

    def before(model: OperationModel, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        calls.operations[model.name] += 1
        context["bench_consistent"] = bool(json.loads(params.get("body") or b"{}").get("ConsistentRead"))
        context["bench_started"] = time.perf_counter()

    def after(model: OperationModel, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        returned = time.perf_counter()
        calls.seconds += returned - context["bench_started"]
        consistent = context.get("bench_consistent", False)
        if model.name == "Query":
            size = sum(item_size(i) for i in parsed.get("Items", []))
            calls.query_items += len(parsed.get("Items", []))
            calls.query_bytes += size
            calls.read_units += read_units(size, consistent)
        elif model.name == "GetItem":
            calls.read_units += read_units(item_size(parsed.get("Item", {})), consistent)
        calls.probe += time.perf_counter() - returned

    with hooked(events, before, after, "bench-finding"):
        yield calls


# ---- handlers called in-process with payload 2.0 events, as tests/conftest.py does -------------------------------

class _Api:
    def __init__(self, template: Template):
        self.template = template
        self.routes = {route.route_key: route for route in template.routes}

    def call(self, route_key: str, *, token: str | None = None, body: dict[str, Any] | None = None,
             query: Mapping[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        status, answer, _ = self.timed(route_key, token=token, body=body, query=query)
        return status, answer

    def timed(self, route_key: str, *, token: str | None = None, body: dict[str, Any] | None = None,
              query: Mapping[str, str] | None = None) -> tuple[int, dict[str, Any], float]:
        """(status, JSON answer, ms the handler took): the event is built and the module imported untimed."""
        import importlib

        route = self.routes[route_key]
        method, path = route_key.split(" ", 1)
        headers = {"accept": "application/json", "host": DOMAIN, "user-agent": "bench", "x-forwarded-proto": "https"}
        raw = json.dumps(body).encode() if body is not None else b""
        if body is not None:
            headers["content-type"] = "application/json"
        if token:
            headers["authorization"] = f"Bearer {token}"
        target = path + (f"?{urlencode(query, quote_via=quote)}" if query else "")
        event = build_event(method, target, headers.items(), raw, route=route)
        function = self.template.functions[route.function_logical_id]
        handler = getattr(importlib.import_module(function.handler_module), function.handler_name)
        context = cast("LambdaContext", lambda_context(function))
        start = time.perf_counter()
        out = handler(event, context)
        ms = (time.perf_counter() - start) * 1000
        return out["statusCode"], json.loads(out.get("body") or "{}"), ms

    def signup(self, name: str) -> tuple[str, str]:
        """A user registered and logged in through the handlers: (id, access token)."""
        email = f"{name}@example.com"
        status, body = self.call("POST /api/v1/auth/register",
                                 body={"username": name, "email": email, "password": PASSWORD})
        assert status == 201, body
        status, body = self.call("POST /api/v1/auth/login", body={"email": email, "password": PASSWORD})
        assert status == 200, body
        return body["user"]["id"], body["user"]["access"]


# ---- the collection, written as the store writes it (docs/data-model.md), 25 items a request ----------------------

def _text(rng: random.Random, length: int, joiner: str = " ") -> str:
    words: list[str] = []
    while len(joiner.join(words)) < length:
        words.append(rng.choice(WORDS))
    return joiner.join(words)


def _collection(owner: str, n: int, rng: random.Random, codes: set[str]) -> tuple[list[Bookmark], list[Item]]:
    """n bookmarks of `owner`, oldest first (increasing ULIDs), with every item the store keeps for them: the
    bookmark, its counter, its URL and code claims, the owner's COUNT and a TAG# count per tag."""
    from ulid import ULID

    from bookmarker import bookmarks, clock, urls
    from bookmarker.store import bookmarks as store

    now = clock.now()
    start = now - timedelta(hours=n + 1)
    made, tag_counts = [], Counter[str]()
    items: list[Item] = []
    for i in range(n):
        created = start + timedelta(hours=i, milliseconds=rng.randrange(3_600_000))
        url = f"https://{rng.choice(HOSTS)}/{_text(rng, 28, '-')}-{i}"
        body = _text(rng, rng.randint(170, 230))
        if rng.random() < WORD_SHARE:
            at = rng.randrange(len(body) + 1)
            at = body.rfind(" ", 0, at) + 1  # at a word's start
            body = f"{body[:at]}{THE_WORD} {body[at:]}"
        tags = set(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3))))
        if rng.random() < TAG_SHARE:
            tags.add(THE_TAG)
        code = bookmarks.new_code()
        while code in codes:
            code = bookmarks.new_code()
        codes.add(code)
        b = store.Bookmark(id=str(ULID.from_datetime(created)), owner=owner, url=url, url_key=urls.url_key(url),
                           body=body, short_code=code, created_at=clock.iso(created), updated_at=clock.iso(created),
                           tags=sorted(tags))
        counter: Item = {"pk": {"S": owner}, "sk": {"S": f"B#{b.id}#V"}, "visits": {"N": "0"},
                         "day": {"S": b.created_at[:10]}}  # its current day, as store/visits.py keeps it
        if rng.random() >= NEVER_VISITED:
            b.visits = rng.randint(1, MAX_VISITS)
            b.last_visited_at = clock.iso(created + (now - created) * rng.random())
            counter |= {"visits": {"N": str(b.visits)}, "last_visited_at": {"S": b.last_visited_at},
                        "day": {"S": b.last_visited_at[:10]}, "day_visits": {"N": "1"}}
        items += [store._item(b), counter,
                  {"pk": {"S": owner}, "sk": {"S": f"URL#{b.url_key}"}, "bookmark_id": {"S": b.id}},
                  {"pk": {"S": f"CODE#{code}"}, "sk": {"S": "CODE"}, "owner": {"S": owner}, "bookmark_id": {"S": b.id}}]
        tag_counts.update(b.tags)
        made.append(b)
    items.append({"pk": {"S": owner}, "sk": {"S": "COUNT"}, "n": {"N": str(n)}})
    items += [{"pk": {"S": owner}, "sk": {"S": f"TAG#{tag}"}, "n": {"N": str(k)}} for tag, k in tag_counts.items()]
    return made, items


def _put_all(admin: DynamoDBClient, table: str, items: list[Item]) -> None:
    for at in range(0, len(items), BATCH):
        pending: Any = {table: [{"PutRequest": {"Item": item}} for item in items[at:at + BATCH]]}
        while pending:
            pending = admin.batch_write_item(RequestItems=pending).get("UnprocessedItems")


def _kinds(items: list[dict[str, Any]], owner: str) -> dict[str, set[tuple[str, str]]]:
    """The attribute names and types of each kind of the owner's items: to compare the bench's with the handlers'."""
    shapes: dict[str, set[tuple[str, str]]] = {}
    for item in items:
        pk, sk = item["pk"]["S"], item["sk"]["S"]
        if pk == owner:
            kind = ("counter" if sk.endswith("#V") else "bookmark") if sk.startswith("B#") else sk.split("#")[0]
        elif pk.startswith("CODE#") and item["owner"]["S"] == owner:
            kind = "code claim"
        else:
            continue
        shapes.setdefault(kind, set()).update((name, next(iter(value))) for name, value in item.items())
    return shapes


def _check(admin: DynamoDBClient, env: Mapping[str, str], me: str, other: str) -> None:
    """The written tables hold no broken invariant (ops.check_data), and the bench's items have the shapes the
    handlers' own writes have (the other user's bookmarks were made through POST /api/v1/bookmarks)."""
    import importlib

    check_data: Any = importlib.import_module("ops.check_data")  # ops/ is outside mypy's files: not followed here
    users, bookmarks = check_data.scan(admin, env["USERS_TABLE"]), check_data.scan(admin, env["BOOKMARKS_TABLE"])
    report = check_data.check_items(users, bookmarks)
    assert report.ok, "\n".join(check_data.summary(report))
    every: list[dict[str, Any]] = []
    for page in admin.get_paginator("scan").paginate(TableName=env["BOOKMARKS_TABLE"]):
        every += page["Items"]
    assert _kinds(every, me) == _kinds(every, other), (_kinds(every, me), _kinds(every, other))


# ---- the measurements ----------------------------------------------------------------------------------------------

def _measure(api: _Api, token: str, name: str, query: dict[str, str]) -> _Figures:
    """Up to RUNS runs (fewer once they took ROW_BUDGET_S); the first one's DynamoDB calls are observed, and the
    time spent sizing their items is taken out of its time."""
    params = {"per_page": str(PER_PAGE), **query}
    with _observed() as calls:
        status, answer, ms = api.timed("GET /api/v1/bookmarks", token=token, query=params)
    assert status == 200, answer
    times = [ms - calls.probe * 1000]
    while len(times) < RUNS and sum(times) < ROW_BUDGET_S * 1000:
        status, _, ms = api.timed("GET /api/v1/bookmarks", token=token, query=params)
        assert status == 200
        times.append(ms)
    return _Figures(name, min(times), statistics.median(times), len(times), times[0] - calls.seconds * 1000, calls,
                    answer["meta"]["total_count"])


def _expected(made: list[Bookmark]) -> dict[str, int]:
    """Each list's matches by the domain's own rule (bookmarker.filters), for the answers' total_count."""
    from bookmarker import filters

    out = {}
    for name, query in LISTS:
        find = filters.read({k: [v] for k, v in query.items()})
        out[name] = sum(find.matches(b.url, b.body, b.tags, b.visits) for b in made)
    return out


def _one_size(api: _Api, template: Template, env: Mapping[str, str], n: int) -> list[_Figures]:
    import boto3
    from moto import mock_aws

    from bookmarker import clock
    from bookmarker.store import bookmarks as store
    from bookmarker.store import visits
    from local.dynamo import create_tables

    with mock_aws():
        admin = boto3.client("dynamodb", region_name=REGION)
        create_tables(admin, template)
        started = time.perf_counter()
        me, token = api.signup(f"reader{n}")
        other, other_token = api.signup(f"other{n}")
        theirs = [api.call("POST /api/v1/bookmarks", token=other_token, body={  # the shapes _check compares with
            "url": f"https://example.org/{THE_WORD}/{i}", "body": f"a {THE_WORD}", "tags": [THE_TAG, "aws"]})
            for i in range(OTHER_BOOKMARKS)]
        assert all(status == 201 for status, _ in theirs), theirs
        visited = theirs[0][1]  # a visit as the redirect counts it: its counter gets last_visited_at
        visits.count_visit(store.ShortLink(other, visited["id"], visited["url"]), clock.iso_now())
        codes = {answer["short_code"] for _, answer in theirs}
        made, items = _collection(me, n, random.Random(n), codes)
        _put_all(admin, env["BOOKMARKS_TABLE"], items)
        populated = time.perf_counter() - started
        api.call("GET /api/v1/bookmarks", token=token, query={"per_page": str(PER_PAGE)})  # warm: not measured
        figures = [_measure(api, token, name, query) for name, query in LISTS]
        if n == CHECKED:
            _check(admin, env, me, other)
    expected = _expected(made)
    for f in figures:
        assert f.total == expected[f.name], (f.name, f.total, expected[f.name])  # the other user's count for none
    url_length, body_length = statistics.mean(len(b.url) for b in made), statistics.mean(len(b.body) for b in made)
    bookmark_size = statistics.mean(item_size(store._item(b)) for b in made)
    counter_size = statistics.mean(item_size(i) for i in items if i["sk"]["S"].endswith("#V"))
    print(f"{n:,} bookmarks (+{OTHER_BOOKMARKS} of another user, tagged {THE_TAG} and holding {THE_WORD!r}: not "
          f"counted), {len(items):,} items written in {populated:.1f} s; URL ~{url_length:.0f} characters, body "
          f"~{body_length:.0f}: bookmark item ~{bookmark_size:.0f} B, counter ~{counter_size:.0f} B; matches: "
          + ", ".join(f"{f.name} {f.total:,}" for f in figures[1:]))
    return figures


def _row(n: int, f: _Figures, plain: _Figures) -> str:
    ops = ", ".join(f"{op} {k}" for op, k in sorted(f.calls.operations.items()))
    return (f"{n:>6,} {f.name:<13} {f.runs:>4} {f.best:8.0f} {f.median:9.0f} {f.median / plain.median:7.1f} "
            f"{f.calls.seconds * 1000:8.0f}  {f.calls.requests:>2} ({ops:<18}) {f.calls.query_items:>6,} "
            f"{f.calls.query_bytes / 1024:6.0f} {f.calls.read_units:6.1f}")


def _paging_line(n: int, f: _Figures) -> str:
    """Whether moto split the whole-collection Query at 1 MB as DynamoDB does: the requests actually made."""
    queries, size = f.calls.operations["Query"], f.calls.query_bytes
    needed = max(1, math.ceil(size / QUERY_PAGE))
    if size <= QUERY_PAGE:
        said = f"under 1 MB: {queries} Query request (DynamoDB: 1)"
    elif queries > 1:
        said = f"moto split it at 1 MB: {queries} Query requests (DynamoDB: about {needed})"
    else:
        said = f"moto did NOT split it at 1 MB: 1 Query request (DynamoDB: about {needed})"
    return f"1 MB paging, {f.name} at {n:,}: {size / 1024 / 1024:.2f} MB read; {said}"


def _under_budget(small: _Figures, large: _Figures) -> str:
    (n1, t1), (n2, t2) = (SIZES[0], small.median), (SIZES[1], large.median)
    slope = (t2 - t1) / (n2 - n1)
    label = f"(moto, extrapolated from {n1:,} and {n2:,})"
    if slope <= 0:
        return f"{small.name}: its median did not grow with the collection here {label}"
    reach = n1 + (BUDGET_MS - t1) / slope
    rounded = int(float(f"{reach:.2g}")) if reach > 0 else 0
    return (f"{small.name} (median, per_page {PER_PAGE}): under 1 s up to about {rounded:,} bookmarks {label}; "
            f"{slope * 1000:.0f} ms more per 1,000 bookmarks; the quota is 10,000")


def run() -> list[tuple[str, str]]:
    template = Template()
    with in_process(template, REGION) as env:
        api = _Api(template)
        results = {n: _one_size(api, template, env, n) for n in SIZES}
    print(f"GET /api/v1/bookmarks in-process over moto, per_page {PER_PAGE}; ms: the handler call, best and median "
          f"of `runs` (up to {RUNS}; no new run once a list's runs took {ROW_BUDGET_S:.0f} s); x plain: median / the "
          "plain page's median at the same size")
    print("calls ms, requests, items, KB, RCU: the first run's DynamoDB calls (botocore before-call/after-call on the "
          "store's client); calls ms: time inside them (botocore + moto); items, KB: what its Query requests "
          "returned; RCU: computed from item sizes (DynamoDB's size rules; per request, rounded up to 4 KB; 1 per 4 KB "
          "consistent, 0.5 eventually consistent), not from ReturnConsumedCapacity")
    print(f"{'n':>6} {'list':<13} {'runs':>4} {'best ms':>8} {'median ms':>9} {'x plain':>7} {'calls ms':>8}  "
          f"{'requests':<23} {'items':>6} {'KB':>6} {'RCU':>6}")
    for n, figures in results.items():
        for f in figures:
            print(_row(n, f, figures[0]))
    for n, figures in results.items():
        print(_paging_line(n, figures[1]))
    print("outside the DynamoDB calls (first run, ms): " + "; ".join(
        f"{f.name} " + " / ".join(f"{results[n][i].own:.0f}" for n in SIZES) for i, f in enumerate(results[SIZES[0]]))
        + f" (at {' / '.join(f'{n:,}' for n in SIZES)})")
    print(_under_budget(results[SIZES[0]][1], results[SIZES[1]][1]))
    n = SIZES[-1]
    return [(f"list {f.name}, {n:,} bookmarks", f"{f.median:.0f} ms ({f.median / results[n][0].median:.1f}x plain) "
             f"over moto; {f.calls.requests} requests, {f.calls.read_units:g} RCU") for f in results[n]]
