"""`make check-data`: read the tables whole and report every broken invariant (docs/data-model.md).

    python -m ops.check_data [--endpoint-url URL] [--users-table NAME] [--bookmarks-table NAME]
                             [--api-tokens-table NAME] [--region NAME]

Which DynamoDB: --endpoint-url, else DYNAMODB_ENDPOINT_URL; else real AWS when table names are given
(the flags, or USERS_TABLE and BOOKMARKS_TABLE); else the running local API (`make run` writes its
endpoint into its state dir); else the local API's saved state, when it is not running. Tables default
to the local API's names (template.yaml). Exit 0: nothing broken; 1: problems, listed and counted by
kind; 2: nothing could be read.

It Scans, which the functions never do, and a write in flight during the scan can look half-done: run
it on a quiet table, or twice (a problem that does not come back was a write in flight).
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bookmarker import tags as bookmark_tags
from bookmarker import urls

# ---- key shapes (docs/data-model.md) ------------------------------------------------------------------
# bookmarker.store spells these in private helpers and inline, so they are named here, once for ops/.
# tests/ops/test_check_data.py writes its clean data set through the real handlers: a shape the store
# changes shows there as problems.
USER, EMAIL, USERNAME = "USER#", "EMAIL#", "USERNAME#"                    # users table, pk
NOT_INVARIANTS = ("REFRESH#", "LOGINFAIL#", "CLIENTFAIL#", "REGISTER#", "LINKFAIL#")  # refresh records, windows
BOOKMARK, COUNTER, URL_CLAIM, COUNT, TAG = "B#", "#V", "URL#", "COUNT", "TAG#"  # bookmarks table, sk under pk = owner
DAY = "D#"                                                               # D#<bookmark id>#<YYYY-MM-DD>, a day's visits
CODE, CODE_SK = "CODE#", "CODE"                                          # a short-code claim's pk and sk
TOKEN, TOKENS_OF, TOKEN_NAME = "TOKEN#", "USER#", "NAME#"                 # API tokens table, pk
TOKEN_ENTRY, MAX_TOKENS = "T#", 20                                       # a list's entry: T#<token id>
TOKEN_SCOPES = {"bookmarks:read", "bookmarks:write"}
READ = ("pk", "sk", "id", "email", "username", "user_id", "url", "url_key", "short_code", "owner",
        "bookmark_id", "n", "tags", "visits", "bot_visits", "last_visited_at", "max_visits",
        "updated_at", "protected", "link_password_hash", "day_visits",
        "day_bot_visits", "counter_shards")  # all the checks read: a bookmark's body stays in the table

KINDS = {
    "email_claim_orphan": "an email claim names a user that does not exist",
    "email_claim_mismatch": "an email claim names a user whose email is another",
    "username_claim_orphan": "a username claim names a user that does not exist",
    "username_claim_mismatch": "a username claim names a user whose username is another",
    "user_without_email_claim": "a user's email is not claimed for them (another account could take it)",
    "user_without_username_claim": "a user's username is not claimed for them (another account could take it)",
    "owner_missing": "a bookmark, counter, URL claim or COUNT left under a user that does not exist",
    "bookmark_without_counter": "a bookmark without its visit counter (its visits are not counted)",
    "bookmark_without_url_claim": "a bookmark whose URL is not claimed for it (the URL could be saved twice)",
    "code_claim_missing": "a bookmark whose short code is not claimed (the code could be handed out again)",
    "code_claimed_by_another": "a bookmark carrying a code claimed for another bookmark (the redirect finds it)",
    "url_key_stale": "a bookmark whose url_key is not the digest of its URL",
    "url_claim_orphan": "a URL claim for a bookmark that does not exist (the URL cannot be saved again)",
    "url_claim_mismatch": "a URL claim for a bookmark whose URL is another",
    "counter_orphan": "a visit counter without its bookmark",
    "cap_exceeded": "a person's visit was counted past the bookmark's max_visits, after the cap was last set",
    "days_above_total": "a bookmark's days add up to more visits (or bot visits) than its counters hold",
    "shard_missing": "a hot link's counter_shards names a counter that does not exist (its visits there are lost)",
    "capped_sharded": "a capped link still spread over counters (its cap is checked on the main counter only)",
    "day_orphan": "a day's visit count without its bookmark (a visit counted as the bookmark was deleted)",
    "count_mismatch": "a user's COUNT is not their number of bookmarks (total_count and the quota are wrong)",
    "tag_count_mismatch": "a tag's count is not the number of the user's bookmarks holding it (GET /tags is wrong)",
    "tag_invalid": "a bookmark holds a tag the API would refuse (not 1 to 50 of a-z, 0-9, _ and -, or over 20)",
    "protection_mismatch": "a bookmark whose `protected` flag (what the redirect reads) and password hash disagree",
    "token_owner_missing": "an API token item of a user that does not exist (account deletion removes them all)",
    "token_unlisted": "an API token that works but is in no list of its user's (it cannot be seen or deleted)",
    "token_without_lookup": "a listed API token with no lookup (it cannot work, yet counts toward the 20)",
    "token_name_mismatch": "a token name's claim without its listed token, or a listed token without its claim",
    "token_count_mismatch": "a user's token count is not the number of tokens listed, or is over 20",
    "token_scope_invalid": "an API token without scopes, or with one the API does not grant",
    "malformed_item": "an item without an attribute its shape needs",
    "unknown_item": "an item of no shape this tool knows (teach it the new shape)",
}


@dataclass(frozen=True)
class Problem:
    kind: str    # one of KINDS
    table: str
    key: str     # the item's key: "pk" or "pk sk"
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.table} {self.key}: {self.detail}"


@dataclass
class Report:
    read: dict[str, int]                 # items read, by table
    skipped: int = 0                     # refresh records and attempt windows: not invariants
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_kind(self) -> dict[str, int]:
        return dict(sorted(Counter(p.kind for p in self.problems).items()))

    def add(self, table: str, kind: str, key: str, detail: str) -> None:
        self.problems.append(Problem(kind, table, key, detail))

    def kinds(self) -> set[tuple[str, str]]:
        """(kind, key) of every problem: what a test compares."""
        return {(p.kind, p.key) for p in self.problems}


def _s(item: Mapping, name: str) -> str | None:
    return (item.get(name) or {}).get("S")


# ---- the checks: pure, on items as DynamoDB returns them ---------------------------------------------------

def check_items(users_items: Iterable[dict], bookmarks_items: Iterable[dict], tokens_items: Iterable[dict] = (), *,
                users_table: str = "users", bookmarks_table: str = "bookmarks",
                tokens_table: str = "api-tokens") -> Report:
    users_items, bookmarks_items, tokens_items = list(users_items), list(bookmarks_items), list(tokens_items)
    report = Report({users_table: len(users_items), bookmarks_table: len(bookmarks_items),
                     tokens_table: len(tokens_items)})
    users = _check_users(users_items, users_table, report)
    _check_bookmarks(bookmarks_items, users, bookmarks_table, report)
    _check_tokens(tokens_items, users, tokens_table, report)
    return report


def _check_users(items: list[dict], table: str, report: Report) -> set[str]:
    """The users table; returns the ids of the users that exist."""
    problem = functools.partial(report.add, table)
    users: dict[str, dict] = {}
    claims: dict[str, dict[str, str]] = {EMAIL: {}, USERNAME: {}}  # prefix -> casefolded value -> user id
    for item in items:
        pk = _s(item, "pk") or ""
        if pk.startswith(NOT_INVARIANTS):
            report.skipped += 1
        elif pk.startswith(USER):
            users[pk.removeprefix(USER)] = item
            if _s(item, "id") != pk.removeprefix(USER) or not _s(item, "email") or not _s(item, "username"):
                problem("malformed_item", pk, "a user needs id (its key's), email and username")
        elif pk.startswith((EMAIL, USERNAME)):
            prefix = EMAIL if pk.startswith(EMAIL) else USERNAME
            if user_id := _s(item, "user_id"):
                claims[prefix][pk.removeprefix(prefix)] = user_id
            else:
                problem("malformed_item", pk, "a claim needs user_id")
        else:
            problem("unknown_item", pk, "no known key shape")
    _check_claims(users, claims[EMAIL], EMAIL, "email", problem)
    _check_claims(users, claims[USERNAME], USERNAME, "username", problem)
    return set(users)


def _check_claims(users: dict[str, dict], claims: dict[str, str], prefix: str, attr: str, problem) -> None:
    """Each claim names an existing user holding its value; each user holds a claim on their value."""
    for value, user_id in claims.items():
        user = users.get(user_id)
        if user is None:
            problem(f"{attr}_claim_orphan", prefix + value, f"names user {user_id}, who does not exist")
        elif (_s(user, attr) or "").casefold() != value:
            problem(f"{attr}_claim_mismatch", prefix + value, f"names user {user_id}, whose {attr} is "
                                                               f"{_s(user, attr)!r}")
    for user_id, user in users.items():
        value = (_s(user, attr) or "").casefold()
        holder = claims.get(value)
        if value and holder != user_id:
            problem(f"user_without_{attr}_claim", USER + user_id,
                    f"{prefix}{value} " + (f"names user {holder}" if holder else "does not exist"))


@dataclass
class _Owner:
    """Everything under one pk = user id in the bookmarks table."""
    bookmarks: dict[str, dict] = field(default_factory=dict)   # id -> item
    counters: dict[str, dict] = field(default_factory=dict)    # bookmark id -> its counter item
    shards: dict[str, dict[int, dict]] = field(default_factory=lambda: defaultdict(dict))  # a hot link's others, by k
    days: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))  # bookmark id -> day items
    url_claims: dict[str, str] = field(default_factory=dict)   # url_key -> bookmark id
    count: int | None = None
    tag_counts: dict[str, int] = field(default_factory=dict)  # tag -> n of its TAG# item
    keys: list[str] = field(default_factory=list)
    malformed: set[str] = field(default_factory=set)           # bookmark ids not checked further


def _check_bookmarks(items: list[dict], users: set[str], table: str, report: Report) -> None:
    problem = functools.partial(report.add, table)
    owners, code_claims = _group(items, problem)
    for owner, mine in owners.items():
        if not mine.keys:
            continue  # only unknown items under this pk: reported already
        if owner not in users:  # account deletion removes all of these; nothing else about them matters
            for key in mine.keys:
                problem("owner_missing", key, f"user {owner} does not exist")
            continue
        for bookmark_id, item in mine.bookmarks.items():
            if bookmark_id not in mine.malformed:
                _check_bookmark(item, mine, code_claims, problem)
        _check_bookmarks_own(owner, mine, problem)
        if (mine.count or 0) != len(mine.bookmarks):
            problem("count_mismatch", f"{owner} {COUNT}",
                    f"n is {'missing' if mine.count is None else mine.count}, {len(mine.bookmarks)} bookmark(s)")
        _check_tag_counts(owner, mine, problem)
    # A code claim whose bookmark is gone is fine: codes stay claimed forever, and nothing redirects
    # (no bookmark carries the code, or _check_bookmark names the one that does). An older code still
    # naming its bookmark is fine too: an alias keeps redirecting (docs/api.md).


def _check_bookmarks_own(owner: str, mine: _Owner, problem) -> None:
    """Counters, days and URL claims each name a bookmark of their owner that exists (and holds that URL)."""
    for bookmark_id in sorted(set(mine.counters) - set(mine.bookmarks)):
        problem("counter_orphan", f"{owner} {BOOKMARK}{bookmark_id}{COUNTER}", f"no {BOOKMARK}{bookmark_id}")
    for bookmark_id in sorted(set(mine.shards) - set(mine.bookmarks)):
        for k in sorted(mine.shards[bookmark_id]):
            problem("counter_orphan", f"{owner} {BOOKMARK}{bookmark_id}{COUNTER}#{k}", f"no {BOOKMARK}{bookmark_id}")
    for bookmark_id in sorted(set(mine.days) - set(mine.bookmarks)):
        for day in mine.days[bookmark_id]:
            problem("day_orphan", f"{owner} {_s(day, 'sk')}", f"no {BOOKMARK}{bookmark_id}")
    for url_key, bookmark_id in mine.url_claims.items():
        key = f"{owner} {URL_CLAIM}{url_key}"
        if (target := mine.bookmarks.get(bookmark_id)) is None:
            problem("url_claim_orphan", key, f"names bookmark {bookmark_id}, which does not exist")
        elif bookmark_id not in mine.malformed and _s(target, "url_key") != url_key:
            problem("url_claim_mismatch", key, f"names bookmark {bookmark_id}, whose url_key is "
                                               f"{_s(target, 'url_key')}")


def _group(items: list[dict], problem) -> tuple[dict[str, _Owner], dict[str, tuple[str, str]]]:
    """The bookmarks table by owner, and the code claims: code -> (owner, bookmark id)."""
    code_claims: dict[str, tuple[str, str]] = {}
    owners: dict[str, _Owner] = defaultdict(_Owner)
    for item in items:
        pk, sk = _s(item, "pk") or "", _s(item, "sk") or ""
        key = f"{pk} {sk}"
        if pk.startswith(CODE) and sk == CODE_SK:
            owner, bookmark_id = _s(item, "owner"), _s(item, "bookmark_id")
            if owner and bookmark_id:
                code_claims[pk.removeprefix(CODE)] = (owner, bookmark_id)
            else:
                problem("malformed_item", key, "a code claim needs owner and bookmark_id")
        elif _file(owners[pk], sk, item, key, problem):
            owners[pk].keys.append(key)
    return owners, code_claims


def _file(mine: _Owner, sk: str, item: dict, key: str, problem) -> bool:
    """Put an item under its owner by its sort key's shape; False for one of no known shape (reported)."""
    if sk.startswith(BOOKMARK) and sk.endswith(COUNTER):
        mine.counters[sk.removeprefix(BOOKMARK).removesuffix(COUNTER)] = item
    elif sk.startswith(BOOKMARK) and COUNTER + "#" in sk and sk.rsplit("#", 1)[1].isdigit():  # B#<id>#V#<k>
        bookmark_id, k = sk.removeprefix(BOOKMARK).split(COUNTER + "#")
        mine.shards[bookmark_id][int(k)] = item
    elif sk.startswith(DAY) and sk.count("#") == 2:
        mine.days[sk.removeprefix(DAY).split("#")[0]].append(item)
    elif sk.startswith(BOOKMARK):
        bookmark_id = sk.removeprefix(BOOKMARK)
        mine.bookmarks[bookmark_id] = item
        if _s(item, "id") != bookmark_id or not all(_s(item, a) for a in ("url", "url_key", "short_code")):
            mine.malformed.add(bookmark_id)
            problem("malformed_item", key, "a bookmark needs id (its key's), url, url_key and short_code")
    elif sk.startswith(URL_CLAIM) and (bookmark_id := _s(item, "bookmark_id")):
        mine.url_claims[sk.removeprefix(URL_CLAIM)] = bookmark_id
    elif sk.startswith(URL_CLAIM):
        problem("malformed_item", key, "a URL claim needs bookmark_id")
    elif sk == COUNT:
        mine.count = _n(item, "n")
    elif sk.startswith(TAG):
        mine.tag_counts[sk.removeprefix(TAG)] = _n(item, "n")
    else:
        problem("unknown_item", key, "no known key shape")
        return False
    return True


