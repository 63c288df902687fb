"""`make load`: a bounded mixed workload (bench/locustfile.py, locust in .venv-load) against a local API of its own on
127.0.0.1: requests/s, p50/p95/p99 and errors; then every bookmark's `visits` and `bot_visits` against the
redirects sent to it, and ops.check_data on its tables. Exit 1 when any check fails.

    LOAD_SECONDS (default 60, at most 120), LOAD_USERS (default 20), LOAD_MAX_REQUESTS (default 60000; the
    requests under way when it is reached still finish, so a run may pass it by up to LOAD_USERS)"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.harness import REPO, LocalApi

LOCUST = REPO / ".venv-load" / "bin" / "locust"
LOCUSTFILE = REPO / "bench" / "locustfile.py"
MAX_SECONDS = 120
SPAWN_RATE = 10                       # users started a second
STOP_TIMEOUT = 10                     # s for the tasks under way to finish: a redirect cut off could be uncounted
ACCOUNTS, SEEDED_PER_ACCOUNT = 10, 10
PASSWORD = "correct horse battery"    # noqa: S105 (throwaway accounts in a temporary local API)
TAGS = ("reading", "work", "video", "python", "later")
BOT_SHARE, HOT_SHARE = 0.3, 0.2       # of the redirects: by bots; to one hot link (concurrent ADDs on one item)
SHOWN = 10                            # mismatches listed
HOT_AT = 100                          # HOT_LINK_VISITS here: the hot link turns hot, spreading its count, under load
SERVER_ERROR = re.compile(r"\S+ \S+ 5\d\d [\d.]+ms$")  # the local API's line for a 5xx it answered

# What each kind is, per API.md (link previews and crawlers are bots); checked against bookmarker.bots first, so a
# disagreement is reported as such, not as miscounted visits.
AGENTS: dict[str, tuple[str, ...]] = {
    "person": (
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
        "Safari/537.36"),
    "bot": (
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0"),
}


def _setting(name: str, default: int, most: int | None = None) -> int:
    value = int(os.environ.get(name) or default)
    if value < 1 or (most is not None and value > most):
        raise SystemExit(f"{name}={value}: 1 to {most or 'any'}")
    return value


def _agents_agree() -> list[str]:
    """The User-Agents whose kind bookmarker.bots sees otherwise."""
    if str(REPO / "layers/common") not in sys.path:
        sys.path.append(str(REPO / "layers/common"))
    from bookmarker.bots import is_bot

    return [f"{kind}: {agent}" for kind, agents in AGENTS.items() for agent in agents
            if is_bot(agent) != (kind == "bot")]


def _seed(client: httpx.Client) -> tuple[dict[str, str], list[str]]:
    """ACCOUNTS accounts of SEEDED_PER_ACCOUNT tagged bookmarks each: (email -> access token, short codes)."""
    tokens, codes = {}, []
    for i in range(ACCOUNTS):
        email = f"load{i}@example.com"
        client.post("/api/v1/auth/register", json={"username": f"load{i}", "email": email, "password": PASSWORD}
                    ).raise_for_status()
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).raise_for_status()
        tokens[email] = login.json()["access"]
        for n in range(SEEDED_PER_ACCOUNT):
            made = client.post("/api/v1/bookmarks", headers={"authorization": f"Bearer {tokens[email]}"}, json={
                "url": f"https://example.com/seeded/{i}/{n}", "tags": [TAGS[n % len(TAGS)], TAGS[i % len(TAGS)]]})
            codes.append(made.raise_for_status().json()["short_code"])
    return tokens, codes


def _locust(url: str, work: Path, config: Path, seconds: int, users: int) -> int:
    """Run the scenario headless; its log goes to work/locust.log (printed when it fails)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCUST_")}  # the flags below, nothing else
    command = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", url, "-u", str(users), "-r",
               str(SPAWN_RATE), "--run-time", f"{seconds}s", "--stop-timeout", str(STOP_TIMEOUT),
               "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    with (work / "locust.log").open("w") as log:
        done = subprocess.run(command, cwd=REPO, env={**env, "LOAD_CONFIG": str(config)}, stdout=log,
                              stderr=subprocess.STDOUT, timeout=seconds + STOP_TIMEOUT + 60, check=False)
    if done.returncode:
        print((work / "locust.log").read_text()[-4000:])
    return done.returncode


