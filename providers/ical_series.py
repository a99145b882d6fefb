"""The occurrences of a simple series, beside the full expansion (:mod:`providers.recurrence`).

A weekly meeting is the most common series a server sends, and expanding one
through icalendar and ``recurring-ical-events`` (a component copied and read back per
occurrence) cost a first sync as much as all its plain events together. :func:`plain_starts`
expands such a series with ``dateutil``'s rule (the one the library uses under it), and only
such a series: one RRULE of FREQ, INTERVAL, COUNT or UNTIL and plain BYDAY weekdays, a start
and end in UTC or a known zone (neither floating nor a date), no occurrence at or across a
change of the clocks, no RDATE, EXDATE or moved occurrence (the content-line reader refuses
those), and a bounded walk. Anything else returns None and takes the full path, so that both give the same
events by construction of this rule; the tests check it on random series.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

from syncd.bounds import MAX_OCCURRENCES
from syncd.model import Window

_DAY = "(?:MO|TU|WE|TH|FR|SA|SU)"
_PART = re.compile(rf"FREQ=(?:DAILY|WEEKLY|MONTHLY|YEARLY)|INTERVAL=[1-9][0-9]{{0,2}}|"
                   rf"COUNT=[1-9][0-9]{{0,3}}|UNTIL=[0-9]{{8}}T[0-9]{{6}}Z|BYDAY={_DAY}(?:,{_DAY})*")
STEPS = 3000  # rule steps walked before the window's end; a longer walk takes the full path


def plain_starts(rule: str, start: datetime, length: timedelta, window: Window) -> list[datetime] | None:
    """The starts of the occurrences of the series ``rule`` from ``start`` (in a known zone), each
    lasting ``length``, that meet ``window`` as ``recurring-ical-events`` finds them (DTSTART
    always one of them unless after UNTIL); None when the full expansion must decide."""
    parts = rule.split(";")
    keys = {part.partition("=")[0] for part in parts}
    if (not all(_PART.fullmatch(part) for part in parts) or len(keys) != len(parts)
            or "FREQ" not in keys or {"COUNT", "UNTIL"} <= keys or length < timedelta(0)
            or not isinstance(start.tzinfo, ZoneInfo) or window.start > window.end):
        return None
    until = _until(rule) if "UNTIL" in keys else None
    found = [start] if until is None or start <= until else []
    for steps, moment in enumerate(rrulestr(rule, dtstart=start, cache=False)):
        if moment > window.end:
            break
        if steps >= STEPS:
            return None
        if moment != start:
            found.append(moment)
    starts = [s for s in found if _contains(window.start, window.end, s, s + length)]
    if len(starts) >= MAX_OCCURRENCES - 1 or not all(_plain_time(s, s + length) for s in found):
        return None  # the full path caps and warns; it also decides what a clock change means
    return starts


def _plain_time(start: datetime, end: datetime) -> bool:
    """Whether an occurrence neither starts at a time the clocks skip or repeat nor spans a
    change of the clocks (the library and this reader could read such a time differently)."""
    offset = start.utcoffset()
    return start.replace(fold=1).utcoffset() == offset and end.utcoffset() == offset


def _until(rule: str) -> datetime:
    value = rule.split("UNTIL=", 1)[1][:15]
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)


def _contains(lo: datetime, hi: datetime, start: datetime, end: datetime) -> bool:
    """Whether an occurrence [start, end) meets the span [lo, hi), as the library decides it
    (``recurring_ical_events.util.time_span_contains_event``)."""
    if start == end:
        return start == lo if lo == hi else lo <= start < hi
    if lo == hi:
        return start <= lo < end
    return start < hi and lo < end
