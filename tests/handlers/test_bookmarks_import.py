"""POST /api/v1/bookmarks/import and GET /api/v1/bookmarks/export: browser files and JSON lists in, per-item
results, URLs already saved skipped, limits, faults part-way, and a round trip into a fresh account."""
import json
import os
from pathlib import Path

import pytest

import bookmarks_export
import bookmarks_import
import bookmarks_list
import tags_list
from bookmarker import netscape, transfer
from bookmarker.store import bookmarks as store
from ops.check_data import check
from tests.conftest import TEMPLATE, FakeContext, call, make_event
from tests.faults import THROTTLING, fail_call

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIREFOX = (FIXTURES / "firefox-bookmarks.html").read_text(encoding="utf-8")
CHROME = (FIXTURES / "chrome-bookmarks.html").read_text(encoding="utf-8")
HTML = {"content-type": "text/html"}


def send(account, body, headers=None):
    return call(bookmarks_import.lambda_handler, make_event("POST /api/v1/bookmarks/import", body=body,
                                                            token=account.access, headers=headers))


def everything(account) -> list[dict]:
    _, body, _ = call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks", query={"per_page": 100},
                                                               token=account.access))
    return body["data"]


def export(account, query) -> tuple[int, dict | str, dict]:
    out = bookmarks_export.lambda_handler(make_event("GET /api/v1/bookmarks/export", query=query,
                                                     token=account.access), FakeContext())
    body = out.get("body", "")
    is_json = out["headers"].get("Content-Type", "").startswith(("application/json", "application/problem+json"))
    return out["statusCode"], json.loads(body) if is_json else body, out["headers"]


def tags_of(account) -> dict[str, int]:
    _, body, _ = call(tags_list.lambda_handler, make_event("GET /api/v1/tags", token=account.access))
    return {t["name"]: t["count"] for t in body["data"]}


def saved(account) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(b["url"], b["body"], tuple(b["tags"])) for b in everything(account)}


# ---- a browser's file -------------------------------------------------------------------------------------

def test_a_firefox_export_is_imported_link_by_link_with_each_refusal_reported(alice):
    links = netscape.parse(FIREFOX, 1000)

    status, body, _ = send(alice, FIREFOX, HTML)

    assert status == 200, body
    failed = {(f["url"], f["code"]) for f in body["failed"]}
    assert failed == {("place:sort=8&maxResults=10", "invalid_url"),  # a Firefox smart folder, not a page
                      ("https://tenki.jp/forecast/3/16/4410/13101/", "invalid_tag")}  # its tag "東京"
    assert all(links[f["index"]].url == f["url"] for f in body["failed"])
    assert (body["created"], body["skipped"]) == (len(links) - 2, 0)
    by_url = {b["url"]: b for b in everything(alice)}
    for link in links:
        if link.url in by_url:  # the description, else the title, is the body; TAGS are the tags
            assert by_url[link.url]["body"] == (link.description or link.title)
            assert by_url[link.url]["tags"] == sorted(link.tags)
    assert tags_of(alice)["aws"] == 2


def test_a_chrome_export_keeps_its_titles_in_any_script_and_its_order(alice):
    links = netscape.parse(CHROME, 1000)

    status, body, _ = send(alice, CHROME, {"content-type": "text/html; charset=utf-8"})

    assert (status, body["created"], body["failed"]) == (200, len(links), [])
    listed = everything(alice)
    assert [b["url"] for b in listed] == [link.url for link in links]  # the file's first link is the newest
    assert [b["body"] for b in listed] == [link.title for link in links]
    assert any(any("\u0400" <= c <= "\u04ff" for c in b["body"]) for b in listed)  # Cyrillic kept


def test_a_second_identical_import_creates_nothing(alice):
    first = send(alice, CHROME, HTML)[1]

    status, again, _ = send(alice, CHROME, HTML)

    assert (status, again["created"], again["skipped"]) == (200, 0, first["created"])
    assert len(everything(alice)) == first["created"]


# ---- a JSON list ------------------------------------------------------------------------------------------

