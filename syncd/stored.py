"""How the state stores an item's events, and the form a stored event is read back in.

Events are kept as a JSON list of their fields, times as ISO 8601 text with a fixed UTC
offset. Reading them back therefore yields times in a fixed offset (``timezone(offset)``),
whatever zone the adapter gave them: the planner's arithmetic on them (a buffer 30 minutes
before a start) is exact elapsed time, never wall-clock time across a daylight-saving change.

:func:`stored_item` gives, for an item just written, exactly what reading it back would
give, without the JSON: a cycle keeps the events it just stored in that form instead of
decoding them again (the tests hold the two to the same ``repr``, types and time zones
included, on random events). Anything it is not sure of goes through the JSON itself.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from operator import itemgetter

from syncd.model import Attendee, Event, Item, Marker, copied

# The event fields that JSON keeps as they are when they hold one of these exact types.
_plain = itemgetter(*(f.name for f in fields(Event)
                      if f.name not in ("start", "end", "attendees", "marker", "categories")))
_AS_IS = frozenset((str, bool, int, type(None)))
_STR = frozenset((str,))
_encode = json.JSONEncoder(separators=(",", ":")).encode


def dump_events(events: tuple[Event, ...]) -> str:
    """JSON of the events: a shallow copy of each event's fields (``asdict``'s deep copy of
    every value was a tenth of a first sync)."""
    out = []
    for e in events:
        d = e.__dict__.copy()
        d["start"], d["end"] = e.start.isoformat(), e.end.isoformat()
        d["attendees"] = [a.__dict__ for a in e.attendees]
        d["marker"] = e.marker.__dict__ if e.marker else None
        out.append(d)
    return _encode(out)


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


def stored_item(item: Item) -> Item:
    """``item`` as the state reads it back once stored: its events in :func:`load_events`'
    form, the rest as it is (``expanded`` included: it says what the adapter's expansion
    was, and the stored events are not it)."""
    events = tuple(stored_event(e) for e in item.events)
    return Item(item.href, item.etag, events, item.raw, item.recurring, item.expanded)


def stored_event(event: Event) -> Event:
    """``load_events(dump_events((event,)))[0]``, mostly without the JSON: times go through
    ISO text (what storing them does), plain values are kept, and an event holding anything
    else (a ``str`` subclass, a list, a float) makes the JSON round trip itself."""
    if not (_AS_IS.issuperset(map(type, _plain(event.__dict__))) and _exact(event)):
        return load_events(dump_events((event,)))[0]
    return copied(event, start=datetime.fromisoformat(event.start.isoformat()),
                  end=datetime.fromisoformat(event.end.isoformat()))


def _exact(event: Event) -> bool:
    """True when the event's attendees, marker and categories come back from JSON as the
    same values of the same types."""
    marker = event.marker
    return (type(event.start) is datetime and type(event.end) is datetime
            and type(event.attendees) is tuple and type(event.categories) is tuple
            and all(type(a) is Attendee and _strings(a) for a in event.attendees)
            and (marker is None or (type(marker) is Marker and _strings(marker)))
            and _STR.issuperset(map(type, event.categories)))


def _strings(value: Attendee | Marker) -> bool:
    return _STR.issuperset(map(type, value.__dict__.values()))
