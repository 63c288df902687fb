"""bookmarker.models: what each request body may hold, and the code and field a refusal names. The handler tests
show each route wired to its model (tests/handlers/test_bad_input.py) and that a refusal writes nothing."""
import json

import pytest

from bookmarker.errors import BadRequest
from bookmarker.models import (
    BookmarkIn,
    BookmarkPatch,
    LinkPasswordIn,
    LoginIn,
    PasswordChangeIn,
    PasswordIn,
    RegisterIn,
    parse,
)

EMOJI = "\N{GRINNING FACE}"
VALID = {  # each model, and a body it accepts
    RegisterIn: {"username": "carol", "email": "carol@example.com", "password": "long enough pw"},
    LoginIn: {"email": "alice@example.com", "password": "correct horse battery"},
    PasswordChangeIn: {"current_password": "correct horse battery", "new_password": "another secret"},
    PasswordIn: {"password": "correct horse battery"},
    BookmarkIn: {"url": "https://example.com/", "body": "note", "tags": ["news", "to-read"],
                 "expires_at": "2099-01-01T00:00:00.000Z", "max_visits": 10, "short_code": "my-alias",
                 "link_password": "a link password"},
    BookmarkPatch: {"url": "https://example.com/", "body": "note", "tags": ["news", "to-read"],
                    "expires_at": "2099-01-01T00:00:00.000Z", "max_visits": 10, "short_code": "my-alias",
                    "link_password": "a link password"},
    LinkPasswordIn: {"password": "open sesame"},
}
REQUIRED = {RegisterIn: ["username", "email", "password"], LoginIn: ["email", "password"],
            PasswordChangeIn: ["current_password", "new_password"], PasswordIn: ["password"], BookmarkIn: ["url"],
            BookmarkPatch: [], LinkPasswordIn: ["password"]}
MALFORMED = {
    "truncated JSON": "{\"url\": ",
    "not JSON": "url=https://example.com",
    "empty body": "",
    "a JSON array": "[]",
    "a JSON string": "\"hello\"",
    "JSON null": "null",
    "a number": "42",
    "trailing garbage": "{}}",
    "a lone surrogate": "{\"url\": \"https://example.com/\\ud800\"}",
    "NaN": "{\"url\": NaN}",
}
WRONG_TYPES = [1, 1.5, True, None, [], {}, ["x"]]
models = pytest.mark.parametrize("model", list(VALID), ids=lambda m: m.__name__)


def refused(model, body) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        parse(model, body if isinstance(body, str) else json.dumps(body, ensure_ascii=False))
    assert caught.value.status == 400
    return caught.value


def fields(error: BadRequest) -> list[str]:
    return [e["field"] for e in error.errors or []]


@models
def test_a_valid_body_parses(model):
    parsed = parse(model, json.dumps(VALID[model]))

    assert parsed.model_dump() == VALID[model]


@models
@pytest.mark.parametrize("name", MALFORMED)
def test_a_body_that_is_not_a_json_object_is_a_400(model, name):
    refused(model, MALFORMED[name])


@models
@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=repr)
def test_each_field_of_the_wrong_type_is_refused_naming_the_field(model, wrong):
    for field in VALID[model]:
        if field == "tags" and isinstance(wrong, list) and all(isinstance(w, str) for w in wrong):
            continue  # a list of strings is what tags are
        if (field, wrong) in (("expires_at", None), ("max_visits", None), ("max_visits", 1), ("short_code", None),
                              ("link_password", None)):
            continue  # null is no limit (or, on create, a random code; no password); 1 is a cap
        error = refused(model, {**VALID[model], field: wrong})

        assert any(f.startswith(field) for f in fields(error)), (field, error.errors)


@models
def test_an_unknown_field_is_refused_naming_it(model):
    error = refused(model, {**VALID[model], "is_admin": True})

    assert fields(error) == ["is_admin"]


@models
def test_each_required_field_left_out_is_refused_and_the_others_may_be(model):
    for field in VALID[model]:
        partial = {k: v for k, v in VALID[model].items() if k != field}

        if field in REQUIRED[model]:
            assert fields(refused(model, partial)) == [field]
        else:
            assert parse(model, json.dumps(partial))