def _check_bookmark(item: dict, mine: _Owner, code_claims: dict, problem) -> None:
    owner, bookmark_id = _s(item, "pk"), _s(item, "id")
    key, url_key, code = f"{owner} {BOOKMARK}{bookmark_id}", _s(item, "url_key"), _s(item, "short_code")
    if bookmark_id not in mine.counters:
        problem("bookmark_without_counter", key, f"no {BOOKMARK}{bookmark_id}{COUNTER}")
    if (holder := mine.url_claims.get(url_key)) != bookmark_id:
        problem("bookmark_without_url_claim", key,
                f"{URL_CLAIM}{url_key} " + (f"names bookmark {holder}" if holder else "does not exist"))
    # The redirect reads the index on short_code, then the claim: one bookmark per code, the claim's.
    if (claim := code_claims.get(code)) is None:
        problem("code_claim_missing", key, f"no {CODE}{code}")
    elif claim != (owner, bookmark_id):
        problem("code_claimed_by_another", key, f"{CODE}{code} names bookmark {claim[1]} of user {claim[0]}")
    if urls.url_key(_s(item, "url")) != url_key:
        problem("url_key_stale", key, "url_key is not the SHA-256 of the normalized url")
    _check_visits(item, mine, key, problem)
    flagged, hashed = (item.get("protected") or {}).get("BOOL", False), _s(item, "link_password_hash")
    if flagged != bool(hashed) or (hashed and not hashed.startswith("$2")):
        problem("protection_mismatch", key, f"protected is {flagged}, the hash " + (
            "is not bcrypt's" if hashed and flagged else "is there" if hashed else "is missing"))


