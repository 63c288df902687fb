"""Warm handler time per call, in process: the redirect (a person's and a bot's), a create, a list, a filtered list
and a login, with DynamoDB answered by botocore's Stubber, beside the bare stubbed calls each makes. The calls and
their answers are recorded over moto first, at run time, so the figures follow the code as it changes."""
from __future__ import annotations

import copy
import dataclasses
import functools
import gc
import importlib
import json
import pickle
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from botocore.stub import Stubber

from bench.dynamo_costs import in_process
from local.server import build_event, lambda_context
from local.template import Template
from tests.harness import PERSON

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.model import OperationModel

REGION, DOMAIN, PASSWORD = "us-east-1", "api.bkm.test", "correct horse battery"
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
WARMUP, RUNS = 200, 2000  # calls of each kind: untimed, then timed one by one
COLLECTION, TAGGED_EVERY = 50, 3  # the listing account's bookmarks; every third is tagged python
PRODUCTION_ROUNDS = 12  # template.yaml's BcryptRounds default: the cost a deployed login pays
# The last run's figures, for bench/costs.py's memory model: label -> (p50 us of the handler's own work with its
# stubbed calls, DynamoDB requests made); a login's p50 with its bcrypt at PRODUCTION_ROUNDS.
P50_US: dict[str, tuple[float, int]] = {}


@dataclasses.dataclass(frozen=True)
class _Call:
    """One DynamoDB call as a handler made it: its operation, the client method, its arguments and moto's answer."""
    operation: str
    method: str
    params: dict[str, Any]
    answer: dict[str, Any]  # without ResponseMetadata; a refused call's holds "Error"
    status: int


@dataclasses.dataclass(frozen=True)
class _Case:
    label: str
    route_key: str
    target: str
    agent: str
    token: str | None = None
    body: dict[str, Any] | None = None


@dataclasses.dataclass(frozen=True)
class _Recorded:
    case: _Case
    status: int
    calls: tuple[_Call, ...]


@contextmanager
def _recording(calls: list[_Call]) -> Iterator[None]:
    """Each DynamoDB call of the store's client in the block, with the arguments the store passed (not the wire
    form, so the baseline can call the client with them) and the parsed answer."""
    from botocore import xform_name

    from bookmarker.store.client import client

    events = client().meta.events
    pending: list[dict[str, Any]] = []

    def before(params: dict[str, Any], **_: Any) -> None:
        pending.append(copy.deepcopy(params))

    def after(parsed: dict[str, Any], model: OperationModel, **_: Any) -> None:
        answer = {k: v for k, v in copy.deepcopy(parsed).items() if k != "ResponseMetadata"}
        status = parsed.get("ResponseMetadata", {}).get("HTTPStatusCode", 200)
        calls.append(_Call(model.name, xform_name(model.name), pending.pop(), answer, status))

    events.register("before-parameter-build.dynamodb", before, unique_id="bench-warm-before")
    events.register("after-call.dynamodb", after, unique_id="bench-warm-after")
    try:
        yield
    finally:
        events.unregister("before-parameter-build.dynamodb", unique_id="bench-warm-before")
        events.unregister("after-call.dynamodb", unique_id="bench-warm-after")


@contextmanager
def _fresh(*cached: functools._lru_cache_wrapper[Any]) -> Iterator[None]:
    """These functools.cache'd functions emptied before the block and after: settings() and client() are made once
    per process, so without this they could hold what an earlier in-process run read (another endpoint), and a
    later one would get this run's client."""
    for function in cached:
        function.cache_clear()
    try:
        yield
    finally:
        for function in cached:
            function.cache_clear()


@contextmanager
def _quiet() -> Iterator[None]:
    """The package's logger at WARNING for the block, then as it was: in_process sets the level in the environment,
    which a logger made by an earlier import in this process never read."""
    from bookmarker.log import logger

    level = logger.log_level
    logger.setLevel("WARNING")
    try:
        yield
    finally:
        logger.setLevel(level)


def _prepared(template: Template, case: _Case) -> tuple[Callable[..., dict[str, Any]], dict[str, Any], Any]:
    """The route's handler, a fresh payload 2.0 event and a context, as the local API makes them."""
    route = next(r for r in template.routes if r.route_key == case.route_key)
    method, path = case.route_key.split(" ", maxsplit=1)
    headers = {"accept": "application/json", "host": DOMAIN, "user-agent": case.agent, "x-forwarded-proto": "https"}
    if case.token:
        headers["authorization"] = f"Bearer {case.token}"
    raw = b""
    if case.body is not None:
        headers["content-type"] = "application/json"
        raw = json.dumps(case.body).encode()
    params = {"short_code": case.target.strip("/")} if "{short_code}" in path else None
    event = build_event(method, case.target, headers.items(), raw, route=route, path_params=params)
    function = template.functions[route.function_logical_id]
    handler = getattr(importlib.import_module(function.handler_module), function.handler_name)
    return handler, event, lambda_context(function)


