"""Each invocation's log lines carry its own correlation id, Lambda context and user, even when invocations
run at once in threads of one process (as the local API runs them)."""
import io
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bookmarker.auth import authenticated
from bookmarker.http import Request, endpoint
from bookmarker.log import logger
from tests.conftest import FakeContext, make_event

CONCURRENT = 8


@pytest.fixture
def log_lines():
    """Every JSON line the package logs during the test, formatted as in Lambda."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger("bookmarker").addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logging.getLogger("bookmarker").removeHandler(handler)


def _probe(barrier: threading.Barrier):
    """A handler whose invocations all set their keys before any of them logs: the worst interleaving."""

    @endpoint
    @authenticated("bookmarks:read")
    def handler(request: Request):
        logger.info("before the others")
        barrier.wait(timeout=10)
        logger.info("after the others")
        return 200, {"user_id": request.user_id}

    return handler


def _context(n: int) -> FakeContext:
    return FakeContext(function_name=f"fn-{n}", aws_request_id=f"lambda-request-{n}",
                       invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:fn-{n}")


def test_concurrent_invocations_never_share_log_keys(tables, make_user, log_lines):
    users = [make_user() for _ in range(CONCURRENT)]
    handler = _probe(threading.Barrier(CONCURRENT))
    events = [make_event("GET /api/v1/auth/me", token=user.access) for user in users]

    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(lambda n: handler(events[n], _context(n)), range(CONCURRENT)))

    assert [a["statusCode"] for a in answers] == [200] * CONCURRENT
    lines = [line for line in log_lines() if line["message"] in ("before the others", "after the others")]
    assert len(lines) == 2 * CONCURRENT
    for line in lines:
        n = int(line["function_name"].removeprefix("fn-"))
        assert line["correlation_id"] == events[n]["requestContext"]["requestId"]
        assert line["user_id"] == users[n].id
        assert line["function_request_id"] == f"lambda-request-{n}"
        assert line["function_arn"].endswith(f":function:fn-{n}")


def test_an_invocation_carries_no_key_of_the_one_before_it_in_its_thread(alice, log_lines):
    handler = _probe(threading.Barrier(1))
    anonymous = endpoint(lambda request: logger.info("anonymous") or (200, {}))

    handler(make_event("GET /api/v1/auth/me", token=alice.access), _context(1))
    second = make_event("GET /api/v1/health")
    anonymous(second, _context(2))

    line = next(line for line in log_lines() if line["message"] == "anonymous")
    assert "user_id" not in line
    assert line["correlation_id"] == second["requestContext"]["requestId"]
    assert line["function_request_id"] == "lambda-request-2"


def test_every_line_of_an_invocation_carries_the_lambda_keys(alice, log_lines):
    event = make_event("GET /api/v1/auth/me", token=alice.access)

    _probe(threading.Barrier(1))(event, _context(3))

    lines = [line for line in log_lines() if line["message"].endswith("the others")]
    assert len(lines) == 2
    for line in lines:
        assert line["service"] == "bookmarker"
        assert line["level"] == "INFO"
        assert isinstance(line["cold_start"], bool)
        assert line["function_name"] == "fn-3"
        assert line["function_memory_size"] == 512
        assert line["function_request_id"] == "lambda-request-3"
        assert line["correlation_id"] == event["requestContext"]["requestId"]
        assert line["user_id"] == alice.id
