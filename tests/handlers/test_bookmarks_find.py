"""GET /api/v1/bookmarks (and stats) with `tag`, `q`, `visited` and `sort`: the filtered, reordered list, its
total_count and its paging, against what the test itself computes from the bookmarks it made.

The tables and alice's bookmarks are made once for the module; the tests only read them."""
import itertools

import pytest

import bookmarks_list
import bookmarks_stats
import redirect
from tests.conftest import call, make_event, module_user

pytestmark = pytest.mark.usefixtures("module_tables")
alice = module_user("alice")
bob = module_user("bob")

TAGS = [["python", "web"], ["python"], ["web", "news"], [], ["news"], ["python", "news", "web"]]
BODIES = ["Fast APIs in Python", "a note", "Morning NEWS digest", "", "weather", "Café crème recipes"]


def listing(account, query, handler=bookmarks_list, route="GET /api/v1/bookmarks"):
    return call(handler.lambda_handler, make_event(route, query=query, token=account.access))


@pytest.fixture(scope="module")
def saved(alice, bob, make_bookmark) -> list[dict]:
    """Alice's 18 bookmarks, as the list answers them (newest first), with visits 0 to 3 from real redirects."""
    made = []
    for i in range(18):
        made.append(make_bookmark(alice, f"https://example.com/{i}/page", BODIES[i % 6], tags=TAGS[i % 6]))
        for _ in range(i % 4 if i % 5 else 0):
            assert call(redirect.lambda_handler, make_event("GET /{short_code}", path_params={
                "short_code": made[-1]["short_code"]}))[0] == 302
    make_bookmark(bob, "https://example.com/bob", "python news", tags=["python", "news"])
    _, body, _ = listing(alice, {"per_page": 100})
    assert len(body["data"]) == 18
    return body["data"]


def expected(saved, *, tags=(), words=(), visited=None, sort="-created_at"):
    """What the contract says the list holds, in its order, computed here from the bookmarks."""
    def keep(b):
        text = " ".join([b["url"], b["body"], *b["tags"]]).casefold()
        return (set(tags) <= set(b["tags"]) and all(w.casefold() in text for w in words)
                and (visited is None or (b["visits"] > 0) == visited))

    found = [b for b in saved if keep(b)]  # saved is newest first
    if sort == "created_at":
        return found[::-1]
    if sort == "-visits":
        return sorted(found, key=lambda b: (b["visits"], b["id"]), reverse=True)
    if sort == "-last_visited_at":
        return sorted(found, key=lambda b: (b["last_visited_at"] or "", b["id"]), reverse=True)
    return found


def walk(account, query, per_page=4, **kw) -> tuple[list[dict], list[dict]]:
    """Every page by cursor, then every page by number: (by cursor, by number)."""
    by_cursor, cursor, metas = [], None, []
    while True:
        status, body, _ = listing(account, [*query, ("per_page", per_page), *([("cursor", cursor)] if cursor else [])],
                                  **kw)
        assert status == 200, body
        by_cursor += body["data"]
        metas.append(body["meta"])
        cursor = body["meta"]["next_cursor"]
        if not cursor:
            break
    by_page = []
    for n in itertools.count(1):
        status, body, _ = listing(account, [*query, ("per_page", per_page), ("page", n)], **kw)
        assert status == 200, body
        assert body["meta"]["total_count"] == metas[0]["total_count"]
        by_page += body["data"]
        if not body["meta"]["has_next"]:
            break
    return by_cursor, by_page


CASES = {
    "one tag": dict(tags=["python"]),
    "two tags, all must match": dict(tags=["python", "web"]),
    "three tags": dict(tags=["python", "news", "web"]),
    "a word in the body, any case": dict(words=["news"]),
    "a word in the url": dict(words=["example.com/1"]),
    "two words, both must match": dict(words=["python", "fast"]),
    "a non-ASCII word": dict(words=["CAFÉ"]),
    "a word in a tag only": dict(words=["web"]),
    "never opened": dict(visited=False),
    "opened": dict(visited=True),
    "most visited": dict(sort="-visits"),
    "last visited": dict(sort="-last_visited_at"),
    "oldest first": dict(sort="created_at"),
    "tag, word, visited and sort together": dict(tags=["news"], words=["digest"], visited=True, sort="-visits"),
    "nothing matches": dict(tags=["python"], words=["weather"]),
}


def as_query(case) -> list[tuple[str, str]]:
    return ([("tag", t) for t in case.get("tags", [])] + ([("q", " ".join(case["words"]))] if "words" in case else [])
            + ([("visited", str(case["visited"]).lower())] if "visited" in case else [])
            + ([("sort", case["sort"])] if "sort" in case else []))


