"""ops/check_data.py (`make check-data`): a data set written by the handlers passes; each broken invariant,
planted by hand, is reported, and nothing else."""
import functools
import json
import os
from argparse import Namespace

import boto3
import pytest
from moto import mock_aws

import auth_delete
import auth_login
import auth_tokens_create
import auth_tokens_delete
import bookmarks_create
import bookmarks_delete
import bookmarks_patch
import redirect
import redirect_unlock
from bookmarker import urls
from local.dynamo import create_tables, endpoint_file
from ops import check_data
from ops.check_data import NothingToRead, check, locate
from tests.conftest import TEMPLATE, call, make_event

USERS, BOOKMARKS, TOKENS = os.environ["USERS_TABLE"], os.environ["BOOKMARKS_TABLE"], os.environ["API_TOKENS_TABLE"]
GHOST = "01GHQSTXXXXXXXXXXXXXXXXXXX"  # a user id, or bookmark id, that exists nowhere
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


def write_world(make_user, make_bookmark) -> dict:
    """A small data set written only through the handlers: users and claims, bookmarks with counters, URL
    and code claims, counts, tags and their counts, a moved URL, retagging, a deleted bookmark (its code claim
    stays), a deleted account, refresh records and attempt windows."""
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    first = make_bookmark(alice, "https://example.com/a", tags=["news", "read"])
    second = make_bookmark(alice, "https://example.com/b", tags=["news"])
    gone = make_bookmark(alice, "https://example.com/gone", tags=["read", "gone"])
    assert call(bookmarks_delete.lambda_handler, make_event(
        "DELETE /api/v1/bookmarks/{id}", path_params={"id": gone["id"]}, token=alice.access))[0] == 204
    assert call(bookmarks_patch.lambda_handler, make_event(
        "PATCH /api/v1/bookmarks/{id}", path_params={"id": second["id"]},
        body={"url": "https://example.com/B2", "tags": ["later"]}, token=alice.access))[0] == 200
    bobs = make_bookmark(bob, "https://example.com/a")  # the same URL as alice's: claims are per user
    assert call(bookmarks_patch.lambda_handler, make_event("PATCH /api/v1/bookmarks/{id}", path_params={
        "id": bobs["id"]}, body={"max_visits": 1}, token=bob.access))[0] == 200
    for code, agent, status in ((first["short_code"], "", 302), (first["short_code"], SLACK, 302),
                                (bobs["short_code"], "", 302), (bobs["short_code"], "", 410),
                                (gone["short_code"], "", 404)):
        assert follow(code, agent) == status  # days, bot visits, a cap reached; a deleted link counts nowhere
    locked = call(bookmarks_create.lambda_handler, make_event("POST /api/v1/bookmarks", token=alice.access, body={
        "url": "https://example.com/locked", "link_password": "open sesame 123"}))[1]
    assert call(redirect_unlock.lambda_handler, make_event("POST /{short_code}", path_params={
        "short_code": locked["short_code"]}, body={"password": "wrong guess"}))[0] == 401  # a window: skipped
    tokens = [call(auth_tokens_create.lambda_handler, make_event("POST /api/v1/auth/tokens", token=who.access, body={
        "name": name, "scopes": ["bookmarks:read"]}))[1] for who, name in ((alice, "kept"), (alice, "gone"),
                                                                           (carol, "carol's"))]
    assert call(auth_tokens_delete.lambda_handler, make_event("DELETE /api/v1/auth/tokens/{id}", path_params={
        "id": tokens[1]["id"]}, token=alice.access))[0] == 204
    carols = make_bookmark(carol, "https://example.com/c", tags=["news"])
    assert follow(carols["short_code"]) == 302  # a day, gone with the account
    assert call(auth_delete.lambda_handler, make_event(
        "DELETE /api/v1/auth/me", body={"password": carol.password}, token=carol.access))[0] == 204
    assert call(auth_login.lambda_handler, make_event(
        "POST /api/v1/auth/login", body={"email": bob.email, "password": "not the password"}))[0] == 401
    return {"alice": alice, "bob": bob, "first": first, "second": second, "gone": gone, "bobs": bobs,
            "locked": locked, "token": tokens[0]}


