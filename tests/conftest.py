"""Settings for the whole suite."""

from __future__ import annotations

import pytest

from syncd import retry


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """Keep the retry policy's shape but not its seconds-long waits."""
    monkeypatch.setattr(retry, "BASE_SECONDS", 0.01)
    monkeypatch.setattr(retry, "CAP_SECONDS", 0.05)