@pytest.mark.parametrize("name", CASES)
def test_the_filtered_list_is_what_the_contract_says_by_cursor_and_by_page(alice, saved, name):
    want = [b["id"] for b in expected(saved, **CASES[name])]

    by_cursor, by_page = walk(alice, as_query(CASES[name]))
    _, first, _ = listing(alice, [*as_query(CASES[name]), ("per_page", 4)])

    assert [b["id"] for b in by_cursor] == want
    assert [b["id"] for b in by_page] == want
    assert first["meta"]["total_count"] == len(want)
    assert first["meta"]["pages"] == -(-len(want) // 4)


def test_the_cases_are_not_trivial(saved):
    sizes = {name: len(expected(saved, **case)) for name, case in CASES.items()}

    assert sizes["nothing matches"] == 0
    assert all(0 < n < 18 for name, n in sizes.items() if name not in ("nothing matches", "most visited",
                                                                        "last visited", "oldest first"))
    assert [b["visits"] for b in expected(saved, sort="-visits")][:2] == [3, 3]


def test_stats_filter_and_sort_the_same_way(alice, saved):
    want = [b["id"] for b in expected(saved, tags=["web"], sort="-visits")]

    by_cursor, by_page = walk(alice, [("tag", "web"), ("sort", "-visits")], handler=bookmarks_stats,
                              route="GET /api/v1/bookmarks/stats")

    assert [b["id"] for b in by_cursor] == [b["id"] for b in by_page] == want
    assert set(by_cursor[0]) == {"id", "url", "short_code", "short_url", "visits", "bot_visits", "last_visited_at"}


def test_tags_in_the_query_are_cleaned_as_on_a_bookmark(alice, saved):
    _, body, _ = listing(alice, [("tag", " Python "), ("per_page", 100)])

    assert [b["id"] for b in body["data"]] == [b["id"] for b in expected(saved, tags=["python"])]


def test_another_users_bookmarks_never_match(alice, bob, saved):
    _, body, _ = listing(bob, [("q", "python"), ("per_page", 100)])

    assert [b["url"] for b in body["data"]] == ["https://example.com/bob"]


def test_an_empty_q_is_no_filter(alice, saved):
    _, body, _ = listing(alice, [("q", "  "), ("per_page", 100)])

    assert [b["id"] for b in body["data"]] == [b["id"] for b in saved]


def test_a_cursor_carries_its_filter_and_a_changed_filter_is_a_400(alice, saved):
    _, first, _ = listing(alice, [("tag", "python"), ("per_page", 2)])
    cursor = first["meta"]["next_cursor"]

    for changed in ([("tag", "web")], [("tag", "python"), ("sort", "-visits")], [], [("tag", "python"), ("q", "x")]):
        status, body, _ = listing(alice, [*changed, ("per_page", 2), ("cursor", cursor)])
        assert (status, body["code"]) == (400, "invalid_cursor"), changed
    plain_cursor = listing(alice, [("per_page", 2)])[1]["meta"]["next_cursor"]
    status, body, _ = listing(alice, [("tag", "python"), ("cursor", plain_cursor)])
    assert (status, body["code"]) == (400, "invalid_cursor")


def test_a_cursor_with_the_same_filter_in_another_spelling_goes_on(alice, saved):
    _, first, _ = listing(alice, [("tag", "web"), ("tag", "python"), ("per_page", 2)])

    status, body, _ = listing(alice, [("tag", "PYTHON"), ("tag", "web"), ("per_page", 2),
                                      ("cursor", first["meta"]["next_cursor"])])

    assert status == 200
    assert [b["id"] for b in first["data"] + body["data"]] == [b["id"] for b in expected(
        saved, tags=["python", "web"])][:4]


def test_a_page_past_the_end_of_a_filtered_list_is_empty(alice, saved):
    status, body, _ = listing(alice, [("tag", "python"), ("page", 50)])

    assert (status, body["data"], body["meta"]["has_next"]) == (200, [], False)


@pytest.mark.parametrize(("query", "code", "field"), [
    ([("tag", "not a tag")], "invalid_filter", "tag"),
    ([("tag", "")], "invalid_filter", "tag"),
    ([("tag", "a,b")], "invalid_filter", "tag"),
    ([("tag", f"t{i}") for i in range(21)], "invalid_filter", "tag"),
    ([("q", "x" * 201)], "invalid_filter", "q"),
    ([("q", "a"), ("q", "b")], "repeated_parameter", "q"),
    ([("visited", "yes")], "invalid_filter", "visited"),
    ([("visited", "")], "invalid_filter", "visited"),
    ([("sort", "visits")], "invalid_sort", "sort"),
    ([("sort", "-body")], "invalid_sort", "sort"),
    ([("sort", "-visits"), ("sort", "created_at")], "repeated_parameter", "sort"),
])
@pytest.mark.parametrize("route", ["GET /api/v1/bookmarks", "GET /api/v1/bookmarks/stats"])
def test_bad_filter_values_are_a_400_naming_the_parameter(alice, query, code, field, route):
    handler = bookmarks_list if route.endswith("bookmarks") else bookmarks_stats

    status, body, headers = listing(alice, query, handler=handler, route=route)

    assert (status, body["code"]) == (400, code)
    assert body["errors"][0]["field"] == field
    assert headers["Content-Type"] == "application/problem+json"
