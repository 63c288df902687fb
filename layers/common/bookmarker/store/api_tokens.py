"""API tokens table: personal API tokens, looked up by the SHA-256 of the secret, and each user's list of them.
A table of its own, so the functions that accept a token may write its last_used_at and nothing of the users'.
Shapes and costs: docs/data-model.md."""
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bookmarker.config import settings
from bookmarker.errors import NotFound, OwnerGone, TokenLimit, TokenNameTaken
from bookmarker.store import users
from bookmarker.store.client import ALREADY_WRITTEN, Item, Write, batch_get, client, conditionally, transact

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

MAX_TOKENS = 20  # a user's tokens, expired ones included, until deleted (API.md)


@dataclass(frozen=True)
class ApiToken:
    id: str
    user_id: str
    name: str
    scopes: tuple[str, ...]
    prefix: str
    created_at: str
    expires_at: int | None  # epoch seconds; None: never
    last_used_at: str | None = None


def digest(secret: str) -> str:
    """What the table keeps of a token: its SHA-256 (the secret has 256 bits of entropy: no salt or bcrypt needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _table() -> str:
    return settings().api_tokens_table


def _lookup_key(hashed: str) -> Item:
    return {"pk": {"S": f"TOKEN#{hashed}"}}


def _list_key(user_id: str) -> Item:
    return {"pk": {"S": f"USER#{user_id}"}}


def _name_key(user_id: str, name: str) -> Item:
    return {"pk": {"S": f"NAME#{user_id}#{name.casefold()}"}}


def _entry(t: ApiToken, hashed: str) -> dict[str, Any]:
    expires: dict[str, Any] = {"NULL": True} if t.expires_at is None else {"N": str(t.expires_at)}
    return {"M": {"name": {"S": t.name}, "prefix": {"S": t.prefix}, "scopes": {"SS": list(t.scopes)},
                  "created_at": {"S": t.created_at}, "expires_at": expires, "hash": {"S": hashed}}}


def _from_entry(user_id: str, token_id: str, entry: "AttributeValueTypeDef") -> tuple[ApiToken, str]:
    m = entry["M"]
    expires = m["expires_at"].get("N")  # {"NULL": true}: never
    return ApiToken(id=token_id, user_id=user_id, name=m["name"]["S"], scopes=tuple(sorted(m["scopes"]["SS"])),
                    prefix=m["prefix"]["S"], created_at=m["created_at"]["S"],
                    expires_at=int(expires) if expires else None), m["hash"]["S"]


def put_token(t: ApiToken, hashed: str) -> None:
    """The lookup, the name's claim and the list's entry in one transaction, with the user's count of tokens
    moved under its limit, and only while the account is not being deleted."""
    table = _table()
    lookup: Item = {**_lookup_key(hashed), "id": {"S": t.id}, "user_id": {"S": t.user_id},
                    "scopes": {"SS": list(t.scopes)}}
    if t.expires_at is not None:
        lookup["expires_at"] = {"N": str(t.expires_at)}
    transact([
        ({"ConditionCheck": {"TableName": settings().users_table, "Key": users.user_key(t.user_id),
                             "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(deleting)"}},
         OwnerGone("the account is being deleted")),
        # The hash of 256 fresh random bits: only an earlier attempt of this very call can have written it.
        ({"Put": {"TableName": table, "Item": lookup, "ConditionExpression": "attribute_not_exists(pk)"}},
         ALREADY_WRITTEN),
        ({"Put": {"TableName": table, "Item": {**_name_key(t.user_id, t.name), "token_id": {"S": t.id}},
                  "ConditionExpression": "attribute_not_exists(pk)"}},
         TokenNameTaken("you have a token with this name")),
        ({"Update": {"TableName": table, "Key": _list_key(t.user_id), "UpdateExpression": "SET #t = :t ADD n :one",
                     "ConditionExpression": "attribute_not_exists(n) OR n < :max",
                     "ExpressionAttributeNames": {"#t": f"T#{t.id}"},
                     "ExpressionAttributeValues": {":t": _entry(t, hashed), ":one": {"N": "1"},
                                                   ":max": {"N": str(MAX_TOKENS)}}}},
         TokenLimit(f"you have {MAX_TOKENS} tokens: delete one first")),
    ])


def _listed(user_id: str) -> list[tuple[ApiToken, str]]:
    item = client().get_item(TableName=_table(), Key=_list_key(user_id), ConsistentRead=True).get("Item") or {}
    return [_from_entry(user_id, name[2:], value) for name, value in item.items() if name.startswith("T#")]


def tokens_of(user_id: str) -> list[ApiToken]:
    """The user's tokens, newest first, each with its last use (kept on its lookup item, where calls move it)."""
    listed = sorted(_listed(user_id), key=lambda pair: pair[0].id, reverse=True)
    if not listed:
        return []
    found = batch_get(_table(), [_lookup_key(hashed) for _, hashed in listed], "id, last_used_at")
    used = {i["id"]["S"]: i.get("last_used_at", {}).get("S") for i in found}
    return [ApiToken(**{**t.__dict__, "last_used_at": used.get(t.id)}) for t, _ in listed]


