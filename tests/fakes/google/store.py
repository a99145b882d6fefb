"""The fake's calendars and events, and the documented semantics of changing them.

Deleting an event keeps it as a cancelled tombstone: its id stays taken (inserting it again
answers 409), ``events.get`` still returns it, and an update restores it. Every change bumps a
global sequence number, gives the event a new etag and a new ``updated`` time; sync tokens
remember the sequence number they were issued at. All methods expect the caller to hold
:attr:`Store.lock`.
"""

from __future__ import annotations

import copy
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tests.fakes.google import recurrence
from tests.fakes.google.errors import (
    ApiError, bad_request, deleted, duplicate, not_found, precondition_failed,
)

ID_RULE = re.compile(r"^[a-v0-9]{5,1024}$")
READ_ONLY = ("kind", "etag", "created", "updated", "htmlLink", "creator")
IMMUTABLE = ("id", "iCalUID", "recurringEventId", "originalStartTime")
MAX_OVERRIDES = 5
MAX_MINUTES = 40320


def now_text() -> str:
    """The current time as Google writes ``updated``: RFC 3339 UTC with milliseconds."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Stored:
    """One stored event resource and the sequence number of its last change."""

    body: dict[str, Any]
    seq: int


@dataclass
class CalendarData:
    """A calendar: its calendarList entry and its events by id."""

    entry: dict[str, Any]
    events: dict[str, Stored] = field(default_factory=dict)

    @property
    def tz(self) -> Any:
        """The calendar's zone, in which all-day dates are placed."""
        return recurrence.zone(self.entry.get("timeZone"))


