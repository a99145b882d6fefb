"""Copies of syncd's events are the owner's: only the account and calendar an artifact was
made for may change or delete it.

Two ways a copy appears: the same folder configured as two accounts (each sees the other's
artifacts), and an artifact the owner copied into another calendar. Neither may flap or vanish.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from providers.local import LocalProvider
from syncd.cli import main
from syncd.config import load
from syncd.demo import seed
from syncd.errors import NotOwned
from syncd.model import Calendar, artifact_key, made_for
from syncd.state import State
from tests.configs import append_account


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNCD_RETRY_BASE", "0.01")
    return seed(tmp_path / "demo")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.ics"))}


def once(config: Path) -> int:
    return main(["--config", str(config), "once"])


def test_one_folder_configured_as_two_accounts_does_not_flap(demo):
    calendars = demo.parent / "calendars"
    append_account(demo, name="mirror", type="local", path=str(calendars))
    assert once(demo) == 0
    first = snapshot(calendars)
    for _ in range(3):
        assert once(demo) == 0
        assert snapshot(calendars) == first  # nothing created, changed or deleted again


def test_an_artifact_copied_into_another_calendar_is_left_alone(demo):
    calendars = demo.parent / "calendars"
    assert once(demo) == 0
    original = next((calendars / "personal").glob("syncd-*.ics"))
    (calendars / "archive").mkdir()
    copy = calendars / "archive" / original.name
    shutil.copy(original, copy)
    before = snapshot(calendars)
    for _ in range(2):
        assert once(demo) == 0
        assert snapshot(calendars) == before
    assert copy.read_bytes() == original.read_bytes()


def test_the_provider_refuses_to_delete_a_copy_made_for_another_calendar(demo):
    assert once(demo) == 0
    config = load(demo)
    state = State.open(config.daemon["state_dir"])
    try:
        [(account, calendar, item)] = [(a, c, i) for a, c, i in state.items() if i.owned][:1]
    finally:
        state.close()
    provider = LocalProvider(config.accounts[0], config.tz)
    elsewhere = Calendar(account=account, id="archive", name="archive", url="")
    with pytest.raises(NotOwned):
        provider.delete(elsewhere, item)
    with pytest.raises(NotOwned):
        provider.delete(Calendar(account="mirror", id=calendar, name=calendar, url=""), item)
    provider.delete(Calendar(account=account, id=calendar, name=calendar, url=""), item)  # its own


def test_every_key_says_which_calendar_it_was_made_for():
    now = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    source = f"uid-1;RECURRENCE-ID={now:%Y%m%dT%H%M%SZ}"
    from syncd.model import Marker

    for detail in ("", f"other;{now + timedelta(hours=1):%H}"):
        key = artifact_key("conflict", source, "home", "personal", detail=detail)
        marker = Marker(kind="conflict", source=source, key=key)
        assert made_for(marker, "home", "personal")
        assert not made_for(marker, "home", "archive")
        assert not made_for(marker, "mirror", "personal")
