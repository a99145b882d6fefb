"""The fast reader of plain events gives exactly what the full parser gives, or steps aside.

Every resource is parsed twice, once as the adapters do (fast path first) and once with the
fast path switched off; the results must be equal, down to each time's zone, and a resource
one path refuses the other refuses too. The inputs: every real-world file shipped with the
installed icalendar and recurring-ical-events (and the hostile corpus, where present), and
random events built from the properties syncd reads, with the escapes, parameters, zones,
folds and line ends that real calendars use.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import providers.ical as ical
from providers import recurrence
from providers.ical import MalformedCalendarData, parse_item
from providers.ical_fast import glance, read_plain
from syncd.model import Window

TZ = ZoneInfo("Europe/Berlin")
WINDOW = Window(datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2040, 1, 1, tzinfo=timezone.utc))
ROOT = Path(__file__).resolve().parents[2]


def shipped_files() -> list[Path]:
    """Every .ics shipped by the installed libraries (all subfolders) and our hostile corpus."""
    found = []
    for package in ("icalendar", "recurring_ical_events"):
        spec = importlib.util.find_spec(package)
        if spec and spec.origin:
            found += sorted(Path(spec.origin).parent.rglob("*.ics"))
    found += sorted((ROOT / "tests").rglob("*.ics"))
    return found


def parsed(text: str | bytes, fast: bool, monkeypatch: pytest.MonkeyPatch,
           window: Window = WINDOW) -> object:
    """The item's events with their zones spelled out, or the refusal, on one path."""
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(ical, "read_plain", lambda text: None)
        try:
            item = parse_item("/cal/x.ics", '"1"', text, TZ, window)
        except MalformedCalendarData:
            return "malformed"
        except Exception as exc:  # a parser bug must show on both paths alike
            return f"error: {type(exc).__name__}"
    # recurring-ical-events yields occurrences in no fixed order: compare them sorted
    return sorted(repr((e, _zone(e.start), _zone(e.end))) for e in item.events), item.recurring


def _zone(value: datetime) -> tuple[str, timedelta | None]:
    return (getattr(value.tzinfo, "key", repr(value.tzinfo)), value.utcoffset())


def test_the_shipped_files_are_many() -> None:
    assert len(shipped_files()) > 100, "the installed libraries ship their test calendars"


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_paths_agree_on_real_world_files(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    assert parsed(data, True, monkeypatch) == parsed(data, False, monkeypatch)


def test_the_common_event_takes_the_fast_path() -> None:
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
            "UID:a@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261203T100000Z\r\n"
            "DTEND:20261203T110000Z\r\nSUMMARY:Interview\\, round 2\r\n"
            "ORGANIZER;CN=\"Doe, Jane\":mailto:Jane@Example.com\r\n"
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alex@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    maps = read_plain(text)
    assert maps is not None and maps[0]["SUMMARY"] == "Interview, round 2"
    event = parse_item("/c/a.ics", "e", text, TZ, WINDOW).events[0]
    assert (event.organizer, event.attendees[0].partstat) == ("jane@example.com", "ACCEPTED")


@pytest.mark.parametrize("line", ["RDATE:20261204T090000Z", "RECURRENCE-ID:20261203T100000Z",
                                  "EXDATE:20261210T090000Z",
                                  "CATEGORIES:Interview", "DTSTART;TZID=W. Europe Standard Time:20261203T100000",
                                  "SUMMARY;X-ODD=1:x", "SUMMARY:a\\tb"])
def test_what_it_does_not_know_goes_to_the_full_parser(line: str) -> None:
    text = ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261203T090000Z\r\n"
            f"{line}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert read_plain(text) is None


# -- random plain events ---------------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"] * 3 + [
    "W. Europe Standard Time", "Customized Time Zone", "/Europe/Paris", "Not/AZone"]
PIECES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\\"),
            max_size=6),
    st.sampled_from(["\\,", "\\;", "\\n", "\\N", "\\\\", "\\:", ",", ";", ":", '"', "^"]))
