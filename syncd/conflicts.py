"""Double bookings: a sweep over intervals sorted by start. Pure.

Two events conflict when both are busy for the owner and overlap in time (half-open intervals:
one ending at 10:00 does not clash with one starting at 10:00). The same occurrence seen in two
calendars is one event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from heapq import heappop, heappush

from syncd.model import Event


@dataclass(frozen=True)
class Conflict:
    """Two overlapping busy things. ``kind`` is "hard" (two user events) or "soft"."""

    kind: str
    a: Event
    b: Event
    start: datetime
    end: datetime


def is_busy(event: Event, self_addresses: Iterable[str], include_all_day: bool = False) -> bool:
    """Busy for the owner: not cancelled, declined, transparent, all-day (unless asked), nor ours."""
    if event.owned or event.status == "CANCELLED" or event.transparent:
        return False
    if event.all_day and not include_all_day:
        return False
    if event.end <= event.start:
        return False
    declined = [a.email.lower() for a in event.attendees if a.partstat == "DECLINED"]
    # Most events carry no refusal at all; only when one does is the owner's set worth building.
    return not declined or not {a.lower() for a in self_addresses}.intersection(declined)


def unique_occurrences(events: Iterable[Event]) -> list[Event]:
    """One event per (UID, RECURRENCE-ID); the first seen wins."""
    seen: dict[str, Event] = {}
    for event in events:
        seen.setdefault(event.occurrence, event)
    return list(seen.values())


def overlapping_pairs(events: Sequence[Event]) -> list[tuple[Event, Event]]:
    """Every pair of events whose intervals share time, by a sweep: O(n log n + pairs).

    Events are sorted by start; a heap keyed by end holds those still running, so each event
    is compared only with events it can overlap. An empty interval (end <= start) shares time
    with nothing, not even with an event around it, so it never enters the sweep.
    """
    return _sweep(_in_time_order(events))


def hard_conflicts(events: Sequence[Event]) -> list[Conflict]:
    """Conflicts among busy user events (already filtered with :func:`is_busy`)."""
    return _hard(_in_time_order(unique_occurrences(events)))


def soft_conflicts(busy: Sequence[Event], blocks: Sequence[Event]) -> list[Conflict]:
    """Busy user events that overlap syncd's own buffers or travel blocks.

    ``blocks`` are the planned artifacts as events; a block never conflicts with its own source.
    """
    return _soft(_in_time_order(unique_occurrences(busy)), blocks)


def busy_conflicts(busy: Sequence[Event], blocks: Sequence[Event]) -> tuple[list[Conflict],
                                                                           list[Conflict]]:
    """``hard_conflicts(busy)`` and ``soft_conflicts(busy, blocks)``, sorting ``busy`` once."""
    ordered = _in_time_order(unique_occurrences(busy))
    return _hard(ordered), _soft(ordered, blocks)


def _when(event: Event) -> tuple[datetime, datetime, str]:
    return event.start, event.end, event.occurrence


def _in_time_order(events: Iterable[Event]) -> list[Event]:
    """The events that last some time, by start, end and occurrence (a stable sort)."""
    return sorted((event for event in events if event.start < event.end), key=_when)


def _sweep(order: Sequence[Event]) -> list[tuple[Event, Event]]:
    """Every pair of events that share time, among events in time order."""
    running: list[tuple[datetime, int, Event]] = []
    pairs: list[tuple[Event, Event]] = []
    for index, event in enumerate(order):
        start = event.start
        while running and running[0][0] <= start:
            heappop(running)
        if running:
            pairs.extend([(other, event) for _, _, other in running])
        heappush(running, (event.end, index, event))
    return pairs


def _hard(busy: Sequence[Event]) -> list[Conflict]:
    return [Conflict("hard", a, b, max(a.start, b.start), min(a.end, b.end))
            for a, b in _sweep(busy)]


def _soft(busy: Sequence[Event], blocks: Sequence[Event]) -> list[Conflict]:
    # ``busy`` is sorted already, so this sort is cheap, and it orders them exactly as one
    # stable sort of the busy events followed by the blocks would.
    out = []
    for a, b in _sweep(_in_time_order([*busy, *blocks])):
        if a.owned == b.owned:
            continue
        user, block = (b, a) if a.owned else (a, b)
        if block.marker and block.marker.source == user.occurrence:
            continue
        out.append(Conflict("soft", user, block, max(a.start, b.start), min(a.end, b.end)))
    return out
