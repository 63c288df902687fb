"""Tags on bookmarks (create, PUT, PATCH, every answer) and GET /api/v1/tags, whose counts move in the same
transaction as the bookmarks, so they stay exact under racing edits."""
import os

import bookmarks_create
import bookmarks_delete
import bookmarks_list
import bookmarks_patch
import bookmarks_replace
import tags_list
from tests.conftest import TEMPLATE, at_once, call, make_event


def tags_of(account) -> list[tuple[str, int]]:
    status, body, _ = call(tags_list.lambda_handler, make_event("GET /api/v1/tags", token=account.access))
    assert status == 200, body
    return [(t["name"], t["count"]) for t in body["data"]]


def patch(account, bookmark_id, body, expect=200):
    status, answer, _ = call(bookmarks_patch.lambda_handler, make_event(
        "PATCH /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, body=body, token=account.access))
    assert status == expect, answer
    return answer


def put(account, bookmark_id, body):
    status, answer, _ = call(bookmarks_replace.lambda_handler, make_event(
        "PUT /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, body=body, token=account.access))
    assert status == 200, answer
    return answer


def test_a_created_bookmark_answers_its_tags_clean_merged_and_sorted(alice, make_bookmark, get_bookmark):
    made = make_bookmark(alice, tags=["To-Read", " news ", "news"])

    assert made["tags"] == ["news", "to-read"]
    assert get_bookmark(alice, made["id"])["tags"] == ["news", "to-read"]


def test_a_bookmark_created_without_tags_has_none(alice, make_bookmark):
    assert make_bookmark(alice)["tags"] == []
    assert tags_of(alice) == []


def test_tags_are_listed_by_count_then_name(alice, make_bookmark):
    make_bookmark(alice, tags=["news", "python"])
    make_bookmark(alice, tags=["python", "zed"])
    make_bookmark(alice, tags=["python", "news", "art"])

    assert tags_of(alice) == [("python", 3), ("news", 2), ("art", 1), ("zed", 1)]


def test_another_users_tags_are_not_yours(alice, bob, make_bookmark):
    make_bookmark(bob, tags=["secret"])
    make_bookmark(alice, tags=["mine"])

    assert tags_of(alice) == [("mine", 1)]
    assert tags_of(bob) == [("secret", 1)]


def test_patch_replaces_the_tags_and_the_counts_follow(alice, make_bookmark):
    made = make_bookmark(alice, tags=["a", "b"])
    make_bookmark(alice, tags=["b"])

    changed = patch(alice, made["id"], {"tags": ["b", "c"]})

    assert changed["tags"] == ["b", "c"]
    assert changed["updated_at"] > made["updated_at"]
    assert tags_of(alice) == [("b", 2), ("c", 1)]  # a, held by none, is left out


def test_patch_with_the_same_tags_changes_nothing(alice, make_bookmark):
    made = make_bookmark(alice, tags=["a", "b"])

    same = patch(alice, made["id"], {"tags": ["B", "a"]})

    assert same["updated_at"] == made["updated_at"]
    assert tags_of(alice) == [("a", 1), ("b", 1)]


def test_patch_empty_list_clears_and_null_is_refused(alice, make_bookmark):
    made = make_bookmark(alice, tags=["a"])

    refused = patch(alice, made["id"], {"tags": None}, expect=400)
    cleared = patch(alice, made["id"], {"tags": []})

    assert refused["errors"][0]["field"] == "tags"
    assert cleared["tags"] == []
    assert tags_of(alice) == []


def test_patch_of_the_url_alone_keeps_the_tags(alice, make_bookmark):
    made = make_bookmark(alice, tags=["keep"])

    moved = patch(alice, made["id"], {"url": "https://example.com/moved"})

    assert moved["tags"] == ["keep"]
    assert tags_of(alice) == [("keep", 1)]


def test_put_without_tags_removes_them(alice, make_bookmark):
    made = make_bookmark(alice, tags=["gone", "also"])

    replaced = put(alice, made["id"], {"url": made["url"]})

    assert replaced["tags"] == []
    assert tags_of(alice) == []


def test_put_with_a_new_url_and_tags_moves_both(alice, make_bookmark):
    made = make_bookmark(alice, tags=["old"])

    replaced = put(alice, made["id"], {"url": "https://example.com/new", "tags": ["new"]})

    assert (replaced["url"], replaced["tags"]) == ("https://example.com/new", ["new"])
    assert tags_of(alice) == [("new", 1)]


def test_a_deleted_bookmarks_tags_are_counted_down(alice, make_bookmark):
    made = make_bookmark(alice, tags=["a", "b"])
    make_bookmark(alice, tags=["b"])

    status, _, _ = call(bookmarks_delete.lambda_handler, make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": made["id"]}, token=alice.access))

    assert status == 204
    assert tags_of(alice) == [("b", 1)]


def test_a_refused_create_moves_no_count(alice, make_bookmark):
    make_bookmark(alice, "https://example.com/once", tags=["a"])

    make_bookmark(alice, "https://example.com/once", tags=["a", "b"], expect=409)

    assert tags_of(alice) == [("a", 1)]


def test_invalid_tags_are_a_400_that_writes_nothing(alice):
    status, body, _ = call(bookmarks_create.lambda_handler, make_event(
        "POST /api/v1/bookmarks", token=alice.access, body={"url": "https://example.com/", "tags": ["ok", "not ok"]}))

    assert (status, body["code"], body["errors"][0]["field"]) == (400, "invalid_tag", "tags.1")
    assert call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks",
                                                          token=alice.access))[1]["meta"]["total_count"] == 0


def test_every_answer_carries_tags(alice, make_bookmark):
    make_bookmark(alice, tags=["x"])

    _, listed, _ = call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks", token=alice.access))

    assert listed["data"][0]["tags"] == ["x"]


def test_racing_tag_edits_and_creates_keep_every_count_exact(tables, alice, make_bookmark):
    shared = make_bookmark(alice, tags=["base"])
    sets = [["base", "a"], ["b"], ["a", "b", "c"], [], ["c"], ["base"]]
    def edit(tags):
        return lambda: call(bookmarks_patch.lambda_handler, make_event(
            "PATCH /api/v1/bookmarks/{id}", path_params={"id": shared["id"]}, body={"tags": tags},
            token=alice.access))[0]

    def create(i):
        return lambda: call(bookmarks_create.lambda_handler, make_event(
            "POST /api/v1/bookmarks", token=alice.access, body={"url": f"https://example.com/r{i}", "tags": ["a"]}))[0]

    answers = at_once([*(edit(s) for s in sets), *(create(i) for i in range(4))])

    assert set(answers) <= {200, 201, 409} and answers.count(201) == 4
    items = tables.query(TableName=os.environ["BOOKMARKS_TABLE"], KeyConditionExpression="pk = :o",
                         ExpressionAttributeValues={":o": {"S": alice.id}})["Items"]
    held: dict[str, int] = {}
    for item in items:
        for tag in item.get("tags", {}).get("SS", []):
            held[tag] = held.get(tag, 0) + 1
    assert dict(tags_of(alice)) == held


def test_the_route_is_its_own_function():
    route = next(r for r in TEMPLATE.routes if r.route_key == "GET /api/v1/tags")

    assert route.function_logical_id == "TagsListFunction"