@pytest.mark.parametrize(("field", "value", "code"), [
    ("password", "x" * 7, "password_too_short"),
    ("password", "", "password_too_short"),
    ("password", "x" * 129, "password_too_long"),
    ("password", EMOJI * 129, "password_too_long"),
    ("username", "ab", "username_too_short"),
    ("username", "", "username_too_short"),
    ("username", "ålice", "username_invalid"),
    ("username", "алиса", "username_invalid"),
    ("username", "al-ice", "username_invalid"),
    ("username", "al ice", "username_invalid"),
    ("username", "alice!", "username_invalid"),
    ("username", "a" * 31, "username_invalid"),
    ("email", "not-an-email", "invalid_email"),
    ("email", "alice@", "invalid_email"),
    ("email", "@example.com", "invalid_email"),
    ("email", "", "invalid_email"),
])
def test_a_registration_refuses_an_invalid_field_with_its_code(field, value, code):
    error = refused(RegisterIn, {**VALID[RegisterIn], field: value})

    assert error.code == code
    assert fields(error) == [field]


@pytest.mark.parametrize(("field", "value"), [
    ("password", "x" * 8),
    ("password", "y" * 128),
    ("password", EMOJI * 128),                   # lengths are code points: 512 bytes of UTF-8
    ("username", "a" * 30),
    ("username", "Alice3"),
    ("email", "Alice.Smith@Example.COM"),        # kept as given
])
def test_a_registration_accepts_the_edges_of_each_rule(field, value):
    parsed = parse(RegisterIn, json.dumps({**VALID[RegisterIn], field: value}, ensure_ascii=False))

    assert getattr(parsed, field) == value


@pytest.mark.parametrize(("value", "code"), [("short", "password_too_short"), (EMOJI * 129, "password_too_long")])
def test_a_new_password_follows_the_registration_rules(value, code):
    error = refused(PasswordChangeIn, {**VALID[PasswordChangeIn], "new_password": value})

    assert error.code == code
    assert fields(error) == ["new_password"]


@pytest.mark.parametrize("model", [BookmarkIn, BookmarkPatch], ids=lambda m: m.__name__)
def test_a_bookmark_body_is_at_most_10000_code_points(model):
    fits = parse(model, json.dumps({"url": "https://example.com/", "body": EMOJI * 10_000}, ensure_ascii=False))

    assert fits.body == EMOJI * 10_000
    assert fields(refused(model, {"url": "https://example.com/", "body": EMOJI * 10_001})) == ["body"]
    assert fields(refused(model, {"url": "https://example.com/", "body": "x" * 10_001})) == ["body"]


@pytest.mark.parametrize("model", [BookmarkIn, BookmarkPatch], ids=lambda m: m.__name__)
def test_a_url_the_rules_refuse_is_invalid_url_naming_the_field(model):
    # What a URL may be: tests/unit/test_urls.py.
    error = refused(model, {"url": "javascript:alert(1)"})

    assert error.code == "invalid_url"
    assert fields(error) == ["url"]


def test_a_patch_may_leave_out_every_field_but_not_send_one_as_null():
    assert parse(BookmarkPatch, "{}") == BookmarkPatch()
    assert fields(refused(BookmarkPatch, {"url": None})) == ["url"]
    assert fields(refused(BookmarkPatch, {"body": None})) == ["body"]


# ---- tags (docs/api.md: at most 20, each 1 to 50 of [a-z0-9_-], lower-cased, trimmed, duplicates merged) ----------

@pytest.mark.parametrize("model", [BookmarkIn, BookmarkPatch], ids=lambda m: m.__name__)
def test_tags_are_trimmed_lower_cased_merged_and_sorted(model):
    parsed = parse(model, json.dumps({"url": "https://example.com/", "tags": [" Python ", "python", "A_b-1", "z"]}))

    assert parsed.tags == ["a_b-1", "python", "z"]


