"""Per-client limits (by source IP) on registration and failed logins, against account spraying."""
import pytest
import time_machine

import auth_login
import auth_register
from bookmarker.config import settings
from tests.conftest import call, make_event


@pytest.fixture
def limit_of_three(with_settings):
    with_settings(CLIENT_MAX_ATTEMPTS=3)


def register(n: int, ip: str):
    return call(auth_register.lambda_handler, make_event(
        "POST /api/v1/auth/register", source_ip=ip,
        body={"username": f"spray{n}", "email": f"spray{n}@example.com", "password": "long enough pw"}))


def login(email: str, password: str, ip: str):
    return call(auth_login.lambda_handler, make_event(
        "POST /api/v1/auth/login", source_ip=ip, body={"email": email, "password": password}))


def test_a_client_registering_too_many_accounts_is_slowed_down(tables, limit_of_three):
    allowed = [register(n, "203.0.113.9")[0] for n in range(3)]

    status, body, headers = register(3, "203.0.113.9")
    other_client = register(4, "203.0.113.10")

    assert allowed == [201, 201, 201]
    assert status == 429
    assert body["code"] == "rate_limited"
    assert int(headers["Retry-After"]) > 0
    assert other_client[0] == 201
    assert login("spray3@example.com", "long enough pw", "203.0.113.10")[0] == 401  # nothing was created


def test_a_client_spraying_one_password_over_many_accounts_is_refused_even_when_right(tables, make_user,
                                                                                     limit_of_three):
    victim = make_user("victim")
    for n in range(3):  # three different accounts: no single account reaches its own lockout
        assert login(f"someone{n}@example.com", "Winter2026!", "203.0.113.66")[0] == 401

    refused = login(victim.email, victim.password, "203.0.113.66")
    elsewhere = login(victim.email, victim.password, "198.51.100.20")

    assert refused[0] == 429
    assert refused[1]["code"] == "rate_limited"
    assert elsewhere[0] == 200


def test_the_client_window_passes(tables, make_user, limit_of_three):
    victim = make_user("patient")
    with time_machine.travel(0, tick=True) as traveller:
        traveller.move_to("2026-11-27T12:00:00Z")
        for n in range(3):
            login(f"other{n}@example.com", "guess guess", "203.0.113.77")
        assert login(victim.email, victim.password, "203.0.113.77")[0] == 429

        traveller.shift(settings().client_window + 1)

        assert login(victim.email, victim.password, "203.0.113.77")[0] == 200
