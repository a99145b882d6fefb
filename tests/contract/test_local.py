"""The shared provider suite on a local calendar folder (vdir)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from providers.local import LocalProvider
from tests.contract.suite import ProviderContract


def user_ics(uid: str, summary: str, start: datetime, end: datetime, rrule: str | None = None) -> str:
    """A user's event as another client would write it."""
    fmt = "%Y%m%dT%H%M%SZ"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//khal//EN", "BEGIN:VEVENT", f"UID:{uid}",
             f"DTSTAMP:{start.astimezone(timezone.utc).strftime(fmt)}",
             f"DTSTART:{start.astimezone(timezone.utc).strftime(fmt)}",
             f"DTEND:{end.astimezone(timezone.utc).strftime(fmt)}", f"SUMMARY:{summary}"]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


class LocalEnv:
    def __init__(self, root: Path):
        self.folder = root / "work"
        self.folder.mkdir(parents=True)
        self.provider = LocalProvider({"name": "home", "type": "local", "path": str(root)},
                                      ZoneInfo("Europe/Berlin"))
        self.calendar = self.provider.calendars()[0]

    def _path(self, uid: str) -> Path:
        return self.folder / f"{uid}.ics"

    def add_user_event(self, uid, summary, start, end, rrule=None):
        self._path(uid).write_text(user_ics(uid, summary, start, end, rrule))

    def edit_user_event(self, uid, summary):
        path = self._path(uid)
        text = path.read_text()
        old = next(line for line in text.splitlines() if line.startswith("SUMMARY:"))
        path.write_text(text.replace(old, f"SUMMARY:{summary}"))
        st = path.stat()  # make sure the edit is visible even on coarse-mtime filesystems
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))

    def remove_user_event(self, uid):
        self._path(uid).unlink()

    def fingerprint(self, uid):
        return self._path(uid).read_bytes()


class TestLocal(ProviderContract):
    @pytest.fixture
    def env(self, tmp_path):
        return LocalEnv(tmp_path / "calendars")


def test_malformed_file_is_skipped_with_a_warning(tmp_path, caplog):
    env = LocalEnv(tmp_path)
    (env.folder / "broken.ics").write_text("BEGIN:VCALENDAR\nthis is not ical\n")
    env.add_user_event("ok", "Fine", datetime(2026, 12, 1, 9, tzinfo=timezone.utc),
                       datetime(2026, 12, 1, 10, tzinfo=timezone.utc))
    from tests.contract.suite import WINDOW
    changes = env.provider.changes(env.calendar, None, {}, WINDOW)
    events = [e for i in changes.upserts for e in i.events]
    assert [e.uid for e in events] == ["ok"]
    assert "broken.ics" in caplog.text


def test_displayname_file_names_the_calendar(tmp_path):
    env = LocalEnv(tmp_path)
    (env.folder / "displayname").write_text("Work stuff\n")
    assert env.provider.calendars()[0].name == "Work stuff"
