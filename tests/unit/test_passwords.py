"""bookmarker.passwords: bcrypt over a SHA-256 pre-hash, so every one of 128 characters counts."""
import bcrypt
import pytest

from bookmarker import passwords
from bookmarker.config import settings

EMOJI = "\N{GRINNING FACE}"


def test_a_hash_verifies_its_own_password():
    hashed = passwords.hash_password("correct horse battery")

    assert passwords.verify("correct horse battery", hashed) is True


def test_a_hash_refuses_another_password():
    hashed = passwords.hash_password("correct horse battery")

    assert passwords.verify("correct horse batterY", hashed) is False


def test_the_hash_is_bcrypt_with_the_configured_cost():
    hashed = passwords.hash_password("correct horse battery")

    assert settings().bcrypt_rounds == 4
    assert hashed.startswith("$2b$04$")
    assert len(hashed) == 60


def test_the_cost_follows_the_configuration(monkeypatch):
    monkeypatch.setenv("BCRYPT_ROUNDS", "5")
    settings.cache_clear()
    try:
        hashed = passwords.hash_password("correct horse battery")
    finally:
        monkeypatch.undo()
        settings.cache_clear()

    assert hashed.startswith("$2b$05$")
    assert passwords.verify("correct horse battery", hashed) is True


def test_two_hashes_of_one_password_differ_by_their_salt():
    assert passwords.hash_password("correct horse battery") != passwords.hash_password("correct horse battery")


def test_the_hash_does_not_contain_the_password():
    assert "correct horse battery" not in passwords.hash_password("correct horse battery")


@pytest.mark.parametrize(("first", "second"), [
    ("a" * 99 + "b", "a" * 99 + "c"),            # 100 bytes: bcrypt alone would read only the first 72
    ("a" * 127 + "b", "a" * 127 + "c"),          # the longest password allowed
    (EMOJI * 79 + "a", EMOJI * 79 + "b"),        # 80 characters, 317 bytes
    (EMOJI * 80, EMOJI * 79 + "\N{SMILING FACE WITH SUNGLASSES}"),
])
def test_every_character_of_a_long_password_counts(first, second):
    hashed = passwords.hash_password(first)

    assert passwords.verify(first, hashed) is True
    assert passwords.verify(second, hashed) is False


def test_a_password_is_not_cut_at_a_nul_character():
    hashed = passwords.hash_password("abc\x00defghij")

    assert passwords.verify("abc\x00defghij", hashed) is True
    assert passwords.verify("abc\x00xxxxxxx", hashed) is False
    assert passwords.verify("abc", hashed) is False


def test_composed_and_decomposed_accents_are_different_passwords():
    hashed = passwords.hash_password("caf\N{LATIN SMALL LETTER E WITH ACUTE} au lait")

    assert passwords.verify("cafe\N{COMBINING ACUTE ACCENT} au lait", hashed) is False


def test_verify_without_a_hash_is_false_even_for_the_dummy_password():
    assert passwords.verify("correct horse battery", None) is False
    assert passwords.verify("not-a-password-anyone-has", None) is False


def test_verify_without_a_hash_still_runs_bcrypt(monkeypatch):
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, h: calls.append(h) or real(pw, h))

    passwords.verify("correct horse battery", None)

    assert len(calls) == 1
    assert calls[0].startswith(b"$2b$04$")


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$2b$04$short", "$2b$04$" + "?" * 53, "$9z$04$" + "a" * 53,
                                    "\N{GRINNING FACE}", "$2b$99$" + "a" * 53])
@pytest.mark.parametrize("password", ["correct horse battery", "not-a-password-anyone-has"])
def test_a_malformed_stored_hash_is_false_not_an_exception(stored, password):
    assert passwords.verify(password, stored) is False