def test_a_json_list_reports_each_bad_item_by_index_and_code(alice, make_bookmark):
    make_bookmark(alice, "https://example.com/held")
    items = [
        {"url": "https://example.com/one", "body": "first", "tags": ["A", "b"]},
        {"url": "ftp://example.com/"},
        {"url": "https://example.com/two", "tags": ["not a tag"]},
        {"url": "https://example.com/three", "body": "x" * 10_001},
        "https://example.com/just-a-string",
        {"url": "https://example.com/four", "colour": "red"},
        {"url": "HTTPS://EXAMPLE.COM:443/held"},  # saved already: skipped
        {"url": "https://example.com/one"},  # twice in the file: skipped
        {"url": 42},
        {"url": "https://example.com/five", "tags": [f"t{i}" for i in range(21)]},
    ]

    status, body, _ = send(alice, items)

    assert status == 200, body
    assert (body["created"], body["skipped"]) == (1, 2)
    assert [(f["index"], f["url"], f["code"]) for f in body["failed"]] == [
        (1, "ftp://example.com/", "invalid_url"), (2, "https://example.com/two", "invalid_tag"),
        (3, "https://example.com/three", "validation_failed"), (4, None, "validation_failed"),
        (5, "https://example.com/four", "validation_failed"), (8, None, "validation_failed"),
        (9, "https://example.com/five", "too_many_tags")]
    assert ("https://example.com/one", "first", ("a", "b")) in saved(alice)
    assert tags_of(alice) == {"a": 1, "b": 1}


def test_an_export_page_imports_as_it_is(alice, bob, make_bookmark):
    make_bookmark(alice, "https://example.com/x", "note", tags=["t"])
    status, page, _ = export(alice, {"format": "json"})

    status, body, _ = send(bob, page)  # {"data": [...], "meta": ...}: read-only fields ignored

    assert (status, body["created"], body["failed"]) == (200, 1, [])
    assert saved(bob) == {("https://example.com/x", "note", ("t",))}


# ---- bad files: a clear 4xx and nothing written -------------------------------------------------------------

def _links_json(n: int) -> list[dict]:
    return [{"url": f"https://example.com/{i}"} for i in range(n)]


def _links_html(n: int) -> str:
    return "".join(netscape.render(netscape.Link(f"https://example.com/{i}", f"t{i}", "", (), None)
                                   for i in range(n)))