def _send(template: Template, case: _Case) -> tuple[int, dict[str, Any]]:
    handler, event, context = _prepared(template, case)
    out = handler(event, context)
    body = out.get("body") or "{}"
    return int(out["statusCode"]), json.loads(body) if body.startswith("{") else {}


def _record(template: Template, case: _Case, warm: _Case | None = None) -> _Recorded:
    """The case once untimed (imports, caches; `warm` instead when given), then once more with its DynamoDB calls
    recorded."""
    _send(template, warm or case)
    calls: list[_Call] = []
    with _recording(calls):
        status, _ = _send(template, case)
    return _Recorded(case, status, tuple(calls))


def _cases(template: Template) -> tuple[list[_Recorded], int]:
    """Two accounts over moto: one with a single link, one with COLLECTION bookmarks; each case run and its calls
    recorded. Also the bcrypt cost the stored password hashes carry."""
    from bookmarker.config import settings

    tokens = {}
    for name in ("visitor", "reader"):
        email = f"{name}@example.com"
        status, body = _send(template, _Case("", "POST /api/v1/auth/register", "/api/v1/auth/register", PERSON,
                                             body={"username": name, "email": email, "password": PASSWORD}))
        assert status == 201, body
        status, body = _send(template, _Case("", "POST /api/v1/auth/login", "/api/v1/auth/login", PERSON,
                                             body={"email": email, "password": PASSWORD}))
        assert status == 200, body
        tokens[name] = body["access"]
    create = "POST /api/v1/bookmarks"
    status, made = _send(template, _Case("", create, "/api/v1/bookmarks", PERSON, tokens["visitor"],
                                         {"url": "https://example.com/a/typical/link"}))
    assert status == 201, made
    for n in range(COLLECTION):
        status, body = _send(template, _Case("", create, "/api/v1/bookmarks", PERSON, tokens["reader"], {
            "url": f"https://example.com/reading/{n}", "body": "notes on a page worth reading again " * 4,
            "tags": ["python", "web"] if n % TAGGED_EVERY == 0 else ["web"]}))
        assert status == 201, body
    listed = "/api/v1/bookmarks"
    new = _Case("warm create", create, listed, PERSON, tokens["visitor"], {"url": "https://example.com/new/one"})
    cases = [
        (_Case("warm redirect, browser", "GET /{short_code}", f"/{made['short_code']}", PERSON), None),
        (_Case("warm redirect, bot", "GET /{short_code}", f"/{made['short_code']}", SLACK), None),
        (new, dataclasses.replace(new, body={"url": "https://example.com/warming/up"})),  # the same URL is a 409
        (_Case("warm list", "GET /api/v1/bookmarks", listed, PERSON, tokens["reader"]), None),
        (_Case("warm list, tag=python", "GET /api/v1/bookmarks", f"{listed}?tag=python", PERSON, tokens["reader"]),
         None),
        (_Case("warm login", "POST /api/v1/auth/login", "/api/v1/auth/login", PERSON,
               body={"email": "reader@example.com", "password": PASSWORD}), None)]
    return [_record(template, case, warm) for case, warm in cases], settings().bcrypt_rounds


class _Replay(Stubber):
    """botocore's Stubber, checking each answer against DynamoDB's model only while `checking` (a case's first
    queueing): checking a 50-item Query answer takes longer than the call it answers, and at every call it was
    half the run's time (untimed, but it pushed the run past a minute)."""

    checking = True

    def _validate_response(self, shape: Any, response: Any) -> None:  # Stubber's check of every queued answer
        if self.checking:
            cast("Any", super())._validate_response(shape, response)


def _copy[T](value: T) -> T:
    """A deep copy of plain data (dicts, lists, str, bytes, bool), several times faster than copy.deepcopy."""
    copied: T = pickle.loads(pickle.dumps(value))  # noqa: S301 (our own bytes, made on this line)
    return copied


def _queue(stubber: Stubber, calls: tuple[_Call, ...]) -> None:
    """The recorded answers, in order, each a copy (the caller may change what it is given)."""
    for call in calls:
        answer = _copy(call.answer)
        error = answer.pop("Error", None)
        if error is None:
            stubber.add_response(call.method, answer)
        else:
            stubber.add_client_error(call.method, service_error_code=error.get("Code", ""),
                                     service_message=error.get("Message", ""), http_status_code=call.status,
                                     modeled_fields=answer or None)


def _bare(raw: BaseClient, calls: tuple[_Call, ...]) -> Callable[[], None]:
    """The recorded calls, made straight on the botocore client (no handler, no store), as one callable."""
    from botocore.exceptions import ClientError

    bound = [(getattr(raw, call.method), _copy(call.params)) for call in calls]

    def run() -> None:
        for method, params in bound:
            try:
                method(**params)
            except ClientError:  # recorded as refused: the stub refuses it again
                pass

    return run


