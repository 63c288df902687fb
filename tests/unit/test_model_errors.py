"""errors[].field (docs/api.md): the dotted path of the offending value, "" for the request body as a whole."""
import pytest

from bookmarker.errors import BadRequest
from bookmarker.models import BookmarkIn, RegisterIn, parse


def refused(model, raw: str) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        parse(model, raw)
    return caught.value


@pytest.mark.parametrize("raw", ["[]", "42", '"text"', "null", "{", "not json", ""])
def test_a_body_that_is_not_a_json_object_is_the_field_empty_string(raw):
    assert [e["field"] for e in refused(BookmarkIn, raw).errors] == [""]


def test_the_bookmarks_own_body_field_is_named_body():
    err = refused(BookmarkIn, '{"url": "https://example.com/", "body": 7}')

    assert [e["field"] for e in err.errors] == ["body"]


def test_a_field_is_named_by_its_dotted_path_and_unknown_fields_by_their_name():
    err = refused(RegisterIn, '{"username": "ab", "email": "a@example.com", "password": "long enough", "x": 1}')

    assert sorted(e["field"] for e in err.errors) == ["username", "x"]
