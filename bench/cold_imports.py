"""Cold-start imports per function: ms above a bare interpreter, median of 5 fresh processes each; each function's
cold init (its import and its DynamoDB client) as a ratio to a bare boto3 client made the same way; and what telling
bots apart adds to the redirect (the detector, loaded by the first visit), cold and warm."""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
# Cold init against a bare boto3 client (issue 16): the redirect at most this, every other function at most 3x.
GOALS = {"redirect": 1.2}
GOAL_OTHERS = 3.0
# What settings() reads when the store's client is made: names only, nothing is called.
SETTINGS = {"USERS_TABLE": "u", "BOOKMARKS_TABLE": "b", "IDEMPOTENCY_TABLE": "i", "API_TOKENS_TABLE": "t",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}


def _ms(code: str) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "functions")]),
           "PYTHONDONTWRITEBYTECODE": "0", **SETTINGS}
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run() -> list[tuple[str, str]]:
    bare = _ms("pass")
    print(f"bare interpreter: {bare:.0f} ms (subtracted below)")
    functions = sorted(p.stem for p in (ROOT / "functions").glob("*.py"))
    figures = {name: _ms(f"import {name}") - bare for name in functions}
    for name, ms in sorted(figures.items(), key=lambda kv: kv[1]):
        print(f"  {name:<20} {ms:6.0f} ms")
    heaviest = max(figures.values())
    print(f"redirect / heaviest handler: {figures['redirect'] / heaviest:.2f}")

    boto3_client = _ms("import boto3; boto3.client('dynamodb', region_name='us-east-1')") - bare
    inits = _cold_inits(functions, bare, boto3_client)
    detector = _ms("from bookmarker import bots; bots.is_bot('Slackbot-LinkExpanding 1.0')") - bare
    print(f"bots: loading the detector and one match, in a fresh process: {detector:.0f} ms "
          f"(a bare boto3 client: {boto3_client:.0f} ms; redirect import + detector / boto3 client: "
          f"{(figures['redirect'] + detector) / boto3_client:.2f})")
    sys.path.insert(0, str(ROOT / "layers/common"))  # warm, in this process
    from bookmarker import bots

    # A new User-Agent each call (the version moves), so no cache of the detector's answers the match.
    agents = {"browser": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/131.0.{}.0 Safari/537.36",
              "Slack preview": "Slackbot-LinkExpanding 1.{} (+https://api.slack.com/robots)"}
    for kind, agent in agents.items():
        start = time.perf_counter()
        for i in range(1000):
            bots.is_bot(agent.format(i))
        print(f"  warm match, {kind}: {(time.perf_counter() - start) * 1000:.0f} us a call")
    others = {name: ms for name, ms in inits.items() if name != "redirect"}
    worst = max(others, key=others.__getitem__)
    return [("cold init, redirect / bare boto3 client",
             f"{inits['redirect'] / boto3_client:.2f}x ({inits['redirect']:.0f} ms / {boto3_client:.0f} ms; goal "
             f"<= {GOALS['redirect']}x)"),
            ("cold init, every other function / bare boto3 client",
             f"{min(others.values()) / boto3_client:.2f}x to {others[worst] / boto3_client:.2f}x ({worst}; goal "
             f"<= {GOAL_OTHERS}x)")]


def _cold_inits(functions: list[str], bare: float, baseline: float) -> dict[str, float]:
    """Each function's import and the store's client made, as a fresh Lambda container does before its first
    answer, over `import boto3; boto3.client("dynamodb")` made the same way."""
    with_client = "; from bookmarker.store.client import client; client()"
    inits = {name: _ms(f"import {name}" + (with_client if name not in LIGHT_WITHOUT_STORE else "")) - bare
             for name in functions}
    print(f"cold init (import + its DynamoDB client) / a bare boto3 client ({baseline:.0f} ms), goal: redirect "
          f"<= {GOALS['redirect']}x, others <= {GOAL_OTHERS}x")
    for name, ms in sorted(inits.items(), key=lambda kv: kv[1]):
        ratio, goal = ms / baseline, GOALS.get(name, GOAL_OTHERS)
        print(f"  {name:<20} {ms:6.0f} ms  {ratio:4.2f}x{'' if ratio <= goal else f'  over {goal}x'}")
    return inits


LIGHT_WITHOUT_STORE = {"health", "fallback", "docs_page", "openapi_document", "root_redirect"}  # no DynamoDB
