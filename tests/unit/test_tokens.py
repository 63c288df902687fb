"""bookmarker.tokens: issue and decode HS256 tokens; pick the bearer token out of the headers."""
import base64
import dataclasses
import hashlib
import hmac
import json
from datetime import UTC, datetime

import jwt
import pytest
import time_machine

from bookmarker import clock, tokens
from bookmarker.config import settings
from bookmarker.errors import Unauthorized
from bookmarker.keys import signing_key


def segment(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def forge(header: dict, claims: dict, key: bytes | None = None) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = b"" if key is None else hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def valid_claims(**changes) -> dict:
    now = clock.epoch()
    claims = {"sub": "01J0000000000000000000000A", "iat": now, "exp": now + 900, "jti": "a" * 32, "typ": "access",
              "ver": 3, **changes}
    return {k: v for k, v in claims.items() if v is not ...}


def at(epoch: int):
    return time_machine.travel(datetime.fromtimestamp(epoch, UTC), tick=False)


# ---- issue -----------------------------------------------------------------------------------

def test_an_issued_access_token_carries_the_user_its_version_and_a_15_minute_life():
    token, claims = tokens.issue("user-1", 7, "access")

    decoded = jwt.decode(token, signing_key(), algorithms=["HS256"])
    assert decoded == claims
    assert (claims["sub"], claims["ver"], claims["typ"]) == ("user-1", 7, "access")
    assert claims["exp"] - claims["iat"] == settings().access_ttl == 900
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_an_issued_refresh_token_lives_30_days():
    _, claims = tokens.issue("user-1", 0, "refresh")

    assert claims["typ"] == "refresh"
    assert claims["exp"] - claims["iat"] == settings().refresh_ttl == 30 * 24 * 3600


def test_every_issued_token_has_its_own_jti():
    jtis = {tokens.issue("user-1", 0, "access")[1]["jti"] for _ in range(50)}

    assert len(jtis) == 50


def test_the_token_lifetimes_are_configurable(monkeypatch):
    monkeypatch.setenv("ACCESS_TOKEN_TTL", "60")
    monkeypatch.setenv("REFRESH_TOKEN_TTL", "120")
    settings.cache_clear()
    try:
        _, access = tokens.issue("user-1", 0, "access")
        _, refresh = tokens.issue("user-1", 0, "refresh")
    finally:
        monkeypatch.undo()
        settings.cache_clear()

    assert access["exp"] - access["iat"] == 60
    assert refresh["exp"] - refresh["iat"] == 120


# ---- decode ----------------------------------------------------------------------------------

def test_decode_returns_the_claims_of_a_valid_token():
    token, claims = tokens.issue("user-1", 2, "access")

    assert tokens.decode(token, "access") == claims


def test_decode_accepts_a_token_forged_with_the_real_key():
    claims = valid_claims()

    assert tokens.decode(forge({"alg": "HS256", "typ": "JWT"}, claims, signing_key()), "access") == claims


@pytest.mark.parametrize(("issued", "wanted"), [("access", "refresh"), ("refresh", "access")])
def test_decode_refuses_a_token_of_the_other_type(issued, wanted):
    token, _ = tokens.issue("user-1", 0, issued)

    with pytest.raises(Unauthorized):
        tokens.decode(token, wanted)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "with-a-valid-hs256-signature"])
def test_decode_refuses_alg_none_in_any_case(alg, signed):
    with pytest.raises(Unauthorized):
        tokens.decode(forge({"alg": alg, "typ": "JWT"}, valid_claims(), signing_key() if signed else None), "access")


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS256", "HS384", "HS512", "EdDSA"])
def test_decode_refuses_a_token_naming_another_algorithm(alg):
    # The classic HS/RS confusion: an "RS256" token HMAC-signed with the key a verifier might use as a public key.
    with pytest.raises(Unauthorized):
        tokens.decode(forge({"alg": alg, "typ": "JWT"}, valid_claims(), signing_key()), "access")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_decode_refuses_a_token_truly_signed_with_hs512_and_the_real_key():
    with pytest.raises(Unauthorized):
        tokens.decode(jwt.encode(valid_claims(), signing_key(), algorithm="HS512"), "access")


@pytest.mark.parametrize("key", [b"another-key-of-the-same-length-0123456789abcd", b""], ids=["another", "empty"])
def test_decode_refuses_a_token_signed_with_another_key(key):
    token = forge({"alg": "HS256", "typ": "JWT"}, valid_claims(), key)

    with pytest.raises(Unauthorized):
        tokens.decode(token, "access")


def test_decode_refuses_a_tampered_or_missing_signature():
    header, payload, signature = tokens.issue("user-1", 0, "access")[0].split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    for token in (f"{header}.{payload}.{flipped}", f"{header}.{payload}."):
        with pytest.raises(Unauthorized):
            tokens.decode(token, "access")


def test_decode_refuses_a_tampered_payload():
    token, _ = tokens.issue("user-1", 0, "access")
    header, _, signature = token.split(".")

    with pytest.raises(Unauthorized):
        tokens.decode(f"{header}.{segment(valid_claims(sub='user-2'))}.{signature}", "access")


