import re

from bookmarker.bookmarks import CODE_ALPHABET, new_code

# docs/api.md: never a code, compared case-insensitively.
RESERVED = {"api", "docs", "openapi.json", "health", "favicon.ico", "robots.txt", "static", "assets", "login",
            "admin", ".well-known"}


def test_a_code_is_seven_characters_of_digits_and_ascii_letters():
    codes = [new_code() for _ in range(1000)]

    assert all(re.fullmatch(r"[0-9A-Za-z]{7}", c) for c in codes)


def test_the_alphabet_is_the_62_digits_and_ascii_letters():
    assert sorted(CODE_ALPHABET) == sorted("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_ten_thousand_codes_have_no_duplicates():
    codes = [new_code() for _ in range(10_000)]

    assert len(set(codes)) == 10_000


def test_codes_use_the_whole_alphabet():
    seen = set("".join(new_code() for _ in range(2000)))

    assert seen == set(CODE_ALPHABET)


def test_no_reserved_path_can_be_drawn_as_a_code():
    assert not any(re.fullmatch(r"[0-9A-Za-z]{7}", word) for word in RESERVED)
