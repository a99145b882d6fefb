"""Conversions between exchangelib calendar items and syncd values, and the marker properties.

The marker is three named extended properties in the PublicStrings property set
(``syncd-kind``, ``syncd-source``, ``syncd-key``, see README.md, "Exchange Server"), registered on exchangelib's
CalendarItem so they can be written, read and searched for (a FindItem restriction).
"""

from __future__ import annotations

import html
import re
import threading
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from exchangelib import CalendarItem, ExtendedProperty, HTMLBody
from exchangelib.ewsdatetime import EWSDateTime

from syncd.model import (
    ARTIFACT_KINDS, MARK_KEY, MARK_KIND, MARK_SOURCE, Artifact, Attendee, Event, Marker,
    format_recurrence_id,
)

MAX_TEXT = 64 * 1024  # characters kept of a body: bounded memory whatever an invitation says
RESPONSES = {"Accept": "ACCEPTED", "Decline": "DECLINED", "Tentative": "TENTATIVE",
             "Organizer": "ACCEPTED"}
NOT_BUSY = {"Free", "WorkingElsewhere"}
FIELDS = ("subject", "body", "location", "start", "end", "is_all_day", "legacy_free_busy_status",
          "uid", "recurrence_id", "original_start", "type", "my_response_type", "organizer",
          "required_attendees", "optional_attendees", "is_cancelled", "_start_timezone",
          "_end_timezone", "syncd_kind", "syncd_source", "syncd_key")
_KEY = re.compile(r"^[0-9a-f]{26,64}$")
_TAG = re.compile(r"<[^>]*>")
_registered = threading.Lock()
_done = False


def _marker_property(name: str) -> type[ExtendedProperty]:
    return type(f"Syncd{name.title().replace('-', '')}", (ExtendedProperty,), {
        "distinguished_property_set_id": "PublicStrings", "property_name": name,
        "property_type": "String"})


MARKER_FIELDS = {"syncd_kind": MARK_KIND, "syncd_source": MARK_SOURCE, "syncd_key": MARK_KEY}


def register() -> None:
    """Register the marker properties on CalendarItem (once per process)."""
    global _done
    with _registered:
        if not _done:
            for attr, name in MARKER_FIELDS.items():
                CalendarItem.register(attr, _marker_property(name))
            _done = True


def marker_of(item: Any) -> Marker | None:
    """The syncd marker of an item, when it carries a complete and well-formed one."""
    kind, source, key = (getattr(item, a, None) for a in MARKER_FIELDS)
    if kind in ARTIFACT_KINDS and source and isinstance(key, str) and _KEY.match(key):
        return Marker(kind=kind, source=str(source), key=key)
    return None


def plain_text(body: Any) -> str:
    """An item body as plain text (HTML bodies lose their markup), at most MAX_TEXT characters."""
    if body is None:
        return ""
    text = str(body)[: MAX_TEXT * 4]
    if isinstance(body, HTMLBody):
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
        text = html.unescape(_TAG.sub("", text))
    return text.strip()[:MAX_TEXT]


def to_utc(value: Any, tz: ZoneInfo, end: bool = False) -> tuple[datetime, bool]:
    """An EWS start or end as an aware datetime; (value, all-day?).

    exchangelib turns an all-day item's times into dates, the end one day early; those
    are midnights in ``tz`` (the end moved back to the exclusive next midnight).
    """
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=tz)
        return datetime.fromtimestamp(aware.timestamp(), timezone.utc), False
    day = date(value.year, value.month, value.day) + (timedelta(days=1) if end else timedelta())
    return datetime.combine(day, time(0), tzinfo=tz), True