def _n(item: Mapping, name: str) -> int:
    return int((item.get(name) or {}).get("N", "0"))


def _check_visits(item: dict, mine: _Owner, key: str, problem) -> None:
    """The days of a bookmark add up to its totals (counted in the same write; less only for visits counted before
    days were); no person's visit counted past its cap. Lowering a cap below the visits already counted is allowed:
    only a visit counted after the cap was set (last_visited_at later than updated_at) can have passed it."""
    bookmark_id, counter = _s(item, "id") or "", mine.counters.get(_s(item, "id") or "")
    if counter is None:
        return  # bookmark_without_counter, reported already
    counters = [counter, *mine.shards.get(bookmark_id, {}).values()]
    for name in ("visits", "bot_visits"):  # the day items, and each counter's current day
        days = sum(_n(d, name) for d in mine.days.get(bookmark_id, [])) + sum(_n(c, f"day_{name}") for c in counters)
        total = sum(_n(c, name) for c in counters)
        if days > total:
            problem("days_above_total", key, f"its days add up to {days} {name}, its counters hold {total}")
    shards = _n(item, "counter_shards")
    if missing := [k for k in range(1, shards) if k not in mine.shards.get(bookmark_id, {})]:
        problem("shard_missing", key, f"counter_shards is {shards}, no {COUNTER}#k for k in {missing}")
    if shards and item.get("max_visits"):
        problem("capped_sharded", key, f"max_visits {_n(item, 'max_visits')} with counter_shards {shards}")
    cap, last = item.get("max_visits"), _s(counter, "last_visited_at")
    if cap and _n(counter, "visits") > _n(item, "max_visits") and last and last > (_s(item, "updated_at") or ""):
        problem("cap_exceeded", key, f"{_n(counter, 'visits')} visits, max_visits {_n(item, 'max_visits')}, the last "
                                     f"at {last}, after the cap was set at {_s(item, 'updated_at')}")


