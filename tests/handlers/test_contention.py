"""Writes racing on one bookmark: one wins, the others get 409 `conflict` (never a 5xx), nothing is lost or
half-written, and every URL that did not win is free to save again."""
import functools

import pytest

import bookmarks_delete
import bookmarks_patch
import bookmarks_replace
from bookmarker.store import bookmarks as store
from tests.conftest import at_once, call, make_event
from tests.handlers.bookmark_helpers import url_claims

RACERS = 8


def race(requests: list) -> list[tuple[int, dict]]:
    """Send the (handler, event) pairs at once, from one thread each."""
    return [(status, body) for status, body, _ in at_once([
        functools.partial(call, handler, event) for handler, event in requests])]


@pytest.mark.parametrize(("handler", "method"), [(bookmarks_patch, "PATCH"), (bookmarks_replace, "PUT")])
def test_racing_url_changes_one_wins_the_others_get_409_and_their_urls_stay_free(tables, alice, make_bookmark, handler,
                                                                                 method):
    made = make_bookmark(alice, "https://example.com/start")
    sent = [f"https://example.com/racer-{i}" for i in range(RACERS)]

    answers = race([(handler.lambda_handler, make_event(f"{method} /api/v1/bookmarks/{{id}}", token=alice.access,
                                                        path_params={"id": made["id"]}, body={"url": url}))
                    for url in sent])

    statuses = [status for status, _ in answers]
    assert set(statuses) <= {200, 409}, answers
    assert statuses.count(200) >= 1
    assert all(body["code"] == "conflict" for status, body in answers if status == 409)
    final = store.get_bookmark(alice.id, made["id"]).url
    assert final in [url for url, (status, _) in zip(sent, answers, strict=True) if status == 200]
    assert len(url_claims(tables, alice.id)) == 1  # only the winner's URL is claimed
    for url in sent:
        if url != final:
            make_bookmark(alice, url)  # a 201: its claim was never taken, or was released
    make_bookmark(alice, "https://example.com/start")


def test_racing_body_edits_never_lose_one_silently(tables, alice, make_bookmark):
    made = make_bookmark(alice, "https://example.com/notes")
    bodies = [f"note {i}" for i in range(RACERS)]

    answers = race([(bookmarks_patch.lambda_handler, make_event(
        "PATCH /api/v1/bookmarks/{id}", token=alice.access, path_params={"id": made["id"]}, body={"body": b}))
        for b in bodies])

    winners = [b for b, (status, _) in zip(bodies, answers, strict=True) if status == 200]
    assert {status for status, _ in answers} <= {200, 409}
    # Each 200 was applied on top of what the one before it wrote: the stored revision counts them all.
    found = store.get_bookmark(alice.id, made["id"])
    assert found.rev == len(winners)
    assert found.body in winners


def test_a_delete_racing_edits_removes_the_bookmark_and_all_its_claims(tables, alice, make_bookmark):
    made = make_bookmark(alice, "https://example.com/doomed")
    path = {"id": made["id"]}
    edits = [(bookmarks_patch.lambda_handler, make_event("PATCH /api/v1/bookmarks/{id}", token=alice.access,
                                                         path_params=path, body={"url": f"https://example.com/e{i}"}))
             for i in range(RACERS - 1)]

    answers = race([(bookmarks_delete.lambda_handler, make_event("DELETE /api/v1/bookmarks/{id}",
                                                                 token=alice.access, path_params=path)), *edits])

    assert answers[0][0] == 204, answers[0]
    assert {status for status, _ in answers[1:]} <= {200, 404, 409}
    assert store.get_bookmark(alice.id, made["id"]) is None
    assert url_claims(tables, alice.id) == []
    assert store.count(alice.id) == 0
