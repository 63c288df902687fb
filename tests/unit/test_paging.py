import base64
import json
from urllib.parse import urlencode

import pytest

from bookmarker import paging, query
from bookmarker.errors import BadRequest
from bookmarker.paging import PageRequest, decode_cursor, encode_cursor

OWNER = "01J0OWNER000000000000000AA"
AFTER = "01J0BKMRK000000000000000ZZ"


def read(params):
    """What the list reads of a query string, as the client sent it (a dict, pairs, or the raw string)."""
    raw = params if isinstance(params, str) else urlencode(params or {})
    return paging.read(query.parse(raw), OWNER)


def refused(fn, *args):
    with pytest.raises(BadRequest) as caught:
        fn(*args)
    return caught.value


def test_a_cursor_round_trips_for_its_owner():
    cursor = encode_cursor(OWNER, AFTER)

    assert decode_cursor(cursor, OWNER) == AFTER


def test_a_cursor_is_url_safe_and_unpadded():
    cursor = encode_cursor(OWNER, AFTER)

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert "=" not in cursor


def test_another_users_cursor_is_refused():
    cursor = encode_cursor("someone-else", AFTER)

    assert refused(decode_cursor, cursor, OWNER).code == "invalid_cursor"


def _payload(cursor):
    b64 = cursor.partition(".")[0]
    return json.loads(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)))


def _with_payload(cursor, payload):
    b64 = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return b64 + "." + cursor.partition(".")[2]


@pytest.mark.parametrize("tamper", [
    lambda c: _with_payload(c, {**_payload(c), "a": "01J0BKMRK000000000000000ZY"}),
    lambda c: _with_payload(c, {**_payload(c), "o": "someone-else"}),
    lambda c: _with_payload(c, {"o": OWNER}),
    lambda c: c[:-2] + ("AA" if c[-2:] != "AA" else "BB"),
    lambda c: c.partition(".")[0] + ".",
    lambda c: c.partition(".")[0],
    lambda c: "." + c.partition(".")[2],
    lambda c: c.replace(".", ""),
    lambda c: c + "." + c,
    lambda c: c + "x",
    lambda c: "not base64 ~~~",
    lambda c: "!!!.???",
    lambda c: "ünïcode.ü",
    lambda c: "",
    lambda c: ".",
    lambda c: "A" * 5000,
], ids=["position", "owner", "no-position", "signature", "empty-signature", "no-dot", "no-payload", "joined",
        "doubled", "longer", "garbage", "symbols", "non-ascii", "empty", "dot", "long"])
def test_a_tampered_cursor_is_refused(tamper):
    cursor = encode_cursor(OWNER, AFTER)

    assert refused(decode_cursor, tamper(cursor), OWNER).code == "invalid_cursor"


def test_a_cursor_signed_with_another_key_is_refused(monkeypatch):
    cursor = encode_cursor(OWNER, AFTER)
    monkeypatch.setattr(paging, "derived_key", lambda purpose: b"another key")

    assert refused(decode_cursor, cursor, OWNER).code == "invalid_cursor"


def test_read_defaults_to_page_one_of_five():
    assert read(None) == PageRequest(page=1, per_page=5, after=None)


def test_read_takes_page_and_per_page():
    assert read("page=3&per_page=100") == PageRequest(page=3, per_page=100, after=None)


def test_read_in_cursor_mode_has_no_page():
    assert read({"cursor": encode_cursor(OWNER, AFTER), "per_page": 7}) == PageRequest(page=None, per_page=7,
                                                                                      after=AFTER)


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=1.5", "page=", "page=+1", "page=\uff11",
                                   "page=%EF%BC%91", "page=%201", "page=%00", "page=1e3", "page=99999999999999999999",
                                   "page=" + "9" * 5000, "per_page=0", "per_page=101", "per_page=", "per_page=-5",
                                   "per_page=x", "per_page=2.0"])
def test_read_refuses_a_page_or_per_page_that_is_not_an_integer_in_range(query):
    assert refused(read, query).code == "invalid_paging"


@pytest.mark.parametrize("query", ["page=1&page=2", "per_page=5&per_page=5", "cursor=a&cursor=b"])
def test_read_refuses_a_repeated_key(query):
    assert refused(read, query).code == "repeated_parameter"


@pytest.mark.parametrize("query", ["cursor=abc", "cursor=", "cursor=" + "A" * 10_000, "cursor=%FF"])
def test_read_refuses_a_cursor_this_service_did_not_sign(query):
    assert refused(read, query).code == "invalid_cursor"


@pytest.mark.parametrize("cursor", [encode_cursor(OWNER, AFTER), "abc"])
def test_read_refuses_page_and_cursor_together(cursor):
    assert refused(read, {"page": 1, "cursor": cursor}).code == "invalid_paging"


@pytest.mark.parametrize(("page", "total", "expected"), [
    (1, 0, {"pages": 0, "prev_page": None, "next_page": None, "has_prev": False, "has_next": False}),
    (1, 5, {"pages": 1, "prev_page": None, "next_page": None, "has_prev": False, "has_next": False}),
    (1, 6, {"pages": 2, "prev_page": None, "next_page": 2, "has_prev": False, "has_next": True}),
    (2, 6, {"pages": 2, "prev_page": 1, "next_page": None, "has_prev": True, "has_next": False}),
    (9, 6, {"pages": 2, "prev_page": 8, "next_page": None, "has_prev": True, "has_next": False}),
])
def test_page_meta_counts_pages_as_the_ceiling_of_total_over_per_page(page, total, expected):
    meta = paging.meta(PageRequest(page=page, per_page=5, after=None), total, False, None)

    assert meta == {"page": page, "per_page": 5, "total_count": total, "next_cursor": None, **expected}