def follow(code: str, user_agent: str = "") -> int:
    return call(redirect.lambda_handler, make_event("GET /{short_code}", path_params={"short_code": code},
                                                    headers={"user-agent": user_agent} if user_agent else {}))[0]


@pytest.fixture(scope="module")
def written(make_user, make_bookmark) -> tuple[dict, dict]:
    """The world written once for the module (the handlers take a while); each test gets a copy of its items."""
    with mock_aws():
        create_tables(_admin(), TEMPLATE)
        facts = write_world(make_user, make_bookmark)
        return facts, {t: _admin().scan(TableName=t, ConsistentRead=True)["Items"] for t in (USERS, BOOKMARKS, TOKENS)}


@pytest.fixture
def world(tables, written) -> dict:
    facts, items = written
    for table, rows in items.items():
        for start in range(0, len(rows), 25):
            tables.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": i}} for i in rows[start:start + 25]]})
    return facts


@functools.cache
def _admin():
    return boto3.client("dynamodb", region_name="us-east-1")


def report(tables):
    return check(tables, USERS, BOOKMARKS, TOKENS)


def key(owner: str, sk: str) -> dict:
    return {"pk": {"S": owner}, "sk": {"S": sk}}


# ---- a clean data set --------------------------------------------------------------------------------------

def test_what_the_handlers_write_breaks_no_invariant(tables, world):
    found = report(tables)

    assert found.problems == []
    assert found.read[USERS] >= 6 and found.read[BOOKMARKS] >= 12  # two users and claims; bookmarks and claims
    assert found.skipped >= 4  # refresh records and windows: read, not checked


def test_empty_tables_break_no_invariant(tables):
    assert report(tables).ok


# ---- each broken invariant, alone ----------------------------------------------------------------------------

@pytest.mark.parametrize("attr", ["email", "username"])
def test_a_claim_naming_a_missing_user_is_reported(tables, world, attr):
    prefix = f"{attr.upper()}#"
    tables.put_item(TableName=USERS, Item={"pk": {"S": f"{prefix}ghost"}, "user_id": {"S": GHOST}})

    assert report(tables).kinds() == {(f"{attr}_claim_orphan", f"{prefix}ghost")}


@pytest.mark.parametrize("attr", ["email", "username"])
def test_a_claim_naming_a_user_with_another_value_is_reported(tables, world, attr):
    prefix = f"{attr.upper()}#"
    tables.put_item(TableName=USERS, Item={"pk": {"S": f"{prefix}someone"}, "user_id": {"S": world["alice"].id}})

    assert report(tables).kinds() == {(f"{attr}_claim_mismatch", f"{prefix}someone")}


@pytest.mark.parametrize("attr", ["email", "username"])
def test_a_user_without_their_claim_is_reported(tables, world, attr):
    alice = world["alice"]
    tables.delete_item(TableName=USERS, Key={"pk": {"S": f"{attr.upper()}#{getattr(alice, attr)}"}})

    assert report(tables).kinds() == {(f"user_without_{attr}_claim", f"USER#{alice.id}")}


def test_everything_left_under_a_deleted_user_is_reported(tables, world):
    bob = world["bob"]
    for pk in (f"USER#{bob.id}", f"EMAIL#{bob.email}", f"USERNAME#{bob.username}"):
        tables.delete_item(TableName=USERS, Key={"pk": {"S": pk}})  # as if the bookmarks had not been swept
    bookmark_id, url_key = world["bobs"]["id"], urls.url_key(world["bobs"]["url"])
    tables.put_item(TableName=BOOKMARKS, Item={**key(bob.id, f"D#{bookmark_id}#2026-01-01"), "visits": {"N": "0"}})

    assert report(tables).kinds() == {("owner_missing", f"{bob.id} {sk}") for sk in (
        f"B#{bookmark_id}", f"B#{bookmark_id}#V", f"URL#{url_key}", "COUNT", f"D#{bookmark_id}#2026-01-01")}