def _check_tag_counts(owner: str, mine: _Owner, problem) -> None:
    """Each tag's count is the number of bookmarks holding it (a count of 0, or none, for a tag none holds);
    each bookmark's tags are tags the API accepts."""
    held: Counter[str] = Counter()
    for bookmark_id, item in mine.bookmarks.items():
        tags = (item.get("tags") or {}).get("SS", [])
        held.update(tags)
        if len(tags) > bookmark_tags.MAX_TAGS or any(bookmark_tags.clean(t) != t for t in tags):
            problem("tag_invalid", f"{owner} {BOOKMARK}{bookmark_id}", f"tags {sorted(tags)}")
    for tag in sorted(set(held) | set(mine.tag_counts)):
        if mine.tag_counts.get(tag, 0) != held[tag]:
            problem("tag_count_mismatch", f"{owner} {TAG}{tag}",
                    f"n is {mine.tag_counts.get(tag, 'missing')}, {held[tag]} bookmark(s) hold it")


@dataclass
class _Tokens:
    """The API tokens table, by shape."""
    lookups: dict[str, dict] = field(default_factory=dict)               # hash -> lookup item
    listed: dict[str, dict[str, dict]] = field(default_factory=dict)     # user id -> token id -> list entry
    counts: dict[str, int] = field(default_factory=dict)                 # user id -> the list's n
    names: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # pk -> (user id, name, token id)


