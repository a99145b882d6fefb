"""The hostile corpus itself: every entry is there, dated inside the window, and well named."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.hostile import ICS_DIR, cases, configs, resolve_days

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def test_day_tokens_become_dates_around_now():
    assert resolve_days("DTSTART:@D+1@T090000Z DTEND:@D-2@T1000Z", NOW) == (
        "DTSTART:20261202T090000Z DTEND:20261129T1000Z")


def test_every_entry_is_a_calendar_with_a_unique_name_and_no_token_left():
    entries = cases(NOW, small=True)
    names = [e.name for e in entries]
    assert len(names) == len(set(names)) and all(n.endswith(".ics") for n in names)
    assert len(entries) >= len(list(ICS_DIR.glob("*.ics"))) + 5
    for entry in entries:
        assert entry.text.startswith("BEGIN:VCALENDAR") and "@D" not in entry.text, entry.name
        assert entry.uids, entry.name


def test_every_file_says_what_it_attacks(tmp_path):
    for path in ICS_DIR.glob("*.ics"):
        assert "\nX-HOSTILE:" in path.read_text(), path.name
    for name, text in configs(tmp_path).items():
        assert text.startswith("#") and "{dir}" not in text, name
