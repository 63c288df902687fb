"""The hot path: N concurrent hits on one short link through the local API -> exactly +N visits, and +N in the
day's count; then, in process, the DynamoDB requests and capacity units one visit costs, and the per-day series'."""
from __future__ import annotations

import importlib
import json
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
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


def run() -> None:
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
    per_visit()


@contextmanager
def _observed(calls: list[dict[str, Any]]) -> Iterator[None]:
    """Each DynamoDB call of the store's clients (with and without retries) in the block: its operation, its
    parameters and its answer, on botocore's events as tests/faults.py counts them."""
    from bookmarker.store.client import client

    def before(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append({"operation": model.name, "params": json.loads(params.get("body") or b"{}")})

    def after(parsed: dict[str, Any], **_: Any) -> None:
        calls[-1]["answer"] = parsed

    with ExitStack() as stack:
        for n, c in enumerate((client(), client(retries=False))):
            stack.enter_context(hooked(c.meta.events, before, after, f"bench-visit-{n}"))
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
        elif op == "UpdateItem":
            item = admin.get_item(TableName=params["TableName"], Key=params["Key"])["Item"]
            wcu += write_units(item_size(item), transactional=False)
            kind = {"B": "counter", "D": "day"}[params["Key"]["sk"]["S"][0]]
            wrote.append(f"{kind} {item_size(item)} B")
    return requests, rcu, wcu, wrote


def per_visit() -> None:
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
        print("one visit, in process (moto); RCU/WCU computed from item sizes (DynamoDB's rules), not measured:")
        for kind, agent, method in (("a person's GET", PERSON, "GET"), ("a bot's GET", SLACK, "GET"),
                                    ("a HEAD", PERSON, "HEAD")):
            calls: list[dict[str, Any]] = []
            with _observed(calls):
                status = _send(template, f"{method} /{{short_code}}", f"/{made['short_code']}", agent)
            requests, rcu, wcu, wrote = _units(admin, calls)
            print(f"  {kind:<15} {status}: {sum(requests.values())} requests {dict(requests)}, {rcu:g} RCU, {wcu} WCU "
                  f"({'; '.join(wrote) or 'no write'}); no index write")
        _series(admin, api, template, token, made)


def _series(admin: Any, api: _Api, template: Template, token: str, made: dict[str, Any]) -> None:
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
    for days in (30, 366):
        calls: list[dict[str, Any]] = []
        first = (last - timedelta(days=days - 1)).isoformat()
        with _observed(calls):
            status = _send(template, "GET /api/v1/bookmarks/{id}/visits", f"/api/v1/bookmarks/{made['id']}/visits"
                           f"?from={first}&to={last.isoformat()}", PERSON, token)
        requests, rcu, _, _ = _units(admin, calls)
        print(f"  visits per day, {days:>3} days (each visited) {status}: {sum(requests.values())} requests "
              f"{dict(requests)}, {rcu:g} RCU (the token's version check included)")


def _send(template: Template, route_key: str, target: str, agent: str, token: str | None = None) -> int:
    route = next(r for r in template.routes if r.route_key == route_key)
    headers = {"accept": "application/json", "host": DOMAIN, "user-agent": agent, "x-forwarded-proto": "https",
               **({"authorization": f"Bearer {token}"} if token else {})}
    function = template.functions[route.function_logical_id]
    handler = getattr(importlib.import_module(function.handler_module), function.handler_name)
    params = {"short_code": target.strip("/")} if "{short_code}" in route_key else {"id": target.split("/")[4]}
    method = route_key.split(" ", maxsplit=1)[0]
    event = build_event(method, target, headers.items(), b"", route=route, path_params=params)
    return handler(event, lambda_context(function))["statusCode"]