def _check_tokens(items: list[dict], users: set[str], table: str, report: Report) -> None:
    """API tokens: each lookup listed by its user with the same hash, each listed token looked up and its name
    claimed, the count the number listed (at most 20), every owner existing."""
    problem = functools.partial(report.add, table)
    tokens = _Tokens()
    for item in items:
        pk = _s(item, "pk") or ""
        if pk.startswith(TOKEN):
            tokens.lookups[pk.removeprefix(TOKEN)] = item
        elif pk.startswith(TOKENS_OF):
            user_id = pk.removeprefix(TOKENS_OF)
            tokens.listed[user_id] = {name.removeprefix(TOKEN_ENTRY): value.get("M", {})
                                      for name, value in item.items() if name.startswith(TOKEN_ENTRY)}
            tokens.counts[user_id] = _n(item, "n")
        elif pk.startswith(TOKEN_NAME) and pk.count("#") >= 2 and _s(item, "token_id"):
            user_id, name = pk.removeprefix(TOKEN_NAME).split("#", 1)
            tokens.names[pk] = (user_id, name, _s(item, "token_id") or "")
        else:
            problem("unknown_item", pk, "no known key shape")
    _check_lookups(tokens, users, problem)
    _check_token_lists(tokens, users, problem)


def _check_lookups(tokens: _Tokens, users: set[str], problem) -> None:
    by_hash = {_s(entry, "hash"): (user_id, token_id) for user_id, entries in tokens.listed.items()
               for token_id, entry in entries.items()}
    for hashed, item in tokens.lookups.items():
        owner, scopes = _s(item, "user_id") or "", set((item.get("scopes") or {}).get("SS", []))
        if owner not in users:
            problem("token_owner_missing", TOKEN + hashed, f"user {owner} does not exist")
        elif by_hash.get(hashed) != (owner, _s(item, "id")):
            problem("token_unlisted", TOKEN + hashed, f"token {_s(item, 'id')} of user {owner} is not in their list")
        if not scopes or not scopes <= TOKEN_SCOPES:
            problem("token_scope_invalid", TOKEN + hashed, f"scopes {sorted(scopes)}")


