"""The events a cycle keeps after storing them are exactly what a fresh process reads back.

The state stores times as ISO text with a fixed offset; a ``ZoneInfo`` time comes back in a
fixed offset, which behaves differently under arithmetic across a daylight-saving change.
So the kept events must be in the read-back form, not the adapter's: these tests compare
them with the JSON round trip value by value, types, zones and ``fold`` included, and then
the plan made from a state that kept them with one made by a process that decoded them.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syncd.state
from providers import ical
from providers.ical import expand_raw, parse_item
from syncd.cycle import snapshot
from syncd.model import Attendee, Changes, Event, Item, Marker, Window
from syncd.plan import Memo, make_plan
from syncd.state import State
from syncd.stored import dump_events, load_events, store_form
from syncd.window import snapshot_window
from tests.unit.test_plan import make_config

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [timezone.utc, ZoneInfo("UTC"), BERLIN, ZoneInfo("America/New_York"),
         ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Africa/Monrovia"),  # half-hour DST; 1972's -0:44:30
         timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-3), "BRT"),
         timezone(timedelta(seconds=3661, microseconds=5))]


class Text(str):
    """A ``str`` subclass, as some parsers hand out (icalendar's vText is one)."""


class Moment(datetime):
    """A ``datetime`` subclass."""


def signature(value: Any) -> Any:
    """Everything observable about a value: types, zones and ``fold`` of every part."""
    if isinstance(value, datetime):
        return (type(value), repr(value), repr(value.tzinfo), value.fold, value.utcoffset(),
                value.tzname(), value.isoformat())
    if dataclasses.is_dataclass(value):
        return (type(value), tuple((f.name, signature(getattr(value, f.name)))
                                   for f in dataclasses.fields(value) if f.compare))
    if isinstance(value, (tuple, list)):
        return (type(value), tuple(signature(v) for v in value))
    return (type(value), repr(value))


texts = st.one_of(st.text(max_size=12), st.text(max_size=6).map(Text))
moments = st.builds(
    lambda d, zone, fold, sub: (Moment if sub else datetime)(
        d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, zone, fold=fold),
    st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(ZONES), st.integers(0, 1), st.booleans())
attendees = st.lists(st.builds(Attendee, texts, texts, texts), max_size=3)
events = st.builds(
    Event, uid=texts, start=moments, end=moments, summary=texts, description=texts,
    attendees=st.one_of(attendees.map(tuple), attendees), all_day=st.one_of(st.booleans(), st.integers(0, 1)),
    recurrence_id=st.none() | texts, marker=st.none() | st.builds(Marker, texts, texts, texts),
    categories=st.one_of(st.lists(texts, max_size=3).map(tuple), st.lists(texts, max_size=2)),
    organizer_name=texts, tzid=texts, href=texts, etag=texts)


@settings(max_examples=400, deadline=None)
@given(events)
def test_a_kept_event_is_what_reading_it_back_gives(event: Event) -> None:
    text, item = store_form(Item("h", '"1"', (event,)))
    assert text == dump_events((event,))
    stored, kept = load_events(text)[0], item.events[0]
    assert signature(kept) == signature(stored)
    assert repr(kept) == repr(stored) and kept == stored and hash(kept) == hash(stored)


@settings(max_examples=100, deadline=None)
@given(st.lists(events, max_size=3), st.booleans())
def test_a_kept_item_holds_its_events_read_back_and_its_expansion(found: list[Event],
                                                                   recurring: bool) -> None:
    window = Window(datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2027, 1, 1, tzinfo=timezone.utc))
    expanded = (window, BERLIN, tuple(found)) if recurring else None
    item = Item("h", '"1"', tuple(found), "raw" if recurring else "", recurring, expanded)
    text, kept = store_form(item)
    assert signature(kept.events) == signature(load_events(text))
    assert kept.expanded is expanded
    assert kept == Item(item.href, item.etag, load_events(dump_events(item.events)), item.raw,
                        recurring)


