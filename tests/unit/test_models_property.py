"""Every body the models can be sent either parses or is refused with our 4xx error, never anything else."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bookmarker.errors import BadRequest
from bookmarker.models import BookmarkIn, BookmarkPatch, RegisterIn, parse

url_like = st.builds(lambda head, rest: head + rest,
                     st.sampled_from(["http://", "https://", "HTTP://", "http://[", "https://[::1", "http://[v1.x]",
                                      "ftp://", "//", "http://example.com:", "http://a:b@", "javascript:", ""]),
                     st.text(max_size=60))


@settings(max_examples=600, deadline=None, derandomize=True)
@given(url=url_like, body=st.text(max_size=20))
def test_any_url_parses_or_is_refused_as_invalid_url(url, body):
    for model in (BookmarkIn, BookmarkPatch):
        try:
            parsed = parse(model, json.dumps({"url": url, "body": body}))
        except BadRequest as refused:
            assert refused.status == 400
        else:
            assert parsed.url == url


@settings(max_examples=300, deadline=None, derandomize=True)
@given(username=st.text(max_size=40), email=st.text(max_size=40), password=st.text(max_size=140))
def test_any_registration_parses_or_is_refused_with_a_400(username, email, password):
    try:
        parse(RegisterIn, json.dumps({"username": username, "email": email, "password": password}))
    except BadRequest as refused:
        assert refused.status == 400
        assert refused.code in {"username_too_short", "username_invalid", "invalid_email", "password_too_short",
                                "password_too_long", "validation_failed", "invalid_json"}
