"""Request bodies: strict pydantic models whose custom error types are the API's error codes."""
import re
from datetime import datetime
from typing import Annotated, Literal

import validators
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from bookmarker import clock, tags, urls
from bookmarker.errors import BadRequest, ValidationFailed


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _password(value: str) -> str:
    # Code points, not bytes: every character counts, in any script (docs/api.md, lengths).
    if len(value) < 8:
        raise PydanticCustomError("password_too_short", "password must be at least 8 characters")
    if len(value) > 128:
        raise PydanticCustomError("password_too_long", "password must be at most 128 characters")
    return value


def _username(value: str) -> str:
    if len(value) < 3:
        raise PydanticCustomError("username_too_short", "username must be at least 3 characters")
    if len(value) > 30 or not (value.isascii() and value.isalnum()):
        raise PydanticCustomError("username_invalid", "username must be 3 to 30 ASCII letters or digits")
    return value


def _email(value: str) -> str:
    if len(value) > 254 or validators.email(value) is not True:
        raise PydanticCustomError("invalid_email", "email must be a valid address")
    return value


def _http_url(value: str) -> str:
    if not urls.is_acceptable(value):
        raise PydanticCustomError("invalid_url", "url must be an absolute http(s) URL of at most 2048 characters, "
                                  "without whitespace, control characters or backslashes")
    return value


def _tag(value: str) -> str:
    tag = tags.clean(value)
    if tag is None:
        raise PydanticCustomError("invalid_tag", f"a tag is 1 to {tags.MAX_LENGTH} characters of a-z, 0-9, _ and -")
    return tag


def _tags(values: list[str]) -> list[str]:
    merged = tags.merged(values)
    if len(merged) > tags.MAX_TAGS:
        raise PydanticCustomError("too_many_tags", f"a bookmark has at most {tags.MAX_TAGS} tags")
    return merged


def _expires_at(value: str) -> str:
    """ISO 8601 with its offset (or Z), in the future; kept in clock.iso's form, so the redirect compares text."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or len(value) > 64:
        raise PydanticCustomError("invalid_expires_at", "expires_at must be an ISO 8601 time with its offset or Z")
    if moment <= clock.now():
        raise PydanticCustomError("invalid_expires_at", "expires_at must be in the future")
    return clock.iso(moment.astimezone(clock.now().tzinfo))


# docs/api.md: the service's own paths, never a short code, compared case-insensitively (the ones with a dot cannot
# match the alias alphabet anyway).
RESERVED = {"api", "docs", "openapi.json", "health", "favicon.ico", "robots.txt", "static", "assets", "login",
            "admin", ".well-known"}
_ALIAS = re.compile(r"[0-9A-Za-z_-]{4,64}")


def _alias(value: str) -> str:
    if not _ALIAS.fullmatch(value) or value.lower() in RESERVED:
        raise PydanticCustomError("invalid_short_code", "short_code must be 4 to 64 characters of A-Z, a-z, 0-9, _ "
                                  "and -, and not one of the service's own paths")
    return value


Password = Annotated[str, AfterValidator(_password)]
Url = Annotated[str, AfterValidator(_http_url)]
Body = Annotated[str, Field(max_length=10_000)]
# Bounded before cleaning too, so a body of 10,000 tags is refused without cleaning each.
Tags = Annotated[list[Annotated[str, AfterValidator(_tag)]], Field(max_length=100), AfterValidator(_tags)]
ExpiresAt = Annotated[str, AfterValidator(_expires_at)]
MaxVisits = Annotated[int, Field(ge=1, le=1_000_000_000)]
Alias = Annotated[str, AfterValidator(_alias)]


class RegisterIn(Strict):
    username: Annotated[str, AfterValidator(_username)]
    email: Annotated[str, AfterValidator(_email)]
    password: Password


class LoginIn(Strict):
    email: Annotated[str, Field(max_length=320)]
    password: Annotated[str, Field(max_length=1024)]


class PasswordChangeIn(Strict):
    current_password: Annotated[str, Field(max_length=1024)]
    new_password: Password


class PasswordIn(Strict):
    password: Annotated[str, Field(max_length=1024)]


class BookmarkIn(Strict):
    url: Url
    body: Body = ""
    tags: Tags = []
    expires_at: ExpiresAt | None = None  # None: no limit (a PUT without it removes the limit)
    max_visits: MaxVisits | None = None
    short_code: Alias | None = None  # a custom alias; left out or null: a random code (a PUT keeps the code)
    # Null removes the password; left out, a PUT keeps it (docs/api.md: never dropped by omission).
    link_password: Password | None = None


class BookmarkPatch(Strict):
    # Left out: None (unchanged). Sent as null: refused, since no field can be null ([] clears the tags).
    url: Url = None  # type: ignore[assignment]
    body: Body = None  # type: ignore[assignment]
    tags: Tags = None  # type: ignore[assignment]
    # These two may be sent as null, which removes the limit: left out and null differ (model_fields_set).
    expires_at: ExpiresAt | None = None
    max_visits: MaxVisits | None = None
    short_code: Alias = None  # type: ignore[assignment]
    link_password: Password | None = None  # null removes it


class TokenIn(Strict):
    """POST /api/v1/auth/tokens: a personal API token's name (unique per user, in any case), scopes and lifetime."""
    name: Annotated[str, Field(min_length=1, max_length=100)]
    # At least one; repeated scopes are merged, in a stable order.
    scopes: Annotated[list[Literal["bookmarks:read", "bookmarks:write"]], Field(min_length=1, max_length=100),
                      AfterValidator(lambda scopes: sorted(set(scopes)))]
    expires_in_days: Annotated[int, Field(ge=1, le=365)] | None = None  # null or left out: no expiry


class LinkPasswordIn(Strict):
    """POST /{short_code}'s body, as JSON or form fields."""
    password: Annotated[str, Field(max_length=1024)]


def parse[M: BaseModel](model: type[M], raw: str) -> M:
    try:
        return model.model_validate_json(raw or "")
    except ValidationError as exc:
        raise refusal(exc) from None


def validate[M: BaseModel](model: type[M], data: object) -> M:
    """As parse, for a value already read from JSON (an item of an imported list)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise refusal(exc) from None


def refusal(exc: ValidationError) -> BadRequest:
    """What a body's validation failure answers: the API's code, and the dotted path of each value ("" is the
    body as a whole, never "body": a bookmark has a body field)."""
    errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors(include_url=False)]
    types = [e["type"] for e in exc.errors(include_url=False)]
    if "json_invalid" in types:
        return BadRequest("the body is not valid JSON", code="invalid_json", errors=errors)
    if "model_type" in types or "model_attributes_type" in types:
        return ValidationFailed("the body must be a JSON object", errors=errors)
    ours = next((t for t in types if t.islower() and t in _CODES), None)
    return ValidationFailed("the body does not match the schema", code=ours, errors=errors)


_CODES = {"password_too_short", "password_too_long", "username_too_short", "username_invalid", "invalid_email",
          "invalid_url", "invalid_tag", "too_many_tags", "invalid_expires_at", "invalid_short_code"}
