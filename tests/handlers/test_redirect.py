import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bookmarks_delete
import redirect
from bookmarker.store.client import client
from tests.conftest import FakeContext, at_once, call, make_event
from tests.faults import PROVISIONED, fail_call

ROOT = Path(__file__).resolve().parents[2]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def hit(code, method="GET", accept="*/*"):
    out = redirect.lambda_handler(make_event(f"{method} /{{short_code}}", path_params={"short_code": code},
                                             headers={"accept": accept}), FakeContext())
    return out["statusCode"], out["headers"], out.get("body") or ""


def counter_item(tables, owner, bookmark_id):
    return tables.get_item(TableName=os.environ["BOOKMARKS_TABLE"],
                           Key={"pk": {"S": owner}, "sk": {"S": f"B#{bookmark_id}#V"}}).get("Item")


# ---- the redirect --------------------------------------------------------------------------------

def test_a_short_link_redirects_302_to_the_url_exactly_as_saved(alice, make_bookmark):
    saved = make_bookmark(alice, "HTTPS://Example.COM:443/Path?q=a%20b&x=1#frag")

    status, headers, body = hit(saved["short_code"])

    assert status == 302
    assert headers["Location"] == "HTTPS://Example.COM:443/Path?q=a%20b&x=1#frag"
    assert headers["Cache-Control"] == "no-store"
    assert body == ""


def test_a_visit_counts_one_and_sets_last_visited_at(alice, make_bookmark, get_bookmark):
    saved = make_bookmark(alice, "https://example.com/")

    hit(saved["short_code"])

    after = get_bookmark(alice, saved["id"])
    assert after["visits"] == 1
    assert after["last_visited_at"] is not None
    assert after["last_visited_at"] >= saved["created_at"]
    assert after["updated_at"] == saved["updated_at"]


def test_head_redirects_but_is_not_counted(alice, make_bookmark, get_bookmark):
    saved = make_bookmark(alice, "https://example.com/")

    status, headers, _ = hit(saved["short_code"], method="HEAD")

    assert status == 302
    assert headers["Location"] == "https://example.com/"
    after = get_bookmark(alice, saved["id"])
    assert after["visits"] == 0
    assert after["last_visited_at"] is None


def test_fifty_concurrent_visits_count_exactly_fifty(alice, make_bookmark, get_bookmark):
    saved = make_bookmark(alice, "https://example.com/hot")
    statuses = [status for status, _, _ in at_once([lambda: hit(saved["short_code"])] * 50)]

    assert statuses == [302] * 50
    assert get_bookmark(alice, saved["id"])["visits"] == 50


# ---- unknown and deleted links -------------------------------------------------------------------

@pytest.mark.parametrize("code", ["Zzzzzz9", "abc", "a" * 65, "a" * 10_240, "../api", "ab cd12", "", "é" * 7,
                                  "\u0000", "%00", "🙂🙂🙂🙂", "CODE"])
def test_an_unknown_code_is_404_problem_json(tables, code):
    status, headers, body = hit(code, accept="application/json")

    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    assert '"code":"not_found"' in body
    assert "Location" not in headers


def test_a_deleted_bookmarks_code_is_404(alice, make_bookmark):
    saved = make_bookmark(alice, "https://example.com/")
    call(bookmarks_delete.lambda_handler, make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": saved["id"]}, token=alice.access))

    status, headers, _ = hit(saved["short_code"])

    assert status == 404
    assert "Location" not in headers


def test_a_browser_gets_a_plain_html_404_page(tables):
    status, headers, body = hit("Zzzzzz9", accept=BROWSER)

    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert body.lower().startswith("<!doctype html>")
    assert "<script" not in body.lower()
    assert "http://" not in body
    assert "https://" not in body
    assert "src=" not in body.lower()
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("accept", ["*/*", "application/json", "application/problem+json", "",
                                    "application/json, text/plain, */*"])
def test_other_clients_get_problem_json(tables, accept):
    status, headers, body = hit("Zzzzzz9", accept=accept)

    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    assert '"status":404' in body


# ---- eventual consistency and failures -----------------------------------------------------------

def test_a_link_missing_from_the_index_still_resolves_through_its_code_claim(alice, make_bookmark, get_bookmark,
                                                                             monkeypatch):
    saved = make_bookmark(alice, "https://example.com/fresh")
    dynamodb = client()
    query = dynamodb.query

    def index_not_yet_updated(**params):
        if params.get("IndexName"):
            return {"Items": [], "Count": 0, "ScannedCount": 0}
        return query(**params)

    monkeypatch.setattr(dynamodb, "query", index_not_yet_updated)

    status, headers, _ = hit(saved["short_code"])

    assert status == 302
    assert headers["Location"] == "https://example.com/fresh"
    monkeypatch.undo()
    assert get_bookmark(alice, saved["id"])["visits"] == 1


def test_a_throttled_count_still_redirects_and_logs_the_miss(alice, make_bookmark, get_bookmark, caplog):
    saved = make_bookmark(alice, "https://example.com/hot")
    logging.getLogger("bookmarker").addHandler(caplog.handler)
    try:
        with fail_call(1, PROVISIONED, operation="UpdateItem") as faults:  # the count; the lookup goes through
            status, headers, _ = hit(saved["short_code"])
    finally:
        logging.getLogger("bookmarker").removeHandler(caplog.handler)

    assert [i.operation for i in faults.injected] == ["UpdateItem"]
    assert status == 302
    assert headers["Location"] == "https://example.com/hot"
    assert "visit not counted" in caplog.messages
    assert get_bookmark(alice, saved["id"])["visits"] == 0


def test_a_stale_index_hit_for_a_deleted_bookmark_is_404_and_does_not_resurrect_its_counter(
        tables, alice, make_bookmark, monkeypatch):
    saved = make_bookmark(alice, "https://example.com/gone")
    dynamodb = client()
    query = dynamodb.query
    stale = query(TableName=os.environ["BOOKMARKS_TABLE"], IndexName="ShortCodeIndex",
                  KeyConditionExpression="short_code = :c",
                  ExpressionAttributeValues={":c": {"S": saved["short_code"]}})
    assert stale["Items"]
    call(bookmarks_delete.lambda_handler, make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": saved["id"]}, token=alice.access))
    monkeypatch.setattr(dynamodb, "query", lambda **p: stale if p.get("IndexName") else query(**p))

    status, headers, _ = hit(saved["short_code"])

    assert status == 404
    assert "Location" not in headers
    assert counter_item(tables, alice.id, saved["id"]) is None


# ---- cold start ----------------------------------------------------------------------------------

def test_the_redirect_imports_none_of_the_heavy_libraries():
    paths = [str(ROOT / "layers" / "common"), str(ROOT / "functions")]
    script = ("import sys, redirect\n"
              "heavy = ('pydantic', 'jwt', 'bcrypt', 'boto3', 'aws_xray_sdk')\n"
              "loaded = {name.split('.')[0] for name in sys.modules}\n"
              "print(','.join(m for m in heavy if m in loaded))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}

    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True,
                         cwd=ROOT, timeout=60)

    assert out.stdout.strip() == ""