def test_a_bookmark_without_its_counter_is_reported(tables, world):
    alice, first = world["alice"], world["first"]
    tables.delete_item(TableName=BOOKMARKS, Key=key(alice.id, f"B#{first['id']}#V"))

    assert report(tables).kinds() == {("bookmark_without_counter", f"{alice.id} B#{first['id']}")}


def test_a_counter_without_its_bookmark_is_reported(tables, world):
    alice = world["alice"]
    tables.put_item(TableName=BOOKMARKS, Item={**key(alice.id, f"B#{GHOST}#V"), "visits": {"N": "3"}})

    assert report(tables).kinds() == {("counter_orphan", f"{alice.id} B#{GHOST}#V")}


def days_of(tables, owner: str, bookmark_id: str) -> list[dict]:
    return tables.query(TableName=BOOKMARKS, KeyConditionExpression="pk = :o AND begins_with(sk, :d)",
                        ExpressionAttributeValues={":o": {"S": owner}, ":d": {"S": f"D#{bookmark_id}#"}})["Items"]


def test_the_world_counts_each_visit_in_its_counters_day_and_reaches_a_cap(tables, world):
    def counter(owner, bookmark_id):
        return tables.get_item(TableName=BOOKMARKS, Key=key(owner, f"B#{bookmark_id}#V"))["Item"]

    first, bobs = counter(world["alice"].id, world["first"]["id"]), counter(world["bob"].id, world["bobs"]["id"])

    assert (first["day_visits"]["N"], first["day_bot_visits"]["N"], first["visits"]["N"]) == ("1", "1", "1")
    assert (bobs["day_visits"]["N"], bobs["visits"]["N"]) == ("1", "1")


@pytest.mark.parametrize("counted", ["visits", "bot_visits"])
def test_days_adding_up_past_their_total_are_reported(tables, world, counted):
    alice, first = world["alice"], world["first"]
    tables.put_item(TableName=BOOKMARKS, Item={**key(alice.id, f"D#{first['id']}#2020-01-01"), counted: {"N": "1"}})

    found = report(tables)

    assert found.kinds() == {("days_above_total", f"{alice.id} B#{first['id']}")}
    assert f"2 {counted}" in found.problems[0].detail


def test_a_day_without_its_bookmark_is_reported(tables, world):
    alice = world["alice"]
    tables.put_item(TableName=BOOKMARKS, Item={**key(alice.id, f"D#{GHOST}#2026-11-30"), "visits": {"N": "1"}})

    assert report(tables).kinds() == {("day_orphan", f"{alice.id} D#{GHOST}#2026-11-30")}


def test_a_visit_counted_past_the_cap_is_reported_and_a_cap_lowered_below_the_visits_is_not(tables, world):
    bob, bobs = world["bob"], world["bobs"]
    counter = key(bob.id, f"B#{bobs['id']}#V")
    tables.update_item(TableName=BOOKMARKS, Key=counter, UpdateExpression="SET visits = :two, last_visited_at = :at",
                       ExpressionAttributeValues={":two": {"N": "2"}, ":at": {"S": "9999-01-01T00:00:00.000Z"}})

    assert report(tables).kinds() == {("cap_exceeded", f"{bob.id} B#{bobs['id']}")}

    tables.update_item(TableName=BOOKMARKS, Key=counter, UpdateExpression="SET last_visited_at = :at",
                       ExpressionAttributeValues={":at": {"S": "2000-01-01T00:00:00.000Z"}})  # before the cap was set
    assert report(tables).ok


@pytest.mark.parametrize("broken", ["flag removed", "hash removed", "not a bcrypt hash", "flag on an open link"])
def test_a_protected_flag_and_password_hash_that_disagree_are_reported(tables, world, broken):
    alice, locked, first = world["alice"], world["locked"], world["first"]
    target, update, values = {
        "flag removed": (locked, "REMOVE protected", None),
        "hash removed": (locked, "REMOVE link_password_hash", None),
        "not a bcrypt hash": (locked, "SET link_password_hash = :h", {":h": {"S": "open sesame 123"}}),
        "flag on an open link": (first, "SET protected = :t", {":t": {"BOOL": True}}),
    }[broken]
    tables.update_item(TableName=BOOKMARKS, Key=key(alice.id, f"B#{target['id']}"), UpdateExpression=update,
                       **({"ExpressionAttributeValues": values} if values else {}))

    assert report(tables).kinds() == {("protection_mismatch", f"{alice.id} B#{target['id']}")}


