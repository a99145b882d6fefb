"""iCalendar codec shared by the iCalendar-based adapters (local folder, CalDAV).

Parsing turns one stored resource into an :class:`Item` of occurrences; rendering turns an
:class:`Artifact` into a VCALENDAR carrying the syncd marker. Floating and all-day values are
resolved in the daemon's zone here, at the edge. Recurrence is expanded with
``recurring-ical-events``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar

from providers.ical_fast import read_plain
from providers.ical_series import plain_starts
from syncd.model import (
    UID_PREFIX, Artifact, Attendee, Event, Item, Marker, Window, format_recurrence_id,
)

log = logging.getLogger(__name__)

PRODID = "-//syncd//syncd 0.1//EN"


class MalformedCalendarData(ValueError):
    """The resource is not usable iCalendar data; the message says why."""


def parse_item(href: str, etag: str, text: str | bytes, tz: ZoneInfo, window: Window) -> Item:
    """Parse one stored resource into an :class:`Item`.

    Non-recurring events are returned whatever their time; recurring series are expanded
    within ``window``. Raises :class:`MalformedCalendarData` when nothing usable is found.
    A broken series among good events is skipped with a warning naming it.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    plain = _plain_item(text, tz, href, etag, window)
    if plain is not None:
        return plain
    try:
        cal = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and friends on bad syntax
        raise MalformedCalendarData(f"not valid iCalendar data ({exc})") from exc
    vevents = [c for c in cal.walk("VEVENT")]
    if not vevents:
        if cal.walk("VTODO") or cal.walk("VJOURNAL"):
            return Item(href=href, etag=etag, raw="")
        raise MalformedCalendarData("contains no VEVENT")
    recurring = any(_is_recurring(v) for v in vevents)
    events = _expand(cal, tz, window, href) if recurring else _singles(vevents, tz, href)
    found = tuple(replace(e, href=href, etag=etag) for e in events)
    return Item(href=href, etag=etag, events=found, raw=text if recurring else "",
                recurring=recurring, expanded=(window, tz, found) if recurring else None)


def expand_raw(item: Item, tz: ZoneInfo, window: Window) -> Item:
    """Re-expand a recurring item's stored text for a moved window (the expansion the item
    already holds when it was made for this window and zone: a first sync's snapshot uses
    what the read expanded)."""
    if not item.recurring or not item.raw:
        return item
    if item.expanded is not None and item.expanded[0] == window and item.expanded[1] is tz:
        return Item(item.href, item.etag, item.expanded[2], item.raw, True, item.expanded)
    try:
        fresh = parse_item(item.href, item.etag, item.raw, tz, window)
    except MalformedCalendarData:
        return item
    return Item(item.href, item.etag, fresh.events, item.raw, True, fresh.expanded)


def _plain_item(text: str, tz: ZoneInfo, href: str, etag: str, window: Window) -> Item | None:
    """The item of a plain resource read by :mod:`providers.ical_fast` (a simple series
    expanded by :mod:`providers.ical_series`), or None when it needs the full parser. Mirrors
    :func:`event_from_component` for what the fast readers accept; the tests hold the two to
    the same result."""
    maps = read_plain(text)
    if maps is None:
        return None
    rule = maps[0].get("RRULE")
    if len(maps) != 1 and any("RRULE" in fields for fields in maps):
        return None  # a series and more: the full expansion sorts them out
    events = []
    for fields in maps:
        uid = fields.get("UID", "").strip()
        raw_start = fields.get("DTSTART")
        if not uid or raw_start is None:
            return None  # the full parser says what is wrong with it
        start = to_aware(raw_start, tz)
        end = _plain_end(fields, raw_start, start, tz)
        if end < start:
            return None
        common = _plain_fields(fields, uid, raw_start, href, etag)
        if rule is None:
            events.append(Event(start=start, end=end, recurrence_id=None, **common))
            continue
        if not _zoned(raw_start, fields.get("DTEND", raw_start)):
            return None  # floating, all-day or two-zone series: the full expansion decides
        starts = plain_starts(rule, start, end - start, window)
        if starts is None:
            return None
        events += [Event(start=s, end=s + (end - start), recurrence_id=format_recurrence_id(s),
                         **common) for s in starts]
    found = tuple(events)
    return Item(href=href, etag=etag, events=found, raw=text if rule else "",
                recurring=rule is not None, expanded=(window, tz, found) if rule else None)