def _check_token_lists(tokens: _Tokens, users: set[str], problem) -> None:
    claimed = {(user_id, token_id) for user_id, _, token_id in tokens.names.values()}
    for user_id, entries in tokens.listed.items():
        key = TOKENS_OF + user_id
        if user_id not in users:
            problem("token_owner_missing", key, f"user {user_id} does not exist")
            continue
        if tokens.counts[user_id] != len(entries) or len(entries) > MAX_TOKENS:
            problem("token_count_mismatch", key, f"n is {tokens.counts[user_id]}, {len(entries)} token(s) listed")
        for token_id, entry in entries.items():
            if _s(entry, "hash") not in tokens.lookups:
                problem("token_without_lookup", key, f"token {token_id} has no lookup")
            if (user_id, token_id) not in claimed:
                problem("token_name_mismatch", key, f"token {token_id}'s name is not claimed")
    for pk, (user_id, name, token_id) in tokens.names.items():
        entry = tokens.listed.get(user_id, {}).get(token_id)
        if user_id not in users:
            problem("token_owner_missing", pk, f"user {user_id} does not exist")
        elif entry is None or (_s(entry, "name") or "").casefold() != name:
            problem("token_name_mismatch", pk, f"names token {token_id}, which is not listed under this name")


# ---- reading the tables ------------------------------------------------------------------------------