def _figures(results: dict[str, Any]) -> None:
    """Print locust's figures per request and overall, and its failures."""
    print(f"{'request':<34} {'count':>7} {'fails':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}  ms")
    for row in [*results["requests"], results["total"]]:
        print(f"{row['name']:<34} {row['count']:>7} {row['failures']:>6} {row['rps']:>7.1f} {row['p50']:>6} "
              f"{row['p95']:>6} {row['p99']:>6} {row['max']:>6.0f}")
    for error in results["errors"]:
        print(f"  failed: {error['request']}: {error['error']} x{error['count']}")


def _bookmarks(client: httpx.Client, tokens: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every bookmark of every account, each read on its own (GET /api/v1/bookmarks/{id}, its owner's token)."""
    found = []
    for token in tokens.values():
        headers, params = {"authorization": f"Bearer {token}"}, {"per_page": "100"}
        while True:
            page = client.get("/api/v1/bookmarks", params=params, headers=headers).raise_for_status().json()
            for listed in page["data"]:
                found.append(client.get(f"/api/v1/bookmarks/{listed['id']}", headers=headers
                                        ).raise_for_status().json())
            if not page["meta"]["next_cursor"]:
                break
            params = {"per_page": "100", "cursor": page["meta"]["next_cursor"]}
    return found


def _visits_match(bookmarks: list[dict[str, Any]], results: dict[str, Any], seeded: int) -> list[str]:
    """What differs between the counters and the 302s received; [] when every one matches."""
    sent: dict[str, dict[str, int]] = results["redirects"]
    problems = []
    for b in bookmarks:
        person, bot = (sent.get(b["short_code"], {}).get(kind, 0) for kind in ("person", "bot"))
        if (b["visits"], b["bot_visits"]) != (person, bot):
            problems.append(f"{b['short_code']}: visits {b['visits']}, bot_visits {b['bot_visits']}; 302s received: "
                            f"{person} by people, {bot} by bots")
    unknown = set(sent) - {b["short_code"] for b in bookmarks}
    problems += [f"{code}: redirected, yet no bookmark has it" for code in sorted(unknown)]
    if len(bookmarks) != seeded + results["created"]:
        problems.append(f"{len(bookmarks)} bookmarks, expected {seeded} seeded + {results['created']} created")
    if any(results["in_flight"].values()):
        problems.append(f"redirects cut off at the stop, counted or not: {results['in_flight']}")
    return problems


def _check_data(state: Path) -> bool:
    """ops.check_data on this run's tables, found as `make check-data` finds a running local API's."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DYNAMODB_ENDPOINT_URL", "USERS_TABLE", "BOOKMARKS_TABLE", "API_TOKENS_TABLE")}
    done = subprocess.run([sys.executable, "-m", "ops.check_data"], cwd=REPO, capture_output=True, text=True,
                          env={**env, "LOCAL_STATE_DIR": str(state)}, timeout=120, check=False)
    print("\n".join(f"  {line}" for line in (done.stdout + done.stderr).splitlines()))
    return done.returncode == 0


def _counters(state: Path) -> dict[int, int]:
    """How many bookmarks have 1, 2, ... counter items (B#<id>#V...), read from the local API's DynamoDB."""
    import boto3

    from local.dynamo import endpoint_file
    from local.template import table_name

    where = json.loads(endpoint_file(state).read_text())
    dynamodb = boto3.client("dynamodb", endpoint_url=where["endpoint_url"], region_name=where["region"],
                            aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106 (moto's)
    per: dict[str, int] = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=table_name("BookmarksTable"),
                                                        ProjectionExpression="sk"):
        for item in page["Items"]:
            head, mark, _ = item["sk"]["S"].partition("#V")
            if mark:
                per[head] = per.get(head, 0) + 1
    return {n: sum(1 for c in per.values() if c == n) for n in sorted(set(per.values()))}


def _run(api: LocalApi, work: Path, seconds: int, users: int, ceiling: int) -> list[str]:
    """Seed, load, then check: what failed."""
    assert api.client is not None  # start() opened it
    tokens, codes = _seed(api.client)
    config, results_file = work / "config.json", work / "results.json"
    config.write_text(json.dumps({
        "accounts": [{"email": email, "password": PASSWORD} for email in tokens], "codes": codes, "agents": AGENTS,
        "bot_share": BOT_SHARE, "hot_share": HOT_SHARE, "max_requests": ceiling, "tags": TAGS,
        "results": str(results_file)}))
    print(f"load: {users} users (spawned {SPAWN_RATE}/s) for {seconds} s or {ceiling} requests against {api.url}; "
          f"{ACCOUNTS} accounts, {len(codes)} seeded links; redirects : other = 20 : 1, {BOT_SHARE:.0%} of them "
          f"bots, {HOT_SHARE:.0%} to one hot link", flush=True)
    start = time.monotonic()
    failed = ["locust exited non-zero"] if _locust(api.url, work, config, seconds, users) else []
    if not results_file.exists():
        return [*failed, "the scenario wrote no results"]
    results = json.loads(results_file.read_text())
    requests, failures = results["total"]["count"], results["total"]["failures"]
    print(f"locust: {requests} requests in {results['seconds']:.1f} s of load "
          f"({time.monotonic() - start:.0f} s with spawning and stopping)")
    _figures(results)
    lost = sum("visit not counted" in line for line in api.lines)
    answered_5xx = sum(bool(SERVER_ERROR.match(line)) for line in api.lines)
    print(f"errors: {failures} failed requests of {requests}, {results['exceptions']} exceptions in the scenario; "
          f"the API answered {answered_5xx} 5xx and logged {lost} 'visit not counted'")
    if failures or results["exceptions"] or answered_5xx or lost:
        failed.append(f"{failures} failed requests, {results['exceptions']} exceptions, {answered_5xx} 5xx, "
                      f"{lost} visits not counted")

    bookmarks = _bookmarks(api.client, tokens)
    mismatches = _visits_match(bookmarks, results, len(codes))
    sent = sum(by_kind["person"] + by_kind["bot"] for by_kind in results["redirects"].values())
    print(f"visits: {len(bookmarks)} bookmarks ({results['created']} created under load), {sent} redirects "
          f"answered 302; visits {sum(b['visits'] for b in bookmarks)} + bot_visits "
          f"{sum(b['bot_visits'] for b in bookmarks)}: "
          f"{f'{len(mismatches)} mismatches' if mismatches else 'every bookmark matches, by kind'}")
    for line in mismatches[:SHOWN]:
        print(f"  {line}")
    if mismatches:
        failed.append(f"{len(mismatches)} visit counts differ from the redirects sent")

    print(f"counters per bookmark (a link turns hot at {HOT_AT} visits a day): {_counters(api.state_dir)}")
    print("check-data:")
    if not _check_data(api.state_dir):
        failed.append("check-data found problems")
    return failed


def main() -> int:
    seconds = _setting("LOAD_SECONDS", 60, MAX_SECONDS)
    users = _setting("LOAD_USERS", 20, 200)
    ceiling = _setting("LOAD_MAX_REQUESTS", 60_000)
    if not LOCUST.exists():
        raise SystemExit(f"{LOCUST.relative_to(REPO)} is missing: `make load` installs it (requirements-load.txt)")
    if disagree := _agents_agree():
        raise SystemExit("bookmarker.bots classifies these User-Agents otherwise:\n  " + "\n  ".join(disagree))
    with tempfile.TemporaryDirectory(prefix="bookmarker-load-") as tmp:
        api = LocalApi(Path(tmp) / "state", env={"HOT_LINK_VISITS": str(HOT_AT)}).start()
        try:
            failed = _run(api, Path(tmp), seconds, users, ceiling)
        finally:
            api.stop()
    print("caveat: every function runs in one local process over one moto backend behind a lock (local/dynamo.py), "
          "bcrypt at 4 rounds: moto's throughput on this machine, not Lambda's or DynamoDB's")
    print(f"load: {'FAIL: ' + '; '.join(failed) if failed else 'PASS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
