"""A client generated from openapi.yaml (openapi-python-client) works against the local API as it is."""
import importlib
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bookmarker.openapi import SPEC

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "bookmarker_client"
# No post hooks: the generator would otherwise run ruff over its output, which the client does not need. The
# generator models no text/html body, nor image answers: the import's browser file is sent, and a QR code
# read, as the bytes they are.
CONFIG = (f"package_name_override: {PACKAGE}\npost_hooks: []\n"
          "content_type_overrides:\n  text/html: application/octet-stream\n"
          "  image/svg+xml: application/octet-stream\n  image/png: application/octet-stream\n")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated-client")
    (root / "config.yaml").write_text(CONFIG)
    # --fail-on-warning: a part of the document the generator cannot model fails the test, not the client's users.
    result = subprocess.run([str(GENERATOR), "generate", "--path", str(SPEC), "--output-path", str(root / PACKAGE),
                             "--meta", "none", "--config", str(root / "config.yaml"), "--fail-on-warning"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        shutil.rmtree(root, ignore_errors=True)


def test_a_generated_client_registers_logs_in_creates_and_lists_bookmarks(generated, local_api):
    from bookmarker_client import AuthenticatedClient, Client
    from bookmarker_client.api.auth import get_me, login, register
    from bookmarker_client.api.bookmarks import create_bookmark, list_bookmarks
    from bookmarker_client.models import BookmarkPage, BookmarkRequest, LoginRequest, RegisterRequest

    name = "gen" + uuid.uuid4().hex[:12]
    email, password = f"{name}@example.com", "correct horse battery"
    public = Client(base_url=local_api.url, raise_on_unexpected_status=True)

    registered = register.sync_detailed(client=public, body=RegisterRequest(username=name, email=email,
                                                                            password=password))
    logged_in = login.sync(client=public, body=LoginRequest(email=email, password=password))
    me = AuthenticatedClient(base_url=local_api.url, token=logged_in.user.access, raise_on_unexpected_status=True)
    created = [create_bookmark.sync(client=me, body=BookmarkRequest(url=f"https://example.com/{i}", body=f"#{i}"))
               for i in range(3)]
    first = list_bookmarks.sync(client=me, per_page=2)
    rest = list_bookmarks.sync(client=me, per_page=2, cursor=first.meta.next_cursor)

    assert registered.status_code == 201
    assert registered.parsed.user.email == email
    assert get_me.sync(client=me).email == email
    assert [b.short_url.endswith(b.short_code) for b in created] == [True] * 3
    assert isinstance(first, BookmarkPage)
    assert first.meta.total_count == 3
    assert [b.id for b in first.data + rest.data] == [b.id for b in reversed(created)]
    assert rest.meta.next_cursor is None