def scan(client, table: str, *, whole: bool = False) -> list[dict]:
    """Every item of the table (consistent reads), with only the attributes the checks read; `whole`: all of
    each (the API tokens table, whose lists name their attributes after the tokens, and is small)."""
    names = {f"#a{i}": a for i, a in enumerate(READ)}
    projection = {} if whole else {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    pages = client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True, **projection)
    return [item for page in pages for item in page["Items"]]


def check(client, users_table: str, bookmarks_table: str, tokens_table: str | None = None) -> Report:
    """Scan the tables and check them (the API tokens table when it is named)."""
    return check_items(scan(client, users_table), scan(client, bookmarks_table),
                       scan(client, tokens_table, whole=True) if tokens_table else (), users_table=users_table,
                       bookmarks_table=bookmarks_table, tokens_table=tokens_table or "api-tokens (not read)")


class NothingToRead(Exception):
    """No DynamoDB to read, or it cannot be reached: exit 2."""


@dataclass(frozen=True)
class Source:
    where: str                          # for the banner
    users_table: str
    bookmarks_table: str
    endpoint_url: str | None = None     # None: AWS
    region: str = "us-east-1"
    saved_state: Path | None = None     # the local API's state file, read when it is not running
    hint: str = ""                      # what to try when it cannot be reached
    tokens_table: str | None = None     # the API tokens table; None: not read (AWS without its name)


def _local_tables(env: Mapping[str, str]) -> tuple[str, str]:
    return _local_names(env)["USERS_TABLE"], _local_names(env)["BOOKMARKS_TABLE"]


def _local_names(env: Mapping[str, str]) -> dict[str, str]:
    from local.template import DEFAULT_TEMPLATE, Template

    return Template(env.get("LOCAL_TEMPLATE") or DEFAULT_TEMPLATE).merged_environment()


def locate(args: argparse.Namespace, env: Mapping[str, str], directory: Path | None = None) -> Source:
    from local.dynamo import endpoint_file, state_dir

    users_table = args.users_table or env.get("USERS_TABLE")
    bookmarks_table = args.bookmarks_table or env.get("BOOKMARKS_TABLE")
    region = args.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = args.endpoint_url or env.get("DYNAMODB_ENDPOINT_URL")
    if endpoint or users_table or bookmarks_table:
        if not endpoint and not (users_table and bookmarks_table):
            raise NothingToRead("AWS: give both tables (--users-table and --bookmarks-table, or USERS_TABLE "
                                "and BOOKMARKS_TABLE)")
        if not (users_table and bookmarks_table):
            local_users, local_bookmarks = _local_tables(env)
            users_table, bookmarks_table = users_table or local_users, bookmarks_table or local_bookmarks
        tokens_table = args.api_tokens_table or env.get("API_TOKENS_TABLE") or (
            _local_names(env)["API_TOKENS_TABLE"] if endpoint else None)
        return Source(endpoint or f"AWS ({region})", users_table, bookmarks_table, endpoint, region,
                      tokens_table=tokens_table)

    directory = directory or state_dir()
    users_table, bookmarks_table = _local_tables(env)
    tokens_table = _local_names(env)["API_TOKENS_TABLE"]
    published = endpoint_file(directory)
    if published.exists():
        running = json.loads(published.read_text())
        return Source(f"{running['endpoint_url']}, the local API's ({published})", users_table, bookmarks_table,
                      running["endpoint_url"], args.region or running.get("region") or region,
                      hint=f" (the local API did not stop cleanly? start it again, or delete {published})",
                      tokens_table=tokens_table)
    saved = directory / "dynamodb.json"
    if saved.exists():
        return Source(f"the local API's saved state ({saved}; it is not running)", users_table, bookmarks_table,
                      saved_state=saved, tokens_table=tokens_table)
    raise NothingToRead(f"no DynamoDB to read: no local API runs or has run with its state in {directory} "
                        "(make run), DYNAMODB_ENDPOINT_URL is unset, and no table names are given (for AWS)")