def token_items(tables) -> dict[str, dict]:
    return {i["pk"]["S"]: i for i in tables.scan(TableName=TOKENS, ConsistentRead=True)["Items"]}


def test_the_world_has_one_token_left(tables, world):
    assert sorted(pk.split("#")[0] for pk in token_items(tables)) == ["NAME", "TOKEN", "USER"]


@pytest.mark.parametrize(("broken", "kind"), [
    ("list entry removed", "token_unlisted token_name_mismatch"), ("lookup removed", "token_without_lookup"),
    ("name claim removed", "token_name_mismatch"), ("count moved", "token_count_mismatch"),
    ("scope unknown", "token_scope_invalid"), ("owner gone", "token_owner_missing"),
])
def test_each_broken_api_token_invariant_is_reported(tables, world, broken, kind):
    alice, token = world["alice"], world["token"]
    found = token_items(tables)
    lookup = next(pk for pk in found if pk.startswith("TOKEN#"))
    listing, name = f"USER#{alice.id}", next(pk for pk in found if pk.startswith("NAME#"))
    keyed = {"pk": {"S": lookup}}
    if broken == "list entry removed":
        tables.update_item(TableName=TOKENS, Key={"pk": {"S": listing}}, UpdateExpression="REMOVE #t ADD n :m",
                           ExpressionAttributeNames={"#t": f"T#{token['id']}"}, ExpressionAttributeValues={
                               ":m": {"N": "-1"}})
    elif broken == "lookup removed":
        tables.delete_item(TableName=TOKENS, Key=keyed)
    elif broken == "name claim removed":
        tables.delete_item(TableName=TOKENS, Key={"pk": {"S": name}})
    elif broken == "count moved":
        tables.update_item(TableName=TOKENS, Key={"pk": {"S": listing}}, UpdateExpression="ADD n :one",
                           ExpressionAttributeValues={":one": {"N": "1"}})
    elif broken == "scope unknown":
        tables.update_item(TableName=TOKENS, Key=keyed, UpdateExpression="SET scopes = :s",
                           ExpressionAttributeValues={":s": {"SS": ["admin"]}})
    else:
        tables.put_item(TableName=TOKENS, Item={"pk": {"S": "TOKEN#" + "0" * 64}, "id": {"S": GHOST},
                                                "user_id": {"S": GHOST}, "scopes": {"SS": ["bookmarks:read"]}})

    assert {k for k, _ in report(tables).kinds()} == set(kind.split())


def test_a_bookmark_without_its_url_claim_is_reported(tables, world):
    alice, first = world["alice"], world["first"]
    tables.delete_item(TableName=BOOKMARKS, Key=key(alice.id, f"URL#{urls.url_key(first['url'])}"))

    assert report(tables).kinds() == {("bookmark_without_url_claim", f"{alice.id} B#{first['id']}")}


def test_a_url_claim_naming_a_missing_bookmark_is_reported(tables, world):
    alice, url_key = world["alice"], urls.url_key("https://example.com/never-saved")
    tables.put_item(TableName=BOOKMARKS, Item={**key(alice.id, f"URL#{url_key}"), "bookmark_id": {"S": GHOST}})

    assert report(tables).kinds() == {("url_claim_orphan", f"{alice.id} URL#{url_key}")}


def test_the_url_claim_a_move_forgot_to_delete_is_reported(tables, world):
    alice, second = world["alice"], world["second"]
    old_key = urls.url_key("https://example.com/b")  # second's URL before its PATCH
    tables.put_item(TableName=BOOKMARKS, Item={**key(alice.id, f"URL#{old_key}"), "bookmark_id": {"S": second["id"]}})

    assert report(tables).kinds() == {("url_claim_mismatch", f"{alice.id} URL#{old_key}")}