ODD_TEXT = st.sampled_from(["a\\tb", "ends\\", "\\x", "v\x0bt", "f\x1cs", "n\x85l", "l\u2028s",
                            "c\rr", "z\x00z", "\x1b[31mred"])
TEXT = st.lists(PIECES, max_size=8).map("".join) | st.text(min_size=3000, max_size=5000,
                                                            alphabet="ab ")
PARAM = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"'),
                max_size=12)


@st.composite
def stamp(draw: st.DrawFn, name: str) -> str:
    """A DTSTART or DTEND line in one of the forms calendars write."""
    when = draw(st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)))
    form = draw(st.sampled_from(["utc"] * 4 + ["floating", "zoned", "zoned", "quoted", "date",
                                               "bare-date", "bad"]))
    zone = draw(st.sampled_from(ZONES))
    return {
        "utc": f"{name}:{when:%Y%m%dT%H%M%S}Z",
        "floating": f"{name}:{when:%Y%m%dT%H%M%S}",
        "zoned": f"{name};TZID={zone}:{when:%Y%m%dT%H%M%S}",
        "quoted": f'{name};TZID="{zone}":{when:%Y%m%dT%H%M%S}',
        "date": f"{name};VALUE=DATE:{when:%Y%m%d}",
        "bare-date": f"{name}:{when:%Y%m%d}",
        "bad": f"{name}:{when:%Y%m%d}T99",
    }[form]


@st.composite
def plain_event(draw: st.DrawFn) -> list[str]:
    """One VEVENT's lines, mostly of what the fast reader handles, sometimes not."""
    lines = ["BEGIN:VEVENT"]
    lines.append(f"UID:{draw(st.sampled_from(['a@x', 'syncd-abc', ' b ', '', 'c@y', 'd']))}")
    lines.append(draw(stamp("DTSTART")))
    ending = draw(st.sampled_from(["dtend", "duration", "none"]))
    if ending == "dtend":
        lines.append(draw(stamp("DTEND")))
    elif ending == "duration":
        lines.append("DURATION:" + draw(st.sampled_from(["PT1H", "PT90M", "P1D", "P1W", "-PT1H",
                                                         "PT1H30M15S", "P", "PT", "+PT5M"])))
    for name in draw(st.lists(st.sampled_from(["SUMMARY", "DESCRIPTION", "LOCATION", "STATUS",
                                               "TRANSP", "X-SYNCD-KIND", "X-SYNCD-KEY",
                                               "X-SYNCD-SOURCE", "X-OTHER", "dtstamp",
                                               "summary"]), max_size=6)):
        extra = draw(st.sampled_from(["", "", "", "", ";LANGUAGE=de", ";X-ODD=1"]))
        text = draw(ODD_TEXT) if draw(st.integers(0, 19)) == 0 else draw(TEXT)
        lines.append(f"{name}{extra}:{text}")
    for _ in range(draw(st.integers(0, 3))):
        cn = draw(st.sampled_from(["", f';CN="{draw(PARAM)}"', ";CN=Jo Doe"]))
        ps = draw(st.sampled_from(["", ";PARTSTAT=accepted", ";PARTSTAT=DECLINED"]))
        lines.append(f"ATTENDEE{cn}{ps}:{draw(st.sampled_from(['mailto:A@B.c', 'MAILTO:x@y', 'bad', 'mailto:z@q']))}")
    if draw(st.booleans()):
        lines.append(f"ORGANIZER;CN={draw(st.sampled_from(['Rita', 'A^nB', 'x']))}:mailto:r@co.example")
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.sampled_from(["RRULE:FREQ=WEEKLY;COUNT=3", "CATEGORIES:Interview",
                                           "EXDATE:20250101T000000Z"])))
    if draw(st.booleans()):
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M", "END:VALARM"]
    return lines + ["END:VEVENT"]


def fold(line: str, width: int) -> str:
    """RFC 5545 folding at ``width`` characters."""
    parts = [line[i:i + width] for i in range(0, len(line), width)] or [""]
    return "\r\n ".join(parts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(plain_event(), min_size=1, max_size=3), width=st.integers(8, 200),
       newline=st.sampled_from(["\r\n", "\n"]))
