"""Microsoft Graph event resources to and from :mod:`syncd.model` values. Pure functions.

Times: every request asks for ``Prefer: outlook.timezone="UTC"``, so ``start``/``end`` come back
as ``{"dateTime": "2026-12-01T14:00:00.0000000", "timeZone": "UTC"}``; another zone name is still
honoured where Python knows it. All-day events are midnight-to-midnight in the organiser's
zone, which the UTC view shifts by that zone's offset: their dates are read as the nearest
midnight.

The syncd marker lives in three single-value extended properties in the PS_PUBLIC_STRINGS
property set (README.md, "Microsoft 365 and Outlook.com"), which Graph can filter on, unlike open extensions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, time as dtime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncd.model import (
    MARK_KEY, MARK_KIND, MARK_SOURCE, Artifact, Attendee, Event, Marker, format_recurrence_id,
)

PS_PUBLIC_STRINGS = "{00020329-0000-0000-C000-000000000046}"
PROPERTY_IDS = {name: f"String {PS_PUBLIC_STRINGS} Name {name}"
                for name in (MARK_KIND, MARK_SOURCE, MARK_KEY)}
KEY_PROPERTY = PROPERTY_IDS[MARK_KEY]
# $expand that returns the three marker properties and nothing else
EXPAND_MARKER = ("singleValueExtendedProperties($filter="
                 + " or ".join(f"id eq '{pid}'" for pid in PROPERTY_IDS.values()) + ")")
PARTSTAT = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentativelyAccepted": "TENTATIVE",
            "organizer": "ACCEPTED", "none": "NEEDS-ACTION", "notResponded": "NEEDS-ACTION"}
# Exchange's GlobalObjectId: bytes 16-19 carry an occurrence's date, zero for the series
GOID = bytes.fromhex("040000008200E00074C5B7101A82E008")
VCAL_UID = b"vCal-Uid\x01\x00\x00\x00"
MAX_REMINDER_MINUTES = 4 * 7 * 24 * 60
MAX_TEXT = 64 * 1024  # description and location are capped: the detector reads no more


def quote_odata(value: str) -> str:
    """A string literal for an OData $filter: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def marker_filter(key: str | None = None) -> str:
    """$filter for events carrying a syncd key (a given one, or any)."""
    test = f"ep/value eq {quote_odata(key)}" if key else "ep/value ne ''"
    return f"singleValueExtendedProperties/any(ep: ep/id eq '{KEY_PROPERTY}' and {test})"


def transaction_id(key: str) -> str:
    """The deterministic ``transactionId`` of an artifact: its key written as a GUID."""
    return str(uuid.UUID(hex=key[:32].ljust(32, "0")))


def marker_of(body: Mapping[str, Any]) -> Marker | None:
    """The syncd marker from an event's expanded extended properties, if all three are set."""
    props = {str(p.get("id", "")).lower(): str(p.get("value") or "")
             for p in body.get("singleValueExtendedProperties") or [] if isinstance(p, Mapping)}
    kind, source, key = (props.get(PROPERTY_IDS[n].lower(), "")
                         for n in (MARK_KIND, MARK_SOURCE, MARK_KEY))
    if kind and source and key:
        return Marker(kind=kind, source=source, key=key)
    return None


def parse_time(value: Mapping[str, Any]) -> datetime:
    """A Graph dateTimeTimeZone as an aware datetime. Raises KeyError/ValueError."""
    text = str(value["dateTime"])
    head, dot, fraction = text.partition(".")
    moment = datetime.fromisoformat(head + (dot + fraction[:6] if dot else ""))
    if moment.tzinfo is not None:
        return moment
    name = str(value.get("timeZone") or "UTC")
    try:
        zone: Any = timezone.utc if name.upper() in ("UTC", "Z") else ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc  # a Windows zone name despite the Prefer header: the view is UTC
    return moment.replace(tzinfo=zone)


def parse_offset(text: str) -> datetime:
    """A Graph DateTimeOffset (``2026-12-08T14:00:00Z``, maybe with a fraction) as aware UTC."""
    text = text.strip().replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[:min(digits, 6)] + rest[digits:]
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _all_day_start(moment: datetime, tz: ZoneInfo) -> datetime:
    utc = moment.astimezone(timezone.utc)
    day = (utc + timedelta(hours=12)).date()  # the nearest midnight
    return datetime.combine(day, dtime(0), tzinfo=tz)


