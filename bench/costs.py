"""What a million calls cost at us-east-1 list prices: a counted redirect, a create and a login, from the DynamoDB
requests and capacity units each makes here (in process over moto, computed from item sizes), each function's
configured memory and a warm duration modelled from the CPU time bench/warm.py measured and a stated DynamoDB
latency; beside the aws-samples direct-integration shortener (REST API straight to DynamoDB, which counts nothing)
and the same functions behind a REST API instead of an HTTP API. Then what memory does to each (the MemorySize
choices of template.yaml), what SnapStart would charge, and the item sizes behind the units."""
from __future__ import annotations

import math
from typing import Any

from bench.dynamo_costs import in_process
from bench.finding import _Api
from bench.redirect import _observed, _send, _units
from local.template import Template
from tests.harness import PERSON

REGION = "us-east-1"
# List prices, us-east-1, as AWS's pricing pages give them (read 2026-12-01; DynamoDB's after its 2024-11 cut).
# https://aws.amazon.com/api-gateway/pricing/ : HTTP API, first 300 million a month; REST API, first 333 million.
HTTP_API_PER_MILLION = 1.00
REST_API_PER_MILLION = 3.50
# https://aws.amazon.com/lambda/pricing/ : arm64, per request and per GB-second (first tier).
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_ARM64_PER_GB_SECOND = 0.0000133334
# https://aws.amazon.com/dynamodb/pricing/on-demand/ : per million write and read request units.
DYNAMODB_PER_MILLION_WRU = 0.625
DYNAMODB_PER_MILLION_RRU = 0.125
# SnapStart for Python, us-east-1 (https://aws.amazon.com/lambda/pricing/ , SnapStart tab; its figures render in the
# browser only, these as third parties copy them, 2026-12-01): the snapshot cached per GB-second while its version is
# active (3 hours at least), and each restore per GB of the function's memory.
SNAPSTART_CACHE_PER_GB_SECOND = 0.0000015046
SNAPSTART_RESTORE_PER_GB = 0.0001397998
# The model of a warm call's billed duration: its CPU time (bench/warm.py's p50 on this machine's one core, taken as
# one vCPU) stretched by the share of a vCPU its memory buys (a whole one at 1,769 MB: Lambda's documented
# proportion), plus the DynamoDB requests it waits on. The latency is stated, not measured (moto is no DynamoDB):
# DynamoDB answers a small in-region request in single-digit ms.
FULL_VCPU_MB = 1769
DYNAMODB_MS = 3.0
# CPU ms when bench/warm.py has not run in this process (python -c "from bench import costs; costs.run()").
STATED_CPU_MS = {"redirect": (0.7, 2), "create": (1.2, 2), "list": (1.0, 3), "login": (250.0, 8)}
MEMORY_CHOICES = (512, 1024, FULL_VCPU_MB)
# https://aws.amazon.com/cloudwatch/pricing/ : log ingestion per GB, Infrequent Access class (the access log's); each
# event is billed its bytes plus 26 of metadata.
LOGS_IA_PER_GB = 0.25
LOG_EVENT_OVERHEAD = 26
GOAL = 2.00  # dollars per million counted redirects (issue 16)


def _lambda(memory_mb: int, ms: float) -> float:
    return LAMBDA_PER_MILLION_REQUESTS + 1e6 * math.ceil(ms) / 1000 * (memory_mb / 1024) * LAMBDA_ARM64_PER_GB_SECOND


def _work() -> dict[str, tuple[float, int, str]]:
    """Each call's CPU ms on one core and its DynamoDB requests: bench/warm.py's run in this process, else stated."""
    from bench import warm

    labels = {"redirect": "warm redirect, browser", "create": "warm create", "list": "warm list",
              "login": "warm login"}
    out = {}
    for name, label in labels.items():
        if label in warm.P50_US:
            us, requests = warm.P50_US[label]
            out[name] = (us / 1000, requests, "measured")
        else:
            out[name] = (*STATED_CPU_MS[name], "stated")
    return out


def _billed_ms(cpu_ms: float, requests: int, memory_mb: int) -> float:
    return cpu_ms * max(FULL_VCPU_MB / memory_mb, 1.0) + requests * DYNAMODB_MS


def _dynamodb(rcu: float, wcu: float) -> float:
    return wcu * DYNAMODB_PER_MILLION_WRU + rcu * DYNAMODB_PER_MILLION_RRU


