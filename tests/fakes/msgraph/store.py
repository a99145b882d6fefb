"""The fake mailbox: calendars, events (series expanded into occurrences), drafts.

Written from Microsoft Graph's v1.0 reference: events have server-made ids, an ``@odata.etag``
(``W/"<changeKey>"``) and ``changeKey`` that change with every edit; ``iCalUId`` is read-only
and, as Exchange makes it, the hex of a GlobalObjectId (MS-OXOCAL PidLidGlobalObjectId: for a
UID from another client the data part is ``vCal-Uid``, version 1, the UID, NUL; an
occurrence's date sits in bytes 16-19). ``transactionId`` is set only by a client at creation
and cannot change. A calendar view holds single instances, occurrences and exceptions, never the
series master. Extended properties live beside the resource and are only returned when
``$expand``-ed. Every change bumps a mailbox-wide sequence number, which delta tokens remember.
All methods expect the caller to hold :attr:`Mailbox.lock`.
"""

from __future__ import annotations

import base64
import copy
import secrets
import struct
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule

from tests.fakes.msgraph.errors import GraphError

GOID_PREFIX = bytes.fromhex("040000008200E00074C5B7101A82E008")
EVENT_PROPS = {"subject", "body", "start", "end", "location", "showAs", "isAllDay", "isCancelled",
               "isReminderOn", "reminderMinutesBeforeStart", "attendees", "organizer",
               "responseStatus", "transactionId", "categories", "sensitivity", "importance",
               "recurrence", "singleValueExtendedProperties", "responseRequested",
               "allowNewTimeProposals", "isOnlineMeeting"}
MESSAGE_PROPS = {"subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "from",
                 "internetMessageHeaders", "singleValueExtendedProperties", "importance"}
MAX_SHIFT = timedelta(days=366)  # how far an exception may have moved from its original start
SHOW_AS = {"free", "tentative", "busy", "oof", "workingElsewhere", "unknown"}


def goid_hex(uid: str | None, day: date | None = None) -> str:
    """An iCalUId as Exchange writes it: a GlobalObjectId wrapping ``uid`` (or random data)."""
    data = (b"vCal-Uid" + struct.pack("<I", 1) + uid.encode() + b"\x00") if uid \
        else secrets.token_bytes(16)
    when = struct.pack(">HBB", day.year, day.month, day.day) if day else b"\x00" * 4
    raw = GOID_PREFIX + when + b"\x00" * 16 + struct.pack("<I", len(data)) + data
    return raw.hex().upper()


def utc_text(moment: datetime) -> str:
    """A Graph dateTime in UTC with seven fractional digits."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def parse_when(value: Any, field_name: str) -> datetime:
    """A dateTimeTimeZone (UTC or an IANA name) as aware UTC. Raises GraphError 400."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise GraphError(400, "ErrorInvalidRequest", f"{field_name} must be a dateTimeTimeZone")
    try:
        naive = datetime.fromisoformat(value["dateTime"].split(".")[0])
        name = value.get("timeZone") or "UTC"
        zone: Any = timezone.utc if name == "UTC" else ZoneInfo(name)
    except (ValueError, KeyError):
        raise GraphError(400, "ErrorInvalidRequest", f"{field_name} is not a valid time") from None
    return naive.replace(tzinfo=zone).astimezone(timezone.utc)


@dataclass
class Stored:
    """One stored item (event or series master or message) and its extended properties."""

    body: dict[str, Any]
    props: dict[str, str]
    seq: int
    calendar: str = ""
    exdates: set[str] = field(default_factory=set)  # cancelled occurrence suffixes
    exceptions: dict[str, tuple[dict[str, Any], int]] = field(default_factory=dict)  # suffix -> (changes, seq)


@dataclass
class Instance:
    """What a calendar view shows: a single event, an occurrence or an exception."""

    id: str
    body: dict[str, Any]
    seq: int
    start: datetime
    end: datetime


