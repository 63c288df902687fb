"""Visits: each link's counter (`B#<id>#V`) holds its totals and the count of its current UTC day; the days before
are day items (`D#<id>#<YYYY-MM-DD>`), written when the day rolls over. So a visit is one conditional write that
counts the total and the day together (one write unit), and a day item is written once a day at most. The day
items live outside the `B#` range: no list's Query reads them.

A hot link (its visits of one day reach HOT_LINK_VISITS) spreads its count over COUNTER_SHARDS counter items, each
visit writing one at random, so no item takes more than DynamoDB's ~1,000 writes a second; each holds its own
current day, and readers sum them. A capped link keeps one counter, so its cap is one condition. Shapes and costs:
docs/data-model.md."""
import random
from dataclasses import dataclass
from typing import Final, cast

from botocore.exceptions import ClientError

from bookmarker.config import settings
from bookmarker.errors import Conflict, Unavailable
from bookmarker.store.bookmarks import ShortLink, counter_key, day_key
from bookmarker.store.client import Item, Write, client, delete_keys, error_code, query_all, transact

ROLLOVER_ATTEMPTS: Final = 3  # another visit rolled the day over first: count again, in the day it set


class VisitNotCounted(Exception):
    """DynamoDB refused or did not answer a visit's write (throttled, unreachable): the redirect goes on."""


class LinkGone(Exception):
    """The bookmark behind a link was deleted between its lookup and its count."""


class LinkCapped(Exception):
    """The link's visits reached its max_visits: this visit was not served, nor counted."""


class _DayMoved(Conflict):
    """The counter's day is not the one a rollover read: another visit rolled it over meanwhile."""


@dataclass(frozen=True)
class Today:
    """What a counter says of its current day: the day, and its visits and bot visits so far."""
    day: str | None
    visits: int = 0
    bot_visits: int = 0


def _table() -> str:
    return settings().bookmarks_table


def _n(item: Item, name: str) -> int:
    return int(item.get(name, {}).get("N", "0"))


def count_visit(link: ShortLink, at: str, *, bot: bool = False) -> None:
    """One visit in the link's total and in its day, one conditional UpdateItem (ADD is atomic: N concurrent hits
    add N). The counter holds only what a visit touches (under 1 KB: one write unit) and is not in the index. A
    bot's visit counts apart and leaves last_visited_at, which says when a person last opened the link. A capped
    link counts only while visits < max_visits, in the same write: of N concurrent hits, exactly the room left
    pass. The first visit of a new UTC day moves the day before into its day item (one transaction). A hot link
    counts on one of its counters, drawn at random."""
    day = at[:10]  # `at` is clock.iso: its first ten characters are the UTC day
    sharded = link.shards > 1 and link.max_visits is None
    key = counter_key(link.owner, link.bookmark_id, random.randrange(link.shards) if sharded else 0)  # noqa: S311
    for _ in range(ROLLOVER_ATTEMPTS):
        old = _counted(link, key, at, day, bot=bot)
        if isinstance(old, int):
            _turn_hot_at(link, old, day)
            return
        if not old:
            raise LinkGone
        if link.max_visits is not None and _n(old, "visits") >= link.max_visits:
            raise LinkCapped
        current = old.get("day", {}).get("S")
        if current is not None and current >= day:  # a visit begun before midnight, counted after: today it is
            day = current
            continue
        if _rolled_over(link, key, old, at, day, bot=bot):
            _turn_hot_at(link, 1, day)  # the day's first
            return
    raise VisitNotCounted("the day kept moving")  # never seen: three rollovers within one visit


def _turn_hot_at(link: ShortLink, count: int, day: str) -> None:
    """The visit whose count of the day (people's or bots') is the threshold exactly turns the link hot: one
    visit a day at most, and never a capped link's or a hot one's."""
    if count == settings().hot_link_visits and link.shards == 1 and link.max_visits is None:
        _shard(link, day)