def test_both_paths_agree_on_random_events(events: list[list[str]], width: int, newline: str) -> None:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    text = newline.join(fold(line, width).replace("\r\n", newline) for line in lines) + newline
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert parsed(text, True, monkeypatch) == parsed(text, False, monkeypatch)


@pytest.mark.parametrize("odd", ["\x0b", "\x1c", "\x85", "\u2028", "\r", "\x00", "\x1b[31m", "\\t",
                                 "\\", "\ufeff"])
def test_both_paths_agree_on_odd_characters(odd: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261203T090000Z\r\n"
            f"SUMMARY:x{odd}y\r\nLOCATION:{odd}\r\nATTENDEE;CN=\"a{odd}b\":mailto:c@d\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert parsed(text, True, monkeypatch) == parsed(text, False, monkeypatch)


# -- random series -----------------------------------------------------------------------------

UTC = timezone.utc
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rule(draw: st.DrawFn, start: datetime) -> str:
    """An RRULE value: mostly what the series reader expands, sometimes what it leaves alone."""
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'HOURLY']))}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 4))}")
    ending = draw(st.sampled_from(["count", "until", "until", "none", "both", "date-until"]))
    until = start + timedelta(days=draw(st.integers(-3, 200)), hours=draw(st.integers(-2, 2)))
    if ending in ("count", "both"):
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    if ending in ("until", "both"):
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%S}Z")
    if ending == "date-until":
        parts.append(f"UNTIL={until:%Y%m%d}")
    if draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    odd = draw(st.sampled_from(["", "", "", "", "", "BYMONTH=3", "BYDAY=1MO", "WKST=SU", "byday=MO"]))
    if odd:
        parts.append(odd)
    order = draw(st.permutations(parts))
    return ";".join(order)


@st.composite
def series(draw: st.DrawFn) -> tuple[str, Window]:
    """One VCALENDAR holding a series, and a window near it (at times exactly on an occurrence)."""
    start = draw(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31))).replace(microsecond=0)
    form = draw(st.sampled_from(["utc"] * 4 + ["zoned"] * 4 + ["date", "floating"]))
    zone = draw(st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]))
    dtstart = {"utc": f"DTSTART:{start:%Y%m%dT%H%M%S}Z", "zoned": f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
               "date": f"DTSTART;VALUE=DATE:{start:%Y%m%d}", "floating": f"DTSTART:{start:%Y%m%dT%H%M%S}"}[form]
    minutes = draw(st.sampled_from([0, 30, 60, 90, 24 * 60, 3 * 24 * 60, -30]))
    ending = draw(st.sampled_from(["dtend", "dtend", "duration", "none"]))
    lines = ["BEGIN:VEVENT", "UID:series@example.com", "DTSTAMP:20260101T000000Z", dtstart]
    if ending == "dtend" and form == "zoned" and draw(st.booleans()):
        lines.append(f"DTEND;TZID={zone}:{start + timedelta(minutes=minutes):%Y%m%dT%H%M%S}")
    elif ending == "dtend":
        lines.append(f"DTEND:{start + timedelta(minutes=minutes):%Y%m%dT%H%M%S}Z")
    elif ending == "duration":
        lines.append(f"DURATION:PT{abs(minutes)}M")
    lines += [f"RRULE:{draw(rule(start))}", "SUMMARY:Weekly sync", "LOCATION:Room 1",
              "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alex@example.com"]
    extra = draw(st.sampled_from(["", "", "", "", f"EXDATE:{start + timedelta(days=7):%Y%m%dT%H%M%S}Z",
                                  "RRULE:FREQ=DAILY;COUNT=2", "CATEGORIES:Team"]))
    if extra:
        lines.append(extra)
    lines.append("END:VEVENT")
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *lines,
                         "END:VCALENDAR"]) + "\r\n"
    aligned = start.replace(tzinfo=UTC) + timedelta(days=7 * draw(st.integers(-2, 30)))
    lo = aligned if draw(st.booleans()) else aligned + timedelta(minutes=draw(st.integers(-90, 90)))
    hi = lo + draw(st.sampled_from([timedelta(0), timedelta(minutes=30), timedelta(days=1),
                                    timedelta(days=7), timedelta(days=100), timedelta(days=400)]))
    return text, Window(lo, hi)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=series())