def _timed(template: Template, recorded: _Recorded, stubber: _Replay, raw: BaseClient) -> tuple[list[int], list[int]]:
    """(handler ns, bare calls ns) per call, interleaved so both see the same machine; each handler call checked
    to answer as it did over moto and to have used exactly the recorded answers."""
    handler_ns, bare_ns = [], []
    gc.collect()
    for n in range(WARMUP + RUNS):
        handler, event, context = _prepared(template, recorded.case)
        stubber.checking = n == 0
        _queue(stubber, recorded.calls)
        start = time.perf_counter_ns()
        out = handler(event, context)
        took = time.perf_counter_ns() - start
        _same(recorded, int(out["statusCode"]), stubber)
        _queue(stubber, recorded.calls)
        bare = _bare(raw, recorded.calls)
        start = time.perf_counter_ns()
        bare()
        bare_took = time.perf_counter_ns() - start
        stubber.assert_no_pending_responses()
        if n >= WARMUP:
            handler_ns.append(took)
            bare_ns.append(bare_took)
    return handler_ns, bare_ns


def _same(recorded: _Recorded, status: int, stubber: Stubber) -> None:
    """The handler answered as over moto and took every queued answer: else its calls differ from the recorded
    ones (a different operation is refused by the Stubber, and answered 500)."""
    if status != recorded.status:
        raise SystemExit(f"{recorded.case.label}: answered {status}, recorded {recorded.status} with calls "
                         f"{[c.operation for c in recorded.calls]}: did they change between calls?")
    try:
        stubber.assert_no_pending_responses()
    except AssertionError as exc:
        raise SystemExit(f"{recorded.case.label}: fewer DynamoDB calls than recorded ({exc})") from None


def _bcrypt_us(rounds: int) -> float:
    """p50 of one bcrypt.checkpw at this cost: what a login spends verifying the password."""
    import bcrypt

    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=rounds))
    ns = []
    for _ in range(200):
        start = time.perf_counter_ns()
        bcrypt.checkpw(PASSWORD.encode(), hashed)
        ns.append(time.perf_counter_ns() - start)
    return statistics.median(ns) / 1000


def run() -> list[tuple[str, str]]:
    import boto3
    from moto import mock_aws

    from local.dynamo import create_tables

    template = Template()
    with in_process(template, REGION):
        from bookmarker.config import settings
        from bookmarker.store.client import client

        with _fresh(settings, client), _quiet():
            with mock_aws():
                create_tables(boto3.client("dynamodb", region_name=REGION), template)
                recorded, rounds = _cases(template)
            store = client()  # the one the handlers called: the stubs go on its botocore client
            raw: BaseClient = getattr(store, "raw", store)  # _Client's botocore client, under its error mapping
            stubber = _Replay(raw)
            stubber.activate()
            gc.freeze()  # the bench's own heap (moto, the recordings) out of the collector's way: no Lambda holds it
            try:
                figures = [(r, *_timed(template, r, stubber, raw)) for r in recorded]
            finally:
                gc.unfreeze()
                stubber.deactivate()
            bcrypt_us = _bcrypt_us(rounds)
    print(f"warm handler time per call, in process, DynamoDB answered by botocore's Stubber (answers recorded over "
          f"moto); {RUNS} timed calls each after {WARMUP}; us; beside it the same DynamoDB calls made straight on "
          f"the stubbed client (botocore's validation, endpoint resolution and serialization, no HTTP)")
    rows, login = [], 0.0
    for r, handler_ns, bare_ns in figures:
        h50, h99, b50, b99 = _p(handler_ns, 50), _p(handler_ns, 99), _p(bare_ns, 50), _p(bare_ns, 99)
        calls = ", ".join(_operation(c) for c in r.calls) or "none"
        figure = (f"p50 {h50:.0f} us, p99 {h99:.0f} us; bare stubbed calls p50 {b50:.0f} us, p99 {b99:.0f} us "
                  f"({h50 / b50:.1f}x)" if b50 else f"p50 {h50:.0f} us, p99 {h99:.0f} us; no DynamoDB call")
        if r.case.label == "warm login":
            login = h50
            figure += f"; bcrypt at cost {rounds} alone p50 {bcrypt_us:.0f} us"
        print(f"  {r.case.label:<24} {r.status}: {figure}  [{calls}]")
        rows.append((r.case.label, figure))
        P50_US[r.case.label] = (h50, len(r.calls))
    scale = 2 ** (PRODUCTION_ROUNDS - rounds)
    deployed = login + bcrypt_us * (scale - 1)  # the same login, its bcrypt at the deployed cost
    P50_US["warm login"] = (deployed, P50_US["warm login"][1])
    print(f"  login: bcrypt is {bcrypt_us / login:.0%} of its p50 at cost {rounds} (BCRYPT_ROUNDS as the tests and "
          f"the local API's harness set it); at template.yaml's default cost {PRODUCTION_ROUNDS}, {scale}x the "
          f"work, it would be {bcrypt_us * scale / deployed:.1%} of a ~{deployed / 1000:.0f} ms login here")
    return rows


def _p(ns: list[int], percent: int) -> float:
    """The percentile of these per-call times, in microseconds."""
    return statistics.quantiles(ns, n=100, method="inclusive")[percent - 1] / 1000 if percent < 100 else max(ns) / 1000


def _operation(call: _Call) -> str:
    refused = call.answer.get("Error", {}).get("Code")
    return f"{call.operation} (refused: {refused})" if refused else call.operation

