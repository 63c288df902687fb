import pytest

from bookmarker.urls import normalize, url_key


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.com/", "HTTPS://EXAMPLE.COM/"),
    ("https://Example.Com/a", "https://example.com/a"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com:443/", "https://example.com/"),
    ("http://example.com:80/", "http://example.com/"),
    ("http://example.com:80", "HTTP://Example.com/"),
    ("https://example.com?q=1", "https://example.com/?q=1"),
    ("http://[::1]:80/", "http://[::1]/"),
    ("http://[2001:DB8::1]/", "http://[2001:db8::1]/"),
    ("https://user:pw@Example.com:443/", "https://user:pw@example.com/"),
    ("https://example.com:/", "https://example.com/"),
])
def test_urls_equal_by_the_contract_have_one_key(a, b):
    assert normalize(a) == normalize(b)
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.com/Path", "https://example.com/path"),
    ("https://example.com/?q=1", "https://example.com/?q=2"),
    ("https://example.com/?q=1", "https://example.com/"),
    ("https://example.com/?a=1&b=2", "https://example.com/?b=2&a=1"),
    ("https://example.com/a", "https://example.com/a/"),
    ("https://example.com/", "http://example.com/"),
    ("http://example.com:443/", "http://example.com/"),
    ("https://example.com:80/", "https://example.com/"),
    ("https://example.com:8443/", "https://example.com/"),
    ("http://[::1]:8080/", "http://[::1]/"),
    ("http://[::1]/", "http://[::2]/"),
    ("https://user@example.com/", "https://example.com/"),
    ("https://User@example.com/", "https://user@example.com/"),
    ("https://example.com/#a", "https://example.com/#b"),
    ("https://example.com/", "https://www.example.com/"),
])
def test_urls_that_differ_by_the_contract_have_different_keys(a, b):
    assert normalize(a) != normalize(b)
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize(("url", "normal"), [
    ("HTTPS://Example.COM", "https://example.com/"),
    ("http://Example.com:8080/A?B=C#D", "http://example.com:8080/A?B=C#D"),
    ("http://[2001:DB8::1]:8443/x", "http://[2001:db8::1]:8443/x"),
    ("https://Me:Secret@Example.com/", "https://Me:Secret@example.com/"),
    ("http://127.0.0.1:80/", "http://127.0.0.1/"),
])
def test_normalize_lowers_scheme_and_host_and_drops_only_the_default_port(url, normal):
    assert normalize(url) == normal


def test_the_key_is_a_sha256_hex_digest_whatever_the_url_length():
    long_url = "https://example.com/" + "a" * 2028

    key = url_key(long_url)

    assert len(key) == 64
    assert set(key) <= set("0123456789abcdef")
