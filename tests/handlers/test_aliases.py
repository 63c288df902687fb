"""Custom aliases (docs/api.md, link controls): claimed like a random code, globally unique, case-sensitive; a
changed alias leaves the old code claimed by the bookmark, redirecting to it."""
import bookmarks_create
import bookmarks_patch
import bookmarks_replace
import redirect
from tests.conftest import call, make_event


def create(account, **body):
    return call(bookmarks_create.lambda_handler, make_event(
        "POST /api/v1/bookmarks", token=account.access, body={"url": "https://example.com/a", **body}))


def patch(account, bookmark_id, body):
    return call(bookmarks_patch.lambda_handler, make_event(
        "PATCH /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, body=body, token=account.access))


def goes_to(code: str) -> tuple[int, str | None]:
    event = make_event("GET /{short_code}", path_params={"short_code": code})
    status, _, headers = call(redirect.lambda_handler, event)
    return status, headers.get("Location")


def test_a_created_alias_is_the_short_code_and_redirects(alice):
    status, made, _ = create(alice, short_code="my-Link_1")

    assert (status, made["short_code"]) == (201, "my-Link_1")
    assert made["short_url"].endswith("/my-Link_1")
    assert goes_to("my-Link_1") == (302, "https://example.com/a")


def test_an_alias_taken_by_anyone_is_409_short_code_taken_and_writes_nothing(alice, bob, make_bookmark):
    create(bob, short_code="shared")

    status, body, _ = create(alice, short_code="shared")

    assert (status, body["code"]) == (409, "short_code_taken")
    assert create(alice)[0] == 201  # the refused create left no URL claim behind


def test_aliases_are_case_sensitive(alice, bob):
    assert create(alice, short_code="CaseCode")[0] == 201
    assert call(bookmarks_create.lambda_handler, make_event("POST /api/v1/bookmarks", token=bob.access, body={
        "url": "https://example.com/b", "short_code": "casecode"}))[0] == 201
    assert goes_to("CaseCode")[1] == "https://example.com/a" and goes_to("casecode")[1] == "https://example.com/b"


def test_a_changed_alias_keeps_the_old_code_claimed_and_redirecting(alice, bob, make_bookmark):
    made = make_bookmark(alice, "https://example.com/moving")
    old = made["short_code"]

    status, changed, _ = patch(alice, made["id"], {"short_code": "new-alias"})

    assert (status, changed["short_code"]) == (200, "new-alias")
    assert goes_to("new-alias") == (302, "https://example.com/moving")
    assert goes_to(old) == (302, "https://example.com/moving")
    refused = call(bookmarks_create.lambda_handler, make_event(
        "POST /api/v1/bookmarks", token=bob.access, body={"url": "https://example.com/x", "short_code": old}))
    assert (refused[0], refused[1]["code"]) == (409, "short_code_taken")


def test_a_bookmark_may_take_back_its_own_old_alias(alice, make_bookmark):
    made = make_bookmark(alice)
    patch(alice, made["id"], {"short_code": "first-one"})
    patch(alice, made["id"], {"short_code": "second-one"})

    status, back, _ = patch(alice, made["id"], {"short_code": "first-one"})

    assert (status, back["short_code"]) == (200, "first-one")


def test_an_alias_taken_by_another_bookmark_is_409_and_the_edit_is_not_applied(alice, make_bookmark, get_bookmark):
    made = make_bookmark(alice)
    create(alice, short_code="elsewhere")

    status, body, _ = patch(alice, made["id"], {"short_code": "elsewhere", "body": "not saved"})

    assert (status, body["code"]) == (409, "short_code_taken")
    assert get_bookmark(alice, made["id"])["body"] == made["body"]


def test_a_put_without_short_code_keeps_the_code(alice, make_bookmark):
    made = make_bookmark(alice)

    status, replaced, _ = call(bookmarks_replace.lambda_handler, make_event(
        "PUT /api/v1/bookmarks/{id}", path_params={"id": made["id"]}, body={"url": made["url"]}, token=alice.access))

    assert (status, replaced["short_code"]) == (200, made["short_code"])


def test_a_reserved_path_is_refused(alice):
    status, body, _ = create(alice, short_code="Docs")

    assert (status, body["code"]) == (400, "invalid_short_code")
