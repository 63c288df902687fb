"""Users table: user items, the email and username claims that keep them unique, refresh-token records
and login-failure windows."""
from dataclasses import dataclass
from typing import Literal

from bookmarker.config import settings
from bookmarker.errors import Conflict, EmailTaken, TokenRevoked, UsernameTaken
from bookmarker.store.client import ALREADY_WRITTEN, Item, Write, client, conditionally, transact


@dataclass(frozen=True)
class User:
    id: str
    username: str
    email: str
    password_hash: str
    token_version: int
    created_at: str


def _table() -> str:
    return settings().users_table


def user_key(user_id: str) -> Item:
    return {"pk": {"S": f"USER#{user_id}"}}


def _email_key(email: str) -> Item:
    return {"pk": {"S": f"EMAIL#{email.casefold()}"}}


def _username_key(username: str) -> Item:
    return {"pk": {"S": f"USERNAME#{username.casefold()}"}}


def _user(item: Item) -> User:
    return User(id=item["id"]["S"], username=item["username"]["S"], email=item["email"]["S"],
                password_hash=item["password_hash"]["S"], token_version=int(item["token_version"]["N"]),
                created_at=item["created_at"]["S"])


def create_user(user: User) -> None:
    """The user and both claims in one transaction: a taken email or username creates nothing."""
    table = _table()
    owner = {"user_id": {"S": user.id}}
    transact([
        ({"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                  "Item": {**user_key(user.id), "id": {"S": user.id}, "username": {"S": user.username},
                           "email": {"S": user.email}, "password_hash": {"S": user.password_hash},
                           "token_version": {"N": str(user.token_version)}, "created_at": {"S": user.created_at}}}},
         ALREADY_WRITTEN),  # the id is a new ULID: only an earlier attempt of this very call wrote it
        ({"Put": {"TableName": table, "Item": {**_email_key(user.email), **owner},
                  "ConditionExpression": "attribute_not_exists(pk)"}},
         EmailTaken("an account with this email exists")),
        ({"Put": {"TableName": table, "Item": {**_username_key(user.username), **owner},
                  "ConditionExpression": "attribute_not_exists(pk)"}},
         UsernameTaken("this username is taken")),
    ])


def get_user(user_id: str) -> User | None:
    item = client().get_item(TableName=_table(), Key=user_key(user_id), ConsistentRead=True).get("Item")
    return _user(item) if item else None


def find_by_email(email: str) -> User | None:
    claim = client().get_item(TableName=_table(), Key=_email_key(email), ConsistentRead=True).get("Item")
    return get_user(claim["user_id"]["S"]) if claim else None


def bump_token_version(user_id: str) -> None:
    """Every token issued so far carries the old version: they all stop working at once."""
    conditionally(client().update_item, TableName=_table(), Key=user_key(user_id),
                  UpdateExpression="ADD token_version :one", ConditionExpression="attribute_exists(pk)",
                  ExpressionAttributeValues={":one": {"N": "1"}})


def set_password(user: User, password_hash: str) -> None:
    """New hash and a new token version together, only if nothing revoked the caller's tokens meanwhile."""
    changed = conditionally(
        client().update_item, TableName=_table(), Key=user_key(user.id),
        UpdateExpression="SET password_hash = :h ADD token_version :one", ConditionExpression="token_version = :v",
        ExpressionAttributeValues={":h": {"S": password_hash}, ":one": {"N": "1"},
                                   ":v": {"N": str(user.token_version)}})
    if changed is None:
        raise Conflict("the account changed meanwhile; log in again")


def mark_deleting(user: User) -> None:
    """From now on no bookmark can be created for the user (the create's condition), so a sweep of the
    bookmarks finds them all; only if the caller's token is still current."""
    if conditionally(client().update_item, TableName=_table(), Key=user_key(user.id),
                     UpdateExpression="SET deleting = :yes", ConditionExpression="token_version = :v",
                     ExpressionAttributeValues={":yes": {"BOOL": True},
                                                ":v": {"N": str(user.token_version)}}) is None:
        raise TokenRevoked("the token has been revoked")


def delete_user(user: User, also: list[Write] | None = None) -> None:
    """The user and its claims, so its email and username are free again; its tokens die with it. `also`: more
    deletes for the same transaction (the user's API tokens)."""
    table = _table()
    mine = {":id": {"S": user.id}}  # a claim goes only while it is still the user's
    writes: list[Write] = [
        # A logout or password change got in first: the caller's token is no longer current.
        ({"Delete": {"TableName": table, "Key": user_key(user.id), "ConditionExpression": "token_version = :v",
                     "ExpressionAttributeValues": {":v": {"N": str(user.token_version)}}}},
         TokenRevoked("the token has been revoked")),
        *(also or []),
        ({"Delete": {"TableName": table, "Key": _email_key(user.email), "ConditionExpression": "user_id = :id",
                     "ExpressionAttributeValues": mine}}, None),
        ({"Delete": {"TableName": table, "Key": _username_key(user.username), "ConditionExpression": "user_id = :id",
                     "ExpressionAttributeValues": mine}}, None),
    ]
    try:
        transact(writes)
    except TokenRevoked:
        if get_user(user.id) is not None:
            raise
        # Gone already: an earlier attempt of this call committed and only its answer was lost.


# ---- refresh tokens: one record per jti, used at most once ---------------------------------------

def _refresh_key(jti: str) -> Item:
    return {"pk": {"S": f"REFRESH#{jti}"}}