def test_both_paths_agree_on_random_series(case: tuple[str, Window]) -> None:
    text, window = case
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert parsed(text, True, monkeypatch, window) == parsed(text, False, monkeypatch, window)


def test_a_weekly_series_in_utc_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the full expansion was used")
    text = ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w@x\r\nDTSTART:20260302T090000Z\r\n"
            "DTEND:20260302T093000Z\r\nRRULE:FREQ=WEEKLY;COUNT=20\r\nSUMMARY:Weekly\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")
    window = Window(datetime(2026, 3, 9, 9, 15, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    monkeypatch.setattr(recurrence, "expand", refuse)
    item = parse_item("/c/w.ics", "e", text, TZ, window)
    assert item.recurring and item.raw == text
    assert [e.recurrence_id for e in item.events] == [
        "20260309T090000Z", "20260316T090000Z", "20260323T090000Z", "20260330T090000Z"]


def test_a_series_beside_another_event_is_left_to_the_full_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a@x\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART:20260101T000000Z\r\nDURATION:PT1H\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert parsed(text, True, monkeypatch) == parsed(text, False, monkeypatch)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
@pytest.mark.parametrize("start,end", [("DTSTART:20260101T000000", "DTEND:20260101T000000Z"),
                                       ("DTSTART;TZID=Europe/Berlin:20260203T000000",
                                        "DTEND:20260203T000000Z")])
def test_a_floating_or_two_zone_series_is_left_to_the_full_expansion(zone: str, start: str, end: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:f@x\r\n" f"{start}\r\n{end}\r\n"
            "RRULE:FREQ=DAILY;UNTIL=20260401T000000Z\r\nSUMMARY:Daily\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    window = Window(datetime(2026, 3, 31, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    fast = parse_item("/c/f.ics", "e", text, ZoneInfo(zone), window)
    monkeypatch.setattr(ical, "read_plain", lambda text: None)
    assert fast == parse_item("/c/f.ics", "e", text, ZoneInfo(zone), window)


def glanced_and_parsed(text: str | bytes) -> tuple[object, object] | None:
    """(what glance says, the summary and location the full parse gives) for a resource of
    one VEVENT and no other titled component; None for any other resource."""
    data = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    upper = data.upper()
    if upper.count("BEGIN:VEVENT") != 1 or any(f"BEGIN:{c}" in upper for c in ("VTODO", "VJOURNAL", "VALARM")):
        return None
    said = glance(data)
    if said is None:
        return None
    try:
        item = parse_item("/cal/x.ics", '"1"', data, TZ, WINDOW)
    except Exception:
        return None
    return said, {(e.summary, e.location) for e in item.events} or {said}


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_glance_reads_the_title_and_place_the_parser_reads(path: Path) -> None:
    found = glanced_and_parsed(path.read_bytes())
    if found is not None:
        said, parsed_pairs = found
        assert parsed_pairs == {said}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=plain_event(), width=st.integers(8, 200), newline=st.sampled_from(["\r\n", "\n"]))
def test_a_glance_reads_random_events_as_the_parser_does(event: list[str], width: int,
                                                          newline: str) -> None:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *event, "END:VCALENDAR"]
    text = newline.join(fold(line, width).replace("\r\n", newline) for line in lines) + newline
    found = glanced_and_parsed(text)
    if found is not None:
        said, parsed_pairs = found
        assert parsed_pairs == {said}


def test_a_glance_steps_aside_where_it_could_be_wrong() -> None:
    assert glance("BEGIN:VEVENT\r\nSUMMARY:a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:b\r\n") is None
    assert glance("SUMMARY:bad \\q escape\r\n") is None
    assert glance("DESCRIPTION:no title\r\n") == ("", "")
    assert glance('SUMMARY;ALTREP="http://x.example/a:b":Panel\r\n interview\r\n') == (
        "Panelinterview", "")