class Store:
    """All calendars of the fake's one user."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.calendars: dict[str, CalendarData] = {}
        self.seq = 0
        self._etag_base = 3_180_000_000_000_000

    # -- calendars --------------------------------------------------------------------------

    def add_calendar(self, calendar_id: str, summary: str, access_role: str = "owner",
                     primary: bool = False, summary_override: str | None = None,
                     time_zone: str = "UTC") -> dict[str, Any]:
        """Add a calendar to the user's calendar list; returns its entry."""
        entry = {"kind": "calendar#calendarListEntry", "etag": self._etag(), "id": calendar_id,
                 "summary": summary, "timeZone": time_zone, "accessRole": access_role,
                 "defaultReminders": [{"method": "popup", "minutes": 10}]}
        if primary:
            entry["primary"] = True
        if summary_override:
            entry["summaryOverride"] = summary_override
        self.calendars[calendar_id] = CalendarData(entry)
        return entry

    def calendar(self, calendar_id: str) -> CalendarData:
        """The calendar with that id (``primary`` names the primary one); 404 otherwise."""
        if calendar_id == "primary":
            calendar_id = next((k for k, c in self.calendars.items() if c.entry.get("primary")),
                               calendar_id)
        if calendar_id not in self.calendars:
            raise not_found()
        return self.calendars[calendar_id]

    @staticmethod
    def require_writer(cal: CalendarData) -> None:
        """403 unless the user may change events in ``cal``."""
        if cal.entry["accessRole"] not in ("owner", "writer"):
            raise ApiError(403, "requiredAccessLevel",
                           "You need to have writer access to this calendar.")

    # -- reading ------------------------------------------------------------------------------

    def lookup(self, cal: CalendarData, event_id: str) -> dict[str, Any] | None:
        """A stored event, or an instance computed from its series; None when unknown."""
        if event_id in cal.events:
            return cal.events[event_id].body
        series_id = event_id.rsplit("_", 1)[0]
        master = cal.events.get(series_id)
        if "_" not in event_id or master is None or "recurrence" not in master.body:
            return None
        inst = recurrence.find_instance(master.body, event_id, cal.tz)
        return inst

    def get(self, cal: CalendarData, event_id: str) -> dict[str, Any]:
        """``events.get``: cancelled events too, as documented; 404 when unknown."""
        found = self.lookup(cal, event_id)
        if found is None:
            raise not_found()
        return copy.deepcopy(found)

    # -- writing ------------------------------------------------------------------------------

    def insert(self, cal: CalendarData, body: dict[str, Any], direct: bool = False) -> dict[str, Any]:
        """``events.insert``: validate, pick or check the id, store. 409 for a taken id."""
        body = copy.deepcopy(body)
        for key in READ_ONLY:
            body.pop(key, None)
        event_id = body.get("id") or self._new_id()
        if not ID_RULE.match(event_id):
            raise bad_request("Invalid resource id value.", location="id")
        if self.lookup(cal, event_id) is not None:
            raise duplicate()
        if not direct and ("recurringEventId" in body or "originalStartTime" in body):
            raise bad_request("Cannot insert an instance of a recurring event; use update.")
        body["id"] = event_id
        body.setdefault("iCalUID", f"{event_id}@google.com")
        body.setdefault("status", "confirmed")
        body.setdefault("reminders", {"useDefault": True})
        body.setdefault("eventType", "default")
        body.setdefault("sequence", 0)
        owner = {"email": cal.entry["id"], "self": True}
        body.setdefault("organizer", owner)
        body["creator"] = owner
        body["created"] = now_text()
        self.validate(cal, body)
        return self._store(cal, body)

    def replace(self, cal: CalendarData, event_id: str, body: dict[str, Any],
                if_match: str | None) -> dict[str, Any]:
        """``events.update``: replace every writable field; restores a cancelled event."""
        current = self._current_for_change(cal, event_id, if_match)
        new = {k: v for k, v in copy.deepcopy(body).items() if k not in READ_ONLY + IMMUTABLE}
        for key in IMMUTABLE + ("created", "creator", "organizer", "eventType", "sequence"):
            if key in current:
                new.setdefault(key, current[key])
        new.setdefault("status", "confirmed")
        new.setdefault("reminders", {"useDefault": True})
        self.validate(cal, new)
        return self._store(cal, new)

    def patch(self, cal: CalendarData, event_id: str, body: dict[str, Any],
              if_match: str | None) -> dict[str, Any]:
        """``events.patch``: merge the given fields into the event (objects merge, rest replace)."""
        current = self._current_for_change(cal, event_id, if_match)
        changes = {k: v for k, v in body.items() if k not in READ_ONLY + IMMUTABLE}
        new = merge(copy.deepcopy(current), copy.deepcopy(changes))
        self.validate(cal, new)
        return self._store(cal, new)

    def delete(self, cal: CalendarData, event_id: str, if_match: str | None) -> None:
        """``events.delete``: keep a cancelled tombstone; 410 if already deleted, 404 unknown."""
        current = self.lookup(cal, event_id)
        if current is None:
            raise not_found()
        if current.get("status") == "cancelled":
            raise deleted()
        if if_match not in (None, "*") and if_match != current.get("etag"):
            raise precondition_failed()
        tomb = copy.deepcopy(current)
        tomb["status"] = "cancelled"
        self._store(cal, tomb)
        if "recurrence" in current:  # the series' exceptions go with it
            for stored in list(cal.events.values()):
                if stored.body.get("recurringEventId") == event_id and \
                        stored.body.get("status") != "cancelled":
                    self._store(cal, {**stored.body, "status": "cancelled"})

    def _current_for_change(self, cal: CalendarData, event_id: str,
                            if_match: str | None) -> dict[str, Any]:
        current = self.lookup(cal, event_id)
        if current is None:
            raise not_found()
        if if_match not in (None, "*") and if_match != current.get("etag"):
            raise precondition_failed()
        return current

    def _store(self, cal: CalendarData, body: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        body["kind"] = "calendar#event"
        body["etag"] = self._etag()
        body["updated"] = now_text()
        body["htmlLink"] = f"https://calendar.google.com/calendar/event?eid={body['id']}"
        cal.events[body["id"]] = Stored(body, self.seq)
        return copy.deepcopy(body)

    def _etag(self) -> str:
        self._etag_base += 1 + secrets.randbelow(1000)
        return f'"{self._etag_base}"'

    @staticmethod
    def _new_id() -> str:
        alphabet = "0123456789abcdefghijklmnopqrstuv"
        return "".join(secrets.choice(alphabet) for _ in range(26))

    # -- validation -----------------------------------------------------------------------------

    def validate(self, cal: CalendarData, body: dict[str, Any]) -> None:
        """The checks Google makes on a stored event's content; a 400 on the first failure."""
        start, all_day = recurrence.parse_when(body.get("start"), "start", cal.tz)
        end, end_all_day = recurrence.parse_when(body.get("end"), "end", cal.tz)
        if all_day != end_all_day:
            raise bad_request("Start and end times must either both be date or both be dateTime.")
        if end < start:
            raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.",
                           domain="calendar", location="end.dateTime")
        if body.get("status", "confirmed") not in ("confirmed", "tentative", "cancelled"):
            raise bad_request("Invalid value for: status", location="status")
        if body.get("transparency", "opaque") not in ("opaque", "transparent"):
            raise bad_request("Invalid value for: transparency", location="transparency")
        if "recurrence" in body:
            if "recurringEventId" in body:
                raise bad_request("An instance of a recurring event cannot recur.")
            recurrence.check_recurrence(body["recurrence"])
        check_reminders(body.get("reminders") or {})
        check_extended(body.get("extendedProperties") or {})


def check_reminders(reminders: dict[str, Any]) -> None:
    """Reminder overrides: not with useDefault, at most 5, popup/email, 0..40320 minutes."""
    overrides = reminders.get("overrides") or []
    if reminders.get("useDefault") and overrides:
        raise bad_request("Cannot specify both default reminders and overrides at the same time.",
                          reason="cannotUseDefaultRemindersAndSpecifyOverride")
    if len(overrides) > MAX_OVERRIDES:
        raise bad_request("The maximum number of override reminders is 5.",
                          reason="tooManyReminders")
    for item in overrides:
        if item.get("method") not in ("popup", "email"):
            raise bad_request("Invalid reminder method.", location="reminders.overrides.method")
        minutes = item.get("minutes")
        if not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES:
            raise bad_request("Invalid reminder minutes.", location="reminders.overrides.minutes")


def check_extended(props: dict[str, Any]) -> None:
    """Extended properties: string values, keys up to 44 and values up to 1024 characters."""
    for scope in ("private", "shared"):
        for key, value in (props.get(scope) or {}).items():
            if not isinstance(value, str) or len(key) > 44 or len(value) > 1024:
                raise bad_request(f"Invalid extended property {key!r}.",
                                  location=f"extendedProperties.{scope}")


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Patch semantics: nested objects merge, lists and scalars replace, null clears."""
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = merge(base[key], value)
        else:
            base[key] = value
    return base
