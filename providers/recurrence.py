"""Bounded expansion of recurring series: at most ``MAX_OCCURRENCES`` per series in the window.

``recurring-ical-events`` expands a series by listing every occurrence between two times,
and ``dateutil`` (under it) counts them from DTSTART. A stranger's ``RRULE:FREQ=SECONDLY``
has millions in a month, and ``FREQ=MINUTELY`` from 1970 tens of millions before the window
even starts. So before the library sees a series, each rule is walked lazily here, within a
budget of steps:

- a rule that repeats by a fixed step (no COUNT, no month or year-day parts) starts afresh
  just before the window: DTSTART moves forward by whole multiples of a span that keeps
  every part of it (the step, and the day or the week its BY parts refer to), which leaves
  the occurrences in the window exactly as they were;
- the walk finds where the ``MAX_OCCURRENCES``-th occurrence in the window falls, and the
  library is asked for occurrences up to there only;
- a rule whose walk runs out of budget before reaching the window is dropped (its RDATEs
  and moved occurrences stay), with a warning.

Every series is then expanded on its own, so one cannot starve another. Warnings are said
once per series and version, not every cycle.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

from syncd.bounds import MAX_OCCURRENCES
from syncd.model import Window

log = logging.getLogger(__name__)

WALK_BUDGET = 50_000  # rule steps walked per series and cycle (about 0.4 s at worst)
_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400}
_CALENDAR_PARTS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "BYEASTER")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_WARNED_MAX = 10_000
_warned: set[tuple[str, str]] = set()


class SeriesError(ValueError):
    """A series that cannot be expanded at all; the message says why."""


@dataclass
class _Walk:
    """What walking one series' rules found, in the series' own wall-clock time."""

    starts: list[datetime]  # occurrence starts that meet the window, at most MAX_OCCURRENCES + 1
    dropped: list[str]  # rules given up on (their text)


def expand(cal: icalendar.Calendar, window: Window, href: str) -> list[icalendar.Event]:
    """The occurrences of every series in ``cal`` that meet ``window``, at most
    ``MAX_OCCURRENCES`` per series, each series costing a bounded number of steps.

    A series the library cannot expand is skipped with a warning naming ``href`` and its UID;
    raises :class:`SeriesError` only when every series fails.
    """
    zones = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
    out: list[icalendar.Event] = []
    failures = []
    groups = _by_uid(cal)
    for uid, components in groups.items():
        try:
            out.extend(_expand_series(uid, components, zones, window, href))
        except Exception as exc:  # the library raises many types on broken series
            failures.append(exc)
            warn_once(href, uid, "broken", "%s: skipping broken recurring series %s: %s",
                       href, uid, exc)
    if failures and len(failures) == len(groups):
        raise SeriesError(f"recurring series cannot be expanded ({failures[0]})")
    return out


def _by_uid(cal: icalendar.Calendar) -> dict[str, list[icalendar.Event]]:
    groups: dict[str, list[icalendar.Event]] = defaultdict(list)
    for component in cal.walk("VEVENT"):
        groups[str(component.get("UID", ""))].append(component)
    return groups


def _expand_series(uid: str, components: list[icalendar.Event], zones: list, window: Window,
                   href: str) -> list[icalendar.Event]:
    master = next((c for c in components if "RECURRENCE-ID" not in c
                   and ("RRULE" in c or "RDATE" in c)), None)
    end = window.end
    if master is not None:
        end = _bound_master(master, uid, window, href)
    sub = icalendar.Calendar()
    for component in (*zones, *components):
        sub.add_component(component)
    occurrences = recurring_ical_events.of(sub).between(window.start, end)
    if len(occurrences) > MAX_OCCURRENCES:  # moved occurrences come on top of the rule's
        occurrences.sort(key=_start_key)
        occurrences = occurrences[:MAX_OCCURRENCES]
    return occurrences


def _bound_master(master: icalendar.Event, uid: str, window: Window, href: str) -> datetime:
    """Rewrite ``master`` so that expanding it is cheap; returns where expansion should stop."""
    start = master["DTSTART"].dt
    zone = start.tzinfo if isinstance(start, datetime) else None
    lo, hi = _wall(window.start, zone), _wall(window.end, zone)
    length = _length(master, start)
    rules = master.get("RRULE", [])
    rules = rules if isinstance(rules, list) else [rules]
    texts = [r.to_ical().decode() for r in rules]
    first = _naive(start)
    # One span cannot keep two rules' steps at once: a second RRULE (rare) walks from DTSTART.
    shift = _shift(texts[0], start, first, lo - length) if len(texts) == 1 else timedelta(0)
    if shift:
        _move(master, start, shift)
        first += shift
    walk = _walk(texts, first, lo, hi, length)
    walk.starts = sorted([*walk.starts, *_rdates(master, zone, lo, hi, length)])[:MAX_OCCURRENCES + 1]
    if walk.dropped:
        warn_once(href, uid, "dense", "%s: recurring series %s repeats too densely to expand "
                   "(%s); only its single dates are planned", href, uid, "; ".join(walk.dropped))
        kept = [r for r, t in zip(rules, texts) if t not in walk.dropped]
        master.pop("RRULE", None)
        for rule in kept:
            master.add("RRULE", rule)
    if len(walk.starts) <= MAX_OCCURRENCES:
        return window.end
    warn_once(href, uid, "capped", "%s: recurring series %s has more than %d occurrences in "
               "the planning window; planning the first %d", href, uid, MAX_OCCURRENCES,
               MAX_OCCURRENCES)
    cut = walk.starts[MAX_OCCURRENCES - 1] + timedelta(seconds=1)
    return min(window.end, cut.replace(tzinfo=zone) if zone else cut.replace(tzinfo=window.end.tzinfo))


def _meets(moment: datetime, lo: datetime, length: timedelta) -> bool:
    """True when an occurrence starting at ``moment`` is still on at ``lo`` (or starts there)."""
    return moment >= lo or moment + length > lo


def _walk(texts: list[str], first: datetime, lo: datetime, hi: datetime, length: timedelta) -> _Walk:
    """Walk each rule lazily from ``first``; keep starts meeting [lo, hi), up to the cap."""
    starts: list[datetime] = []
    dropped = []
    for text in texts:
        found = _walk_rule(text, first, lo, hi, length)
        if found is None:
            dropped.append(text)
        else:
            starts.extend(found)
    starts.sort()
    return _Walk(starts[:MAX_OCCURRENCES + 1], dropped)


def _walk_rule(text: str, first: datetime, lo: datetime, hi: datetime,
               length: timedelta) -> list[datetime] | None:
    """Starts of one rule meeting [lo, hi), at most the cap + 1; None when over the step budget."""
    parts = _parts(text)
    if not parts:
        return []  # an empty RRULE (as some exporters write) repeats nothing, for the library too
    until = _until(parts.pop("UNTIL", None))
    if parts.get("COUNT", "").startswith("-"):
        parts.pop("COUNT")  # as the library reads it: no count at all
    try:
        rule = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=first, cache=False)
    except (ValueError, TypeError, OverflowError) as exc:
        raise SeriesError(f"its rule {text!r} cannot be read ({exc})") from exc
    found: list[datetime] = []
    for steps, moment in enumerate(_bounded(iter(rule))):
        if moment >= hi or (until is not None and moment > until) or len(found) > MAX_OCCURRENCES:
            return found
        if steps >= WALK_BUDGET:
            return None
        if _meets(moment, lo, length):
            found.append(moment)
    return found


def _bounded(steps: Iterator[datetime]) -> Iterator[datetime]:
    """``steps`` until dateutil runs past year 9999 (it raises instead of stopping)."""
    try:
        yield from steps
    except (ValueError, OverflowError):
        return


def _rdates(master: icalendar.Event, zone: tzinfo | None, lo: datetime, hi: datetime,
            length: timedelta) -> list[datetime]:
    """The RDATE starts of ``master`` meeting [lo, hi), as wall-clock time in ``zone``."""
    found = []
    values = master.get("RDATE", [])
    for prop in values if isinstance(values, list) else [values]:
        for value in getattr(prop, "dts", ()):
            moment = value.dt[0] if isinstance(value.dt, tuple) else value.dt
            if isinstance(moment, datetime) and moment.tzinfo is not None:
                moment = moment.astimezone(zone) if zone else moment
            naive = _naive(moment)
            if naive < hi and _meets(naive, lo, length):
                found.append(naive)
    return found


def _shift(text: str, start: date, first: datetime, lo: datetime) -> timedelta:
    """How far DTSTART may move forward, keeping every occurrence at or after ``lo``."""
    parts = _parts(text)
    step = _SECONDS.get(parts.get("FREQ", ""))
    if step is None or "COUNT" in parts or any(p in parts for p in _CALENDAR_PARTS):
        return timedelta(0)
    try:
        span = step * max(1, int(parts.get("INTERVAL", "1")))
    except ValueError:
        return timedelta(0)
    if step < 86400 and any(p in parts for p in _TIME_PARTS):
        span = math.lcm(span, 86400)  # BYHOUR and friends count from midnight
    if "BYDAY" in parts or "WKST" in parts:
        span = math.lcm(span, 7 * 86400)  # weekdays and week starts count from a week
    if not isinstance(start, datetime) and span % 86400:
        return timedelta(0)  # a date moves by whole days only
    whole = int((lo - first).total_seconds() // span) - 1  # one span short: DTSTART itself stays out
    return timedelta(seconds=span * whole) if whole > 0 else timedelta(0)


def _move(master: icalendar.Event, start: date, shift: timedelta) -> None:
    """Move DTSTART (and DTEND) of ``master`` forward by ``shift``, keeping their parameters."""
    for name in ("DTSTART", "DTEND"):
        if name in master:
            prop = master[name]
            moved = icalendar.vDDDTypes(prop.dt + shift)
            moved.params = prop.params
            master[name] = moved


def _parts(text: str) -> dict[str, str]:
    out = {}
    for piece in text.split(";"):
        key, _, value = piece.partition("=")
        if key:
            out[key.upper()] = value
    return out


def _until(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = icalendar.vDDDTypes.from_ical(value)
    except ValueError:
        return None
    return _naive(parsed)


def _naive(value: date) -> datetime:
    """A date or time as naive wall-clock time (dates at midnight; UTC values stay UTC)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0))
    return value.replace(tzinfo=None)


def _wall(moment: datetime, zone: tzinfo | None) -> datetime:
    """An aware moment as naive wall-clock time in ``zone`` (floating series: as it is)."""
    return moment.astimezone(zone).replace(tzinfo=None) if zone else moment.replace(tzinfo=None)


def _length(master: icalendar.Event, start: date) -> timedelta:
    try:
        if "DTEND" in master:
            return max(timedelta(0), _naive(master["DTEND"].dt) - _naive(start))
        if "DURATION" in master and isinstance(master["DURATION"].dt, timedelta):
            return max(timedelta(0), master["DURATION"].dt)
    except (AttributeError, ValueError, TypeError):
        pass
    return timedelta(days=1) if not isinstance(start, datetime) else timedelta(0)


def _start_key(component: icalendar.Event) -> datetime:
    return _naive(component["DTSTART"].dt)


def warn_once(href: str, uid: str, what: str, message: str, *args: object) -> None:
    """Log a warning about a series once per process, not every cycle."""
    key = (f"{href}\x1f{uid}", what)
    if key in _warned:
        return
    if len(_warned) >= _WARNED_MAX:
        _warned.clear()
    _warned.add(key)
    log.warning(message, *args)
