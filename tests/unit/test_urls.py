import pytest

from bookmarker.urls import ascii_form, is_acceptable, normalize, url_key


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
    ("http://[2001:DB8::1]/", "http://[2001:db8::1]:80"),
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


@pytest.mark.parametrize("url", [
    "https://example.com/a\\b",                  # a backslash in the path
    "https://example.com\\@evil.example/",       # browsers read it as a slash: another host
    "https://example.com/\x00", "https://example.com/\x1f", "https://example.com/\x7f",
    "https://example.com/\x80", "https://example.com/\x9f", "https://example.com/a\u0085b",
    "https://example.com/ space", "https://example.com/\ttab", "https://example.com/\u00a0nbsp",
    "https://example.com/\ud800",                # a lone surrogate has no UTF-8, so no ASCII form
    "https://example.com/" + "é" * 1000,         # 1,020 code points, but 6,020 characters once encoded
    "ftp://example.com/", "https:///path", "example.com", "http://[::1/",
    "https://example.com/" + "a" * 2029,         # 2,049 code points
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
    "/relative/path", "example.com/no-scheme", "//example.com/no-scheme", "http://", "",
    "https://exa mple.com/", " https://example.com/", "https://example.com/ ", "https://example.com/\nx",
    "http://[zz]/", "https://example.com:99999/", "http://:80/",  # do not parse: refused, not raised
])
def test_urls_the_contract_refuses(url):
    assert not is_acceptable(url)


@pytest.mark.parametrize("url", [
    "https://example.com/", "HTTP://Example.com:8080/a?b=c#d", "https://bücher.example/ü€?q=ä",
    "https://example.com/" + "a" * 2028,         # 2,048 code points exactly
    "https://example.com/" + "é" * 678,          # ASCII form 4,088 characters: within 4,096
    "http://[2001:db8::1]:8443/x", "https://example.com/%5C",  # an escaped backslash is not a backslash
    "http://localhost/", "http://localhost:8080/admin", "https://intranet/wiki", "http://127.0.0.1:3000/x",
    "http://10.0.0.1/", "http://[::1]/", "https://sub.example.co.uk/a/b?c=d#e",
])
def test_urls_the_contract_accepts(url):
    assert is_acceptable(url)


def test_the_ascii_form_encodes_the_host_as_idna_and_the_rest_as_utf8_escapes():
    assert ascii_form("https://bücher.example/ü€?q=ä#é") == "https://xn--bcher-kva.example/%C3%BC%E2%82%AC?q=%C3%A4#%C3%A9"
    assert ascii_form("https://example.com/a%20b?x=1") == "https://example.com/a%20b?x=1"