def attendees_of(item: Any, owner: str) -> tuple[Attendee, ...]:
    """Required and optional attendees; the owner's own answer from ``my_response_type``."""
    mine = RESPONSES.get(str(item.my_response_type or ""), "")
    out = []
    for entry in list(item.required_attendees or []) + list(item.optional_attendees or []):
        mailbox = entry.mailbox
        address = str(getattr(mailbox, "email_address", "") or "")
        if not address:
            continue
        status = RESPONSES.get(str(entry.response_type or ""), "NEEDS-ACTION")
        if address.lower() == owner.lower() and mine:
            status = mine
        out.append(Attendee(email=address, name=str(getattr(mailbox, "name", "") or ""), partstat=status))
    if item.my_response_type == "Decline" and owner.lower() not in {a.email.lower() for a in out}:
        out.append(Attendee(email=owner, partstat="DECLINED"))
    return tuple(out)


def is_transparent(item: Any, tentative_busy: bool) -> bool:
    """Not busy: Free or WorkingElsewhere, Tentative unless configured busy, or declined."""
    status = str(item.legacy_free_busy_status or "Busy")
    if status in NOT_BUSY or (status == "Tentative" and not tentative_busy):
        return True
    return item.my_response_type == "Decline"


def zone_name(zone: Any) -> str:
    """The IANA name of the zone an item was scheduled in; "" for UTC or none."""
    key = str(getattr(zone, "key", "") or "")
    return "" if key in ("UTC", "Etc/UTC", "GMT", "Etc/GMT") else key


def event_of(item: Any, tz: ZoneInfo, owner: str, href: str, etag: str,
             tentative_busy: bool = True) -> Event:
    """One occurrence (or single item) as an Event; raises ValueError/TypeError if unreadable."""
    start, all_day = to_utc(item.start, tz)
    end, _ = to_utc(item.end, tz, end=True)
    recurrence_id = None
    if item.type in ("Occurrence", "Exception"):
        original = item.recurrence_id or item.original_start
        if original is None:
            raise ValueError("an occurrence without its original start")
        recurrence_id = format_recurrence_id(to_utc(original, tz)[0])
    organizer = getattr(item.organizer, "email_address", "") if item.organizer else ""
    organizer_name = getattr(item.organizer, "name", "") if item.organizer else ""
    return Event(
        uid=str(item.uid or href), start=start, end=end, summary=str(item.subject or "")[:MAX_TEXT],
        description=plain_text(item.body), location=str(item.location or "")[:MAX_TEXT],
        organizer=str(organizer or ""), organizer_name=str(organizer_name or "")[:200],
        tzid="" if all_day else zone_name(getattr(item, "_start_timezone", None)),
        attendees=attendees_of(item, owner), all_day=all_day,
        status="CANCELLED" if item.is_cancelled else "CONFIRMED",
        transparent=is_transparent(item, tentative_busy), recurrence_id=recurrence_id,
        href=href, etag=etag, marker=marker_of(item))


def artifact_fields(artifact: Artifact) -> dict[str, Any]:
    """The CalendarItem fields of an artifact: marker, no attendees, busy or free, a reminder.

    Exchange keeps one reminder per item: the artifact's alarm closest to its start.
    """
    minutes = sorted(max(0, int(a.before.total_seconds() // 60)) for a in artifact.alarms)
    return {
        "subject": artifact.summary, "body": artifact.description, "location": artifact.location,
        "start": EWSDateTime.from_datetime(artifact.start.astimezone(timezone.utc)),
        "end": EWSDateTime.from_datetime(artifact.end.astimezone(timezone.utc)),
        "is_all_day": False, "legacy_free_busy_status": "Free" if artifact.transparent else "Busy",
        "reminder_is_set": bool(minutes), "reminder_minutes_before_start": minutes[0] if minutes else 0,
        "is_response_requested": False, "syncd_kind": artifact.kind,
        "syncd_source": artifact.source, "syncd_key": artifact.key,
    }


def artifact_event(artifact: Artifact, href: str, etag: str, uid: str) -> Event:
    """The Event an artifact becomes once stored (what a later read will return)."""
    return Event(uid=uid or artifact.uid, start=artifact.start, end=artifact.end,
                 summary=artifact.summary, description=artifact.description,
                 location=artifact.location, transparent=artifact.transparent,
                 href=href, etag=etag, marker=artifact.marker)
