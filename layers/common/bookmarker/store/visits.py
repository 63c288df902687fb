"""Visits: each link's counter (`B#<id>#V`, its totals) and its visits per UTC day (`D#<id>#<YYYY-MM-DD>`), both
moved by the redirect. The days live outside the `B#` range, so no list's Query reads them. Shapes and costs:
docs/data-model.md."""
from botocore.exceptions import ClientError

from bookmarker.config import settings
from bookmarker.errors import Conflict, Unavailable
from bookmarker.store.bookmarks import ShortLink, counter_key
from bookmarker.store.client import client, delete_keys, error_code, query_all


class VisitNotCounted(Exception):
    """DynamoDB refused or did not answer a visit's write (throttled, unreachable): the redirect goes on."""


class LinkGone(Exception):
    """The bookmark behind a link was deleted between its lookup and its count."""


class LinkCapped(Exception):
    """The link's visits reached its max_visits: this visit was not served, nor counted."""


def _table() -> str:
    return settings().bookmarks_table


def _day_sk(bookmark_id: str, day: str) -> str:
    return f"D#{bookmark_id}#{day}"


def count_visit(link: ShortLink, at: str, *, bot: bool = False) -> None:
    """ADD is atomic, so N concurrent hits add N. The counter item holds only what a visit touches
    (under 1 KB: one write unit) and is not in the index: no index write. A bot's visit counts apart and
    leaves last_visited_at, which says when a person last opened the link. A capped link counts only while
    visits < max_visits, in the same conditional write: of N concurrent hits, exactly the room left pass."""
    expression, values = (("ADD bot_visits :one", {":one": {"N": "1"}}) if bot else
                          ("ADD visits :one SET last_visited_at = :at", {":one": {"N": "1"}, ":at": {"S": at}}))
    condition = "attribute_exists(visits)"  # deleted meanwhile: do not resurrect it
    if link.max_visits is not None:
        condition += " AND visits < :cap"
        values[":cap"] = {"N": str(link.max_visits)}
    try:
        client().update_item(TableName=_table(), Key=link.counter_key, UpdateExpression=expression,
                             ConditionExpression=condition, ExpressionAttributeValues=values,
                             ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except (Unavailable, Conflict) as exc:  # throttled, unreachable, or locked by a transaction
        raise VisitNotCounted(exc.code) from exc  # the cause is logged by the client
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        raise LinkCapped if exc.response.get("Item") else LinkGone from None


def count_day(link: ShortLink, day: str, *, bot: bool = False) -> None:
    """The visit in its UTC day's count (`day`: YYYY-MM-DD). Sent only once count_visit has counted it, so no day
    counts a visit its total refused; sent once, never retried, so a lost answer cannot count it twice: the days
    of a link add up to its total or less. A day's first visit makes its item (under 100 B: one write unit)."""
    try:
        client(retries=False).update_item(TableName=_table(), Key={"pk": {"S": link.owner},
                                                      "sk": {"S": _day_sk(link.bookmark_id, day)}},
                             UpdateExpression=f"ADD {'bot_visits' if bot else 'visits'} :one",
                             ExpressionAttributeValues={":one": {"N": "1"}})
    except (Unavailable, Conflict) as exc:
        raise VisitNotCounted(exc.code) from exc


def visits_of(link: ShortLink) -> int | None:
    """The link's visits (None: its bookmark is gone): what a HEAD of a capped link checks, writing nothing."""
    item = client().get_item(TableName=_table(), Key=link.counter_key, ProjectionExpression="visits").get("Item")
    return int(item["visits"]["N"]) if item else None


def has_counter(owner: str, bookmark_id: str) -> bool:
    """Whether the owner has this bookmark: its counter is made and deleted in the same transactions as the
    bookmark, and is a small item (1 read unit, where the bookmark may be 43 KB)."""
    return "Item" in client().get_item(TableName=_table(), Key=counter_key(owner, bookmark_id),
                                       ConsistentRead=True, ProjectionExpression="sk")


def by_day(owner: str, bookmark_id: str, first: str, last: str) -> dict[str, tuple[int, int]]:
    """(visits, bot_visits) of each day from `first` to `last` (YYYY-MM-DD, both included) that had any; the
    days nobody came have no item. Consistent, so it agrees with the totals a GET of the bookmark reads."""
    items = query_all(TableName=_table(), ConsistentRead=True,
                      KeyConditionExpression="pk = :o AND sk BETWEEN :first AND :last",
                      ExpressionAttributeValues={":o": {"S": owner}, ":first": {"S": _day_sk(bookmark_id, first)},
                                                 ":last": {"S": _day_sk(bookmark_id, last)}})
    return {item["sk"]["S"].rsplit("#", 1)[1]: (int(item.get("visits", {}).get("N", "0")),
                                                int(item.get("bot_visits", {}).get("N", "0"))) for item in items}


def delete_days(owner: str, bookmark_id: str) -> None:
    """Every day's count of a bookmark: sent before the bookmark's own deletion, so a fault part-way leaves the
    bookmark with fewer days (never more than its total) and the same DELETE again finishes the work."""
    days = query_all(TableName=_table(), ConsistentRead=True, ProjectionExpression="pk, sk",
                     KeyConditionExpression="pk = :o AND begins_with(sk, :days)",
                     ExpressionAttributeValues={":o": {"S": owner}, ":days": {"S": _day_sk(bookmark_id, "")}})
    delete_keys(_table(), [{"pk": item["pk"], "sk": item["sk"]} for item in days])
