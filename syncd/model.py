"""Plain values shared by the core and the provider adapters.

Every datetime in here is timezone-aware. Adapters resolve floating and all-day values in the
daemon's zone before they build an :class:`Event`; the core never sees a naive time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from operator import attrgetter
from datetime import datetime, timedelta, tzinfo

ARTIFACT_KINDS = ("buffer-before", "buffer-after", "travel-to", "travel-back", "conflict")

# Names of the marker properties (docs/architecture.md). iCalendar spells them in upper case,
# Google, Exchange and Graph in lower case.
MARK_KIND = "syncd-kind"
MARK_SOURCE = "syncd-source"
MARK_KEY = "syncd-key"
UID_PREFIX = "syncd-"


@dataclass(frozen=True)
class Attendee:
    """One attendee of an event: address, display name and participation status."""

    email: str
    name: str = ""
    partstat: str = "NEEDS-ACTION"  # ACCEPTED | DECLINED | TENTATIVE | NEEDS-ACTION


@dataclass(frozen=True)
class Marker:
    """The syncd marker found on an event: only events that carry one are ever changed."""

    kind: str
    source: str
    key: str


@dataclass(frozen=True)
class Event:
    """One occurrence of a calendar event, as observed on a provider.

    ``uid`` and ``recurrence_id`` identify the occurrence across calendars and providers
    (``recurrence_id`` is None for a non-recurring event, else the original start in the
    compact iCalendar form, ``20261201T150000Z`` or ``20261201`` for a date).
    ``href`` is the provider's handle of the stored resource (file name, URL path, event id);
    several occurrences of one series share it.
    """

    uid: str
    start: datetime
    end: datetime
    summary: str = ""
    description: str = ""
    location: str = ""
    organizer: str = ""
    attendees: tuple[Attendee, ...] = ()
    all_day: bool = False
    status: str = "CONFIRMED"  # CONFIRMED | TENTATIVE | CANCELLED
    transparent: bool = False
    recurrence_id: str | None = None
    account: str = ""
    calendar: str = ""
    href: str = ""
    etag: str = ""
    marker: Marker | None = None
    categories: tuple[str, ...] = ()  # CATEGORIES, or the provider's own categories
    organizer_name: str = ""  # the organizer's display name (ORGANIZER;CN=, displayName)
    tzid: str = ""  # the IANA zone the invitation states its start in; "" for UTC or floating

    @property
    def occurrence(self) -> str:
        """The occurrence identity, as written into ``X-SYNCD-SOURCE``."""
        return occurrence_id(self.uid, self.recurrence_id)

    @property
    def ref(self) -> str:
        """The short reference users type into ``syncd ack``; the same in every calendar."""
        return make_ref(self.uid, self.recurrence_id)

    @property
    def owned(self) -> bool:
        """True when the event carries the syncd marker."""
        return self.marker is not None

    def located(self, account: str, calendar: str) -> Event:
        """Return a copy that records where it was seen."""
        return copied(self, account=account, calendar=calendar)


EVENT_FIELDS = tuple(f.name for f in fields(Event))
event_values = attrgetter(*EVENT_FIELDS)  # an event's field values, in order
_FIELD_INDEX = {name: i for i, name in enumerate(EVENT_FIELDS)}


def copied(event: Event, **changes: object) -> Event:
    """``dataclasses.replace(event, **changes)`` at half its cost (a snapshot copies every
    event in the window). Built by ``__init__`` and never through ``__dict__``: an instance
    whose ``__dict__`` has been asked for keeps a dict of its own, which costs every later
    attribute read and every garbage collection (10,000 kept events: 15 ms an idle cycle)."""
    values = list(event_values(event))
    for name, value in changes.items():
        values[_FIELD_INDEX[name]] = value
    return Event(*values)


@dataclass(frozen=True)
class Alarm:
    """A display alarm ``before`` the start of the artifact it belongs to."""

    before: timedelta
    text: str


@dataclass(frozen=True)
class Artifact:
    """An event syncd wants to exist: what the planner desires and adapters write."""

    key: str
    kind: str
    source: str  # occurrence id of the source event, see occurrence_id()
    source_ref: str
    account: str
    calendar: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    transparent: bool = False
    alarms: tuple[Alarm, ...] = ()

    @property
    def uid(self) -> str:
        """The iCalendar UID the artifact is stored under."""
        return UID_PREFIX + self.key

    @property
    def marker(self) -> Marker:
        """The marker adapters attach to the stored event."""
        return Marker(kind=self.kind, source=self.source, key=self.key)

    def same_content(self, event: Event) -> bool:
        """True when an observed event already matches what is desired (no update needed)."""
        return (
            event.marker == self.marker
            and event.start == self.start
            and event.end == self.end
            and event.summary == self.summary
            and event.description == self.description
            and event.location == self.location
            and event.transparent == self.transparent
        )


@dataclass(frozen=True)
class Calendar:
    """A calendar of an account. ``id`` is stable (folder name, URL, Google id)."""

    account: str
    id: str
    name: str
    writable: bool = True
    url: str = ""


@dataclass(frozen=True)
class Item:
    """One stored resource (a file, a CalDAV object, a Google event) and its occurrences.

    ``raw`` holds the iCalendar text for iCalendar-based providers so that a recurring series
    can be expanded again as the planning window moves; it is empty for providers that
    expand on the server.
    """

    href: str
    etag: str
    events: tuple[Event, ...] = ()
    raw: str = ""
    recurring: bool = False
    # What expanding ``raw`` gave in this process, kept so that the same expansion is not
    # made twice: (window, zone, events), as :func:`providers.ical.expand_raw` would give
    # them. Never stored; no part of the item's value.
    expanded: tuple[Window, tzinfo, tuple[Event, ...]] | None = field(
        default=None, compare=False, repr=False)

    @property
    def owned(self) -> bool:
        """True when every event in the stored resource carries the syncd marker.

        A file that also holds a user's event is not ours, whatever else it holds.
        """
        return bool(self.events) and all(e.owned for e in self.events)


@dataclass
class Changes:
    """What changed in a calendar since ``token``.

    ``full`` says the adapter could not sync incrementally (first sync, expired token): the
    upserts are then the whole calendar and anything cached but not listed is gone.
    """

    upserts: list[Item] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    token: str | None = None
    full: bool = False


@dataclass(frozen=True)
class Window:
    """The time range the core cares about."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when [start, end) meets the window."""
        return start < self.end and end > self.start


