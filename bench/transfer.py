"""Import and export: 1,000 links brought in (a JSON list, a browser's file, the same list again) and the common calls
on the collection they make, each in DynamoDB requests and capacity units computed from item sizes. In-process, over
moto, with the handlers called as tests/conftest.py calls them."""
from __future__ import annotations

import json
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, urlencode

from bench.dynamo_costs import hooked, in_process, item_size, read_units, write_units
from bench.finding import HOSTS, _Api, _text
from local.server import build_event, lambda_context
from local.template import Template

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from botocore.model import OperationModel
    from mypy_boto3_dynamodb.client import DynamoDBClient

LINKS, RUNS = 1_000, 3  # an import's links; runs of each timed import (the best is shown)
HTML_RUNS = 1  # a whole import takes 6-9 s over moto (each transaction copies the table): the parse is timed apart
REGION, DOMAIN = "us-east-1", "api.bkm.test"
# ~30 tags, 2 or 3 a link; URLs ~60 characters, bodies ~200 (docs/data-model.md's typical bookmark).
TAGS = ("python", "aws", "dynamodb", "serverless", "rust", "web", "reading", "video", "security", "databases",
        "design", "testing", "api", "cloud", "devops", "css", "javascript", "linux", "networking", "performance",
        "career", "ml", "data", "talks", "papers", "tools", "books", "news", "howto", "reference")
NEW_TAGS = ("python", "aws", "later")  # the created bookmark's: two held already, one new
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}
READS = {"GetItem", "BatchGetItem", "Query"}

type Item = dict[str, Any]  # an item or a key as the wire has it: {"pk": {"S": "..."}, ...}


# ---- what one handler call asked DynamoDB, and what DynamoDB would bill for it ------------------------------------

@dataclass
class _Costs:
    requests: Counter[str] = field(default_factory=Counter)  # "GetItem C": a strongly consistent read
    failed: int = 0
    read: int = 0  # items the reads returned
    absent: int = 0  # keys read that held no item: billed as a read all the same
    written: int = 0  # items put, updated or deleted
    checks: int = 0  # a transaction's ConditionChecks: billed as writes of the item checked
    index_writes: int = 0
    rcu: float = 0.0
    wcu: int = 0
    index_wcu: int = 0
    probe: float = 0.0  # seconds the observer spent looking items up and sizing them: taken out of the call's time
    spans: list[tuple[float, float]] = field(default_factory=list)  # each request, from before- to after-call
    puts: list[Item] = field(default_factory=list)  # the items put whole
    reads: list[tuple[str, Item, dict[str, Any]]] = field(default_factory=list)  # (operation, request, answer)
    later: list[tuple[str, Item, bool]] = field(default_factory=list)  # projected reads: (table, key, consistent)

    def in_calls(self) -> float:
        """Seconds inside DynamoDB requests (botocore and moto): the union of their spans, since the import's
        BatchGetItems overlap."""
        total, end = 0.0, 0.0
        for a, b in sorted(self.spans):
            if b > end:
                total += b - max(a, end)
                end = b
        return total


@dataclass(frozen=True)
class _Table:
    keys: tuple[str, ...]
    indexes: tuple[tuple[tuple[str, ...], tuple[str, ...] | None], ...]  # (index keys, projected or None: ALL)


def _key_json(key: Item) -> str:
    return json.dumps(key, sort_keys=True)