def record_refresh(jti: str, user_id: str, expires_at: int) -> None:
    client().put_item(TableName=_table(), Item={**_refresh_key(jti), "user_id": {"S": user_id},
                                                "expires_at": {"N": str(expires_at)}, "ttl": {"N": str(expires_at)}})


RefreshUse = Literal["ok", "used", "invalid"]


def use_refresh(jti: str, user_id: str, now: int) -> RefreshUse:
    """Mark a refresh token used in one conditional write: "ok", or why not: "used" or "invalid"."""
    used = conditionally(
        client().update_item, TableName=_table(), Key=_refresh_key(jti), UpdateExpression="SET used_at = :now",
        # TTL deletes lazily (within days), so the expiry is checked here too.
        ConditionExpression="attribute_exists(pk) AND attribute_not_exists(used_at) "
                            "AND user_id = :uid AND expires_at > :now",
        ExpressionAttributeValues={":now": {"N": str(now)}, ":uid": {"S": user_id}})
    if used is not None:
        return "ok"
    item = client().get_item(TableName=_table(), Key=_refresh_key(jti), ConsistentRead=True).get("Item") or {}
    return "used" if "used_at" in item and item.get("user_id", {}).get("S") == user_id else "invalid"


# ---- counting windows: failed logins per email, attempts per client ---------------------------------

@dataclass(frozen=True)
class Window:
    """One attempt asked for: whether it was counted, and when the window ends (the Retry-After)."""
    allowed: bool
    ends: int


def count_registration(client_ip: str, now: int, window: int, limit: int) -> Window:
    return _take("REGISTER", client_ip, now, window, limit)


def count_login_attempt(email: str, now: int, window: int, limit: int) -> Window:
    """Counted before bcrypt runs, and kept unless the password was right (then cleared)."""
    return _take("LOGINFAIL", email, now, window, limit)


def count_client_login_attempt(client_ip: str, now: int, window: int, limit: int) -> Window:
    return _take("CLIENTFAIL", client_ip, now, window, limit)


def forgive_login_attempt(email: str) -> None:
    """The account's attempt was not a guess (the client was refused first): give it back."""
    _give_back("LOGINFAIL", email)


def forgive_client_login_attempt(client_ip: str) -> None:
    """A right password: the client's attempt does not count against it."""
    _give_back("CLIENTFAIL", client_ip)


def clear_login_attempts(email: str) -> None:
    """A successful login resets the account's count (docs/api.md)."""
    client().delete_item(TableName=_table(), Key=_window_key("LOGINFAIL", email))


def count_link_attempt(bookmark_id: str, client_ip: str, now: int, window: int, limit: int) -> Window:
    """One password tried on a protected link by one client: counted before bcrypt runs, kept unless it was right."""
    return _take("LINKFAIL", f"{bookmark_id}#{client_ip}", now, window, limit)


def clear_link_attempts(bookmark_id: str, client_ip: str) -> None:
    """The right password resets the client's count for the link (docs/api.md): to 0 in the same window, not by
    deleting it, so tries of this client in flight keep counting in one window rather than racing to open one."""
    conditionally(client().update_item, TableName=_table(), Key=_window_key("LINKFAIL", f"{bookmark_id}#{client_ip}"),
                  UpdateExpression="SET hits = :zero", ConditionExpression="attribute_exists(pk)",
                  ExpressionAttributeValues={":zero": {"N": "0"}})


def _window_key(kind: str, subject: str) -> Item:
    return {"pk": {"S": f"{kind}#{subject.casefold()}"}}


TAKE_ATTEMPTS = 3  # a window that keeps changing under us after this many tries: refuse rather than over-admit


def _take(kind: str, subject: str, now: int, window: int, limit: int) -> Window:
    """Count one attempt in the subject's window if it has room. One conditional write decides, so parallel
    attempts cannot all slip under the limit (a read-then-write would let every request in flight pass)."""
    table, key = _table(), _window_key(kind, subject)
    for _ in range(TAKE_ATTEMPTS):
        counted = conditionally(
            client().update_item, TableName=table, Key=key, UpdateExpression="ADD hits :one",
            ConditionExpression="window_end > :now AND hits < :limit", ReturnValues="ALL_NEW",
            ExpressionAttributeValues={":one": {"N": "1"}, ":now": {"N": str(now)}, ":limit": {"N": str(limit)}})
        if counted is not None:
            return Window(True, int(counted["Attributes"]["window_end"]["N"]))
        end = now + window
        # No window, or one that has passed (TTL deletes lazily): start a new one, unless one just started.
        if conditionally(client().put_item, TableName=table,
                         Item={**key, "hits": {"N": "1"}, "window_end": {"N": str(end)}, "ttl": {"N": str(end)}},
                         ConditionExpression="attribute_not_exists(pk) OR window_end <= :now",
                         ExpressionAttributeValues={":now": {"N": str(now)}}) is not None:
            return Window(True, end)
        hits, end = _count(kind, subject, now)
        if hits >= limit:
            return Window(False, end)
    return Window(False, now + window)


def _give_back(kind: str, subject: str) -> None:
    conditionally(client().update_item, TableName=_table(), Key=_window_key(kind, subject),
                  UpdateExpression="ADD hits :minus", ConditionExpression="hits > :zero",
                  ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}})


def _count(kind: str, subject: str, now: int) -> tuple[int, int]:
    """The subject's count in its current window (TTL deletes lazily, so the end is checked here)."""
    item = client().get_item(TableName=_table(), Key=_window_key(kind, subject), ConsistentRead=True).get("Item")
    if not item or int(item["window_end"]["N"]) <= now:
        return 0, now
    return int(item["hits"]["N"]), int(item["window_end"]["N"])
