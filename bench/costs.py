"""What a million calls cost at us-east-1 list prices: a counted redirect, a create and a login, from the DynamoDB
requests and capacity units each makes here (in process over moto, computed from item sizes), each function's
configured memory and a stated warm duration; beside the aws-samples direct-integration shortener (REST API straight
to DynamoDB, which counts nothing) and the same functions behind a REST API instead of an HTTP API."""
from __future__ import annotations

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
# Warm durations, stated, not measured here (moto is no DynamoDB): the billed ms of a warm call in AWS, each
# DynamoDB request a few ms in-region. The bench prints the duration at which a redirect would cost $2.00.
WARM_MS = {"redirect": 6.0, "create": 25.0, "login": 300.0}  # a login is bcrypt at cost 12 on its memory's CPU
GOAL = 2.00  # dollars per million counted redirects (issue 16)


def _lambda(memory_mb: int, ms: float) -> float:
    return LAMBDA_PER_MILLION_REQUESTS + 1e6 * (ms / 1000) * (memory_mb / 1024) * LAMBDA_ARM64_PER_GB_SECOND


def _dynamodb(rcu: float, wcu: float) -> float:
    return wcu * DYNAMODB_PER_MILLION_WRU + rcu * DYNAMODB_PER_MILLION_RRU


def run() -> None:
    import boto3
    from moto import mock_aws

    from local.dynamo import create_tables

    template = Template()
    memory = {f.handler_module: f.memory_size for f in template.functions.values()}
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
          "Lambda arm64 at the function's MemorySize and a stated warm duration")
    print(f"{'call':<10} {'MB':>5} {'ms':>6} {'requests':<44} {'RRU':>5} {'WRU':>5}  {'HTTP API':>8} {'Lambda':>7} "
          f"{'DynamoDB':>8} {'total':>7}")
    totals = {}
    for name, (module, requests, rcu, wcu) in measured.items():
        lam, ddb = _lambda(memory[module], WARM_MS[name]), _dynamodb(rcu, wcu)
        totals[name] = HTTP_API_PER_MILLION + lam + ddb
        print(f"{name:<10} {memory[module]:>5} {WARM_MS[name]:>6.0f} {dict(requests)!s:<44} {rcu:>5g} {wcu:>5g}  "
              f"${HTTP_API_PER_MILLION:>7.2f} ${lam:>6.2f} ${ddb:>7.3f} ${totals[name]:>6.2f}")
    print(f"cost per 1M counted redirects: ${totals['redirect']:.2f}")
    _, _, rcu, wcu = measured["redirect"]
    room = GOAL - HTTP_API_PER_MILLION - LAMBDA_PER_MILLION_REQUESTS - _dynamodb(rcu, wcu)
    ms = room / (1e6 * memory["redirect"] / 1024 * LAMBDA_ARM64_PER_GB_SECOND) * 1000
    print(f"  under ${GOAL:.2f} while a warm redirect bills under {ms:.1f} ms at {memory['redirect']} MB "
          f"({ms * memory['redirect'] / 512:.1f} ms at 512 MB)")
    direct = REST_API_PER_MILLION + _dynamodb(0.5, 0)
    print(f"  beside: aws-samples' direct integration (REST API -> DynamoDB GetItem, no count): ${direct:.2f}; "
          f"these functions behind a REST API: ${totals['redirect'] - HTTP_API_PER_MILLION + REST_API_PER_MILLION:.2f}")