def delete_token(user_id: str, token_id: str) -> None:
    """The token's three items together; it stops working at once (lookups read consistently). 404: not one of
    the user's tokens (another's, or deleted meanwhile)."""
    found = next(((t, h) for t, h in _listed(user_id) if t.id == token_id), None)
    if found is None:
        raise NotFound("no token of yours with this id")
    t, hashed = found
    table = _table()
    transact([
        ({"Update": {"TableName": table, "Key": _list_key(user_id), "UpdateExpression": "REMOVE #t ADD n :minus",
                     "ConditionExpression": "attribute_exists(#t)", "ExpressionAttributeNames": {"#t": f"T#{t.id}"},
                     "ExpressionAttributeValues": {":minus": {"N": "-1"}}}},
         NotFound("no token of yours with this id")),
        ({"Delete": {"TableName": table, "Key": _lookup_key(hashed)}}, None),
        ({"Delete": {"TableName": table, "Key": _name_key(user_id, t.name)}}, None),
    ])


def find(hashed: str) -> ApiToken | None:
    """The token with this hash, read consistently (a revoked token fails on the very next call)."""
    item = client().get_item(TableName=_table(), Key=_lookup_key(hashed), ConsistentRead=True).get("Item")
    if not item:
        return None
    expires = item.get("expires_at", {}).get("N")
    return ApiToken(id=item["id"]["S"], user_id=item["user_id"]["S"], name="", prefix="",
                    scopes=tuple(item["scopes"]["SS"]), created_at="", expires_at=int(expires) if expires else None,
                    last_used_at=item.get("last_used_at", {}).get("S"))


def mark_used(hashed: str, at: str, before: str) -> None:
    """last_used_at = at, only if it is older than `before` (or unset): one conditional write, so of a burst of
    calls at most one a minute writes; a token deleted meanwhile is not made again."""
    conditionally(client().update_item, TableName=_table(), Key=_lookup_key(hashed),
                  UpdateExpression="SET last_used_at = :at",
                  ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(last_used_at) OR "
                                      "last_used_at < :before)",
                  ExpressionAttributeValues={":at": {"S": at}, ":before": {"S": before}})


def deletion_writes(user_id: str) -> list[Write]:
    """Every item of the user's tokens, as deletes for the account's last transaction (at most 41 items)."""
    table = _table()
    writes: list[Write] = [({"Delete": {"TableName": table, "Key": _list_key(user_id)}}, None)]
    for t, hashed in _listed(user_id):
        writes += [({"Delete": {"TableName": table, "Key": _lookup_key(hashed)}}, None),
                   ({"Delete": {"TableName": table, "Key": _name_key(user_id, t.name)}}, None)]
    return writes
