"""Expanding a recurring master into occurrences, as a CalendarView does.

The pattern (Daily, Weekly, AbsoluteMonthly, RelativeMonthly, AbsoluteYearly) and range
(Numbered, EndDate, NoEnd) elements of ``<t:Recurrence>`` become a dateutil rule evaluated in
the master's own time zone (``StartTimeZone``), so that a 09:00 meeting stays at 09:00 across
a daylight-saving change. Modified occurrences (exceptions) and deleted occurrences are kept on
the master by their original start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from dateutil import rrule

from tests.fakes.exchange.soap import EwsError, local, parse_date, t
from tests.fakes.exchange.store import Stored

MAX_OCCURRENCES = 2000
WEEKDAYS = {"Monday": rrule.MO, "Tuesday": rrule.TU, "Wednesday": rrule.WE, "Thursday": rrule.TH,
            "Friday": rrule.FR, "Saturday": rrule.SA, "Sunday": rrule.SU}
INDEX = {"First": 1, "Second": 2, "Third": 3, "Fourth": 4, "Last": -1}
MONTHS = {name: i for i, name in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"), start=1)}
# The Windows zones the tests use; anything else is read from its Periods' bias.
WINDOWS_ZONES = {"UTC": "UTC", "W. Europe Standard Time": "Europe/Berlin",
                 "Romance Standard Time": "Europe/Paris", "GMT Standard Time": "Europe/London",
                 "Eastern Standard Time": "America/New_York",
                 "Pacific Standard Time": "America/Los_Angeles"}
_BIAS = re.compile(r"^(-)?P(?:\d+D)?T?(?:(\d+)H)?(?:(\d+)M)?")


@dataclass(frozen=True)
class Occurrence:
    """One instance of a series: 1-based index, original start, actual times, exception props."""

    index: int
    original_start: datetime
    start: datetime
    end: datetime
    props: dict[str, ET.Element] | None = None


def item_zone(item: Stored) -> tzinfo:
    """The master's zone from ``StartTimeZone``: a known Windows id, else its standard bias."""
    elem = item.props.get("StartTimeZone")
    if elem is None:
        return timezone.utc
    if elem.get("Id") in WINDOWS_ZONES:
        return ZoneInfo(WINDOWS_ZONES[elem.get("Id", "")])
    period = elem.find(f"{t('Periods')}/{t('Period')}")
    bias = period.get("Bias", "") if period is not None else ""
    match = _BIAS.match(bias)
    if not match:
        return timezone.utc
    minutes = int(match.group(2) or 0) * 60 + int(match.group(3) or 0)
    # EWS bias is UTC minus local time: -PT1H is UTC+01:00.
    return timezone(timedelta(minutes=minutes if match.group(1) else -minutes))


def rule(item: Stored) -> rrule.rrule:
    """The dateutil rule of a master's ``Recurrence`` element."""
    recurrence = item.props["Recurrence"]
    pattern, span = list(recurrence)[0], list(recurrence)[1]
    zone = item_zone(item)
    start = item.when("Start")
    assert start is not None
    kwargs: dict = {"dtstart": start.astimezone(zone), "interval": _int(pattern, "Interval", 1)}
    kind = local(pattern.tag)
    if kind == "DailyRecurrence":
        freq = rrule.DAILY
    elif kind == "WeeklyRecurrence":
        freq = rrule.WEEKLY
        kwargs["byweekday"] = [WEEKDAYS[d] for d in _text(pattern, "DaysOfWeek").split()]
        kwargs["wkst"] = WEEKDAYS.get(_text(pattern, "FirstDayOfWeek") or "Sunday", rrule.SU)
    elif kind == "AbsoluteMonthlyRecurrence":
        freq, kwargs["bymonthday"] = rrule.MONTHLY, _int(pattern, "DayOfMonth", 1)
    elif kind == "RelativeMonthlyRecurrence":
        freq = rrule.MONTHLY
        kwargs["byweekday"] = WEEKDAYS[_text(pattern, "DaysOfWeek")](INDEX[_text(pattern, "DayOfWeekIndex")])
    elif kind == "AbsoluteYearlyRecurrence":
        freq = rrule.YEARLY
        kwargs["bymonth"] = MONTHS[_text(pattern, "Month")]
        kwargs["bymonthday"] = _int(pattern, "DayOfMonth", 1)
    else:
        raise EwsError("ErrorInvalidRecurrence", f"The fake does not expand {kind}.")
    span_kind = local(span.tag)
    if span_kind == "NumberedRecurrence":
        kwargs["count"] = _int(span, "NumberOfOccurrences", 1)
    elif span_kind == "EndDateRecurrence":
        last = parse_date(_text(span, "EndDate"))
        kwargs["until"] = datetime.combine(last, datetime.max.time(), tzinfo=zone)
    return rrule.rrule(freq, **kwargs)


def occurrences(item: Stored, start: datetime | None = None, end: datetime | None = None) -> list[Occurrence]:
    """The master's instances (exceptions applied, deleted ones left out) meeting [start, end)."""
    first, last = item.when("Start"), item.when("End")
    assert first is not None and last is not None
    duration = last - first
    out = []
    for index, moment in enumerate(rule(item), start=1):
        if index > MAX_OCCURRENCES or (end is not None and moment.astimezone(timezone.utc) - duration > end):
            break
        original = moment.astimezone(timezone.utc)
        if original in item.deleted_occurrences:
            continue
        override = item.exceptions.get(original)
        begins, ends = original, original + duration
        if override is not None:
            begins = _override_time(override, "Start", begins)
            ends = _override_time(override, "End", ends)
        if start is None or end is None or (begins < end and ends > start):
            out.append(Occurrence(index, original, begins, ends, override))
    return out


def occurrence_at(item: Stored, index: int) -> Occurrence:
    """The occurrence with 1-based ``index``; ErrorItemNotFound if there is none."""
    for occ in occurrences(item):
        if occ.index == index:
            return occ
    raise EwsError("ErrorItemNotFound", "The occurrence couldn't be found.")


def _override_time(props: dict[str, ET.Element], name: str, default: datetime) -> datetime:
    from tests.fakes.exchange.soap import parse_datetime

    elem = props.get(name)
    return parse_datetime(elem.text).astimezone(timezone.utc) if elem is not None and elem.text else default


def _text(parent: ET.Element, name: str) -> str:
    return (parent.findtext(t(name)) or "").strip()


def _int(parent: ET.Element, name: str, default: int) -> int:
    text = _text(parent, name)
    return int(text) if text.isdigit() else default