@pytest.mark.parametrize("tag", ["", "   ", "two words", "caf\u00e9", "a/b", "x" * 51, "#hash", "dot.ted"])
def test_a_tag_outside_the_alphabet_or_length_is_invalid_tag_naming_its_index(tag):
    error = refused(BookmarkIn, {"url": "https://example.com/", "tags": ["fine", tag]})

    assert error.code == "invalid_tag"
    assert fields(error) == ["tags.1"]


def test_fifty_characters_is_a_tag():
    assert parse(BookmarkIn, json.dumps({"url": "https://example.com/", "tags": ["x" * 50]})).tags == ["x" * 50]


def test_twenty_distinct_tags_pass_and_twenty_one_are_too_many():
    twenty = [f"t{i}" for i in range(20)]

    assert len(parse(BookmarkIn, json.dumps({"url": "https://example.com/", "tags": twenty})).tags) == 20
    error = refused(BookmarkIn, {"url": "https://example.com/", "tags": [*twenty, "t20"]})
    assert error.code == "too_many_tags"
    assert fields(error) == ["tags"]


def test_duplicates_are_merged_before_the_limit_is_counted():
    tags = [f"t{i % 20}" for i in range(60)]  # 60 values, 20 tags

    assert len(parse(BookmarkIn, json.dumps({"url": "https://example.com/", "tags": tags})).tags) == 20


@pytest.mark.parametrize("tags", ["news", None, [1], [None], {"a": 1}])
def test_tags_must_be_an_array_of_strings(tags):
    error = refused(BookmarkPatch, {"tags": tags})

    assert error.code == "validation_failed"


def test_tags_left_out_are_none_on_patch_and_empty_on_create():
    assert parse(BookmarkPatch, "{}").tags is None
    assert parse(BookmarkIn, json.dumps({"url": "https://example.com/"})).tags == []


# ---- link limits (docs/api.md: expires_at ISO 8601 in the future, max_visits >= 1; null removes either) -----------

@pytest.mark.parametrize(("given", "stored"), [("2099-03-04T05:06:07Z", "2099-03-04T05:06:07.000Z"),
                                               ("2099-03-04T07:06:07.5+02:00", "2099-03-04T05:06:07.500Z")])
def test_expires_at_is_kept_in_utc_to_the_millisecond(given, stored):
    assert parse(BookmarkIn, json.dumps({"url": "https://example.com/", "expires_at": given})).expires_at == stored


@pytest.mark.parametrize("given", ["2000-01-01T00:00:00Z", "2099-03-04T05:06:07", "tomorrow", "2099-13-01T00:00:00Z",
                                   ""])
def test_a_past_naive_or_malformed_expires_at_is_invalid_expires_at(given):
    error = refused(BookmarkIn, {"url": "https://example.com/", "expires_at": given})

    assert (error.code, fields(error)) == ("invalid_expires_at", ["expires_at"])


@pytest.mark.parametrize("cap", [0, -1, 1_000_000_001, "10", 2.5, True])
def test_max_visits_is_a_whole_number_from_one(cap):
    assert fields(refused(BookmarkIn, {"url": "https://example.com/", "max_visits": cap})) == ["max_visits"]


def test_patch_tells_null_from_left_out():
    cleared = parse(BookmarkPatch, json.dumps({"expires_at": None, "max_visits": None}))

    assert cleared.model_fields_set == {"expires_at", "max_visits"}
    assert parse(BookmarkPatch, "{}").model_fields_set == set()


@pytest.mark.parametrize("alias", ["abc", "x" * 65, "has space", "dot.ted", "slash/ed", "caf\u00e9", "API", "Docs",
                                   "health", "admin", "login", "static", "assets"])
def test_an_alias_outside_its_alphabet_or_a_reserved_path_is_invalid_short_code(alias):
    error = refused(BookmarkIn, {"url": "https://example.com/", "short_code": alias})

    assert (error.code, fields(error)) == ("invalid_short_code", ["short_code"])


@pytest.mark.parametrize("alias", ["abcd", "My_Link-2026", "x" * 64, "apis", "docs1"])
def test_an_alias_of_4_to_64_of_the_alphabet_is_kept_as_sent(alias):
    assert parse(BookmarkIn, json.dumps({"url": "https://example.com/", "short_code": alias})).short_code == alias
