"""An unknown email and a wrong password cost the same: same body, and about the same time."""
import statistics
import time

import pytest

import auth_login
from bookmarker import passwords
from bookmarker.config import settings
from tests.conftest import call, make_event

ROUNDS = 10  # a real bcrypt cost, so the hash dominates as it does in production (12)


@pytest.fixture
def real_cost(monkeypatch):
    monkeypatch.setenv("BCRYPT_ROUNDS", str(ROUNDS))
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "1000")
    settings.cache_clear()
    passwords._dummy_hash.cache_clear()
    yield
    monkeypatch.undo()
    settings.cache_clear()
    passwords._dummy_hash.cache_clear()


def attempt(email: str) -> tuple[float, dict]:
    start = time.perf_counter()
    status, body, _ = call(auth_login.lambda_handler,
                           make_event("POST /api/v1/auth/login", body={"email": email, "password": "wrong guess!"}))
    assert status == 401
    return time.perf_counter() - start, body


@pytest.mark.timing
def test_unknown_email_and_wrong_password_take_about_the_same_time(tables, make_user, real_cost):
    make_user("timed")
    attempt("nobody@example.com")  # warm both paths (the dummy hash is made once per container)
    attempt("timed@example.com")
    unknown, wrong = [], []

    for _ in range(12):  # side by side, alternating, so machine noise hits both alike
        unknown.append(attempt("nobody@example.com")[0])
        wrong.append(attempt("timed@example.com")[0])

    ratio = statistics.median(unknown) / statistics.median(wrong)
    print(f"median unknown email {statistics.median(unknown) * 1000:.1f} ms, "
          f"wrong password {statistics.median(wrong) * 1000:.1f} ms, ratio {ratio:.2f}")
    assert 0.5 < ratio < 2.0
    assert attempt("nobody@example.com")[1] == attempt("timed@example.com")[1]