def run() -> list[tuple[str, str]]:
    import boto3
    from moto import mock_aws

    from local.dynamo import create_tables

    template = Template()
    memory = {f.handler_module: f.memory_size for f in template.functions.values()}
    work = _work()
    warm_ms = {name: _billed_ms(cpu, requests, memory[module]) for name, module in
               (("redirect", "redirect"), ("create", "bookmarks_create"), ("login", "auth_login"))
               for cpu, requests, _ in [work[name]]}
    with in_process(template, REGION), mock_aws():
        admin = boto3.client("dynamodb", region_name=REGION)
        create_tables(admin, template)
        api = _Api(template)
        _, token = api.signup("payer")
        measured: dict[str, tuple[Any, ...]] = {}
        calls: list[dict[str, Any]] = []
        with _observed(calls):
            status, made = api.call("POST /api/v1/bookmarks", token=token, body={"url": "https://example.com/a/link"})
        assert status == 201, made
        requests, rcu, wcu, _ = _units(admin, calls)
        measured["create"] = ("bookmarks_create", requests, rcu, wcu + 1)  # + its index entry
        calls = []
        with _observed(calls):
            assert _send(template, "GET /{short_code}", f"/{made['short_code']}", PERSON) == 302
        measured["redirect"] = ("redirect", *_units(admin, calls)[:3])
        calls = []
        with _observed(calls):
            status, _ = api.call("POST /api/v1/auth/login", body={"email": "payer@example.com",
                                                                  "password": "correct horse battery"})
        assert status == 200
        measured["login"] = ("auth_login", *_units(admin, calls)[:3])

    print("per million calls, us-east-1 list prices (read 2026-12-01); DynamoDB units computed from item sizes here; "
          f"Lambda arm64 at the function's MemorySize, billed ms = CPU ms x {FULL_VCPU_MB} MB / MemorySize (a whole "
          f"vCPU at most) + {DYNAMODB_MS:g} ms a DynamoDB request (stated), rounded up to the ms")
    print(f"{'call':<10} {'MB':>5} {'ms':>6} {'requests':<44} {'RRU':>5} {'WRU':>5}  {'HTTP API':>8} {'Lambda':>7} "
          f"{'DynamoDB':>8} {'total':>7}")
    totals = {}
    for name, (module, requests, rcu, wcu) in measured.items():
        lam, ddb = _lambda(memory[module], warm_ms[name]), _dynamodb(rcu, wcu)
        totals[name] = HTTP_API_PER_MILLION + lam + ddb
        print(f"{name:<10} {memory[module]:>5} {warm_ms[name]:>6.1f} {dict(requests)!s:<44} {rcu:>5g} {wcu:>5g}  "
              f"${HTTP_API_PER_MILLION:>7.2f} ${lam:>6.2f} ${ddb:>7.3f} ${totals[name]:>6.2f}")
    print(f"cost per 1M counted redirects: ${totals['redirect']:.2f}")
    _, _, rcu, wcu = measured["redirect"]
    room = GOAL - HTTP_API_PER_MILLION - LAMBDA_PER_MILLION_REQUESTS - _dynamodb(rcu, wcu)
    ms = room / (1e6 * memory["redirect"] / 1024 * LAMBDA_ARM64_PER_GB_SECOND) * 1000
    print(f"  under ${GOAL:.2f} while a warm redirect bills under {ms:.1f} ms at {memory['redirect']} MB "
          f"({ms * memory['redirect'] / 512:.1f} ms at 512 MB)")
    direct = REST_API_PER_MILLION + _dynamodb(0.5, 0)
    rest = totals["redirect"] - HTTP_API_PER_MILLION + REST_API_PER_MILLION
    print(f"  beside: aws-samples' direct integration (REST API -> DynamoDB GetItem, no count): ${direct:.2f}; "
          f"these functions behind a REST API: ${rest:.2f}")
    line = _access_log_bytes(template)
    logs = 1e6 * line / 1024**3 * LOGS_IA_PER_GB
    print(f"  and CloudWatch Logs: the API's access log line ({line} B, Infrequent Access) ${logs:.3f}, so "
          f"${totals['redirect'] + logs:.2f} in all; the redirect itself writes no line (Lambda's own lines left out "
          "by SystemLogLevel WARN, its EMF counts once a minute per container)")
    redirect = f"{warm_ms['redirect']:.1f} ms at {memory['redirect']} MB"
    rows = [("cost per 1M counted redirects", f"${totals['redirect']:.2f} (goal <= ${GOAL:.2f}; {redirect}); direct "
                                               f"integration ${direct:.2f}, REST API variant ${rest:.2f}"),
            ("cost per 1M creates / logins", f"${totals['create']:.2f} / ${totals['login']:.2f}")]
    return rows + _memory(work, memory) + _snapstart(template) + _item_sizes()


