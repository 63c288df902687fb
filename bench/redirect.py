"""The hot path: N concurrent hits on one short link through the local API -> exactly +N visits, and +N in the
day's count; then, in process, the DynamoDB requests and capacity units one visit costs (a protected link's too),
and the per-day series'."""
from __future__ import annotations

import importlib
import json
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.dynamo_costs import hooked, in_process, item_size, read_units, write_units
from bench.finding import _Api
from local.server import build_event, lambda_context
from local.template import Template
from tests.harness import PERSON, LocalApi

HITS, THREADS = 400, 16
REGION, DOMAIN = "us-east-1", "api.bkm.test"
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
SECRET = "open sesame 123"  # noqa: S105 (a protected link's password, in moto only)
RUNS = 21  # timed calls of each kind of visit


def run() -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as state:
        api = LocalApi(Path(state)).start()
        try:
            client = api.client
            assert client is not None  # start() opened it
            token = api.signup("bench")
            headers = {"authorization": f"Bearer {token}"}
            made = client.post("/api/v1/bookmarks", json={"url": "https://example.com/hot"}, headers=headers)
            code, bookmark_id = made.json()["short_code"], made.json()["id"]

            def hit(_: int) -> tuple[int, float]:
                with httpx.Client(base_url=api.url, timeout=30, headers={"user-agent": PERSON}) as c:
                    start = time.perf_counter()
                    status = c.get(f"/{code}").status_code
                    return status, (time.perf_counter() - start) * 1000

            start = time.perf_counter()
            with ThreadPoolExecutor(THREADS) as pool:
                results = list(pool.map(hit, range(HITS)))
            elapsed = time.perf_counter() - start
            visits = client.get(f"/api/v1/bookmarks/{bookmark_id}", headers=headers).json()["visits"]
            today = client.get(f"/api/v1/bookmarks/{bookmark_id}/visits", headers=headers).json()["data"][-1]
            missed = sum("visit not counted" in line for line in api.lines)
        finally:
            api.stop()
    latencies = sorted(ms for _, ms in results)
    statuses = {s: sum(1 for r, _ in results if r == s) for s, _ in results}
    print(f"{HITS} hits from {THREADS} threads: statuses {statuses}, visits counted {visits} (expected {HITS}), "
          f"in today's count {today['visits']}, logged as not counted {missed}")
    print(f"  {HITS / elapsed:.0f} redirects/s locally; latency p50 {statistics.median(latencies):.1f} ms, "
          f"p95 {latencies[int(0.95 * len(latencies))]:.1f} ms")
    if visits + missed != HITS or today["visits"] > visits:
        raise SystemExit(f"visits lost without a trace: {HITS - visits - missed}, or a day above its total")
    return [(f"{HITS} redirects from {THREADS} threads, local API", f"{statuses}; visits +{visits}, today's count "
                                                                    f"+{today['visits']}, {missed} not counted"),
            *per_visit()]