def read(source: Source) -> Report:
    if source.saved_state:  # typed JSON as DynamoDB returns it (binary values base64: none are checked)
        tables = json.loads(source.saved_state.read_text()).get("tables", {})
        return check_items(tables.get(source.users_table, []), tables.get(source.bookmarks_table, []),
                           tables.get(source.tokens_table or "", []), users_table=source.users_table,
                           bookmarks_table=source.bookmarks_table, tokens_table=source.tokens_table or "")
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session(region_name=source.region)
    credentials = {}
    if source.endpoint_url and session.get_credentials() is None:
        credentials = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}  # a local DynamoDB takes any
    # AWS may throttle a long Scan: retry it patiently; a local endpoint either answers or is not there.
    retries = ({"mode": "standard", "max_attempts": 2} if source.endpoint_url
               else {"mode": "adaptive", "max_attempts": 10})
    client = session.client("dynamodb", endpoint_url=source.endpoint_url, **credentials,
                            config=Config(retries=retries, connect_timeout=3))
    try:
        return check(client, source.users_table, source.bookmarks_table, source.tokens_table)
    except ClientError as exc:
        raise NothingToRead(f"{source.where}: {exc}") from exc
    except BotoCoreError as exc:
        raise NothingToRead(f"{source.where}: {exc}{source.hint}") from exc


def summary(report: Report, show: int = 20) -> list[str]:
    lines, shown = [], Counter()
    for p in report.problems:
        shown[p.kind] += 1
        if shown[p.kind] <= show:
            lines.append(str(p))
    lines += [f"{p_kind}: ... and {n - show} more" for p_kind, n in report.by_kind().items() if n > show]
    read_ = ", ".join(f"{n} from {table}" for table, n in report.read.items())
    lines.append(f"read {read_} ({report.skipped} refresh records and attempt windows not checked)")
    if report.ok:
        lines.append("no problems")
    else:
        lines.append(f"{len(report.problems)} problem(s):")
        width = max(map(len, report.by_kind()))
        lines += [f"  {kind:<{width}} {n:>6}  {KINDS[kind]}" for kind, n in report.by_kind().items()]
    return lines


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.check_data", description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint-url", help="a DynamoDB endpoint (default: DYNAMODB_ENDPOINT_URL, else the "
                                               "local API's, else AWS)")
    parser.add_argument("--users-table", help="default: USERS_TABLE, else the local API's")
    parser.add_argument("--bookmarks-table", help="default: BOOKMARKS_TABLE, else the local API's")
    parser.add_argument("--api-tokens-table", help="default: API_TOKENS_TABLE, else the local API's (AWS: not read "
                                                   "unless named)")
    parser.add_argument("--region", help="default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1")
    parser.add_argument("--show", type=int, default=20, metavar="N", help="problems listed per kind (default 20)")
    args = parser.parse_args(argv)
    try:
        source = locate(args, os.environ if env is None else env)
        tokens = f" and {source.tokens_table}" if source.tokens_table else ""
        print(f"checking {source.users_table}, {source.bookmarks_table}{tokens} at {source.where}", flush=True)
        report = read(source)
    except NothingToRead as exc:
        print(f"check-data: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary(report, args.show)))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