def _access_log_bytes(template: Template) -> int:
    """One redirect's access log event: template.yaml's format with a typical request's values, plus metadata."""
    fmt = template.doc["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
    values = {"requestId": "S1ZHmjQ2oAMEbXw=", "identity.sourceIp": "203.0.113.77", "httpMethod": "GET",
              "path": "/aZ3kP9q", "status": "302", "responseLatency": "12", "integrationErrorMessage": "-"}
    for name, value in values.items():
        fmt = fmt.replace(f"$context.{name}", value)
    return len(fmt.encode()) + LOG_EVENT_OVERHEAD


def _memory(work: dict[str, tuple[float, int, str]], memory: dict[str, int]) -> list[tuple[str, str]]:
    """What each MemorySize would bill a warm call: the CPU part shrinks with memory up to a whole vCPU, the wait on
    DynamoDB does not; so a CPU-bound call (bcrypt) costs the same at any size and only gets faster."""
    modules = {"redirect": "redirect", "create": "bookmarks_create", "list": "bookmarks_list", "login": "auth_login"}
    print(f"memory: a warm call's billed ms and Lambda $ per million at {', '.join(map(str, MEMORY_CHOICES))} MB "
          "(* template.yaml's choice)")
    rows = []
    for name, (cpu, requests, source) in work.items():
        cells = []
        for mb in MEMORY_CHOICES:
            ms = _billed_ms(cpu, requests, mb)
            cells.append(f"{mb}{'*' if mb == memory[modules[name]] else ''}: {ms:.1f} ms ${_lambda(mb, ms):.2f}")
        line = "; ".join(cells)
        print(f"  {name:<9} CPU {cpu:.1f} ms ({source}), {requests} requests: {line}")
        rows.append((f"memory, {name}", line))
    return rows


def _snapstart(template: Template) -> list[tuple[str, str]]:
    """SnapStart's charges for the functions its parameter covers, at their MemorySize."""
    snapped = [f for f in template.functions.values() if "SnapStart" in template.doc["Resources"][f.logical_id].get(
        "Properties", {})]
    gb = sum(f.memory_size for f in snapped) / 1024
    month = gb * 30 * 24 * 3600 * SNAPSTART_CACHE_PER_GB_SECOND
    restore = 1000 * gb / len(snapped) * SNAPSTART_RESTORE_PER_GB if snapped else 0.0
    figure = (f"{len(snapped)} functions, {gb:.1f} GB: caching ${month:.2f} a month (one version each), restores "
              f"${restore:.3f} per 1,000 (average memory)")
    print(f"SnapStart, if turned on: {figure}")
    return [("SnapStart charges", figure)]


def _item_sizes() -> list[tuple[str, str]]:
    """A typical bookmark's item and the largest the API accepts, and the counter a visit writes."""
    from bench.dynamo_costs import item_size
    from bookmarker.store import bookmarks as store

    common: dict[str, Any] = {
        "id": "01JDQ5J4T0AAAAAAAAAAAAAAAA", "owner": "01JDQ5J4T0BBBBBBBBBBBBBBBB", "short_code": "aZ3kP9q",
        "created_at": "2026-12-01T10:00:00.000Z", "updated_at": "2026-12-01T10:00:00.000Z", "url_key": "k" * 64}
    typical = store.Bookmark(url="https://example.com/" + "a" * 40, body="b" * 200, tags=["python", "tutorial"],
                             **common)
    largest = store.Bookmark(url="https://example.com/" + "u" * 2028, body="\U0001F600" * 10_000,  # 4 bytes each
                             tags=[f"{n:02d}" + "t" * 48 for n in range(20)], expires_at="2027-12-01T10:00:00.000Z",
                             max_visits=1_000_000, password_hash="$2b$12$" + "h" * 53, **common)
    counter = {**store.counter_key(common["owner"], common["id"]), "visits": {"N": "123456"},
               "bot_visits": {"N": "7890"}, "day": {"S": "2026-12-01"}, "day_visits": {"N": "1234"},
               "day_bot_visits": {"N": "56"}, "last_visited_at": {"S": "2026-12-01T10:00:00.000Z"}}
    sizes = {"typical": item_size(store._item(typical)), "largest": item_size(store._item(largest)),
             "counter": item_size(counter)}
    figure = (f"typical bookmark {sizes['typical']} B, largest accepted {sizes['largest'] / 1024:.1f} KB; a visit "
              f"writes its counter, {sizes['counter']} B (1 WCU whatever the bookmark's size)")
    print(f"item sizes: {figure}")
    return [("item sizes", figure)]
