"""Recurring series cost bounded time and memory (issue 8, finding 3).

A FREQ=SECONDLY rule with no end once drove a cycle past 7 GB; FREQ=MINUTELY from 1970
never finished. Each series now yields at most MAX_OCCURRENCES occurrences in the window,
the earliest ones, and says so once; ordinary series expand exactly as the library does.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone

import icalendar
import pytest
import recurring_ical_events

from providers import recurrence
from syncd.bounds import MAX_OCCURRENCES
from syncd.model import Window
from tests.hostile import files, rdate_flood

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
WINDOW = Window(NOW - timedelta(days=6), NOW + timedelta(days=31))


def series(rule: str, start: str = "DTSTART;TZID=Europe/Berlin:20150302T090000", extra: str = "",
           end: str = "DTEND;TZID=Europe/Berlin:20150302T100000") -> icalendar.Calendar:
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT",
                        "UID:s@example.com", "DTSTAMP:20150101T000000Z", start, end, f"RRULE:{rule}",
                        "SUMMARY:Series", *([extra] if extra else []), "END:VEVENT", "END:VCALENDAR", ""])
    return icalendar.Calendar.from_ical(text)


def spans(components) -> list[tuple[datetime, datetime]]:
    return sorted((c["DTSTART"].dt, c["DTEND"].dt) for c in components)


@pytest.mark.parametrize("rule", [
    "FREQ=DAILY",  # across the DST change of 2026-10-25 in Berlin: wall-clock 09:00 stays
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
    "FREQ=HOURLY;INTERVAL=5;BYHOUR=9,14,19",
    "FREQ=MINUTELY;INTERVAL=97;BYDAY=TU",
    "FREQ=WEEKLY;WKST=SU;INTERVAL=3;BYDAY=SU,SA",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=DAILY;COUNT=5000",
    "FREQ=DAILY;UNTIL=20261210T000000Z",
])
def test_ordinary_series_expand_exactly_as_the_library_does(rule):
    extra = "EXDATE;TZID=Europe/Berlin:20261202T090000"
    expected = spans(recurring_ical_events.of(series(rule, extra=extra)).between(WINDOW.start, WINDOW.end))
    assert expected, "the rule should meet the window"
    assert spans(recurrence.expand(series(rule, extra=extra), WINDOW, "s.ics")) == expected


def test_moved_start_keeps_a_moved_occurrence_and_its_identity():
    cal = series("FREQ=DAILY")
    override = icalendar.Event.from_ical("\r\n".join([
        "BEGIN:VEVENT", "UID:s@example.com", "DTSTAMP:20150101T000000Z",
        "RECURRENCE-ID;TZID=Europe/Berlin:20261203T090000",
        "DTSTART;TZID=Europe/Berlin:20261203T160000", "DTEND;TZID=Europe/Berlin:20261203T170000",
        "SUMMARY:Moved", "END:VEVENT", ""]))
    cal.add_component(override)
    got = recurrence.expand(cal, WINDOW, "s.ics")
    moved = [c for c in got if str(c.get("SUMMARY")) == "Moved"]
    assert len(moved) == 1 and moved[0]["DTSTART"].dt.hour == 16
    assert len(got) == len(spans(recurring_ical_events.of(cal).between(WINDOW.start, WINDOW.end)))


def hostile(name: str) -> icalendar.Calendar:
    entry = next(e for e in files(NOW) if e.name == name)
    return icalendar.Calendar.from_ical(entry.text)


@pytest.mark.parametrize("name", ["secondly-forever.ics", "minutely-since-1970.ics"])
def test_a_series_without_end_yields_its_first_occurrences_and_says_so_once(name, caplog):
    caplog.set_level(logging.WARNING)
    href = f"{uuid.uuid4().hex}-{name}"  # said once per process: a name no other test used
    first = recurrence.expand(hostile(name), WINDOW, href)
    assert len(first) == MAX_OCCURRENCES
    starts = sorted(c["DTSTART"].dt for c in first)
    assert starts[0] >= WINDOW.start - timedelta(hours=1)  # the earliest ones in the window
    again = recurrence.expand(hostile(name), WINDOW, href)  # the next cycle
    assert spans(again) == spans(first)
    said = [r for r in caplog.records if href in r.getMessage()]
    assert len(said) == 1 and f"planning the first {MAX_OCCURRENCES}" in said[0].getMessage()


def test_a_rule_too_dense_to_walk_is_dropped_with_one_warning(caplog):
    caplog.set_level(logging.WARNING)
    href = f"{uuid.uuid4().hex}-yearly-dense.ics"  # said once per process: a fresh name
    for _ in range(3):
        assert recurrence.expand(hostile("yearly-dense.ics"), WINDOW, href) == []
    said = [r.getMessage() for r in caplog.records if href in r.getMessage()]
    assert len(said) == 1 and "too densely" in said[0]


def test_a_flood_of_rdates_is_capped_too():
    cal = icalendar.Calendar.from_ical(rdate_flood(NOW, scale=10).text)
    got = recurrence.expand(cal, WINDOW, "rdate-flood.ics")
    assert len(got) == MAX_OCCURRENCES


def test_one_broken_series_leaves_the_others(caplog):
    cal = series("FREQ=DAILY")
    broken = series("FREQ=SOMETIMES").walk("VEVENT")[0]
    broken["UID"] = "broken@example.com"
    cal.add_component(broken)
    got = recurrence.expand(cal, WINDOW, "two.ics")
    assert got and {str(c["UID"]) for c in got} == {"s@example.com"}
    assert "broken@example.com" in caplog.text


def test_an_empty_rule_repeats_nothing_and_keeps_the_event():
    cal = series("", start="DTSTART;VALUE=DATE:20261203", end="DTEND;VALUE=DATE:20261204")
    assert [c["DTSTART"].dt.isoformat() for c in recurrence.expand(cal, WINDOW, "h.ics")] == ["2026-12-03"]