def test_decode_refuses_a_tampered_header():
    token, _ = tokens.issue("user-1", 0, "access")
    _, payload, signature = token.split(".")

    with pytest.raises(Unauthorized):
        tokens.decode(f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': 'x'})}.{payload}.{signature}", "access")


@pytest.mark.parametrize("garbage", ["", "garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9",
                                     "eyJhbGciOiJIUzI1NiJ9..", "Zm9v.YmFy.YmF6", "\x00\x01",
                                     "\N{GRINNING FACE}.\N{GRINNING FACE}.\N{GRINNING FACE}", "x" * 5000])
def test_decode_refuses_garbage(garbage):
    with pytest.raises(Unauthorized):
        tokens.decode(garbage, "access")


def test_decode_refuses_an_expired_token():
    token, claims = tokens.issue("user-1", 0, "access")

    with at(claims["exp"] + 1), pytest.raises(Unauthorized):
        tokens.decode(token, "access")


def test_decode_accepts_a_token_one_second_before_it_expires():
    token, claims = tokens.issue("user-1", 0, "access")

    with at(claims["exp"] - 1):
        assert tokens.decode(token, "access")["sub"] == "user-1"


@pytest.mark.parametrize("claims", [["iat"], ["nbf"], ["iat", "nbf"]])
def test_decode_refuses_a_token_not_yet_valid(claims):
    now = clock.epoch()
    token = forge({"alg": "HS256"}, valid_claims(**dict.fromkeys(claims, now + 3600), exp=now + 7200), signing_key())

    with pytest.raises(Unauthorized):
        tokens.decode(token, "access")


@pytest.mark.parametrize("claim", tokens.REQUIRED)
@pytest.mark.parametrize("value", [..., None], ids=["missing", "null"])
def test_decode_refuses_a_token_missing_a_required_claim(claim, value):
    token = forge({"alg": "HS256"}, valid_claims(**{claim: value}), signing_key())

    with pytest.raises(Unauthorized):
        tokens.decode(token, "access")


def test_every_claim_the_brief_names_is_required():
    assert set(tokens.REQUIRED) == {"sub", "exp", "iat", "jti", "typ", "ver"}


@pytest.mark.parametrize("changes", [{"sub": 42}, {"sub": ""}, {"sub": None}, {"sub": ["x"]}, {"sub": {"id": "x"}},
                                     {"sub": True}, {"ver": "3"}, {"ver": True}, {"ver": False}, {"ver": 3.0},
                                     {"ver": 0.0}, {"ver": None}, {"ver": [0]}, {"jti": 1},
                                     {"typ": "Access"}, {"typ": "ACCESS"}, {"typ": "id"}, {"exp": "9999999999"},
                                     {"exp": "never"}, {"iat": "1"}, {"iat": "now"}])
def test_decode_refuses_a_claim_of_the_wrong_type(changes):
    token = forge({"alg": "HS256"}, valid_claims(**changes), signing_key())

    with pytest.raises(Unauthorized):
        tokens.decode(token, "access")


def test_a_refused_token_raises_a_401():
    with pytest.raises(Unauthorized) as refused:
        tokens.decode("garbage", "access")

    assert refused.value.status == 401


# ---- bearer ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["Bearer abc.def.ghi", "bearer abc.def.ghi", "BEARER abc.def.ghi",
                                   "Bearer   abc.def.ghi  ", "  Bearer abc.def.ghi"])
def test_bearer_reads_the_token_whatever_the_scheme_case_and_spacing(value):
    assert tokens.bearer({"authorization": value}) == "abc.def.ghi"


@pytest.mark.parametrize("headers", [{}, {"authorization": ""}, {"authorization": "Bearer"},
                                     {"authorization": "Bearer "}, {"authorization": "Bearer    "},
                                     {"authorization": "Basic abc"}, {"authorization": "Basic YWxpY2U6cGFzc3dvcmQ="},
                                     {"authorization": "Token abc.def.ghi"}, {"authorization": "abc.def.ghi"},
                                     {"authorization": "Bearerabc.def.ghi"}])
def test_bearer_refuses_a_missing_or_non_bearer_header(headers):
    with pytest.raises(Unauthorized) as refused:
        tokens.bearer(headers)

    assert refused.value.code == "missing_token"


@pytest.mark.parametrize(("typ", "lifetime"), [("access", 900), ("refresh", 2_592_000)])
def test_decode_refuses_a_correctly_signed_token_that_lives_longer_than_its_kind_may(typ, lifetime):
    now = clock.epoch()
    longest = forge({"alg": "HS256"}, valid_claims(typ=typ, iat=now, exp=now + lifetime), signing_key())
    too_long = forge({"alg": "HS256"}, valid_claims(typ=typ, iat=now, exp=now + lifetime + 1), signing_key())

    assert tokens.decode(longest, typ)["exp"] == now + lifetime
    with pytest.raises(Unauthorized):
        tokens.decode(too_long, typ)


def test_a_token_issued_under_a_longer_configured_lifetime_is_refused_once_it_is_shortened(monkeypatch):
    token, _ = tokens.issue("user-1", 0, "access")
    shorter = dataclasses.replace(settings(), access_ttl=60)
    monkeypatch.setattr(tokens, "settings", lambda: shorter)

    with pytest.raises(Unauthorized):
        tokens.decode(token, "access")
