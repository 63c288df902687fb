import os

import bookmarks_delete
import bookmarks_get
import bookmarks_list
import redirect
from bookmarker.store import bookmarks as store
from tests.conftest import FakeContext, call, make_event


def delete(account, bookmark_id):
    out = bookmarks_delete.lambda_handler(make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, token=account.access), FakeContext())
    return out["statusCode"], out


def owner_items(tables, owner):
    out = tables.query(TableName=os.environ["BOOKMARKS_TABLE"], KeyConditionExpression="pk = :o",
                       ExpressionAttributeValues={":o": {"S": owner}})
    return sorted(item["sk"]["S"] for item in out["Items"])


def test_delete_answers_204_with_an_empty_body(alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/")

    status, out = delete(alice, created["id"])

    assert status == 204
    assert not out.get("body")
    assert "Content-Type" not in out["headers"]


def test_a_deleted_bookmark_is_gone_from_get_and_from_the_list(alice, make_bookmark):
    kept = make_bookmark(alice, "https://example.com/kept")
    created = make_bookmark(alice, "https://example.com/gone")

    delete(alice, created["id"])

    status, body, _ = call(bookmarks_get.lambda_handler, make_event(
        "GET /api/v1/bookmarks/{id}", path_params={"id": created["id"]}, token=alice.access))
    assert status == 404
    assert body["code"] == "not_found"
    listed = call(bookmarks_list.lambda_handler, make_event("GET /api/v1/bookmarks", token=alice.access))[1]
    assert listed["data"] == [kept]
    assert listed["meta"]["total_count"] == 1


def test_a_deleted_bookmarks_short_link_answers_404(alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/")

    delete(alice, created["id"])

    status, body, _ = call(redirect.lambda_handler, make_event(
        "GET /{short_code}", path_params={"short_code": created["short_code"]}))
    assert status == 404
    assert body["code"] == "not_found"


def test_a_deleted_url_can_be_saved_again_with_a_new_short_code(alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/")

    delete(alice, created["id"])

    again = make_bookmark(alice, "https://example.com/")  # asserts its 201
    assert again["id"] != created["id"]
    assert again["short_code"] != created["short_code"]


def test_delete_removes_the_item_its_counter_and_its_url_claim_but_keeps_the_code_claim(tables, alice, make_bookmark):
    created = make_bookmark(alice, "https://example.com/")

    delete(alice, created["id"])

    assert owner_items(tables, alice.id) == ["COUNT"]
    assert store.count(alice.id) == 0
    claim = tables.get_item(TableName=os.environ["BOOKMARKS_TABLE"],
                            Key={"pk": {"S": f"CODE#{created['short_code']}"}, "sk": {"S": "CODE"}})["Item"]
    assert claim["bookmark_id"]["S"] == created["id"]


def test_delete_twice_is_404_the_second_time_and_the_count_drops_once(alice, make_bookmark):
    make_bookmark(alice, "https://example.com/kept")
    created = make_bookmark(alice, "https://example.com/")
    assert delete(alice, created["id"])[0] == 204

    status, _ = delete(alice, created["id"])

    assert status == 404
    assert store.count(alice.id) == 1


def test_delete_of_an_unknown_or_malformed_id_is_404(alice, make_bookmark):
    make_bookmark(alice, "https://example.com/")

    statuses = [delete(alice, i)[0] for i in ("01J00000000000000000000000", "../x", "U" * 26, "A" * 10_240)]

    assert statuses == [404, 404, 404, 404]
    assert store.count(alice.id) == 1
