"""How the state stores an item's events, and the form a stored event is read back in.

Events are kept as a JSON list of their fields, times as ISO 8601 text with a fixed UTC
offset. Reading them back therefore yields times in a fixed offset (``timezone(offset)``),
whatever zone the adapter gave them: the planner's arithmetic on them (a buffer 30 minutes
before a start) is exact elapsed time, never wall-clock time across a daylight-saving change.

:func:`store_form` gives, for an item about to be written, its JSON and exactly what
reading that back would give: a cycle keeps the events it stores in that form instead of
decoding them again (the tests hold the two to the same ``repr``, types and time zones
included, on random events). Anything it is not sure of goes through the JSON itself.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from operator import attrgetter

from syncd.model import EVENT_FIELDS, Attendee, Event, Item, Marker, copied, event_values

# The event fields that JSON keeps as they are when they hold one of these exact types.
_plain = attrgetter(*(f.name for f in fields(Event)
                      if f.name not in ("start", "end", "attendees", "marker", "categories")))
_ATTENDEE_FIELDS = tuple(f.name for f in fields(Attendee))
_MARKER_FIELDS = tuple(f.name for f in fields(Marker))
_attendee, _marker = attrgetter(*_ATTENDEE_FIELDS), attrgetter(*_MARKER_FIELDS)
_AS_IS = frozenset((str, bool, int, type(None)))
_STR = frozenset((str,))
_ATTENDEE = frozenset((Attendee,))
_encode = json.JSONEncoder(separators=(",", ":")).encode


def dump_events(events: tuple[Event, ...]) -> str:
    """JSON of the events: a shallow copy of each event's fields (``asdict``'s deep copy of
    every value was a tenth of a first sync)."""
    return _encode([_row(e, e.start.isoformat(), e.end.isoformat()) for e in events])


def _row(event: Event, start: str, end: str) -> dict[str, object]:
    # Read through attributes, not __dict__ (see syncd.model.copied): the attendees and
    # markers of a kept event are the adapter's own objects.
    d = dict(zip(EVENT_FIELDS, event_values(event)))
    d["start"], d["end"] = start, end
    d["attendees"] = [dict(zip(_ATTENDEE_FIELDS, _attendee(a))) for a in event.attendees]
    d["marker"] = dict(zip(_MARKER_FIELDS, _marker(event.marker))) if event.marker else None
    return d


def load_events(text: str) -> tuple[Event, ...]:
    """The events of :func:`dump_events`' text (also as older versions wrote it)."""
    out = []
    for d in json.loads(text):
        d["start"] = datetime.fromisoformat(d["start"])
        d["end"] = datetime.fromisoformat(d["end"])
        d["attendees"] = tuple(Attendee(**a) for a in d["attendees"])
        d["marker"] = Marker(**d["marker"]) if d["marker"] else None
        d["categories"] = tuple(d.get("categories", ()))
        out.append(Event(**d))
    return tuple(out)


def store_form(item: Item) -> tuple[str, Item]:
    """The JSON the state stores for ``item``'s events (what :func:`dump_events` gives), and
    ``item`` as the state reads it back: its events in :func:`load_events`' form, the rest as
    it is (``expanded`` included: it is what the adapter expanded, not the stored events).

    Each time is written to ISO text once, for both. An event holding anything not sure to
    come back from JSON as it is (a ``str`` subclass, a list, a float) sends the item through
    the JSON round trip itself.
    """
    rows, kept, exact = [], [], True
    for e in item.events:
        start, end = e.start.isoformat(), e.end.isoformat()
        rows.append(_row(e, start, end))
        exact = exact and _as_is(e)
        if exact:
            kept.append(copied(e, start=_iso(start), end=_iso(end)))
    text = _encode(rows)
    events = tuple(kept) if exact else load_events(text)
    return text, Item(item.href, item.etag, events, item.raw, item.recurring, item.expanded)


_iso = datetime.fromisoformat


def _as_is(event: Event) -> bool:
    """True when every field of the event comes back from JSON as the same value of the same
    type (times aside: they come back through ISO text)."""
    marker = event.marker
    return (_AS_IS.issuperset(map(type, _plain(event)))
            and type(event.start) is datetime and type(event.end) is datetime
            and type(event.attendees) is tuple and type(event.categories) is tuple
            and _ATTENDEE.issuperset(map(type, event.attendees))
            and all(map(_strings, event.attendees))
            and (marker is None or (type(marker) is Marker and _strings(marker)))
            and _STR.issuperset(map(type, event.categories)))


def _strings(value: Attendee | Marker) -> bool:
    getter = _attendee if type(value) is Attendee else _marker
    return _STR.issuperset(map(type, getter(value)))
