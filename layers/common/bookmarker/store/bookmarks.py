"""Bookmarks table: bookmarks, their visit counters, each user's count, and the claims that keep URLs
(per user) and short codes (globally, forever) unique. Shapes and costs: docs/data-model.md."""
import functools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bookmarker.config import settings
from bookmarker.errors import (
    ApiError,
    BookmarkChanged,
    OwnerGone,
    QuotaExceeded,
    ShortCodeTaken,
    UrlExists,
)
from bookmarker.store import users
from bookmarker.store.client import (
    ALREADY_WRITTEN,
    Item,
    Write,
    batch_get,
    client,
    conditionally,
    delete_keys,
    query_all,
    query_from,
    transact,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, UpdateTypeDef

INDEX = "ShortCodeIndex"
# A start key past every bookmark: lists read newest first (descending), so it must sort before every id.
PAST_END = "!"

# Items written before revisions existed have none: revision 0. attribute_exists(pk): a bookmark deleted
# meanwhile is neither recreated as a fragment by an update nor "deleted" again.
_UNCHANGED = "attribute_exists(pk) AND (rev = :old_rev OR attribute_not_exists(rev))"


@dataclass
class Bookmark:
    id: str
    owner: str
    url: str
    url_key: str            # SHA-256 of the normalized URL: the claim that makes it unique per user
    body: str
    short_code: str
    created_at: str
    updated_at: str
    visits: int = 0
    bot_visits: int = 0     # crawlers' and link previews' hits (bookmarker.bots), apart from people's
    last_visited_at: str | None = None
    rev: int = 0            # moves on every change: a write read before another's is refused (409), not lost
    tags: list[str] = field(default_factory=list)  # clean and sorted (bookmarker.tags)
    expires_at: str | None = None  # clock.iso form: compared as text with clock.iso_now()
    max_visits: int | None = None
    password_hash: str | None = None  # bcrypt (bookmarker.passwords) of the link's password; never shown
    shards: int = 1         # counter items visits are spread over (store/visits.py): > 1 for a hot link
    shard_counts: tuple["Shard", ...] = ()  # the extra counters read with it (k >= 1), whatever `shards` says now


@dataclass(frozen=True)
class Shard:
    """An extra counter item of a hot link (B#<id>#V#<k>, k >= 1) as read: what folding it into the main one
    moves (its day's counts stay in it). It stays once made, so its last visit stays seen, and it goes with its
    bookmark."""
    k: int
    visits: int = 0
    bot_visits: int = 0


@dataclass(frozen=True)
class ShortLink:
    owner: str
    bookmark_id: str
    url: str
    expires_at: str | None = None
    max_visits: int | None = None
    protected: bool = False  # a password opens it (the index holds this flag, never the hash)
    shards: int = 1          # its visits spread over this many counter items (a hot link's; never a capped one)

    @property
    def counter_key(self) -> Item:
        return counter_key(self.owner, self.bookmark_id)


@dataclass
class Page:
    items: list[Bookmark] = field(default_factory=list)
    more: bool = False


def _table() -> str:
    return settings().bookmarks_table


def _key(owner: str, sk: str) -> Item:
    return {"pk": {"S": owner}, "sk": {"S": sk}}


def counter_key(owner: str, bookmark_id: str, shard: int = 0) -> Item:
    """A bookmark's visit counter: its totals (store/visits.py moves them). A hot link has more than one, each
    counting a share of its visits: B#<id>#V, then B#<id>#V#1 ... B#<id>#V#<n-1>, all read with the bookmark."""
    return _key(owner, f"B#{bookmark_id}#V" + (f"#{shard}" if shard else ""))


def day_key(owner: str, bookmark_id: str, day: str) -> Item:
    """A bookmark's visits of one UTC day before its counters' current one (store/visits.py)."""
    return _key(owner, f"D#{bookmark_id}#{day}")


def counted_sk(sk: str) -> str | None:
    """The bookmark's sort key (B#<id>) of a counter item's, else None. `#` cannot occur in an id."""
    at = sk.find("#V", 2)
    return sk[:at] if sk.startswith("B#") and at > 0 else None


def _shard_of(sk: str) -> int:
    """k of a hot link's other counter, B#<id>#V#<k>."""
    return int(sk.rsplit("#", 1)[1])


def _others(read: Iterable[int], shards: int) -> set[int]:
    """A hot link's other counters to delete with it: those read, and those its counter_shards says it has."""
    return set(read) | set(range(1, shards))


def _code_key(code: str) -> Item:
    return {"pk": {"S": f"CODE#{code}"}, "sk": {"S": "CODE"}}


def _tag_key(owner: str, tag: str) -> Item:
    return _key(owner, f"TAG#{tag}")


def _item(b: Bookmark) -> Item:
    item: Item = {**_key(b.owner, f"B#{b.id}"), "id": {"S": b.id}, "url": {"S": b.url}, "url_key": {"S": b.url_key},
                  "body": {"S": b.body}, "short_code": {"S": b.short_code}, "created_at": {"S": b.created_at},
                  "updated_at": {"S": b.updated_at}, "rev": {"N": str(b.rev)}}
    if b.tags:  # a string set cannot be empty: no tags, no attribute
        item["tags"] = {"SS": b.tags}
    if b.expires_at is not None:
        item["expires_at"] = {"S": b.expires_at}
    if b.max_visits is not None:
        item["max_visits"] = {"N": str(b.max_visits)}
    if b.password_hash is not None:  # the flag beside the hash: the index projects the flag, not the hash
        item["link_password_hash"], item["protected"] = {"S": b.password_hash}, {"BOOL": True}
    if b.shards > 1:
        item["counter_shards"] = {"N": str(b.shards)}
    return item


def _tag_counts(owner: str, tags: dict[str, int]) -> list[Write]:
    """Each tag's count moved by its delta, in the same transaction as the change that moves it."""
    return [({"Update": {"TableName": _table(), "Key": _tag_key(owner, tag), "UpdateExpression": "ADD n :d",
                         "ExpressionAttributeValues": {":d": {"N": str(delta)}}}}, None)
            for tag, delta in sorted(tags.items()) if delta]


def _n(item: Item, name: str) -> int:
    return int(item.get(name, {}).get("N", "0"))


def _bookmark(item: Item, counters: list[Item]) -> Bookmark:
    """A bookmark item with its counter items: its visits are their sum, its last visit the latest of theirs."""
    last = max((c["last_visited_at"]["S"] for c in counters if "last_visited_at" in c), default=None)
    shards = tuple(Shard(_shard_of(c["sk"]["S"]), _n(c, "visits"), _n(c, "bot_visits"))
                   for c in counters if not c["sk"]["S"].endswith("#V"))
    return Bookmark(id=item["id"]["S"], owner=item["pk"]["S"], url=item["url"]["S"], url_key=item["url_key"]["S"],
                    body=item["body"]["S"], short_code=item["short_code"]["S"], created_at=item["created_at"]["S"],
                    updated_at=item["updated_at"]["S"], visits=sum(_n(c, "visits") for c in counters),
                    bot_visits=sum(_n(c, "bot_visits") for c in counters), last_visited_at=last,
                    rev=int(item.get("rev", {}).get("N", "0")), tags=sorted(item.get("tags", {}).get("SS", [])),
                    password_hash=item.get("link_password_hash", {}).get("S"), shards=_shards(item),
                    shard_counts=shards, **_limits(item))


def _shards(item: Item) -> int:
    return int(item.get("counter_shards", {}).get("N", "1"))


def _limits(item: Item) -> dict[str, Any]:
    """A link's expires_at and max_visits, as the bookmark item (or its index entry) holds them."""
    cap = item.get("max_visits", {}).get("N")
    return {"expires_at": item.get("expires_at", {}).get("S"), "max_visits": int(cap) if cap else None}


def _link(owner: str, bookmark_id: str, item: Item) -> ShortLink:
    """What the redirect needs of a bookmark item or its index entry: where to go, its limits, whether it is locked."""
    return ShortLink(owner=owner, bookmark_id=bookmark_id, url=item["url"]["S"],
                     protected=item.get("protected", {}).get("BOOL", False), shards=_shards(item), **_limits(item))


def _pairs(items: list[Item]) -> list[Bookmark]:
    """Bookmark items with their counter items (read descending, counters come just before their bookmark)."""
    return list(_paired(items))


def _paired(items: Iterable[Item]) -> Iterator[Bookmark]:
    counters: dict[str, list[Item]] = {}
    for item in items:
        sk = item["sk"]["S"]
        owner_sk = counted_sk(sk)
        if owner_sk is not None:
            counters.setdefault(owner_sk, []).append(item)
        else:
            yield _bookmark(item, counters.pop(sk, []))


# ---- writes: one transaction each ----------------------------------------------------------------

def put_new_bookmark(b: Bookmark) -> None:
    """Item, counter, URL claim, code claim and the owner's count, together or not at all."""
    transact(_creation(b.owner, [b])[0])


def _creation(owner: str, group: list[Bookmark]) -> tuple[list[Write], dict[int, tuple[str, Bookmark]]]:
    """The writes that create the group's bookmarks in one transaction, each item beside the error its failed
    condition means; and, by id() of those errors, which bookmark each names: ("url" | "code", the bookmark) or
    ("quota", the first one)."""
    table, quota = _table(), settings().bookmark_quota
    meaning: dict[int, tuple[str, Bookmark]] = {}

    def refusal(kind: str, b: Bookmark, error: ApiError) -> ApiError:
        meaning[id(error)] = (kind, b)
        return error

    writes: list[Write] = []
    tags: dict[str, int] = {}
    for i, b in enumerate(group):
        writes += [
            # Fresh ULIDs: a failed condition on the first can only be an earlier attempt of this very call.
            ({"Put": {"TableName": table, "Item": _item(b), "ConditionExpression": "attribute_not_exists(pk)"}},
             ALREADY_WRITTEN if i == 0 else None),
            # The counter starts on its creation's UTC day (store/visits.py): a visit that day is one write.
            ({"Put": {"TableName": table, "Item": {**counter_key(owner, b.id), "visits": {"N": "0"},
                                                   "day": {"S": b.created_at[:10]}}}}, None),
            ({"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                      "Item": {**_key(owner, f"URL#{b.url_key}"), "bookmark_id": {"S": b.id}}}},
             refusal("url", b, UrlExists("you already saved this URL"))),
            # The code claim outlives the bookmark: a code is never handed out twice.
            ({"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                      "Item": {**_code_key(b.short_code), "owner": {"S": owner}, "bookmark_id": {"S": b.id}}}},
             refusal("code", b, ShortCodeTaken("this short code is taken"))),
        ]
        for tag in b.tags:
            tags[tag] = tags.get(tag, 0) + 1
    writes += [
        ({"Update": {"TableName": table, "Key": _key(owner, "COUNT"), "UpdateExpression": "ADD n :k",
                     "ConditionExpression": "attribute_not_exists(n) OR n <= :room",  # the quota, after the group
                     "ExpressionAttributeValues": {":k": {"N": str(len(group))},
                                                   ":room": {"N": str(quota - len(group))}}}},
         refusal("quota", group[0], QuotaExceeded(f"a user holds at most {quota} bookmarks"))),
        # The owner still exists and is not being deleted: a create racing the account's deletion is refused.
        ({"ConditionCheck": {"TableName": settings().users_table, "Key": users.user_key(owner),
                             "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(deleting)"}},
         OwnerGone("the account no longer exists, or is being deleted")),
        *_tag_counts(owner, tags),
    ]
    return writes, meaning


# ---- many new bookmarks at once (an import) -----------------------------------------------------------

@dataclass
class Written:
    """What put_many did with each bookmark it was given."""
    created: list[Bookmark] = field(default_factory=list)
    url_taken: list[Bookmark] = field(default_factory=list)     # saved meanwhile by another request
    over_quota: list[Bookmark] = field(default_factory=list)


BATCH_READERS = 4  # BatchGetItem requests in flight at once (100 keys each)


def saved_url_keys(owner: str, url_keys: list[str]) -> set[str]:
    """Which of these URLs the owner already saved: their URL claims, 100 a BatchGetItem, several at once."""
    chunks = [url_keys[i:i + 100] for i in range(0, len(url_keys), 100)]
    with ThreadPoolExecutor(max_workers=BATCH_READERS) as pool:
        return set().union(*pool.map(functools.partial(_claims_held, owner), chunks))


def _claims_held(owner: str, url_keys: list[str]) -> set[str]:
    found = batch_get(_table(), [_key(owner, f"URL#{k}") for k in url_keys], "sk")
    return {item["sk"]["S"].removeprefix("URL#") for item in found}


def put_many(owner: str, bookmarks: list[Bookmark], new_code: Callable[[], str],
             written: Callable[[list[Bookmark]], None]) -> Written:
    """New bookmarks, as many to a transaction as fit in its 100 items (4 a bookmark: item, counter, URL claim,
    code claim; plus the count, the owner check and one a distinct tag), each whole or not at all. In sequence,
    since each transaction moves the owner's count (1,000 untagged bookmarks: 41 transactions). A URL saved
    meanwhile leaves its bookmark out, a code drawn twice is drawn again, and past the quota the rest is
    refused. `written(group)` hears of each transaction that committed, so a fault part-way can say what is in."""
    out, todo = Written(), list(bookmarks)
    while todo:
        group = _fitting(todo)
        del todo[:len(group)]
        while group:
            refused = _put_group(owner, group)
            if refused is None:
                out.created += group
                written(group)
                break
            kind, b = refused
            if kind == "code":
                b.short_code = new_code()
            elif kind == "url":
                group.remove(b)
                out.url_taken.append(b)
            else:  # the quota: what still fits goes in, the rest is refused
                room = max(settings().bookmark_quota - count(owner), 0)
                out.over_quota += group[room:] + todo
                del group[room:]
                todo.clear()
    return out


def _fitting(todo: list[Bookmark]) -> list[Bookmark]:
    group: list[Bookmark] = []
    tags: set[str] = set()
    for b in todo:
        if 4 * (len(group) + 1) + 2 + len(tags | set(b.tags)) > TRANSACTION_ITEMS:
            break
        group.append(b)
        tags |= set(b.tags)
    return group


def _put_group(owner: str, group: list[Bookmark]) -> tuple[str, Bookmark] | None:
    """One transaction of the group; None when it committed, else what refused it (_creation's meanings)."""
    writes, meaning = _creation(owner, group)
    try:
        transact(writes)
    except ApiError as err:
        if id(err) in meaning:
            return meaning[id(err)]
        raise
    return None


def replace_bookmark(old: Bookmark, new: Bookmark) -> None:
    """Write new fields over old, only if nothing changed it since it was read (its revision), so of two
    racing writes one wins and the other is refused, never lost; a new URL moves the URL claim with it."""
    table = _table()
    new.rev = old.rev + 1
    values: dict[str, AttributeValueTypeDef] = {
        ":url": {"S": new.url}, ":key": {"S": new.url_key}, ":body": {"S": new.body}, ":at": {"S": new.updated_at},
        ":rev": {"N": str(new.rev)}, ":old_rev": {"N": str(old.rev)}, ":code": {"S": new.short_code}}
    sets = ["#u = :url", "url_key = :key", "body = :body", "updated_at = :at", "rev = :rev", "short_code = :code"]
    removes: list[str] = []
    optional: list[tuple[str, AttributeValueTypeDef | None]] = [
        ("tags", {"SS": new.tags} if new.tags else None),
        ("expires_at", None if new.expires_at is None else {"S": new.expires_at}),
        ("max_visits", None if new.max_visits is None else {"N": str(new.max_visits)}),
        ("link_password_hash", None if new.password_hash is None else {"S": new.password_hash}),
        ("protected", None if new.password_hash is None else {"BOOL": True})]
    for name, value in optional:  # set when there is a value, else removed
        if value is None:
            removes.append(name)
        else:
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = value
    changed = BookmarkChanged("the bookmark changed since it was read; read it again, then retry")
    condition = _UNCHANGED if old.rev == 0 else "rev = :old_rev"
    folded: list[Write] = []
    if new.max_visits is not None:  # a capped link counts on one item: only with the counters read (a link
        condition = f"({condition}) AND {_shards_read(old.shards, values)}"  # turned hot meanwhile: 409, again)
        folded = _folded(old)
        if old.shards > 1:
            removes.append("counter_shards")
            new.shards = 1
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    update: UpdateTypeDef = {
        "TableName": table, "Key": _key(old.owner, f"B#{old.id}"), "UpdateExpression": expression,
        "ConditionExpression": condition, "ExpressionAttributeNames": {"#u": "url"},
        "ExpressionAttributeValues": values}
    tags = {t: 1 for t in set(new.tags) - set(old.tags)} | {t: -1 for t in set(old.tags) - set(new.tags)}
    if new.url_key == old.url_key and not tags and new.short_code == old.short_code and not folded:
        if conditionally(client().update_item, **update) is None:
            raise changed
        return
    claims: list[Write] = [] if new.url_key == old.url_key else [
        ({"Delete": {"TableName": table, "Key": _key(old.owner, f"URL#{old.url_key}")}}, None),
        ({"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                  "Item": {**_key(old.owner, f"URL#{new.url_key}"), "bookmark_id": {"S": old.id}}}},
         UrlExists("you already saved this URL")),
    ]
    if new.short_code != old.short_code:  # a new alias: claimed now (free, or an old alias of this very bookmark)
        claims.append(({"Put": {"TableName": table, "Item": {**_code_key(new.short_code), "owner": {"S": old.owner},
                                                               "bookmark_id": {"S": old.id}},
                                "ConditionExpression": "attribute_not_exists(pk) OR (#o = :o AND bookmark_id = :id)",
                                "ExpressionAttributeNames": {"#o": "owner"},
                                "ExpressionAttributeValues": {":o": {"S": old.owner}, ":id": {"S": old.id}}}},
                       ShortCodeTaken("this short code is taken")))
    transact([({"Update": update}, changed), *claims, *_tag_counts(old.owner, tags), *folded])


def _shards_read(shards: int, values: dict[str, "AttributeValueTypeDef"]) -> str:
    """A condition that the bookmark's counter_shards is still as read (a link turned hot meanwhile has new
    counters the caller did not read), its value put in `values`."""
    if shards == 1:
        return "attribute_not_exists(counter_shards)"
    values[":shards"] = {"N": str(shards)}
    return "counter_shards = :shards"


def _folded(old: Bookmark) -> list[Write]:
    """A hot link's other counters moved into its main one, which a cap is checked on: each gives the visits it
    held when read (ADD of the opposite: a visit counted since stays in it, and is still summed). Each keeps its
    own day's counts, which the series adds per counter and its rollover moves, so a fold never races a day."""
    table, owner = _table(), old.owner
    moved = [s for s in old.shard_counts if s.visits or s.bot_visits]
    if not moved:
        return []
    writes: list[Write] = [({"Update": {
        "TableName": table, "Key": counter_key(owner, old.id, s.k), "UpdateExpression": "ADD visits :v, bot_visits :b",
        "ExpressionAttributeValues": {":v": {"N": str(-s.visits)}, ":b": {"N": str(-s.bot_visits)}}}}, None)
        for s in moved]
    writes.append(({"Update": {"TableName": table, "Key": counter_key(owner, old.id),
                               "UpdateExpression": "ADD visits :v, bot_visits :b",
                               "ExpressionAttributeValues": {":v": {"N": str(sum(s.visits for s in moved))},
                                                             ":b": {"N": str(sum(s.bot_visits for s in moved))}}}},
                    None))
    return writes


def delete_bookmark(b: Bookmark) -> None:
    """Item, counters and URL claim go, the count drops; the code claim stays, so its link answers 404. Only
    with the counters read: a link turned hot meanwhile (counter_shards moved) is refused like an edit."""
    changed = BookmarkChanged("the bookmark changed meanwhile; try again")
    transact([*_delete_whole(b.owner, b.id, b.rev, b.url_key, changed, shards=b.shards,
                             extra=_others((s.k for s in b.shard_counts), b.shards)),
              _count_move(b.owner, -1), *_tag_counts(b.owner, dict.fromkeys(b.tags, -1))])


def _delete_whole(owner: str, bookmark_id: str, rev: int, url_key: str, changed: BookmarkChanged, *,
                  shards: int | None = None, extra: set[int] | None = None) -> list[Write]:
    """A bookmark's item (only at the revision read: its URL claim and tags are the ones read with it), its
    counter and its URL claim; with `shards`, only if its counter_shards is still that (a link turned hot meanwhile
    has counters the caller did not read), and a hot link's `extra` counters too."""
    table = _table()
    values: dict[str, AttributeValueTypeDef] = {":old_rev": {"N": str(rev)}}
    condition = _UNCHANGED if rev == 0 else "rev = :old_rev"
    if shards is not None:
        condition = f"({condition}) AND {_shards_read(shards, values)}"
    counters: list[Write] = [({"Delete": {"TableName": table, "Key": counter_key(owner, bookmark_id, k)}}, None)
                             for k in [0, *sorted(extra or ())]]
    return [
        ({"Delete": {"TableName": table, "Key": _key(owner, f"B#{bookmark_id}"), "ConditionExpression": condition,
                     "ExpressionAttributeValues": values}}, changed),
        *counters,
        ({"Delete": {"TableName": table, "Key": _key(owner, f"URL#{url_key}")}}, None),
    ]


def _count_move(owner: str, delta: int) -> Write:
    return ({"Update": {"TableName": _table(), "Key": _key(owner, "COUNT"), "UpdateExpression": "ADD n :d",
                        "ExpressionAttributeValues": {":d": {"N": str(delta)}}}}, None)


TRANSACTION_ITEMS = 100  # DynamoDB's limit on the items of one transaction
SWEEP_ATTEMPTS = 3  # a bookmark edited during the sweep (its revision moved): read the owner again


@dataclass(frozen=True)
class _Swept:
    id: str
    url_key: str
    rev: int
    tags: tuple[str, ...]
    shards: int = 1
    days: list[Item] = field(default_factory=list)  # the keys of its days' visit counts (store/visits.py)
    counters: set[int] = field(default_factory=set)  # a hot link's other counters (k >= 1) read

    @property
    def extra(self) -> set[int]:
        return _others(self.counters, self.shards)


def delete_all(owner: str) -> int:
    """Every bookmark of an owner whose account is being deleted (so no new one can appear), each whole:
    one transaction removes as many bookmarks as fit (3 items each, plus the count and each tag count they
    hold: 33 untagged ones) and lowers the counts by as many. A failure part-way leaves fewer bookmarks,
    every one whole and counted: the same call again finishes the work. In sequence, not in parallel,
    since every transaction moves the one count item (10,000 untagged bookmarks: 304 transactions).
    Code claims live elsewhere and stay."""
    removed = 0
    for _ in range(SWEEP_ATTEMPTS):
        bookmarks, rest = _owner_items(owner)
        try:
            for group in _groups(bookmarks):
                # First: a fault leaves whole bookmarks, with fewer days. A day a visit rolls over meanwhile is
                # among the leftovers read again below.
                delete_keys(_table(), [key for b in group for key in b.days])
                _sweep(owner, group)
                removed += len(group)
        except BookmarkChanged:
            continue
        # The counts (now 0), anything no bookmark owned, and days a visit counted during the sweep: read again,
        # now that every bookmark is gone (no counter takes a visit any more).
        delete_keys(_table(), _owner_items(owner)[1] if bookmarks else rest)
        return removed
    raise BookmarkChanged("the bookmarks kept changing during the account's deletion; try again")


def _groups(bookmarks: list[_Swept]) -> list[list[_Swept]]:
    """Bookmarks in groups whose items (3 a bookmark and its other counters, the count, one per distinct tag) fit
    one transaction."""
    groups: list[list[_Swept]] = [[]]
    tags: set[str] = set()
    items = 0
    for b in bookmarks:
        if items + 3 + len(b.extra) + 1 + len(tags | set(b.tags)) > TRANSACTION_ITEMS:
            groups.append([])
            tags, items = set(), 0
        groups[-1].append(b)
        tags |= set(b.tags)
        items += 3 + len(b.extra)
    return [g for g in groups if g]


def _owner_items(owner: str) -> tuple[list[_Swept], list[Item]]:
    """Each bookmark as the sweep needs it, and the keys of the other items that are not a bookmark's
    counter, URL claim or day. Consistent: a bookmark created an instant before the deletion began is seen."""
    bookmarks: dict[str, _Swept] = {}
    others: list[Item] = []
    for item in query_all(TableName=_table(), KeyConditionExpression="pk = :o", ConsistentRead=True,
                          ProjectionExpression="pk, sk, url_key, rev, tags, counter_shards",
                          ExpressionAttributeValues={":o": {"S": owner}}):
        sk, key = item["sk"]["S"], {"pk": item["pk"], "sk": item["sk"]}
        if sk.startswith("B#") and counted_sk(sk) is None:
            bookmarks[sk[2:]] = _Swept(sk[2:], item["url_key"]["S"], int(item.get("rev", {}).get("N", "0")),
                                       tuple(item.get("tags", {}).get("SS", [])), _shards(item))
        elif (owner_sk := counted_sk(sk)) and owner_sk[2:] in bookmarks and not sk.endswith("#V"):  # after it
            bookmarks[owner_sk[2:]].counters.add(_shard_of(sk))
        elif sk.startswith("D#") and sk[2:].split("#")[0] in bookmarks:  # D# sorts after every B#
            bookmarks[sk[2:].split("#")[0]].days.append(key)
        else:
            others.append(key)
    owned = {f"B#{b}#V" for b in bookmarks} | {f"URL#{b.url_key}" for b in bookmarks.values()}
    return list(bookmarks.values()), [k for k in others if k["sk"]["S"] not in owned]


def _sweep(owner: str, group: list[_Swept]) -> None:
    changed = BookmarkChanged("a bookmark changed during the sweep")
    tags: dict[str, int] = {}
    for b in group:
        for tag in b.tags:
            tags[tag] = tags.get(tag, 0) - 1
    transact([*(w for b in group for w in _delete_whole(owner, b.id, b.rev, b.url_key, changed, shards=b.shards,
                                                          extra=b.extra)),
              _count_move(owner, -len(group)), *_tag_counts(owner, tags)])


# ---- reads -------------------------------------------------------------------------------------

def get_bookmark(owner: str, bookmark_id: str) -> Bookmark | None:
    """One Query: the bookmark and its counter share the key prefix B#<id> (ids have a fixed length)."""
    items = client().query(TableName=_table(), KeyConditionExpression="pk = :o AND begins_with(sk, :p)",
                           ExpressionAttributeValues={":o": {"S": owner}, ":p": {"S": f"B#{bookmark_id}"}},
                           ScanIndexForward=False, ConsistentRead=True)["Items"]
    found = _pairs(items)
    return found[0] if found else None


def find_by_url(owner: str, url_key: str) -> Bookmark | None:
    """The owner's bookmark of this URL: the URL claim that keeps it unique (one consistent GetItem), then the
    bookmark it names with its counter (get_bookmark's Query). A claim moved or deleted between the two reads
    (an edit, a delete) answers None rather than a bookmark that no longer holds this URL."""
    claim = client().get_item(TableName=_table(), Key=_key(owner, f"URL#{url_key}"), ConsistentRead=True,
                              ProjectionExpression="bookmark_id").get("Item")
    if not claim:
        return None
    found = get_bookmark(owner, claim["bookmark_id"]["S"])
    return found if found is not None and found.url_key == url_key else None


def tag_counts(owner: str) -> dict[str, int]:
    """Each of the owner's tags with its count (kept exact by the writes' transactions): one Query over the
    TAG# items. A tag no bookmark holds any more stays as a count of 0 until the account goes."""
    items = query_all(TableName=_table(), KeyConditionExpression="pk = :o AND begins_with(sk, :t)",
                      ExpressionAttributeValues={":o": {"S": owner}, ":t": {"S": "TAG#"}})
    return {item["sk"]["S"][4:]: int(item["n"]["N"]) for item in items}


def count(owner: str) -> int:
    item = client().get_item(TableName=_table(), Key=_key(owner, "COUNT"), ConsistentRead=True).get("Item")
    return int(item["n"]["N"]) if item else 0


def list_page(owner: str, *, limit: int, after: str | None) -> Page:
    """Newest first, `limit` bookmarks after the bookmark id `after`: one Query for a whole page."""
    items, start, page = [], ({**_key(owner, f"B#{after}")} if after else None), Page()
    while True:
        out = query_from(start, TableName=_table(), KeyConditionExpression="pk = :o AND begins_with(sk, :b)",
                         ExpressionAttributeValues={":o": {"S": owner}, ":b": {"S": "B#"}},
                         ScanIndexForward=False, Limit=2 * limit + 2)
        items += out["Items"]
        start = out.get("LastEvaluatedKey")
        page.items = _pairs(items)
        if len(page.items) > limit or not start:
            break
    page.more = len(page.items) > limit  # the loop stops early only once it has one bookmark more than asked
    page.items = page.items[:limit]
    return page


def every_bookmark(owner: str) -> Iterator[Bookmark]:
    """All the owner's bookmarks with their counters, newest first: the Query of a list page, run to the end of
    the partition (1 MB a request), so its cost grows with the collection. What a filter or another order needs."""
    # A bookmark's counters (B#<id>#V...) come just before it, maybe a page earlier.
    yield from _paired(query_all(TableName=_table(), KeyConditionExpression="pk = :o AND begins_with(sk, :b)",
                                 ExpressionAttributeValues={":o": {"S": owner}, ":b": {"S": "B#"}},
                                 ScanIndexForward=False))


def id_at_offset(owner: str, offset: int) -> str | None:
    """The id of the bookmark just before `offset` (newest first): where page-number paging starts.
    Reads the keys of every item before it, so its cost grows with the page number (docs/api.md: use cursors)."""
    if offset <= 0:
        return None
    seen = 0
    for item in query_all(TableName=_table(), KeyConditionExpression="pk = :o AND begins_with(sk, :b)",
                          ExpressionAttributeValues={":o": {"S": owner}, ":b": {"S": "B#"}},
                          ScanIndexForward=False, ProjectionExpression="sk"):
        if counted_sk(item["sk"]["S"]) is None:
            seen += 1
            if seen == offset:
                return item["sk"]["S"][2:]
    return PAST_END


# ---- the redirect's path: botocore only ------------------------------------------------------------

def find_by_short_code(code: str) -> ShortLink | None:
    """The GSI first (eventually consistent); on a miss the code's claim, read consistently, so a link
    clicked the instant it was made, and an old alias, still resolve."""
    found = client().query(TableName=_table(), IndexName=INDEX, KeyConditionExpression="short_code = :c",
                           ExpressionAttributeValues={":c": {"S": code}}, Limit=1)["Items"]
    if found:
        return _link(found[0]["pk"]["S"], found[0]["sk"]["S"][2:], found[0])
    return _find_by_claim(code)


def _find_by_claim(code: str) -> ShortLink | None:
    claim = client().get_item(TableName=_table(), Key=_code_key(code), ConsistentRead=True).get("Item")
    if not claim:
        return None
    owner, bookmark_id = claim["owner"]["S"], claim["bookmark_id"]["S"]
    item = client().get_item(TableName=_table(), Key=_key(owner, f"B#{bookmark_id}"), ConsistentRead=True,
                             ProjectionExpression="#u, expires_at, max_visits, protected, counter_shards",
                             ExpressionAttributeNames={"#u": "url"}).get("Item")
    return _link(owner, bookmark_id, item) if item else None


def password_hash_of(link: ShortLink) -> str | None:
    """The link's password hash (None: no password now, or the bookmark is gone), read consistently: a password
    just set or changed is the one checked. Only the unlocking function reads it; the index never holds it."""
    item = client().get_item(TableName=_table(), Key=_key(link.owner, f"B#{link.bookmark_id}"), ConsistentRead=True,
                             ProjectionExpression="link_password_hash").get("Item") or {}
    return item.get("link_password_hash", {}).get("S")