def uid_of(ical_uid: str) -> str:
    """The iCalendar UID other calendars know an event by, from Graph's ``iCalUId``.

    Exchange writes the hex of a GlobalObjectId (MS-OXOCAL PidLidGlobalObjectId): for an
    invitation from another client its data part is ``vCal-Uid``, version 1, the UID and a NUL,
    and an occurrence carries its date in bytes 16-19, zero for the series. Anything else is
    returned unchanged.
    """
    try:
        raw = bytes.fromhex(ical_uid)
    except ValueError:
        return ical_uid
    if not raw.startswith(GOID) or len(raw) < 40:
        return ical_uid
    data = raw[40:40 + int.from_bytes(raw[36:40], "little")]
    if data.startswith(VCAL_UID):
        return data[len(VCAL_UID):].split(b"\x00", 1)[0].decode("utf-8", errors="replace")
    return (raw[:16] + bytes(4) + raw[20:]).hex().upper()


def _attendees(body: Mapping[str, Any], me: str) -> tuple[Attendee, ...]:
    found: dict[str, Attendee] = {}
    for entry in body.get("attendees") or []:
        addr = (entry.get("emailAddress") or {}).get("address") or ""
        if addr:
            status = PARTSTAT.get((entry.get("status") or {}).get("response", ""), "NEEDS-ACTION")
            found[addr.lower()] = Attendee(addr, (entry.get("emailAddress") or {}).get("name") or "",
                                           status)
    response = (body.get("responseStatus") or {}).get("response", "")
    if me and response in PARTSTAT and response != "none":
        # the event's responseStatus is the mailbox owner's own answer: it decides
        found[me.lower()] = Attendee(me, found.get(me.lower(), Attendee(me)).name, PARTSTAT[response])
    return tuple(found.values())


def event_from_graph(body: Mapping[str, Any], tz: ZoneInfo, me: str = "",
                     marker: Marker | None = None) -> Event:
    """Convert one Graph event (an occurrence, an exception or a single event) into an Event.

    ``me`` is the mailbox's address, so that the owner's own response shows as an attendee;
    ``marker`` is the syncd marker read from the extended properties. Raises KeyError,
    ValueError or TypeError when the start or end is missing or malformed.
    """
    start, end = parse_time(body["start"]), parse_time(body["end"])
    all_day = bool(body.get("isAllDay"))
    if all_day:
        start, end = _all_day_start(start, tz), _all_day_start(end, tz)
    kind = body.get("type") or "singleInstance"
    original = body.get("originalStart")
    recurrence_id = None
    uid = uid_of(str(body.get("iCalUId") or body["id"]))
    if kind in ("occurrence", "exception") and original:
        first = parse_offset(str(original))
        recurrence_id = format_recurrence_id(first.date() if all_day else first)
    organizer = (body.get("organizer") or {}).get("emailAddress") or {}
    return Event(
        uid=uid, start=start, end=end, summary=str(body.get("subject") or ""),
        description=str((body.get("body") or {}).get("content") or "")[:MAX_TEXT],
        location=str((body.get("location") or {}).get("displayName") or "")[:MAX_TEXT],
        organizer=str(organizer.get("address") or ""), attendees=_attendees(body, me),
        all_day=all_day, status="CANCELLED" if body.get("isCancelled") else (
            "TENTATIVE" if body.get("showAs") == "tentative" else "CONFIRMED"),
        transparent=body.get("showAs") == "free", recurrence_id=recurrence_id,
        href=str(body["id"]), etag=str(body.get("@odata.etag") or body.get("changeKey") or ""),
        marker=marker, categories=tuple(str(c)[:100] for c in (body.get("categories") or [])[:20]
                                        if isinstance(c, str)))


def graph_time(moment: datetime) -> dict[str, str]:
    """An aware datetime as a Graph dateTimeTimeZone in UTC."""
    utc = moment.astimezone(timezone.utc)
    return {"dateTime": utc.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def artifact_body(artifact: Artifact, create: bool = False) -> dict[str, Any]:
    """The Graph event for an artifact: no attendees, busy or free, the marker properties.

    Graph keeps one reminder per event: the earliest of the artifact's alarms. ``create`` adds
    the deterministic ``transactionId`` (Graph refuses to change it afterwards).
    """
    minutes = [min(MAX_REMINDER_MINUTES, max(0, int(a.before.total_seconds() // 60)))
               for a in artifact.alarms]
    body: dict[str, Any] = {
        "subject": artifact.summary,
        "body": {"contentType": "text", "content": artifact.description},
        "start": graph_time(artifact.start),
        "end": graph_time(artifact.end),
        "location": {"displayName": artifact.location},
        "showAs": "free" if artifact.transparent else "busy",
        "isReminderOn": bool(minutes),
        "reminderMinutesBeforeStart": max(minutes) if minutes else 0,
        "attendees": [],
        "singleValueExtendedProperties": [
            {"id": PROPERTY_IDS[MARK_KIND], "value": artifact.kind},
            {"id": PROPERTY_IDS[MARK_SOURCE], "value": artifact.source},
            {"id": PROPERTY_IDS[MARK_KEY], "value": artifact.key},
        ],
    }
    if create:
        body["transactionId"] = transaction_id(artifact.key)
    return body

