"""`make load`'s scenario: users log in, create bookmarks, list them (plain and by tag) and, 20 times as often,
follow short links as people's browsers and as bots. Runs in .venv-load (locust and the stdlib only, no project
code); bench/load.py seeds the accounts, passes them in LOAD_CONFIG and reads back LOAD_CONFIG's `results` file:
the 302s each short code answered, by kind (person or bot), so that every bookmark's `visits` and `bot_visits`
can be compared with what was sent.

Not type-checked: locust is not in the main venv (pyproject.toml's mypy `exclude` names this file alone)."""
from __future__ import annotations

import itertools
import json
import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.stats import StatsEntry

CONFIG: dict[str, Any] = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text())
ACCOUNTS: list[dict[str, str]] = CONFIG["accounts"]
AGENTS: dict[str, list[str]] = CONFIG["agents"]           # kind ("person" or "bot") -> User-Agents
BOT_SHARE: float = CONFIG["bot_share"]                    # of the redirects
HOT_SHARE: float = CONFIG["hot_share"]                    # of the redirects, to one link (concurrent ADDs on one item)
MAX_REQUESTS: int = CONFIG["max_requests"]                # the ceiling beside --run-time
TAGS: list[str] = CONFIG["tags"]

codes: list[str] = list(CONFIG["codes"])                  # seeded, then every code a create answers
redirects: Counter[tuple[str, str]] = Counter()           # (code, kind) -> 302s received
in_flight: Counter[str] = Counter()                       # kind -> redirects sent and not answered yet
url_number = itertools.count()                            # each create's URL is new: no 409 url_exists
sent = itertools.count(1)
next_account = itertools.count()
locust_env: list[Environment] = []                        # locust's environment, once init has fired


@events.init.add_listener
def _keep(environment: Environment, **_: Any) -> None:
    locust_env.append(environment)


@events.request.add_listener
def _ceiling(**_: Any) -> None:
    # Bounded in count as well as in time: at the ceiling the run stops as --run-time stops it (tasks under way
    # finish first, within --stop-timeout), from a greenlet of its own, since a user's cannot wait for itself.
    if next(sent) == MAX_REQUESTS and locust_env and locust_env[0].runner is not None:
        gevent.spawn(locust_env[0].runner.quit)


@events.test_stop.add_listener
def _write_results(environment: Environment, **_: Any) -> None:
    # Fired once every user has stopped (--stop-timeout), so these are final; the --csv files are written on a
    # timer, and can miss the last second's requests.
    by_code: dict[str, dict[str, int]] = {}
    for (code, kind), n in redirects.items():
        by_code.setdefault(code, {"person": 0, "bot": 0})[kind] = n
    stats = environment.stats
    requests = [_figures(entry.name, entry) for entry in sorted(stats.entries.values(), key=lambda e: e.name)]
    errors = [{"request": e.name, "error": e.error, "count": e.occurrences} for e in stats.errors.values()]
    Path(CONFIG["results"]).write_text(json.dumps({
        "redirects": by_code, "in_flight": +in_flight, "created": len(codes) - len(CONFIG["codes"]),
        "requests": requests, "total": _figures("all requests", stats.total), "errors": errors,
        "exceptions": sum(e["count"] for e in (environment.runner.exceptions if environment.runner else {}).values()),
        "seconds": (stats.last_request_timestamp or stats.start_time) - stats.start_time}))


def _figures(name: str, entry: StatsEntry) -> dict[str, Any]:
    return {"name": name, "count": entry.num_requests, "failures": entry.num_failures, "rps": entry.total_rps,
            "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99), "max": entry.max_response_time}


class Visitor(FastHttpUser):
    """One account's owner, who also stands for everyone opening the short links (anonymous GETs)."""

    wait_time = constant(0)   # as fast as the local API answers: a throughput test
    network_timeout = 30.0    # a redirect timed out here could still have been counted there: far above p99

    def on_start(self) -> None:
        self.account = ACCOUNTS[next(next_account) % len(ACCOUNTS)]
        self.token = ""
        self.login()

    def _auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def _expect(self, response: Any, status: int, name: str) -> bool:
        if response.status_code == status:
            response.success()
            return True
        response.failure(f"{response.status_code}, expected {status}")
        return False

    # redirects : everything else = 80 : 4 = 20 : 1

    @task(80)
    def follow_short_link(self) -> None:
        kind = "bot" if random.random() < BOT_SHARE else "person"
        code = codes[0] if random.random() < HOT_SHARE else random.choice(codes)
        headers = {"user-agent": random.choice(AGENTS[kind]), "accept": "text/html,*/*;q=0.8"}
        name = f"GET /{{short_code}} ({kind})"
        in_flight[kind] += 1
        try:
            with self.client.get(f"/{code}", headers=headers, allow_redirects=False, catch_response=True,
                                 name=name) as response:
                # Only a 302 is a visit sent: a 503 or 5xx (not counted, or failed) is an error of the run
                if self._expect(response, 302, name):
                    redirects[code, kind] += 1
        finally:
            in_flight[kind] -= 1

    @task(1)
    def login(self) -> None:
        name = "POST /api/v1/auth/login"
        with self.client.post("/api/v1/auth/login", json=self.account, catch_response=True, name=name) as response:
            if self._expect(response, 200, name):
                self.token = response.json()["access"]

    @task(1)
    def create(self) -> None:
        name = "POST /api/v1/bookmarks"
        n = next(url_number)
        body = {"url": f"https://example.com/load/{self.account['email']}/{n}", "body": f"made under load, #{n}",
                "tags": random.sample(TAGS, 2)}
        with self.client.post("/api/v1/bookmarks", json=body, headers=self._auth(), catch_response=True,
                              name=name) as response:
            if self._expect(response, 201, name):
                codes.append(response.json()["short_code"])

    @task(1)
    def list_newest(self) -> None:
        name = "GET /api/v1/bookmarks"
        with self.client.get("/api/v1/bookmarks?per_page=20", headers=self._auth(), catch_response=True,
                             name=name) as response:
            self._expect(response, 200, name)

    @task(1)
    def list_by_tag(self) -> None:
        name = "GET /api/v1/bookmarks?tag="
        with self.client.get(f"/api/v1/bookmarks?per_page=20&tag={random.choice(TAGS)}", headers=self._auth(),
                             catch_response=True, name=name) as response:
            self._expect(response, 200, name)