def _plain_fields(fields: dict, uid: str, raw_start: date, href: str, etag: str) -> dict:
    """What every event of a plain resource's VEVENT says, but its times."""
    text_of = fields.get
    return {
        "uid": uid, "all_day": not isinstance(raw_start, datetime),
        "summary": text_of("SUMMARY", ""), "description": text_of("DESCRIPTION", ""),
        "location": text_of("LOCATION", ""), "organizer": _address(text_of("ORGANIZER")),
        "attendees": tuple(Attendee(email=_address(value), name=cn or "",
                                    partstat=(partstat or "NEEDS-ACTION").upper())
                           for value, cn, partstat in text_of("ATTENDEE", ())),
        "status": text_of("STATUS", "").upper() or "CONFIRMED",
        "transparent": text_of("TRANSP", "").upper() == "TRANSPARENT",
        "marker": _marker_of(text_of("X-SYNCD-KIND", ""), text_of("X-SYNCD-SOURCE", ""),
                             text_of("X-SYNCD-KEY", ""), uid),
        "organizer_name": (text_of("ORGANIZER-CN") or "").strip()[:200],
        "tzid": _zone_name(raw_start), "href": href, "etag": etag}


def _zoned(start: object, end: object) -> bool:
    """Whether ``start`` and ``end`` are times in one and the same known zone."""
    return (isinstance(start, datetime) and isinstance(end, datetime) and start.tzinfo is not None
            and getattr(start.tzinfo, "key", None) == getattr(end.tzinfo, "key", 0))


def _plain_end(fields: dict, raw_start: date, start: datetime, tz: ZoneInfo) -> datetime:
    if "DTEND" in fields:
        return to_aware(fields["DTEND"], tz)
    if "DURATION" in fields:
        return start + fields["DURATION"]
    return start if isinstance(raw_start, datetime) else start + timedelta(days=1)


