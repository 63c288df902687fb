"""Fixtures for the handler tests."""
from datetime import timedelta

import pytest

from bookmarker import clock


@pytest.fixture
def a_minute_later(monkeypatch):
    """The clock one minute ahead: a change must move updated_at, and a no-op must not, whatever the speed."""
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + timedelta(minutes=1))