def ics(*events: str) -> str:
    """A VCALENDAR with the given VEVENT bodies (Berlin times around the 2026 spring change)."""
    body = "".join(f"BEGIN:VEVENT\r\n{e}\r\nEND:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n"


def calendar(window: Window) -> list[Item]:
    """Zoned events where a fixed offset and the zone disagree after arithmetic: an interview
    just after the clocks go forward, a series across the change, an all-day event."""
    texts = {
        "iv.ics": ics("UID:iv@x\r\nDTSTART;TZID=Europe/Berlin:20260329T031000\r\n"
                      "DTEND;TZID=Europe/Berlin:20260329T041000\r\nSUMMARY:IV: Analyst\r\n"
                      "LOCATION:1 Market St\\, San Francisco"),
        "busy.ics": ics("UID:busy@x\r\nDTSTART;TZID=Europe/Berlin:20260328T231500\r\n"
                        "DURATION:PT5H\r\nSUMMARY:Busy night"),
        "day.ics": ics("UID:day@x\r\nDTSTART;VALUE=DATE:20260329\r\nSUMMARY:Busy day"),
        "series.ics": ics("UID:series@x\r\nDTSTART;TZID=Europe/Berlin:20260327T020000\r\n"
                          "DTEND;TZID=Europe/Berlin:20260327T030000\r\nRRULE:FREQ=DAILY;COUNT=5\r\n"
                          "SUMMARY:IV: Daily stand-up with Globex"),
    }
    return [parse_item(href, '"1"', text, BERLIN, window) for href, text in texts.items()]


def plan_of(state: State, config: Any, now: datetime) -> str:
    events = snapshot(state, config, snapshot_window(config, now))
    plan = make_plan(events, config, now, {}, {("home", "c"): "c"}, None, {}, Memo())
    return repr((sorted(plan.artifacts, key=repr), plan.interviews, plan.followups))


def test_a_first_sync_plans_from_kept_events_what_a_fresh_process_plans(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config()
    now = datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN)
    window = snapshot_window(config, now)
    state = State.open(tmp_path)
    state.save_calendars("home", [])
    state.apply_changes("home", "c", Changes(upserts=calendar(window), token="t", full=True))
    with monkeypatch.context() as patch:  # kept, not decoded; expanded once, by the sync
        patch.setattr(syncd.state, "load_events", None)
        patch.setattr(ical, "parse_item", None)
        kept, planned = list(state.items()), plan_of(state, config, now)
    fresh = State.open(tmp_path)
    assert signature([i for _, _, i in kept]) == signature([i for _, _, i in fresh.items()])
    assert planned == plan_of(fresh, config, now)
    assert "IV: Analyst" in planned and "buffer-before" in planned
    state.close()
    fresh.close()


UTC_SERIES = ics("UID:weekly@x\r\nDTSTART:20260323T090000Z\r\nDTEND:20260323T093000Z\r\n"
                 "RRULE:FREQ=WEEKLY;COUNT=9\r\nSUMMARY:Weekly")


@pytest.mark.parametrize("zoned", [True, False], ids=["full parser", "content lines"])
def test_an_expansion_is_used_only_for_its_own_window_and_zone(zoned: bool) -> None:
    window = Window(datetime(2026, 3, 20, tzinfo=timezone.utc), datetime(2026, 4, 20, tzinfo=timezone.utc))
    item = calendar(window)[-1] if zoned else parse_item("w.ics", '"1"', UTC_SERIES, BERLIN, window)
    assert item.recurring and item.expanded is not None
    raw = Item(item.href, item.etag, (), item.raw, True)
    for other in (window, Window(window.start, window.end + timedelta(hours=1))):
        for zone in (BERLIN, ZoneInfo("UTC")):
            again, fresh = expand_raw(item, zone, other), expand_raw(raw, zone, other)
            assert signature(again.events) == signature(fresh.events)
            assert (again.events is item.events) == (other == window and zone is BERLIN)