def test_a_bookmark_whose_code_is_not_claimed_is_reported(tables, world):
    alice, first = world["alice"], world["first"]
    tables.delete_item(TableName=BOOKMARKS, Key={"pk": {"S": f"CODE#{first['short_code']}"}, "sk": {"S": "CODE"}})

    assert report(tables).kinds() == {("code_claim_missing", f"{alice.id} B#{first['id']}")}


def test_a_deleted_bookmarks_code_that_still_redirects_is_reported(tables, world):
    # The claim of a deleted bookmark's code stays (fine), but a bookmark carrying that code is what the
    # redirect's index query finds: the old link would lead somewhere else.
    alice, second, gone = world["alice"], world["second"], world["gone"]
    tables.update_item(TableName=BOOKMARKS, Key=key(alice.id, f"B#{second['id']}"),
                       UpdateExpression="SET short_code = :c",
                       ExpressionAttributeValues={":c": {"S": gone["short_code"]}})

    assert report(tables).kinds() == {("code_claimed_by_another", f"{alice.id} B#{second['id']}")}


def test_a_deleted_bookmarks_code_claim_alone_is_fine(tables, world):
    claim = tables.get_item(TableName=BOOKMARKS, Key={"pk": {"S": f"CODE#{world['gone']['short_code']}"},
                                                      "sk": {"S": "CODE"}})

    assert claim["Item"]["bookmark_id"]["S"] == world["gone"]["id"]
    assert report(tables).ok


@pytest.mark.parametrize("change", ["wrong", "missing"])
def test_a_count_that_is_not_the_number_of_bookmarks_is_reported(tables, world, change):
    alice = world["alice"]
    if change == "wrong":
        tables.update_item(TableName=BOOKMARKS, Key=key(alice.id, "COUNT"), UpdateExpression="ADD n :one",
                           ExpressionAttributeValues={":one": {"N": "1"}})
    else:  # a missing COUNT is 0, and alice has two bookmarks
        tables.delete_item(TableName=BOOKMARKS, Key=key(alice.id, "COUNT"))

    assert report(tables).kinds() == {("count_mismatch", f"{alice.id} COUNT")}


@pytest.mark.parametrize(("change", "tag"), [("wrong", "news"), ("missing", "news"), ("left over", "gone"),
                                             ("never held", "ghost")])
def test_a_tag_count_that_is_not_the_number_of_bookmarks_holding_it_is_reported(tables, world, change, tag):
    alice = world["alice"]
    if change == "missing":  # two bookmarks hold news
        tables.delete_item(TableName=BOOKMARKS, Key=key(alice.id, f"TAG#{tag}"))
    else:  # a count of 0 is right for gone (its bookmark was deleted): one more is not
        tables.update_item(TableName=BOOKMARKS, Key=key(alice.id, f"TAG#{tag}"), UpdateExpression="ADD n :one",
                           ExpressionAttributeValues={":one": {"N": "1"}})

    assert report(tables).kinds() == {("tag_count_mismatch", f"{alice.id} TAG#{tag}")}


def test_a_bookmark_holding_a_tag_the_api_refuses_is_reported(tables, world):
    alice, first = world["alice"], world["first"]
    tables.update_item(TableName=BOOKMARKS, Key=key(alice.id, f"B#{first['id']}"), UpdateExpression="ADD tags :t",
                       ExpressionAttributeValues={":t": {"SS": ["Not A Tag"]}})
    tables.update_item(TableName=BOOKMARKS, Key=key(alice.id, "TAG#Not A Tag"), UpdateExpression="ADD n :one",
                       ExpressionAttributeValues={":one": {"N": "1"}})

    assert report(tables).kinds() == {("tag_invalid", f"{alice.id} B#{first['id']}")}


def test_a_url_key_that_is_not_its_urls_digest_is_reported(tables, world):
    alice, first = world["alice"], world["first"]
    tables.update_item(TableName=BOOKMARKS, Key=key(alice.id, f"B#{first['id']}"), UpdateExpression="SET #u = :u",
                       ExpressionAttributeNames={"#u": "url"},
                       ExpressionAttributeValues={":u": {"S": "https://example.com/elsewhere"}})

    assert report(tables).kinds() == {("url_key_stale", f"{alice.id} B#{first['id']}")}