def _counted(link: ShortLink, key: Item, at: str, day: str, *, bot: bool) -> Item | int:
    """The day's count of this kind of visit when counted; else the counter as it was (an empty item: the
    bookmark is gone). The count comes back with the write, at no cost: what tells a link turned hot."""
    expression, values = (("ADD bot_visits :one, day_bot_visits :one", {}) if bot else
                          ("ADD visits :one, day_visits :one SET last_visited_at = :at", {":at": {"S": at}}))
    condition = "attribute_exists(visits) AND #day = :day"  # deleted meanwhile: do not resurrect it
    if link.max_visits is not None:
        condition += " AND visits < :cap"
        values[":cap"] = {"N": str(link.max_visits)}
    try:
        new = client().update_item(TableName=_table(), Key=key, UpdateExpression=expression,
                                   ConditionExpression=condition, ExpressionAttributeNames={"#day": "day"},
                                   ExpressionAttributeValues={":one": {"N": "1"}, ":day": {"S": day}, **values},
                                   ReturnValues="UPDATED_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except (Unavailable, Conflict) as exc:  # throttled, unreachable, or locked by a transaction
        raise VisitNotCounted(exc.code) from exc  # the cause is logged by the client
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        return cast("Item", exc.response.get("Item") or {})  # ALL_OLD: the item as DynamoDB typed it
    return _n(new.get("Attributes", {}), "day_bot_visits" if bot else "day_visits")


def _shard(link: ShortLink, day: str) -> None:
    """The link turns hot: its bookmark says how many counters it has (the index carries it to the redirect) and
    the new ones are made, in one transaction, only while it has no cap and is not sharded yet. Once: the visit
    that brings the day's count to the threshold exactly. A failure leaves it as it was; the visit is counted."""
    shards, table = settings().counter_shards, _table()
    if shards < 2:  # COUNTER_SHARDS=1: a hot link keeps one counter
        return
    made: list[Write] = [  # made on today's day; an extra counter left by a cap's fold is kept as it is
        ({"Update": {"TableName": table, "Key": counter_key(link.owner, link.bookmark_id, k),
                     "UpdateExpression": "SET visits = if_not_exists(visits, :zero), #day = if_not_exists(#day, :day)",
                     "ExpressionAttributeNames": {"#day": "day"},
                     "ExpressionAttributeValues": {":zero": {"N": "0"}, ":day": {"S": day}}}}, None)
        for k in range(1, shards)]
    writes: list[Write] = [
        ({"Update": {"TableName": table, "Key": {"pk": {"S": link.owner}, "sk": {"S": f"B#{link.bookmark_id}"}},
                     "UpdateExpression": "SET counter_shards = :n",
                     "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(max_visits) AND "
                                            "attribute_not_exists(counter_shards)",
                     "ExpressionAttributeValues": {":n": {"N": str(shards)}}}}, Conflict()), *made]
    try:
        transact(writes)
    except (Unavailable, Conflict):
        pass  # capped, sharded or deleted meanwhile, or DynamoDB said no: the next day's threshold tries again


def _rolled_over(link: ShortLink, key: Item, old: Item, at: str, day: str, *, bot: bool) -> bool:
    """The day before goes to its day item and the counter starts `day` with this visit, together, only if the
    counter still holds the day read (else False: another visit rolled it, count again). ADD on the day item:
    a day that already has one (written before the counter held days) is added to, not overwritten."""
    table, before = _table(), old.get("day", {}).get("S")
    values = {":one": {"N": "1"}, ":day": {"S": day}, ":v": {"N": "0" if bot else "1"},
              ":b": {"N": "1" if bot else "0"}}
    names = {"#day": "day"}
    condition = "attribute_exists(visits) AND "
    if before is None:
        condition += "attribute_not_exists(#day)"
    else:
        condition += "#day = :before"
        values[":before"] = {"S": before}
    if link.max_visits is not None:
        condition += " AND visits < :cap"
        values[":cap"] = {"N": str(link.max_visits)}
    if bot:
        expression = "SET #day = :day, day_visits = :v, day_bot_visits = :b ADD bot_visits :one"
    else:
        expression = "SET #day = :day, day_visits = :v, day_bot_visits = :b, last_visited_at = :at ADD visits :one"
        values[":at"] = {"S": at}
    writes: list[Write] = [({"Update": {"TableName": table, "Key": key, "UpdateExpression": expression,
                                        "ConditionExpression": condition, "ExpressionAttributeNames": names,
                                        "ExpressionAttributeValues": values}}, _DayMoved())]
    if before is not None and (_n(old, "day_visits") or _n(old, "day_bot_visits")):
        writes.append(({"Update": {"TableName": table,
                                   "Key": day_key(link.owner, link.bookmark_id, before),
                                   "UpdateExpression": "ADD visits :v, bot_visits :b",
                                   "ExpressionAttributeValues": {":v": {"N": str(_n(old, "day_visits"))},
                                                                 ":b": {"N": str(_n(old, "day_bot_visits"))}}}},
                       None))
    try:
        transact(writes)
    except _DayMoved:
        return False
    except (Unavailable, Conflict) as exc:
        raise VisitNotCounted(exc.code) from exc
    return True


def visits_of(link: ShortLink) -> int | None:
    """The link's visits (None: its bookmark is gone): what a HEAD of a capped link checks, writing nothing. A
    capped link counts on its main counter only (the cap's condition is on it)."""
    item = client().get_item(TableName=_table(), Key=link.counter_key, ProjectionExpression="visits").get("Item")
    return int(item["visits"]["N"]) if item else None


def today_of(owner: str, bookmark_id: str) -> list[Today] | None:
    """Each counter's current day and its counts, one Query (None: the owner has no such bookmark: the main
    counter is made and deleted in the same transactions as the bookmark, and is small where the bookmark may be
    43 KB). A hot link's counters may each hold a different day: each counts in its own."""
    items = client().query(TableName=_table(), ConsistentRead=True,
                           KeyConditionExpression="pk = :o AND begins_with(sk, :v)",
                           ProjectionExpression="sk, #day, day_visits, day_bot_visits",
                           ExpressionAttributeNames={"#day": "day"},
                           ExpressionAttributeValues={":o": {"S": owner},
                                                      ":v": counter_key(owner, bookmark_id)["sk"]})["Items"]
    if not any(item["sk"] == counter_key(owner, bookmark_id)["sk"] for item in items):
        return None
    return [Today(item.get("day", {}).get("S"), _n(item, "day_visits"), _n(item, "day_bot_visits")) for item in items]


def by_day(owner: str, bookmark_id: str, first: str, last: str) -> dict[str, tuple[int, int]]:
    """(visits, bot_visits) of each day item from `first` to `last` (YYYY-MM-DD, both included); the days nobody
    came have none, and the counter's current day is not among them (today_of). Consistent, as the totals."""
    items = query_all(TableName=_table(), ConsistentRead=True,
                      KeyConditionExpression="pk = :o AND sk BETWEEN :first AND :last",
                      ExpressionAttributeValues={":o": {"S": owner}, ":first": day_key(owner, bookmark_id, first)["sk"],
                                                 ":last": day_key(owner, bookmark_id, last)["sk"]})
    return {item["sk"]["S"].rsplit("#", 1)[1]: (_n(item, "visits"), _n(item, "bot_visits")) for item in items}


def delete_days(owner: str, bookmark_id: str) -> None:
    """Every day item of a bookmark, 25 a BatchWriteItem: after the bookmark's deletion (no visit writes a day
    once its counter is gone), or for one already deleted."""
    # Whole items: a projection would be billed on them all the same, and a day item is under 100 B.
    days = query_all(TableName=_table(), ConsistentRead=True,
                     KeyConditionExpression="pk = :o AND begins_with(sk, :days)",
                     ExpressionAttributeValues={":o": {"S": owner}, ":days": day_key(owner, bookmark_id, "")["sk"]})
    delete_keys(_table(), [{"pk": item["pk"], "sk": item["sk"]} for item in days])