@contextmanager
def _observed(calls: list[dict[str, Any]]) -> Iterator[None]:
    """Each DynamoDB call of the store's client in the block: its operation, its parameters and its answer, on
    botocore's events as tests/faults.py counts them."""
    from bookmarker.store.client import client

    def before(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append({"operation": model.name, "params": json.loads(params.get("body") or b"{}")})

    def after(parsed: dict[str, Any], **_: Any) -> None:
        calls[-1]["answer"] = parsed

    with hooked(client().meta.events, before, after, "bench-visit"):
        yield


def _units(admin: Any, calls: list[dict[str, Any]]) -> tuple[Counter[str], float, int, list[str]]:
    """(requests by operation, RCU, WCU, what each write wrote): reads from the sizes of the items returned, writes
    from the size of the item as it stands after the write (DynamoDB bills the larger of before and after)."""
    requests, rcu, wcu, wrote = Counter[str](), 0.0, 0, []
    for call in calls:
        op, params, answer = call["operation"], call["params"], call.get("answer", {})
        requests[op] += 1
        consistent = bool(params.get("ConsistentRead"))
        if op == "Query":
            rcu += read_units(sum(item_size(i) for i in answer.get("Items", [])), consistent)
        elif op == "GetItem":
            rcu += read_units(item_size(answer.get("Item", {})), consistent)
        elif op == "TransactWriteItems":  # each item twice its size in units
            for entry in params["TransactItems"]:
                (kind_, body), = entry.items()
                key = body.get("Key") or {k: v for k, v in body["Item"].items() if k in ("pk", "sk")}
                item = admin.get_item(TableName=body["TableName"], Key=key).get("Item") or body.get("Item") or key
                wcu += write_units(item_size(item), transactional=True)  # a ConditionCheck: as a write of the item
                wrote.append(f"{kind_} {(key.get('sk') or key['pk'])['S'].split('#')[0]}# in a transaction")
        elif op in ("UpdateItem", "PutItem", "DeleteItem"):  # the item as it stands now, else as sent (a window)
            key = params.get("Key") or {k: params["Item"][k] for k in ("pk", "sk") if k in params["Item"]}
            item = admin.get_item(TableName=params["TableName"], Key=key).get("Item") or params.get("Item", key)
            wcu += write_units(item_size(item), transactional=False)
            name = key["sk"]["S"] if "sk" in key else key["pk"]["S"]
            kind = {"B": "counter", "D": "day"}.get(name[0], name.split("#")[0].lower() + " window")
            wrote.append(f"{op} {kind} {item_size(item)} B")
    return requests, rcu, wcu, wrote


def per_visit() -> list[tuple[str, str]]:
    """One visit of each kind, in process over moto: its requests and capacity units (computed from item sizes,
    not from ReturnConsumedCapacity, which moto does not return); then the per-day series over 30 and 366 days."""
    import boto3
    from moto import mock_aws

    from local.dynamo import create_tables

    template = Template()
    with in_process(template, REGION), mock_aws():
        admin = boto3.client("dynamodb", region_name=REGION)
        create_tables(admin, template)
        api = _Api(template)
        _, token = api.signup("visitor")
        status, made = api.call("POST /api/v1/bookmarks", token=token, body={"url": "https://example.com/a/typical/link"})
        assert status == 201, made
        status, locked = api.call("POST /api/v1/bookmarks", token=token, body={
            "url": "https://example.com/a/locked/link", "link_password": SECRET})
        assert status == 201, locked
        print("one visit, in process (moto); RCU/WCU computed from item sizes (DynamoDB's rules), not measured; ms: "
              f"the handler's median of {RUNS} (moto included)")
        open_, shut = made["short_code"], locked["short_code"]
        rows = []
        for kind, code, agent, method in (
                ("a person's GET", open_, PERSON, "GET"), ("a bot's GET", open_, SLACK, "GET"),
                ("a HEAD", open_, PERSON, "HEAD"), ("protected, GET", shut, PERSON, "GET"),
                ("protected, POST", shut, PERSON, "POST")):
            calls: list[dict[str, Any]] = []
            with _observed(calls):
                status = _send(template, f"{method} /{{short_code}}", f"/{code}", agent)
            requests, rcu, wcu, wrote = _units(admin, calls)
            route = f"{method} /{{short_code}}"
            ms = statistics.median(_timed(template, route, f"/{code}", agent) for _ in range(RUNS))
            figure = (f"{sum(requests.values())} requests {dict(requests)}, {rcu:g} RCU, {wcu} WCU "
                      f"({'; '.join(wrote) or 'no write'}); no index write")
            print(f"  {kind:<16} {status}: {figure}; {ms:.1f} ms")
            rows.append((f"DynamoDB, {kind} of a short link", figure))
        rows.append(_first_of_a_day(admin, template, made))
        rows += _series(admin, api, template, token, made)
    return rows


def _first_of_a_day(admin: Any, template: Template, made: dict[str, Any]) -> tuple[str, str]:
    """The first visit of a UTC day: the counter's day is yesterday's, so it rolls over (once a day per link)."""
    table = template.merged_environment()["BOOKMARKS_TABLE"]
    owner = admin.query(TableName=table, IndexName="ShortCodeIndex", KeyConditionExpression="short_code = :c",
                        ExpressionAttributeValues={":c": {"S": made["short_code"]}})["Items"][0]["pk"]["S"]
    admin.update_item(TableName=table, Key={"pk": {"S": owner}, "sk": {"S": f"B#{made['id']}#V"}},
                      UpdateExpression="SET #d = :y", ExpressionAttributeNames={"#d": "day"},
                      ExpressionAttributeValues={":y": {"S": "2000-01-01"}})
    calls: list[dict[str, Any]] = []
    with _observed(calls):
        status = _send(template, "GET /{short_code}", f"/{made['short_code']}", PERSON)
    requests, rcu, wcu, wrote = _units(admin, calls)
    figure = (f"{sum(requests.values())} requests {dict(requests)}, {rcu:g} RCU, {wcu} WCU (the refused write's 1 "
              f"included; {'; '.join(wrote)}): once a day per link")
    print(f"  first of a day   {status}: {figure}")
    return "DynamoDB, the first visit of a day", figure


def _series(admin: Any, api: _Api, template: Template, token: str, made: dict[str, Any]) -> list[tuple[str, str]]:
    """The per-day series of a link visited on every one of 366 days: its items written directly (as the redirect
    writes them), then read over 30 and 366 days."""
    from datetime import date, timedelta

    owner = api.call("GET /api/v1/auth/me", token=token)[1]["id"]
    table = template.merged_environment()["BOOKMARKS_TABLE"]
    last = date.today()
    for n in range(366):
        day = (last - timedelta(days=n)).isoformat()
        admin.put_item(TableName=table, Item={"pk": {"S": owner}, "sk": {"S": f"D#{made['id']}#{day}"},
                                              "visits": {"N": "1234"}, "bot_visits": {"N": "56"}})
    rows = []
    for days in (30, 366):
        calls: list[dict[str, Any]] = []
        first = (last - timedelta(days=days - 1)).isoformat()
        with _observed(calls):
            status = _send(template, "GET /api/v1/bookmarks/{id}/visits", f"/api/v1/bookmarks/{made['id']}/visits"
                           f"?from={first}&to={last.isoformat()}", PERSON, token)
        requests, rcu, _, _ = _units(admin, calls)
        figure = f"{sum(requests.values())} requests {dict(requests)}, {rcu:g} RCU (the token's version check included)"
        print(f"  visits per day, {days:>3} days (each visited) {status}: {figure}")
        rows.append((f"DynamoDB, visits per day over {days} days", figure))
    return rows


def _send(template: Template, route_key: str, target: str, agent: str, token: str | None = None) -> int:
    handler, event, context = _prepared(template, route_key, target, agent, token)
    return int(handler(event, context)["statusCode"])


def _timed(template: Template, route_key: str, target: str, agent: str) -> float:
    """ms the handler takes (the event built and the module imported untimed)."""
    handler, event, context = _prepared(template, route_key, target, agent, None)
    start = time.perf_counter()
    handler(event, context)
    return (time.perf_counter() - start) * 1000


def _prepared(template: Template, route_key: str, target: str, agent: str, token: str | None) -> tuple[Any, ...]:
    """The route's handler, its payload 2.0 event and a context. A POST to a short code sends its password."""
    route = next(r for r in template.routes if r.route_key == route_key)
    method = route_key.split(" ", maxsplit=1)[0]
    headers = {"accept": "application/json", "host": DOMAIN, "user-agent": agent, "x-forwarded-proto": "https",
               **({"authorization": f"Bearer {token}"} if token else {}),
               **({"content-type": "application/json"} if method == "POST" else {})}
    function = template.functions[route.function_logical_id]
    handler = getattr(importlib.import_module(function.handler_module), function.handler_name)
    params = {"short_code": target.strip("/")} if "{short_code}" in route_key else {"id": target.split("/")[4]}
    body = json.dumps({"password": SECRET}).encode() if method == "POST" else b""
    event = build_event(method, target, headers.items(), body, route=route, path_params=params,
                        source_ip=f"198.51.100.{time.perf_counter_ns() % 250}")  # a client each: no window fills
    return handler, event, lambda_context(function)
