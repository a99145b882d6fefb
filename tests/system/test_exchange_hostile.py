"""The hostile-input corpus (tests/hostile) through an Exchange account on the fake.

Each VEVENT of the corpus becomes a calendar item as another client would store it, with the
same subject, body, location, organizer and attendees (EWS recurrence patterns cannot say
what an RRULE or RDATE flood says, so series are stored as their first instance). One cycle
must then end with the account synced, the interviews among them planned, and every user
item byte-identical.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from syncd.config import validate
from tests.hostile import cases, two_cycles
from tests.system.test_exchange_loop import NOW, ews, google, make_config, owned, user_snapshot  # noqa: F401

_CN = re.compile(r";CN=([^:;]*)")
MAX_ATTENDEES = 2000  # what one invitation can carry into the fake within a test's time


def unfolded(text: str) -> list[str]:
    return re.sub(r"\r?\n[ \t]", "", text).replace("\r\n", "\n").split("\n")


def vevents(text: str) -> list[dict[str, list[str]]]:
    """The properties of each top-level VEVENT, by name (values raw, parameters kept)."""
    out, current, depth = [], None, 0
    for line in unfolded(text):
        if line == "BEGIN:VEVENT" and current is None:
            current, depth = {}, 0
        elif current is not None and line.startswith("BEGIN:"):
            depth += 1
        elif current is not None and line.startswith("END:") and depth:
            depth -= 1
        elif line == "END:VEVENT" and current is not None:
            out.append(current)
            current = None
        elif current is not None and not depth and ":" in line:
            name = re.split(r"[;:]", line, maxsplit=1)[0]
            current.setdefault(name, []).append(line[len(name):])
    return out


def when(values: list[str] | None) -> datetime | None:
    match = re.search(r":(\d{8}T\d{6})Z?$", values[0]) if values else None
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc) if match else None


def text(values: list[str] | None) -> str:
    return values[0].split(":", 1)[1].replace("\\n", "\n").replace("\\,", ",") if values else ""


def party(value: str) -> tuple[str, str]:
    name = _CN.search(value)
    address = value.rsplit("mailto:", 1)[-1] if "mailto:" in value else ""
    return address, (name.group(1) if name else "")


def store(fake, props: dict[str, list[str]]) -> str | None:
    start, end = when(props.get("DTSTART")), when(props.get("DTEND"))
    if start is None or end is None or end < start:
        return None  # no client stores an item without readable times
    organizer = party(props["ORGANIZER"][0]) if "ORGANIZER" in props else None
    attendees = tuple((*party(v), "Unknown") for v in props.get("ATTENDEE", [])[:MAX_ATTENDEES])
    return fake.add_event(text(props.get("SUMMARY")), start, end, body=text(props.get("DESCRIPTION")),
                         location=text(props.get("LOCATION")),
                         organizer=organizer if organizer and organizer[0] else None,
                         attendees=tuple(a for a in attendees if a[0]))


def test_the_hostile_corpus_through_exchange(ews, google, tmp_path):  # noqa: F811
    data = make_config(ews, google, tmp_path)
    # A marker per clash would be 300 items for the crowd alone: the core's business, not this test's.
    config = validate({**data, "conflicts": {"flag_in_calendar": False}}, tmp_path / "config.toml")
    stored = [i for case in cases(NOW, small=True) for props in vevents(case.text)
              for i in [store(ews, props)] if i]
    assert len(stored) > 300
    before = user_snapshot(ews)
    report, again = two_cycles(config, NOW)
    assert "corp" not in report.failed and "corp" not in again.failed
    assert "buffer-before" in owned(ews).values()
    assert user_snapshot(ews) == before
    assert ews.sent == []