@pytest.mark.parametrize(("body", "headers", "status", "code"), [
    (_links_json(1001), None, 400, "too_many_links"),
    (_links_html(1001), HTML, 400, "too_many_links"),
    ("{\"not\": \"a list\"}", None, 400, "invalid_import"),
    ("[{\"url\": ", None, 400, "invalid_json"),
    ("[1, 2", None, 400, "invalid_json"),
    (json.dumps(_links_json(3)), HTML, 400, "invalid_bookmark_file"),  # JSON sent as HTML
    (FIREFOX[:len(FIREFOX) // 2], HTML, 400, "invalid_bookmark_file"),  # truncated
    ("<html><body><a href='https://example.com/'>x</a></body></html>", HTML, 400, "invalid_bookmark_file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", {"content-type": "text/html"}, 400, "invalid_encoding"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", {"content-type": "image/png"}, 400, "invalid_encoding"),
    ("https://example.com/", {"content-type": "text/plain"}, 415, "unsupported_media_type"),
    ("url=https://example.com/", {"content-type": "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type"),
    ("x" * (2 * 1024 * 1024 + 1), HTML, 413, "payload_too_large"),
])
def test_a_bad_file_is_a_clear_4xx_that_writes_nothing(alice, body, headers, status, code):
    got, answer, out_headers = send(alice, body, headers)

    assert (got, answer["code"]) == (status, code), answer
    assert out_headers["Content-Type"] == "application/problem+json"
    assert everything(alice) == []


def test_two_mib_is_accepted(alice):
    links = _links_html(1000)
    padded = links.replace("<DL><p>", "<DL><p>" + "<!--" + "x" * (2 * 1024 * 1024 - len(links) - 7) + "-->", 1)
    assert len(padded.encode()) == 2 * 1024 * 1024

    status, body, _ = send(alice, padded, HTML)

    assert (status, body["created"]) == (200, 1000)


def test_a_thousand_links_go_in_whole_and_counted(alice, tables):
    items = [{"url": f"https://example.com/{i}", "tags": [f"t{i % 30}", "all"]} for i in range(1000)]

    status, body, _ = send(alice, items)

    assert (status, body["created"], body["failed"]) == (200, 1000, [])
    assert tags_of(alice)["all"] == 1000
    assert check(tables, os.environ["USERS_TABLE"], os.environ["BOOKMARKS_TABLE"]).problems == []


# ---- the quota, races, faults -------------------------------------------------------------------------------

@pytest.fixture
def quota_of_five(with_settings):
    with_settings(BOOKMARK_QUOTA=5)


def test_past_the_quota_the_rest_is_refused_by_index(alice, make_bookmark, quota_of_five):
    make_bookmark(alice)
    make_bookmark(alice)

    status, body, _ = send(alice, _links_json(6))

    assert (status, body["created"]) == (200, 3)
    assert [(f["index"], f["code"]) for f in body["failed"]] == [(3, "quota_exceeded"), (4, "quota_exceeded"),
                                                                 (5, "quota_exceeded")]
    assert len(everything(alice)) == 5


def test_a_url_saved_while_the_import_runs_is_skipped_not_duplicated(alice, make_bookmark, monkeypatch):
    make_bookmark(alice, "https://example.com/1")
    monkeypatch.setattr(store, "saved_url_keys", lambda owner, keys: set())  # as if saved after the pre-read

    status, body, _ = send(alice, _links_json(3))

    assert (status, body["created"], body["skipped"]) == (200, 2, 1)
    assert sorted(b["url"] for b in everything(alice)) == [f"https://example.com/{i}" for i in range(3)]


def test_a_short_code_drawn_twice_is_drawn_again(alice, make_bookmark, monkeypatch):
    taken = make_bookmark(alice)["short_code"]
    draws = iter([taken, "Fresh01", "Fresh02"])
    monkeypatch.setattr(transfer.bookmarks, "new_code", lambda: next(draws))

    status, body, _ = send(alice, _links_json(2))

    assert (status, body["created"]) == (200, 2)
    assert {b["short_code"] for b in everything(alice)} == {taken, "Fresh01", "Fresh02"}


def test_a_fault_part_way_is_a_503_saying_what_went_in_and_the_same_file_again_finishes(alice, tables):
    items = [{"url": f"https://example.com/{i}", "tags": ["x"]} for i in range(100)]  # four transactions

    with fail_call(3, THROTTLING, operation="TransactWriteItems"):
        status, body, headers = send(alice, items)

    assert (status, body["code"], headers["Retry-After"]) == (503, "unavailable", "1")
    assert body["created"] == len(everything(alice)) > 0
    assert check(tables, os.environ["USERS_TABLE"], os.environ["BOOKMARKS_TABLE"]).problems == []
    status, again, _ = send(alice, items)
    assert (status, again["created"] + again["skipped"], again["skipped"]) == (200, 100, body["created"])
    assert tags_of(alice) == {"x": 100}


# ---- export, and the round trip ------------------------------------------------------------------------------

def test_the_html_export_is_a_browser_file_of_every_bookmark(alice, make_bookmark):
    made = [make_bookmark(alice, f"https://example.com/{i}", f"line one\nline two {i}", tags=["a"]) for i in range(3)]

    status, body, headers = export(alice, {"format": "html"})

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Disposition"] == 'attachment; filename="bookmarks.html"'
    links = netscape.parse(body, 1000)
    assert [link.url for link in links] == [b["url"] for b in made[::-1]]
    assert links[0].title == "line one" and links[0].tags == ("a",) and links[0].add_date


def test_the_json_export_pages_by_cursor(alice, make_bookmark, monkeypatch):
    monkeypatch.setattr(transfer, "EXPORT_PAGE", 2)
    made = [make_bookmark(alice, f"https://example.com/{i}") for i in range(5)]
    seen, query = [], {"format": "json"}
    while True:
        status, page, _ = export(alice, query)
        assert status == 200
        seen += page["data"]
        if not page["meta"]["next_cursor"]:
            break
        query = {"format": "json", "cursor": page["meta"]["next_cursor"]}

    assert [b["id"] for b in seen] == [b["id"] for b in made[::-1]]


def test_an_html_export_over_5_mb_is_413(alice, make_bookmark, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_EXPORT_BYTES", 1000)
    for i in range(5):
        make_bookmark(alice, f"https://example.com/{i}", "x" * 300)

    status, body, _ = export(alice, {"format": "html"})

    assert (status, body["code"]) == (413, "export_too_large")


@pytest.mark.parametrize("fmt", ["xml", "HTML", ""])
def test_an_unknown_format_is_a_400(alice, fmt):
    status, body, _ = export(alice, {"format": fmt})

    assert (status, body["code"]) == (400, "invalid_format")


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_an_export_imported_into_a_fresh_account_gives_the_same_urls_bodies_and_tags(alice, make_user, fmt):
    send(alice, FIREFOX, HTML)
    send(alice, [{"url": "https://example.com/multi", "body": "first line\n\n  indented second\nthird",
                  "tags": ["x", "y"]}, {"url": "https://example.com/empty"}])
    status, exported, _ = export(alice, {"format": fmt})
    fresh = make_user()

    status, body, _ = send(fresh, exported, HTML if fmt == "html" else None)

    assert (status, body["failed"]) == (200, [])
    assert saved(fresh) == saved(alice)
    assert tags_of(fresh) == tags_of(alice)


def test_the_routes_are_functions_of_their_own():
    keys = {r.route_key: r.function_logical_id for r in TEMPLATE.routes}

    assert keys["POST /api/v1/bookmarks/import"] == "BookmarksImportFunction"
    assert keys["GET /api/v1/bookmarks/export"] == "BookmarksExportFunction"
