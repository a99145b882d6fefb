"""The hostile-input corpus: invitations and configs written by a stranger, in one place.

Every provider's loop test feeds the whole corpus through a real cycle (a local folder,
CalDAV on Radicale, the Google fake) and checks the same promises: the cycle ends, the
daemon stays up, every other event is planned, user events stay byte-identical, and time,
memory and output stay bounded (README.md, "Invitations written by strangers").

Two kinds of entries:

- **Files** in ``ics/`` (small, hand-written). A token ``@D+N@`` (or ``@D-N@``) stands for
  the date ``now + N days`` as ``YYYYMMDD`` in UTC, so an attack lands inside the planning
  window whatever day the test runs; files without tokens are used as they are.
- **Generated** entries (:data:`GENERATORS`): the big ones (a megabyte organizer, thousands
  of events at one time, a 100,000-value RDATE), built in memory rather than stored.

Hostile configs live in ``configs/`` as TOML text with ``{dir}`` standing for the folder the
test gives the daemon. To add an input: drop a file in ``ics/`` or ``configs/`` (or add a
generator below) with a line saying which promise it attacks (``X-HOSTILE:`` in a VCALENDAR,
a VCALENDAR property every reader ignores; ``#`` in TOML); every loop test picks it up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ICS_DIR = HERE / "ics"
CONFIG_DIR = HERE / "configs"
_DAY = re.compile(r"@D([+-]\d+)@")
STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Hostile:
    """One hostile calendar resource: a file name (``*.ics``) and its iCalendar text."""

    name: str
    text: str

    @property
    def uids(self) -> list[str]:
        """The UIDs the resource declares (for tests that look for its events)."""
        return re.findall(r"^UID:(.*?)\r?$", self.text, re.M)


def resolve_days(text: str, now: datetime) -> str:
    """``text`` with every ``@D+N@`` token replaced by the UTC date ``now + N days``."""
    today = now.astimezone(timezone.utc)
    return _DAY.sub(lambda m: (today + timedelta(days=int(m.group(1)))).strftime("%Y%m%d"), text)


def files(now: datetime) -> list[Hostile]:
    """The hand-written entries of ``ics/``, dated around ``now``, in name order."""
    return [Hostile(p.name, resolve_days(p.read_text(encoding="utf-8"), now))
            for p in sorted(ICS_DIR.glob("*.ics"))]


def cases(now: datetime, small: bool = False) -> list[Hostile]:
    """The whole corpus around ``now``: the files, then the generated entries.

    ``small`` shrinks the generated ones (a tenth of the events, a tenth of the bytes) for
    loops whose server makes each resource slow to store; they stay far beyond any sane size.
    """
    scale = 10 if small else 1
    return files(now) + [make(now, scale) for make in GENERATORS]


def configs(folder: Path) -> dict[str, str]:
    """File name -> TOML text of the hostile configs, with ``{dir}`` set to ``folder``."""
    return {p.name: p.read_text(encoding="utf-8").replace("{dir}", str(folder))
            for p in sorted(CONFIG_DIR.glob("*.toml"))}


# --- generated entries -----------------------------------------------------------------------


def vevent(uid: str, start: datetime, minutes: int = 60, *lines: str) -> list[str]:
    """The lines of one VEVENT (UTC times) with extra property ``lines``."""
    return ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start.astimezone(timezone.utc):{STAMP}}",
            f"DTEND:{(start + timedelta(minutes=minutes)).astimezone(timezone.utc):{STAMP}}",
            *lines, "END:VEVENT"]


def calendar(*events: list[str]) -> str:
    """A VCALENDAR around ``events``, CRLF line ends, lines unfolded (long lines are part of it)."""
    body = [line for event in events for line in event]
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//hostile//EN", *body,
                        "END:VCALENDAR", ""])


def _slot(now: datetime, days: int, hour: int) -> datetime:
    return (now.astimezone(timezone.utc) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0)


def huge_organizer(now: datetime, scale: int = 1) -> Hostile:
    """A megabyte of address-like text as the organizer and attendee (the detector's regexes)."""
    junk = "a" * (1_000_000 // scale)
    return Hostile("huge-organizer.ics", calendar(vevent(
        "hostile-huge-organizer@evil.example", _slot(now, 4, 9), 60,
        "SUMMARY:Interview – Platform Engineer", f"ORGANIZER;CN={junk[:1000]}:mailto:{junk}",
        f"ATTENDEE:mailto:{'a.' * (200_000 // scale)}@", f"LOCATION:{'1 ' * (200_000 // scale)}",
        f"DESCRIPTION:{'interview ' * (100_000 // scale)}")))


def crowd(now: datetime, scale: int = 1) -> Hostile:
    """3,000 events at one time (one file, 0.4 MB), one of them an interview: n² pairs."""
    start = _slot(now, 5, 10)
    events = [vevent(f"hostile-crowd-{i}@evil.example", start, 60, f"SUMMARY:Crowd {i}")
              for i in range(3000 // scale)]
    events.append(vevent("hostile-crowd-interview@evil.example", start, 60,
                         "SUMMARY:Interview with Crowdstrike", "ORGANIZER:mailto:jobs@crowd.example"))
    return Hostile("crowd.ics", calendar(*events))


def rdate_flood(now: datetime, scale: int = 1) -> Hostile:
    """An interview repeated by a 100,000-value RDATE, minutes apart, over the window."""
    start = _slot(now, 1, 8)
    dates = ",".join(f"{start + timedelta(minutes=7 * i):{STAMP}}" for i in range(100_000 // scale))
    return Hostile("rdate-flood.ics", calendar(vevent(
        "hostile-rdate-flood@evil.example", start, 60, "SUMMARY:Interview – RDATE flood",
        "ORGANIZER:mailto:jobs@flood.example", f"RDATE:{dates}")))


def deep_nesting(now: datetime, scale: int = 1) -> Hostile:
    """Components nested 5,000 deep inside a VEVENT (a recursive parser's stack)."""
    depth = 5000 // scale
    event = vevent("hostile-deep@evil.example", _slot(now, 6, 9), 30, "SUMMARY:Deep",
                   *(["BEGIN:X-DEEP"] * depth), *(["END:X-DEEP"] * depth))
    return Hostile("deep-nesting.ics", calendar(event))


def many_attendees(now: datetime, scale: int = 1) -> Hostile:
    """An interview with 20,000 attendees."""
    people = [f"ATTENDEE;CN=Person {i}:mailto:p{i}@many.example" for i in range(20_000 // scale)]
    return Hostile("many-attendees.ics", calendar(vevent(
        "hostile-many-attendees@evil.example", _slot(now, 7, 9), 60,
        "SUMMARY:Interview – panel", "ORGANIZER:mailto:jobs@many.example", *people)))


GENERATORS: tuple[Callable[[datetime, int], Hostile], ...] = (
    huge_organizer, crowd, rdate_flood, deep_nesting, many_attendees)


# --- what every loop test checks ------------------------------------------------------------

# Control characters that must never reach a log or a terminal raw (a line break only ends a line).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
FORGED = re.compile(r"^12:00:0\d ")  # the start of the log lines the corpus tries to forge


def assert_safe_output(text: str, max_lines: int) -> None:
    """``text`` (a log or a command's output) is short, has no raw control character, and no
    line of it is one the corpus forged."""
    lines = text.split("\n")
    assert len(lines) <= max_lines, f"{len(lines)} lines of output"
    for line in lines:
        assert not RAW_CONTROL.search(line), repr(line[:200])
        assert not FORGED.match(line), repr(line[:200])
    assert "Traceback" not in text


def write_folder(folder: Path, now: datetime, small: bool = False) -> None:
    """Drop the whole corpus into a calendar folder (a vdir), byte for byte."""
    for entry in cases(now, small):
        (folder / entry.name).write_text(entry.text, encoding="utf-8", newline="")


# --- the corpus as Google Calendar events -----------------------------------------------------

SUB_DAILY = re.compile(r"FREQ=(SECONDLY|MINUTELY|HOURLY)|BY(HOUR|MINUTE|SECOND)=")


def google_events(now: datetime, small: bool = True) -> list[dict]:
    """The corpus as Calendar v3 event bodies, for a fake that expands series as Google does.

    Every VEVENT that icalendar can read becomes one body with its text, people, times and
    recurrence lines. Sub-daily rules (by FREQ or by BY parts) are left to the iCalendar
    providers: the fake, like the server it imitates, would list their millions of instances.
    """
    import icalendar

    out = []
    for entry in cases(now, small):
        try:
            vevents = icalendar.Calendar.from_ical(entry.text).walk("VEVENT")
        except ValueError:
            continue
        for vevent in vevents:
            body = _google_body(vevent)
            if body is not None and not SUB_DAILY.search(" ".join(body.get("recurrence", []))):
                out.append(body)
    return out


def _google_body(vevent) -> dict | None:
    try:
        start, end = vevent["DTSTART"].dt, vevent.get("DTEND", vevent["DTSTART"]).dt
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            return None
        body = {"iCalUID": str(vevent["UID"]), "summary": str(vevent.get("SUMMARY", "")),
                "description": str(vevent.get("DESCRIPTION", "")),
                "location": str(vevent.get("LOCATION", "")),
                "start": _when(start), "end": _when(max(end, start))}
    except (KeyError, ValueError, TypeError, AttributeError):
        return None  # unreadable for any client: nothing to send
    organizer = str(vevent.get("ORGANIZER", "")).removeprefix("mailto:")
    if organizer:
        body["organizer"] = {"email": organizer}
    people = vevent.get("ATTENDEE", [])
    people = people if isinstance(people, list) else [people]
    body["attendees"] = [{"email": str(p).removeprefix("mailto:"), "responseStatus": "accepted"}
                         for p in people[:2000]]
    lines = [line for line in vevent.to_ical().decode().replace("\r\n ", "").split("\r\n")
             if line.startswith(("RRULE", "RDATE"))]
    if lines:
        body["recurrence"] = lines
    return body


def _when(moment: datetime) -> dict:
    utc = moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return {"dateTime": utc.strftime("%Y-%m-%dT%H:%M:%SZ"), "timeZone": "UTC"}


def two_cycles(config: Any, now: datetime) -> tuple[Any, Any]:
    """The reports of two cycles of one engine on ``config`` at ``now``: what the corpus does
    first, and that nothing is left to do (or to warn about) after it."""
    from syncd.cycle import Engine
    from syncd.state import State

    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        return engine.cycle(now), engine.cycle(now)
    finally:
        engine.close()
        state.close()