def _is_recurring(vevent: icalendar.Event) -> bool:
    return any(k in vevent for k in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _singles(vevents: list, tz: ZoneInfo, href: str) -> list[Event]:
    out, errors = [], []
    for vevent in vevents:
        try:
            out.append(event_from_component(vevent, tz, href=href))
        except MalformedCalendarData as exc:
            errors.append((vevent.get("UID", "?"), exc))
    if not out:  # the caller says so once, naming the resource
        raise MalformedCalendarData(str(errors[0][1]) if len(errors) == 1 else
                                    f"no event in it could be read ({errors[0][1]})")
    for uid, error in errors:
        log.warning("%s: skipping event %s: %s", href, uid, error)
    return out


def _expand(cal: icalendar.Calendar, tz: ZoneInfo, window: Window, href: str) -> list[Event]:
    from providers import recurrence  # recurring-ical-events: loaded for the series that need it

    try:
        occurrences = recurrence.expand(cal, window, href)  # bounded: see providers.recurrence
    except recurrence.SeriesError as exc:
        raise MalformedCalendarData(str(exc)) from exc
    out = []
    for occ in occurrences:
        try:
            out.append(event_from_component(occ, tz, occurrence=True, href=href))
        except MalformedCalendarData as exc:
            log.warning("%s: skipping an occurrence of %s: %s", href, occ.get("UID", "?"), exc)
    return out


def event_from_component(vevent: icalendar.Event, tz: ZoneInfo, occurrence: bool = False,
                         href: str = "") -> Event:
    """Convert one VEVENT (or an expanded occurrence) into an :class:`Event`.

    Raises MalformedCalendarData when it has no UID or DTSTART, ends before it starts, or has a
    property that cannot be read (icalendar 7 raises only when a broken value is first read;
    the message names the property). A time in an unknown zone is read in ``tz`` with a
    warning naming the event.
    """
    try:
        return _event(vevent, tz, occurrence, href)
    except MalformedCalendarData:
        raise
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise MalformedCalendarData(f"event {vevent.get('UID', '?')}: {exc}") from exc


def _event(vevent: icalendar.Event, tz: ZoneInfo, occurrence: bool, href: str) -> Event:
    uid = str(vevent.get("UID", "")).strip()
    if not uid:
        raise MalformedCalendarData("event has no UID")
    if "DTSTART" not in vevent:
        raise MalformedCalendarData(f"event {uid} has no DTSTART")
    raw_start = _value(vevent, "DTSTART")
    _warn_unknown_zone(vevent, raw_start, tz, f"{href}: event {uid}" if href else f"event {uid}")
    all_day = isinstance(raw_start, date) and not isinstance(raw_start, datetime)
    start = to_aware(raw_start, tz)
    try:
        end = _end(vevent, raw_start, start, tz)
    except MalformedCalendarData:
        raise
    except Exception as exc:  # icalendar raises its own types for impossible values
        raise MalformedCalendarData(f"event {uid} has an unreadable end ({exc})") from exc
    rid = None
    if occurrence or "RECURRENCE-ID" in vevent:
        rid_value = _value(vevent, "RECURRENCE-ID") if "RECURRENCE-ID" in vevent else raw_start
        rid = format_recurrence_id(_utc_if_aware(rid_value))
    return Event(
        uid=uid, start=start, end=end, all_day=all_day, recurrence_id=rid,
        summary=_text(vevent, "SUMMARY"), description=_text(vevent, "DESCRIPTION"),
        location=_text(vevent, "LOCATION"), organizer=_address(vevent.get("ORGANIZER")),
        attendees=_attendees(vevent), status=_text(vevent, "STATUS").upper() or "CONFIRMED",
        transparent=_text(vevent, "TRANSP").upper() == "TRANSPARENT",
        marker=_marker(vevent, uid), categories=_categories(vevent),
        organizer_name=_common_name(vevent.get("ORGANIZER")),
        tzid=_zone_name(raw_start),
    )


def _categories(vevent: icalendar.Event) -> tuple[str, ...]:
    """The event's CATEGORIES, one name each (a property may repeat, and hold a list)."""
    found: list[str] = []
    props = vevent.get("CATEGORIES")
    for prop in props if isinstance(props, list) else [props] if props is not None else []:
        names = getattr(prop, "cats", None)
        names = names if names is not None else str(prop).split(",")
        found += [str(name).strip()[:100] for name in names if str(name).strip()]
    return tuple(found[:20])


def _value(vevent: icalendar.Event, name: str) -> date | datetime:
    prop = vevent.get(name)
    try:
        value = prop.dt
    except AttributeError as exc:
        raise MalformedCalendarData(f"{name} is not a date or time") from exc
    if isinstance(value, timedelta) or not isinstance(value, date):
        raise MalformedCalendarData(f"{name} is not a date or time")
    return value


def _warn_unknown_zone(vevent: icalendar.Event, value: date, tz: ZoneInfo, where: str) -> None:
    zone = vevent["DTSTART"].params.get("TZID")
    if zone and isinstance(value, datetime) and value.tzinfo is None:
        log.warning("%s: unknown time zone %r; reading its times in %s", where, zone, tz.key)


def _end(vevent: icalendar.Event, raw_start: date, start: datetime, tz: ZoneInfo) -> datetime:
    if "DTEND" in vevent:
        end = to_aware(_value(vevent, "DTEND"), tz)
    elif "DURATION" in vevent and isinstance(vevent["DURATION"].dt, timedelta):
        end = start + vevent["DURATION"].dt
    elif isinstance(raw_start, datetime):
        end = start  # RFC 5545 3.6.1: no DTEND nor DURATION -> ends where it starts
    else:
        end = start + timedelta(days=1)
    if end < start:
        raise MalformedCalendarData(f"event {vevent.get('UID')} ends before it starts")
    return end


def to_aware(value: date | datetime, tz: ZoneInfo) -> datetime:
    """Resolve a date, floating or zoned value to an aware datetime (dates at midnight in tz)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=tz)
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=tz)
    return value


def _utc_if_aware(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc)
    return value


def _text(vevent: icalendar.Event, name: str) -> str:
    value = vevent.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def _common_name(value: object) -> str:
    """The CN parameter of an ORGANIZER or ATTENDEE property, or ""."""
    params = getattr(value, "params", None) or {}
    return str(params.get("CN", "") or "").strip()[:200]


def _zone_name(value: date | datetime) -> str:
    """The IANA name of the zone a DTSTART states, "" for dates, floating and UTC times."""
    zone = getattr(value, "tzinfo", None)
    key = getattr(zone, "key", "") or getattr(zone, "zone", "") or ""
    return "" if key in ("UTC", "Etc/UTC", "GMT") else str(key)


def _address(value: object) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.lower()


def _attendees(vevent: icalendar.Event) -> tuple[Attendee, ...]:
    raw = vevent.get("ATTENDEE")
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for att in items:
        params = getattr(att, "params", {})
        out.append(Attendee(email=_address(att), name=str(params.get("CN", "")),
                            partstat=str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()))
    return tuple(out)


def _marker(vevent: icalendar.Event, uid: str) -> Marker | None:
    kind, source, key = (_text(vevent, f"X-SYNCD-{n}") for n in ("KIND", "SOURCE", "KEY"))
    return _marker_of(kind, source, key, uid)


def _marker_of(kind: str, source: str, key: str, uid: str) -> Marker | None:
    # Both the UID and the properties must agree: a copied or hand-made event that only
    # looks like ours is left alone.
    if not (kind and key) or uid != UID_PREFIX + key:
        return None
    return Marker(kind=kind, source=source, key=key)


def render_artifact(artifact: Artifact, stamp: datetime | None = None) -> str:
    """Render an artifact as a VCALENDAR with the syncd marker, alarms and transparency.

    DTSTAMP is ``stamp`` or the time of writing (RFC 5545: when the object was created).
    """
    cal = icalendar.Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    ev = icalendar.Event()
    ev.add("UID", artifact.uid)
    ev.add("DTSTAMP", (stamp or datetime.now(timezone.utc)).astimezone(timezone.utc))
    ev.add("DTSTART", artifact.start.astimezone(timezone.utc))
    ev.add("DTEND", artifact.end.astimezone(timezone.utc))
    ev.add("SUMMARY", artifact.summary)
    if artifact.description:
        ev.add("DESCRIPTION", artifact.description)
    if artifact.location:
        ev.add("LOCATION", artifact.location)
    ev.add("TRANSP", "TRANSPARENT" if artifact.transparent else "OPAQUE")
    ev.add("X-SYNCD-KIND", artifact.kind)
    ev.add("X-SYNCD-SOURCE", artifact.source)
    ev.add("X-SYNCD-KEY", artifact.key)
    for alarm in artifact.alarms:
        valarm = icalendar.Alarm()
        valarm.add("ACTION", "DISPLAY")
        valarm.add("DESCRIPTION", alarm.text)
        valarm.add("TRIGGER", -alarm.before)
        ev.add_component(valarm)
    cal.add_component(ev)
    return cal.to_ical().decode("utf-8")


def alarms_of(text: str) -> list[timedelta]:
    """The alarm offsets (before the start) of the first VEVENT in ``text``; for tests."""
    cal = icalendar.Calendar.from_ical(text)
    out = []
    for alarm in cal.walk("VALARM"):
        out.append(-alarm["TRIGGER"].dt)
    return out