def test_a_bookmark_without_an_attribute_it_needs_is_reported(tables, world):
    alice, first = world["alice"], world["first"]
    tables.update_item(TableName=BOOKMARKS, Key=key(alice.id, f"B#{first['id']}"), UpdateExpression="REMOVE url_key")

    assert report(tables).kinds() == {("malformed_item", f"{alice.id} B#{first['id']}")}


def test_items_of_unknown_shape_are_reported(tables, world):
    tables.put_item(TableName=USERS, Item={"pk": {"S": "TOKEN#abc"}})
    tables.put_item(TableName=BOOKMARKS, Item=key(world["alice"].id, "LIST#news"))

    assert report(tables).kinds() == {("unknown_item", "TOKEN#abc"), ("unknown_item", f"{world['alice'].id} LIST#news")}


# ---- where it reads from, and what it prints -------------------------------------------------------------------

def flags(**given) -> Namespace:
    return Namespace(**{"endpoint_url": None, "users_table": None, "bookmarks_table": None, "api_tokens_table": None,
                        "region": None, **given})


def test_without_settings_it_reads_the_running_local_apis_endpoint(tmp_path):
    endpoint_file(tmp_path).write_text(json.dumps({"endpoint_url": "http://127.0.0.1:4567", "region": "eu-west-1"}))

    source = locate(flags(), {}, tmp_path)

    assert (source.endpoint_url, source.region) == ("http://127.0.0.1:4567", "eu-west-1")
    assert (source.users_table, source.bookmarks_table) == (USERS, BOOKMARKS)  # template.yaml's local names


def test_dynamodb_endpoint_url_wins_over_the_local_api(tmp_path):
    endpoint_file(tmp_path).write_text(json.dumps({"endpoint_url": "http://127.0.0.1:4567"}))

    source = locate(flags(), {"DYNAMODB_ENDPOINT_URL": "http://localhost:8000"}, tmp_path)

    assert (source.endpoint_url, source.users_table) == ("http://localhost:8000", USERS)


def test_table_names_without_an_endpoint_mean_aws(tmp_path):
    endpoint_file(tmp_path).write_text(json.dumps({"endpoint_url": "http://127.0.0.1:4567"}))

    source = locate(flags(bookmarks_table="prod-bookmarks"), {"USERS_TABLE": "prod-users", "AWS_REGION": "eu-west-1"},
                    tmp_path)

    assert (source.endpoint_url, source.region, source.users_table, source.bookmarks_table) == \
        (None, "eu-west-1", "prod-users", "prod-bookmarks")


def test_one_table_name_alone_is_not_enough_for_aws(tmp_path):
    with pytest.raises(NothingToRead):
        locate(flags(users_table="prod-users"), {}, tmp_path)


def test_with_nothing_to_read_it_says_so_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))

    code = check_data.main([], env={})

    assert code == 2
    assert "make run" in capsys.readouterr().err


def test_a_stopped_local_apis_saved_state_is_checked(tables, world, tmp_path, monkeypatch, capsys):
    scanned = {t: tables.scan(TableName=t)["Items"] for t in (USERS, BOOKMARKS)}
    (tmp_path / "dynamodb.json").write_text(json.dumps({"version": 1, "tables": scanned}))
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))

    clean = check_data.main([], env={})
    tables.delete_item(TableName=BOOKMARKS, Key=key(world["alice"].id, "COUNT"))
    scanned[BOOKMARKS] = tables.scan(TableName=BOOKMARKS)["Items"]
    (tmp_path / "dynamodb.json").write_text(json.dumps({"version": 1, "tables": scanned}))
    broken = check_data.main([], env={})

    out = capsys.readouterr().out
    assert (clean, broken) == (0, 1)
    assert "saved state" in out and "no problems" in out
    assert f"count_mismatch: {BOOKMARKS} {world['alice'].id} COUNT: n is missing, 3 bookmark(s)" in out
    assert "1 problem(s):" in out