class Mailbox:
    """One user's mailbox."""

    def __init__(self, address: str = "alex@contoso.example"):
        self.lock = threading.RLock()
        self.address = address
        self.calendars: dict[str, dict[str, Any]] = {}
        self.items: dict[str, Stored] = {}  # events and series masters by id
        self.messages: dict[str, Stored] = {}
        self.seq = 0

    def _bump(self) -> tuple[int, str]:
        self.seq += 1
        key = base64.b64encode(secrets.token_bytes(12)).decode()
        return self.seq, key

    # -- calendars ----------------------------------------------------------------------------

    def add_calendar(self, name: str, default: bool = False, can_edit: bool = True) -> dict:
        """Add a calendar; returns its resource."""
        cal_id = "AAMkAGI2" + secrets.token_urlsafe(18)
        self.calendars[cal_id] = {"id": cal_id, "name": name, "isDefaultCalendar": default,
                                  "canEdit": can_edit, "canShare": can_edit, "color": "auto",
                                  "changeKey": self._bump()[1],
                                  "owner": {"name": "Alex", "address": self.address}}
        return copy.deepcopy(self.calendars[cal_id])

    def calendar(self, cal_id: str | None) -> dict[str, Any]:
        """A calendar by id, or the default one for None. Raises GraphError 404."""
        for cal in self.calendars.values():
            if (cal_id is None and cal["isDefaultCalendar"]) or cal["id"] == cal_id:
                return cal
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")

    # -- events -------------------------------------------------------------------------------

    def create_event(self, cal_id: str, body: dict[str, Any], uid: str | None = None) -> Stored:
        """Store a new event (or series master) as POST /events does. Raises GraphError 400."""
        unknown = set(body) - EVENT_PROPS
        if unknown:
            raise GraphError(400, "RequestBodyRead",
                             f"The property '{sorted(unknown)[0]}' does not exist on type "
                             "'microsoft.graph.event'.")
        start, end = parse_when(body.get("start"), "start"), parse_when(body.get("end"), "end")
        if end < start:
            raise GraphError(400, "ErrorInvalidRequest", "The end time is before the start.")
        if body.get("showAs", "busy") not in SHOW_AS:
            raise GraphError(400, "RequestBodyRead", "showAs is not a valid freeBusyStatus")
        props = _props(body.pop("singleValueExtendedProperties", None))
        seq, key = self._bump()
        event_id = "AAMkAGI2TG93AAA=" + secrets.token_urlsafe(24)
        stored = dict(body, id=event_id, start={"dateTime": utc_text(start), "timeZone": "UTC"},
                      end={"dateTime": utc_text(end), "timeZone": "UTC"},
                      type="seriesMaster" if body.get("recurrence") else "singleInstance",
                      iCalUId=goid_hex(uid), changeKey=key, **{"@odata.etag": f'W/"{key}"'})
        stored.setdefault("showAs", "busy")
        stored.setdefault("isAllDay", False)
        stored.setdefault("isCancelled", False)
        stored.setdefault("responseStatus", {"response": "organizer", "time": "0001-01-01T00:00:00Z"})
        stored.setdefault("organizer", {"emailAddress": {"name": "Alex", "address": self.address}})
        self.items[event_id] = Stored(stored, props, seq, cal_id)
        return self.items[event_id]

    def stored(self, event_id: str) -> Stored:
        """A stored event or master by id; an occurrence id resolves to its master.
        Raises GraphError 404."""
        master_id, _, _ = event_id.partition("_occ_")
        found = self.items.get(master_id)
        if found is None:
            raise GraphError(404, "ErrorItemNotFound",
                             "The specified object was not found in the store.")
        return found

    def patch_event(self, event_id: str, changes: dict[str, Any], if_match: str | None) -> Stored:
        """PATCH an event: shallow merge, new changeKey; on an occurrence it makes (or changes)
        that occurrence's exception. Raises GraphError 400/404/412."""
        item = self.stored(event_id)
        if "_occ_" in event_id:
            return self._patch_occurrence(item, event_id.partition("_occ_")[2], changes)
        _check_etag(item, if_match)
        if "transactionId" in changes and changes["transactionId"] != item.body.get("transactionId"):
            raise GraphError(400, "ErrorInvalidRequest", "transactionId cannot be changed.")
        unknown = set(changes) - EVENT_PROPS
        if unknown:
            raise GraphError(400, "RequestBodyRead", f"Invalid property '{sorted(unknown)[0]}'.")
        changes = dict(changes)
        item.props.update(_props(changes.pop("singleValueExtendedProperties", None)))
        for name in ("start", "end"):
            if name in changes:
                changes[name] = {"dateTime": utc_text(parse_when(changes[name], name)),
                                 "timeZone": "UTC"}
        item.body.update(changes)
        self._touch(item)
        return item

    def _patch_occurrence(self, item: Stored, suffix: str, changes: dict[str, Any]) -> Stored:
        override = dict(item.exceptions.get(suffix, ({}, 0))[0])
        for name, value in changes.items():
            override[name] = ({"dateTime": utc_text(parse_when(value, name)), "timeZone": "UTC"}
                              if name in ("start", "end") else value)
        seq, key = self._bump()
        override.update(changeKey=key, **{"@odata.etag": f'W/"{key}"'})
        item.exceptions[suffix] = (override, seq)
        return item

    def delete_event(self, event_id: str, if_match: str | None) -> None:
        """DELETE an event; an occurrence id cancels that occurrence. Raises GraphError."""
        item = self.stored(event_id)
        if "_occ_" in event_id:
            item.exdates.add(event_id.partition("_occ_")[2])
            self.seq += 1
            return
        _check_etag(item, if_match)
        del self.items[event_id]
        self.seq += 1

    def _touch(self, item: Stored) -> None:
        item.seq, key = self._bump()
        item.body["changeKey"] = key
        item.body["@odata.etag"] = f'W/"{key}"'

    def find_transaction(self, transaction_id: str) -> Stored | None:
        """The live event created with this transactionId, if any."""
        return next((s for s in self.items.values()
                     if s.body.get("transactionId") == transaction_id), None)

    def instances(self, cal_id: str, start: datetime, end: datetime) -> dict[str, Instance]:
        """The calendar view [start, end): single events, occurrences, exceptions by id."""
        out = {}
        for item in self.items.values():
            if item.calendar != cal_id:
                continue
            if item.body["type"] == "singleInstance":
                s, e = _times(item.body)
                if s < end and (e > start or (s == e and s >= start)):
                    out[item.body["id"]] = Instance(item.body["id"], item.body, item.seq, s, e)
            else:
                out.update({i.id: i for i in self._occurrences(item, start, end)})
        return out

    def _occurrences(self, item: Stored, start: datetime, end: datetime) -> list[Instance]:
        first, last = _times(item.body)
        length = last - first
        found = []
        shift = MAX_SHIFT if item.exceptions else timedelta(0)  # a moved one may come from afar
        for moment in _rule(item.body["recurrence"], first).between(start - length - shift,
                                                                    end + shift, inc=True):
            moment = moment.astimezone(timezone.utc)
            suffix = moment.strftime("%Y%m%dT%H%M%SZ")
            if suffix in item.exdates:
                continue
            body = dict(item.body, id=f"{item.body['id']}_occ_{suffix}", type="occurrence",
                        seriesMasterId=item.body["id"], originalStart=moment.strftime(
                            "%Y-%m-%dT%H:%M:%SZ"),
                        start={"dateTime": utc_text(moment), "timeZone": "UTC"},
                        end={"dateTime": utc_text(moment + length), "timeZone": "UTC"},
                        iCalUId=_occurrence_uid(item.body["iCalUId"], moment.date()))
            body.pop("recurrence", None)
            override, seq = item.exceptions.get(suffix, ({}, item.seq))
            if override:
                body.update(override, type="exception")
            s, e = _times(body)
            if s < end and e > start:
                found.append(Instance(body["id"], body, max(seq, item.seq), s, e))
        return found

    def render(self, item_id: str, expand: set[str] | None) -> dict[str, Any]:
        """An event or message as Graph returns it, with the asked-for extended properties."""
        stored = self.messages.get(item_id) or self.stored(item_id)
        body = copy.deepcopy(stored.body)
        if expand is not None:
            body["singleValueExtendedProperties"] = [
                {"id": pid, "value": value} for pid, value in stored.props.items()
                if pid.lower() in expand]
        return body

    # -- messages (drafts) ----------------------------------------------------------------------

    def create_message(self, body: dict[str, Any]) -> Stored:
        """POST /me/messages: a new draft in the Drafts folder. Raises GraphError 400."""
        unknown = set(body) - MESSAGE_PROPS
        if unknown:
            raise GraphError(400, "RequestBodyRead", f"Invalid property '{sorted(unknown)[0]}'.")
        for header in body.get("internetMessageHeaders") or []:
            if not str(header.get("name", "")).lower().startswith("x-"):
                raise GraphError(400, "InvalidInternetMessageHeader",
                                 "The internet message header name should start with 'x-' or 'X-'.")
        props = _props(body.get("singleValueExtendedProperties"))
        seq, key = self._bump()
        msg_id = "AAMkAGI2TWVzcwAA" + secrets.token_urlsafe(24)
        stored = {k: v for k, v in body.items() if k != "singleValueExtendedProperties"}
        stored.update(id=msg_id, isDraft=True, parentFolderId="drafts", changeKey=key,
                      lastModifiedDateTime=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                      **{"@odata.etag": f'W/"{key}"'})
        self.messages[msg_id] = Stored(stored, props, seq, "drafts")
        return self.messages[msg_id]

    def message(self, msg_id: str) -> Stored:
        """A message by id. Raises GraphError 404."""
        if msg_id not in self.messages:
            raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return self.messages[msg_id]

    def patch_message(self, msg_id: str, changes: dict[str, Any], if_match: str | None) -> Stored:
        """PATCH a draft (a user's edit, or syncd's). Raises GraphError 404/412."""
        item = self.message(msg_id)
        _check_etag(item, if_match)
        changes = dict(changes)
        item.props.update(_props(changes.pop("singleValueExtendedProperties", None)))
        item.body.update(changes)
        self._touch(item)
        item.body["lastModifiedDateTime"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return item

    def delete_message(self, msg_id: str, if_match: str | None) -> None:
        """DELETE a message. Raises GraphError 404/412."""
        _check_etag(self.message(msg_id), if_match)
        del self.messages[msg_id]


def _props(entries: Any) -> dict[str, str]:
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise GraphError(400, "RequestBodyRead", "singleValueExtendedProperties must be a list")
    out = {}
    for entry in entries:
        pid = str((entry or {}).get("id", ""))
        if not pid.startswith(("String ", "Integer ", "Boolean ", "SystemTime ")):
            raise GraphError(400, "ErrorInvalidProperty", f"The property id '{pid}' is not valid.")
        out[pid] = str(entry.get("value", ""))
    return out


def _check_etag(item: Stored, if_match: str | None) -> None:
    if if_match and if_match != "*" and if_match != item.body.get("@odata.etag"):
        raise GraphError(412, "ErrorIrresolvableConflict",
                         "The send or update operation could not be performed because the change "
                         "key passed in the request does not match the current change key for the item.")


def _times(body: dict[str, Any]) -> tuple[datetime, datetime]:
    return parse_when(body["start"], "start"), parse_when(body["end"], "end")


def _occurrence_uid(master_uid: str, day: date) -> str:
    return master_uid[:32] + struct.pack(">HBB", day.year, day.month, day.day).hex().upper() \
        + master_uid[40:]


WEEKDAYS = {"monday": rrule.MO, "tuesday": rrule.TU, "wednesday": rrule.WE, "thursday": rrule.TH,
            "friday": rrule.FR, "saturday": rrule.SA, "sunday": rrule.SU}


def _rule(recurrence: dict[str, Any], first: datetime) -> rrule.rrule:
    """A patternedRecurrence (daily, weekly; numbered, endDate or noEnd ranges) as an rrule."""
    pattern, span = recurrence.get("pattern") or {}, recurrence.get("range") or {}
    kind = pattern.get("type")
    if kind not in ("daily", "weekly"):
        raise GraphError(400, "ErrorInvalidRecurrence", f"the fake supports daily and weekly, not {kind}")
    options: dict[str, Any] = {"dtstart": first, "interval": int(pattern.get("interval", 1))}
    if kind == "weekly" and pattern.get("daysOfWeek"):
        options["byweekday"] = [WEEKDAYS[d] for d in pattern["daysOfWeek"]]
    if span.get("type") == "numbered":
        options["count"] = int(span["numberOfOccurrences"])
    elif span.get("type") == "endDate":
        options["until"] = datetime.combine(date.fromisoformat(span["endDate"]),
                                            datetime.max.time(), tzinfo=timezone.utc)
    return rrule.rrule(rrule.DAILY if kind == "daily" else rrule.WEEKLY, **options)