class _Observer:
    """Every DynamoDB request of the store's client in a block, counted on botocore's events as finding.py does. A
    write's items are looked up before it and, for an update, after it: billed on the larger, as DynamoDB bills it."""

    def __init__(self, admin: DynamoDBClient):
        self.admin, self.tables, self.lock = admin, dict[str, _Table](), threading.Lock()

    def table(self, name: str) -> _Table:
        if name not in self.tables:
            d = self.admin.describe_table(TableName=name)["Table"]
            indexes = tuple((tuple(k["AttributeName"] for k in i["KeySchema"]),
                             None if i["Projection"].get("ProjectionType") == "ALL"
                             else tuple(i["Projection"].get("NonKeyAttributes", [])))
                            for i in d.get("GlobalSecondaryIndexes", []))
            self.tables[name] = _Table(tuple(k["AttributeName"] for k in d["KeySchema"]), indexes)
        return self.tables[name]

    def images(self, keys: list[tuple[str, Item]]) -> dict[tuple[str, str], Item]:
        """The items at these keys now, whole: (table, key as JSON) -> item, absent when there is none. Read from
        moto's backend itself: a request per write would cost the bench seconds (an import makes 56)."""
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        backend, found = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION], {}
        for name, key in keys:
            if (item := backend.get_item(name, key)) is not None:
                found[name, _key_json(key)] = item.to_json()["Attributes"]
        return found

    @contextmanager
    def observing(self) -> Iterator[_Costs]:
        from bookmarker.store.client import client

        costs, events = _Costs(), client().meta.events

        def before(model: OperationModel, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            probe = time.perf_counter()
            body = json.loads(params.get("body") or b"{}")
            if model.name not in READS | WRITES:
                raise AssertionError(f"no cost rule for {model.name}")
            label = model.name
            if model.name == "BatchGetItem":
                label += " C" if all(s.get("ConsistentRead") for s in body["RequestItems"].values()) else " EC"
            elif model.name in READS:
                label += " C" if body.get("ConsistentRead") else " EC"
            context["bench_body"] = body
            if model.name in WRITES:  # one at a time, in the handler's thread
                actions = self.actions(model.name, body)
                context["bench_actions"] = actions
                context["bench_before"] = self.images([(t, k) for _, t, k, _ in actions])
            with self.lock:
                costs.requests[label] += 1
                if model.name in WRITES:  # a read's (parsing its body) is left in: microseconds, maybe in a thread
                    costs.probe += time.perf_counter() - probe
            context["bench_started"] = time.perf_counter()

        def after(model: OperationModel, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            returned = time.perf_counter()
            with self.lock:
                costs.spans.append((context["bench_started"], returned))
                if "Error" in parsed:
                    costs.failed += 1
                elif model.name not in WRITES:  # billed once the call is over: the import reads in 4 threads
                    costs.reads.append((model.name, context["bench_body"], parsed))
            if model.name in WRITES and "Error" not in parsed:
                self.bill_writes(costs, model.name == "TransactWriteItems", context)
                costs.probe += time.perf_counter() - returned

        with hooked(events, before, after, "bench-transfer"):
            yield costs
        for operation, body, parsed in costs.reads:
            self.bill_reads(costs, operation, body, parsed)
        # A projection does not lower the bill: those items are sized whole, now that the call is over (only items
        # that were found, and the store projects only claims, which never change).
        whole = self.images([(t, k) for t, k, _ in costs.later])
        for name, key, consistent in costs.later:
            costs.rcu += read_units(item_size(whole.get((name, _key_json(key)), {})), consistent)

    def actions(self, operation: str, body: Item) -> list[tuple[str, str, Item, Item | None]]:
        """(kind, table, key, the item put) of each item a write touches."""
        if operation == "TransactWriteItems":
            entries = [next(iter(entry.items())) for entry in body["TransactItems"]]
        else:
            entries = [(operation.removesuffix("Item"), body)]
        out = []
        for kind, op in entries:
            name = op["TableName"]
            put = op.get("Item") if kind == "Put" else None
            key = {k: put[k] for k in self.table(name).keys} if put is not None else op["Key"]
            out.append((kind, name, key, put))
        return out

    def bill_writes(self, costs: _Costs, transactional: bool, context: dict[str, Any]) -> None:
        actions, before = context["bench_actions"], context["bench_before"]
        updated = self.images([(t, k) for kind, t, k, _ in actions if kind == "Update"])
        for kind, name, key, put in actions:
            old = before.get((name, _key_json(key)))
            new = put if kind == "Put" else updated.get((name, _key_json(key))) if kind == "Update" else None
            if kind == "ConditionCheck":
                costs.checks += 1
                costs.wcu += write_units(item_size(old or {}), transactional)
                continue
            costs.written += 1
            if put is not None:
                costs.puts.append(put)
            costs.wcu += write_units(max(item_size(old or {}), item_size(new or {})), transactional)
            table = self.table(name)
            for index_keys, projected in table.indexes:
                was, now = (_entry(image, table.keys, index_keys, projected) for image in (old, new))
                for entry in _index_writes(was, now, index_keys):
                    costs.index_writes += 1
                    costs.index_wcu += write_units(item_size(entry), transactional=False)

    def bill_reads(self, costs: _Costs, operation: str, body: Item, parsed: dict[str, Any]) -> None:
        if operation == "Query":
            # Sized by what it returned: every Query measured here reads whole items (no projection).
            assert "ProjectionExpression" not in body, "a projected Query is billed on more than it returns"
            items = parsed.get("Items", [])
            units = read_units(sum(item_size(i) for i in items), bool(body.get("ConsistentRead")))
            read, absent, later = len(items), 0, list[tuple[str, Item, bool]]()
        elif operation == "GetItem":
            found, consistent = parsed.get("Item"), bool(body.get("ConsistentRead"))
            projected = found is not None and "ProjectionExpression" in body
            units = 0.0 if projected else read_units(item_size(found or {}), consistent)
            read, absent = int(found is not None), int(found is None)
            later = [(body["TableName"], body["Key"], consistent)] if projected else []
        else:  # BatchGetItem: each key billed as its own GetItem (DynamoDB rounds each item up to 4 KB)
            units, read, absent, later = 0.0, 0, 0, []
            unread = parsed.get("UnprocessedKeys") or {}
            for name, spec in body["RequestItems"].items():
                consistent = bool(spec.get("ConsistentRead"))
                items = parsed.get("Responses", {}).get(name, [])
                skipped = {_key_json(k) for k in unread.get(name, {}).get("Keys", [])}
                for key in spec["Keys"]:
                    if _key_json(key) in skipped:
                        continue
                    match = next((i for i in items if all(i.get(a, v) == v for a, v in key.items())), None)
                    if match is None:
                        absent += 1
                        units += read_units(0, consistent)
                    elif "ProjectionExpression" in spec:
                        read += 1
                        later.append((name, key, consistent))
                    else:
                        read += 1
                        units += read_units(item_size(match), consistent)
        costs.rcu += units
        costs.read += read
        costs.absent += absent
        costs.later += later


def _entry(item: Item | None, table_keys: tuple[str, ...], index_keys: tuple[str, ...],
           projected: tuple[str, ...] | None) -> Item | None:
    """The index entry an item has: none unless it holds every key attribute of the index (a sparse index)."""
    if item is None or any(k not in item for k in index_keys):
        return None
    if projected is None:
        return item
    return {name: item[name] for name in (*table_keys, *index_keys, *projected) if name in item}


def _index_writes(old: Item | None, new: Item | None, index_keys: tuple[str, ...]) -> list[Item]:
    """The index entries a write puts or deletes: none when the entry is unchanged (an attribute the index does
    not project changed), two when the index key moved (the old entry deleted, the new one put)."""
    if old is None or new is None:
        return [e for e in (old, new) if e is not None]
    if any(old[k] != new[k] for k in index_keys):
        return [old, new]
    return [new] if old != new else []


# ---- handlers called in-process with payload 2.0 events ----------------------------------------------------------

class _Client(_Api):
    def send(self, route_key: str, *, token: str, body: bytes = b"", content_type: str | None = None,
             query: Mapping[str, str] | None = None, path_params: dict[str, str] | None = None,
             ) -> tuple[int, str, float]:
        """(status, body as text, ms the handler took), any body and content type: the event is built and the
        module imported untimed."""
        import importlib

        route = self.routes[route_key]
        method, path = route_key.split(" ", 1)
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", quote(value, safe=""))
        headers = {"accept": "application/json", "host": DOMAIN, "user-agent": "bench", "x-forwarded-proto": "https",
                   "authorization": f"Bearer {token}"}
        if content_type:
            headers["content-type"] = content_type
        target = path + (f"?{urlencode(query, quote_via=quote)}" if query else "")
        event = build_event(method, target, headers.items(), body, route=route, path_params=path_params)
        function = self.template.functions[route.function_logical_id]
        handler = getattr(importlib.import_module(function.handler_module), function.handler_name)
        context = cast("LambdaContext", lambda_context(function))
        start = time.perf_counter()
        out = handler(event, context)
        return out["statusCode"], out.get("body") or "", (time.perf_counter() - start) * 1000


@dataclass
class _Row:
    name: str
    ms: float  # the handler call, the observer's own time taken out (best of the runs)
    costs: _Costs  # of the best run
    runs: int = 1

    @property
    def calls_ms(self) -> float:
        return self.costs.in_calls() * 1000


class _Bench:
    def __init__(self, template: Template):
        self.template, self.api = template, _Client(template)
        self.users = 0

    @contextmanager
    def fresh_tables(self) -> Iterator[_Observer]:
        """Empty tables from template.yaml: every import starts from the same table size, since moto copies the
        whole table once per transaction (tests/moto_fixes.py) and a fuller table would make a later run slower."""
        import boto3
        from moto import mock_aws

        from local.dynamo import create_tables

        with mock_aws():
            admin = boto3.client("dynamodb", region_name=REGION)
            create_tables(admin, self.template)
            yield _Observer(admin)

    def signup(self) -> tuple[str, str]:
        self.users += 1
        return self.api.signup(f"importer{self.users}")

    def observed(self, observer: _Observer, route_key: str, *, token: str, body: bytes = b"",
                 content_type: str | None = None, query: Mapping[str, str] | None = None,
                 path_params: dict[str, str] | None = None) -> tuple[int, str, float, _Costs]:
        with observer.observing() as costs:
            status, text, ms = self.api.send(route_key, token=token, body=body, content_type=content_type,
                                             query=query, path_params=path_params)
        return status, text, ms - costs.probe * 1000, costs


def _best(name: str, runs: list[tuple[float, _Costs]]) -> _Row:
    ms, costs = min(runs, key=lambda r: r[0])
    return _Row(name, ms, costs, len(runs))


# ---- the links -------------------------------------------------------------------------------------------------

def _links(rng: random.Random) -> list[dict[str, Any]]:
    return [{"url": f"https://{rng.choice(HOSTS)}/{_text(rng, 28, '-')}-{i}", "body": _text(rng, rng.randint(170, 230)),
             "tags": rng.sample(TAGS, rng.choice((2, 3)))} for i in range(LINKS)]


def _html(links: list[dict[str, Any]]) -> str:
    """The links as a browser's bookmark file: the body its description, so both formats import the same bookmarks."""
    from bookmarker import netscape

    return "".join(netscape.render(netscape.Link(url=link["url"], title=link["body"][:60], description=link["body"],
                                                 tags=tuple(link["tags"]), add_date=None) for link in links))


def _parse_ms(as_json: str, as_html: str) -> tuple[float, float]:
    """Best of RUNS of what an import does before DynamoDB: parse and validate the 1,000 links."""
    from bookmarker import netscape, transfer

    def best(work: Callable[[], object]) -> float:
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            work()
            times.append((time.perf_counter() - start) * 1000)
        return min(times)

    return (best(lambda: transfer._from_json(as_json)),
            best(lambda: [transfer._from_link(i, link) for i, link in enumerate(netscape.parse(as_html, LINKS))]))


# ---- the measurements ----------------------------------------------------------------------------------------------

IMPORT = "POST /api/v1/bookmarks/import"


def _import(bench: _Bench, observer: _Observer, body: bytes, content_type: str) -> tuple[float, _Costs, str]:
    """A fresh user's import of every link: (ms, costs, the user's token), created asserted."""
    _, token = bench.signup()
    status, text, ms, costs = bench.observed(observer, IMPORT, token=token, body=body, content_type=content_type)
    assert status == 200 and json.loads(text) == {"created": LINKS, "skipped": 0, "failed": []}, (status, text[:300])
    assert costs.failed == 0, costs.requests
    return ms, costs, token


def _on_the_collection(bench: _Bench, observer: _Observer, token: str,
                       links: list[dict[str, Any]]) -> list[_Row]:
    """One call each on the user's 1,000 bookmarks, observed, each answer checked."""
    rows: list[_Row] = []

    def call(name: str, route_key: str, expect: int, **kw: Any) -> str:
        status, text, ms, costs = bench.observed(observer, route_key, token=token, **kw)
        assert status == expect and costs.failed == 0, (name, status, text[:300], costs.requests)
        rows.append(_Row(name, ms, costs))
        return text

    def held(url: str) -> dict[str, Any]:  # unobserved: the id of a bookmark to change
        status, text, _ = bench.api.send("GET /api/v1/bookmarks/check", token=token, query={"url": url})
        assert status == 200, text
        return cast("dict[str, Any]", json.loads(text))

    new = {"url": "https://example.org/a-bookmark-made-after-the-import", "body": _text(random.Random(1), 200),
           "tags": list(NEW_TAGS)}
    call("POST /bookmarks, 3 tags", "POST /api/v1/bookmarks", 201, body=json.dumps(new).encode(),
         content_type="application/json")
    counts = Counter(tag for link in [*links, new] for tag in link["tags"])
    answer = json.loads(call("GET /tags", "GET /api/v1/tags", 200))
    assert {t["name"]: t["count"] for t in answer["data"]} == counts, answer
    found = json.loads(call("GET /bookmarks/check", "GET /api/v1/bookmarks/check", 200, query={"url": links[0]["url"]}))
    assert found["url"] == links[0]["url"], found

    two = next(link for link in links if len(link["tags"]) == 2)
    swapped = [two["tags"][0], next(t for t in TAGS if t not in two["tags"])]  # one tag out, another in
    patched = json.loads(call("PATCH tags (1 out, 1 in)", "PATCH /api/v1/bookmarks/{id}", 200,
                              path_params={"id": held(two["url"])["id"]}, body=json.dumps({"tags": swapped}).encode(),
                              content_type="application/json"))
    assert patched["tags"] == sorted(swapped), patched
    three = next(link for link in reversed(links) if len(link["tags"]) == 3)
    call("DELETE a bookmark, 3 tags", "DELETE /api/v1/bookmarks/{id}", 204,
         path_params={"id": held(three["url"])["id"]})

    page = json.loads(call("GET /export?format=json", "GET /api/v1/bookmarks/export", 200, query={"format": "json"}))
    assert page["meta"] == {"count": LINKS, "next_cursor": None}, page["meta"]  # 1,000 + 1 created - 1 deleted
    from bookmarker import netscape

    text = call("GET /export?format=html", "GET /api/v1/bookmarks/export", 200, query={"format": "html"})
    assert len(netscape.parse(text, 2 * LINKS)) == LINKS
    return rows


def _check(admin: DynamoDBClient, env: Mapping[str, str]) -> None:
    """The tables hold no broken invariant (ops.check_data): counts, tag counts, claims."""
    import importlib

    check_data: Any = importlib.import_module("ops.check_data")  # ops/ is outside mypy's files: not followed here
    report = check_data.check_items(check_data.scan(admin, env["USERS_TABLE"]),
                                    check_data.scan(admin, env["BOOKMARKS_TABLE"]))
    assert report.ok, "\n".join(check_data.summary(report))


def _measure(template: Template, env: Mapping[str, str]) -> tuple[list[_Row], tuple[float, float]]:
    bench = _Bench(template)
    links = _links(random.Random(LINKS))
    as_json, as_html = json.dumps(links), _html(links)
    parse = _parse_ms(as_json, as_html)
    imports, again, html = [], [], []
    rest: list[_Row] = []
    for run in range(RUNS):  # each into a fresh user in fresh tables; the last run's user goes on
        with bench.fresh_tables() as observer:
            ms, costs, token = _import(bench, observer, as_json.encode(), "application/json")
            imports.append((ms, costs))
            if run < RUNS - 1:
                continue
            for _ in range(RUNS):
                status, text, ms, costs = bench.observed(observer, IMPORT, token=token, body=as_json.encode(),
                                                         content_type="application/json")
                assert status == 200 and json.loads(text) == {"created": 0, "skipped": LINKS, "failed": []}, text
                assert costs.failed == 0 and costs.written == 0, costs.requests
                again.append((ms, costs))
            rest = _on_the_collection(bench, observer, token, links)
            _check(observer.admin, env)
    for _ in range(HTML_RUNS):
        with bench.fresh_tables() as observer:
            ms, costs, _ = _import(bench, observer, as_html.encode(), "text/html; charset=utf-8")
            html.append((ms, costs))
    rows = [_best(f"import {LINKS:,} JSON", imports), _best("the same JSON again", again),
            _best(f"import {LINKS:,} HTML", html), *rest]
    return rows, parse


def _sizes(items: list[Item]) -> dict[str, float]:
    """The mean size of each kind of item (docs/data-model.md's names)."""
    kinds: dict[str, list[int]] = {}
    for item in items:
        sk = item["sk"]["S"]
        if sk.startswith("B#"):
            kind = "counter" if sk.endswith("#V") else "bookmark"
        else:
            kind = "URL claim" if sk.startswith("URL#") else "code claim" if sk == "CODE" else sk
        kinds.setdefault(kind, []).append(item_size(item))
    return {kind: statistics.mean(sizes) for kind, sizes in kinds.items()}


def _requests(costs: _Costs) -> str:
    return ", ".join(f"{n} {label}" for label, n in costs.requests.items()) + (
        f" ({costs.failed} failed)" if costs.failed else "")


def run() -> list[tuple[str, str]]:
    started = time.perf_counter()
    template = Template()
    with in_process(template, REGION) as env:
        rows, (json_ms, html_ms) = _measure(template, env)
    print(f"{LINKS:,} links (URL ~60 characters, body ~200, 2-3 tags of {len(TAGS)}) in-process over moto, each "
          f"import into a fresh user in fresh tables; ms: the handler call (best of `runs`), the observer's own time "
          "taken out; in calls: of that, inside DynamoDB requests (botocore + moto), so ms - in calls is the "
          "function's own work")
    print("requests: C strongly consistent, EC eventually; read: items returned (+ keys that held none, billed "
          "all the same); written: items put, updated or deleted; chk: a transaction's ConditionChecks; GSI: index "
          "entries written. RCU, WCU, GSI WCU: computed from item sizes (DynamoDB's size rules; not "
          "ReturnConsumedCapacity): a read 1 RCU per 4 KB strongly consistent, 0.5 eventually (a Query's items "
          "together, a BatchGetItem's each rounded up, a projection sized whole); a write 1 WCU per KB of the "
          "larger of the item before and after, rounded up per item, 2 in a transaction (a ConditionCheck as a "
          "write of the item checked); an index entry 1 WCU per KB")
    print(f"{'call':<26} {'runs':>4} {'ms':>7} {'in calls':>8}  {'requests':<52} {'read':>14} {'written':>7} "
          f"{'chk':>3} {'GSI':>5} {'RCU':>7} {'WCU':>6} {'GSI WCU':>7}")
    out = []
    for r in rows:
        c = r.costs
        out.append((f"DynamoDB, {r.name}", f"{_requests(c)}; {c.rcu:.1f} RCU, {c.wcu:,} WCU + {c.index_wcu:,} GSI WCU"))
        read = f"{c.read:,}" + (f" +{c.absent:,} none" if c.absent else "")
        print(f"{r.name:<26} {r.runs:>4} {r.ms:7.0f} {r.calls_ms:8.0f}  {_requests(c):<52} {read:>14} "
              f"{c.written:>7,} {c.checks:>3} {c.index_writes:>5,} {c.rcu:7.1f} {c.wcu:>6,} {c.index_wcu:>7,}")
    first = rows[0].costs
    print(f"import, per link: {first.wcu / LINKS:.1f} WCU + {first.index_wcu / LINKS:.1f} GSI WCU, "
          f"{first.rcu / LINKS:.1f} RCU; sent again: {rows[1].costs.rcu / LINKS:.1f} RCU a link")
    print("item sizes, mean of the import's: " + ", ".join(
        f"{kind} {size:.0f} B" for kind, size in _sizes(first.puts).items()))
    print(f"parse + validate {LINKS:,} links, no DynamoDB (best of {RUNS}): JSON {json_ms:.0f} ms, HTML {html_ms:.0f} "
          f"ms; whole import outside DynamoDB: JSON {rows[0].ms - rows[0].calls_ms:.0f} ms, HTML "
          f"{rows[2].ms - rows[2].calls_ms:.0f} ms")
    print(f"checked: every import created {LINKS:,}, the second skipped {LINKS:,}; tag counts, the check, the patch, "
          f"both exports ({LINKS:,} bookmarks) as expected; ops.check_data clean. Bench took "
          f"{time.perf_counter() - started:.0f} s")
    return out