def occurrence_id(uid: str, recurrence_id: str | None) -> str:
    """Render an occurrence identity: the UID, plus ``;RECURRENCE-ID=<value>`` for one instance."""
    return uid if not recurrence_id else f"{uid};RECURRENCE-ID={recurrence_id}"


def make_ref(uid: str, recurrence_id: str | None) -> str:
    """A 10-digit hex reference for an occurrence, stable across calendars and restarts."""
    return hashlib.sha256(occurrence_id(uid, recurrence_id).encode()).hexdigest()[:10]


PLACE_DIGITS = 16  # leading hex digits of a key that bind it to its account and calendar


def artifact_key(kind: str, source: str, account: str, calendar: str, detail: str = "") -> str:
    """The deterministic key of an artifact: 32 lowercase hex digits.

    Derived only from the kind, the source occurrence and the target calendar, so planning
    the same thing twice, in any process, yields the same key (docs/architecture.md, "The
    rules that keep it safe"). Lowercase hex is also valid base32hex, as Google requires of
    client-chosen ids.
    The first ``PLACE_DIGITS`` digits depend on nothing else, so a copy found anywhere can be
    checked against the calendar it was made for (:func:`made_for`); ``detail`` (a conflict's
    other event) only changes the rest.
    """
    text = "\x1f".join((kind, source, account, calendar))
    key = hashlib.sha256(text.encode()).hexdigest()[:32]
    if not detail:
        return key
    full = "\x1f".join((kind, f"{source}\x1e{detail}", account, calendar))
    return key[:PLACE_DIGITS] + hashlib.sha256(full.encode()).hexdigest()[PLACE_DIGITS:32]


def made_for(marker: Marker, account: str, calendar: str) -> bool:
    """True when an artifact with ``marker`` was made for this account and calendar.

    False for a copy: the same folder configured as a second account, or an event the owner
    copied into another calendar. Such a copy is the owner's business: never changed or deleted.
    """
    place = artifact_key(marker.kind, marker.source, account, calendar)[:PLACE_DIGITS]
    return marker.key[:PLACE_DIGITS] == place


def format_recurrence_id(value: datetime | object) -> str:
    """Render an original start as the compact iCalendar value used in occurrence ids."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y%m%dT%H%M%S")
        from datetime import timezone

        return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")  # type: ignore[attr-defined]
