"""Event times and the expansion of recurring series, as ``singleEvents=true`` does it.

A series' instances get ids ``<seriesId>_<original start>`` (``20261201T140000Z``, or
``20261201`` for all-day series), ``recurringEventId`` and ``originalStartTime``, as the
Calendar API's "Recurring events" guide describes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

from tests.fakes.google.errors import bad_request

MAX_UNBOUNDED = 730  # instances listed for a series when no timeMax bounds it
RECURRENCE_LINE = re.compile(r"^(RRULE|EXRULE|RDATE|EXDATE)[:;]")


def zone(name: str | None) -> Any:
    """A tz for an IANA name (UTC when None). Raises a 400 for unknown names."""
    if not name:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request(f"Invalid time zone definition: {name}", reason="timeZoneInvalid") from None


def parse_when(value: Any, field: str, cal_tz: Any) -> tuple[datetime, bool]:
    """An EventDateTime as (aware start of that moment, all_day). Raises a 400 when invalid."""
    if not isinstance(value, dict) or not (value.get("date") or value.get("dateTime")):
        raise bad_request(f"Missing {field} time.", reason="required")
    try:
        if value.get("dateTime"):
            moment = datetime.fromisoformat(value["dateTime"])
            if moment.tzinfo is None:
                if not value.get("timeZone"):
                    raise bad_request(f"Missing time zone definition for {field} time.")
                moment = moment.replace(tzinfo=zone(value["timeZone"]))
            return moment, False
        return datetime.combine(date.fromisoformat(value["date"]), time(0), cal_tz), True
    except ValueError:
        raise bad_request(f"Invalid {field} time.") from None


def instance_suffix(original: datetime, all_day: bool) -> str:
    """The part of an instance id after the series id."""
    if all_day:
        return original.strftime("%Y%m%d")
    return original.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def event_when(moment: datetime, all_day: bool, tz_name: str | None) -> dict[str, str]:
    """An EventDateTime for ``moment``, in the style of the series it belongs to."""
    if all_day:
        return {"date": moment.date().isoformat()}
    shown = moment.astimezone(zone(tz_name)) if tz_name else moment
    out = {"dateTime": shown.isoformat()}
    if tz_name:
        out["timeZone"] = tz_name
    return out


def check_recurrence(lines: Any) -> None:
    """Reject recurrence data that is not a list of RRULE/EXRULE/RDATE/EXDATE lines."""
    if not isinstance(lines, list) or not all(isinstance(x, str) and RECURRENCE_LINE.match(x)
                                               for x in lines):
        raise bad_request("Invalid recurrence rule.", location="recurrence")
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    try:
        rrulestr(_normalise(lines), dtstart=start, forceset=True)
    except (ValueError, TypeError):
        raise bad_request("Invalid recurrence rule.", location="recurrence") from None


def _normalise(lines: list[str]) -> str:
    # Google accepts UNTIL as a date or a floating time; dateutil wants UTC with an aware start.
    out = []
    for line in lines:
        line = re.sub(r"UNTIL=(\d{8})(?=;|$)", r"UNTIL=\1T235959Z", line)
        out.append(re.sub(r"UNTIL=(\d{8}T\d{6})(?=;|$)", r"UNTIL=\1Z", line))
    return "\n".join(out)


def originals(master: dict[str, Any], cal_tz: Any, before: datetime | None) -> Iterator[datetime]:
    """Original starts of a series, in order, stopping at ``before`` (or a cap)."""
    start, all_day = parse_when(master["start"], "start", cal_tz)
    tz_name = master["start"].get("timeZone")
    if not all_day and tz_name:
        start = start.astimezone(zone(tz_name))  # expand in the series' zone (DST)
    rules = rrulestr(_normalise(master["recurrence"]), dtstart=start, forceset=True)
    for count, moment in enumerate(rules):
        if (before is not None and moment >= before) or (before is None and count >= MAX_UNBOUNDED):
            return
        yield moment


def instances(master: dict[str, Any], cal_tz: Any, lo: datetime | None,
              hi: datetime | None) -> Iterator[dict[str, Any]]:
    """The instances of a series that overlap (lo, hi), without exceptions applied."""
    start, all_day = parse_when(master["start"], "start", cal_tz)
    end, _ = parse_when(master["end"], "end", cal_tz)
    length = end - start
    tz_name = master["start"].get("timeZone")
    for original in originals(master, cal_tz, hi):
        if lo is not None and original + length <= lo:
            continue
        yield make_instance(master, original, original + length, all_day, tz_name)


def make_instance(master: dict[str, Any], original: datetime, end: datetime, all_day: bool,
                  tz_name: str | None) -> dict[str, Any]:
    """One instance resource of ``master`` at its original start."""
    inst = copy.deepcopy(master)
    inst.pop("recurrence", None)
    inst["id"] = f"{master['id']}_{instance_suffix(original, all_day)}"
    inst["recurringEventId"] = master["id"]
    inst["originalStartTime"] = event_when(original, all_day, tz_name)
    inst["start"] = event_when(original, all_day, tz_name)
    inst["end"] = event_when(end, all_day, tz_name)
    return inst


def find_instance(master: dict[str, Any], instance_id: str, cal_tz: Any) -> dict[str, Any] | None:
    """The instance of ``master`` with ``instance_id``, if the series has one."""
    suffix = instance_id[len(master["id"]) + 1:]
    all_day = "dateTime" not in master["start"]
    try:
        wanted = (datetime.strptime(suffix, "%Y%m%d").replace(tzinfo=cal_tz) if all_day else
                  datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc))
    except ValueError:
        return None
    for inst in instances(master, cal_tz, wanted - timedelta(seconds=1),
                          wanted + timedelta(seconds=1)):
        if inst["id"] == instance_id:
            return inst
    return None
