"""Double bookings: a sweep over intervals sorted by start. Pure.

Two events conflict when both are busy for the owner and overlap in time (half-open intervals:
one ending at 10:00 does not clash with one starting at 10:00). The same occurrence seen in two
calendars is one event.

The report is bounded: n events at one time overlap in n(n-1)/2 pairs, so each event is
listed in at most ``MAX_OVERLAPS_PER_EVENT`` conflicts and the whole report holds at most
``MAX_CONFLICTS`` pairs besides those of the events that matter most (interviews, syncd's own
blocks). Every overlap is still counted: a :class:`Crowd` says, for each run of overlapping
events where pairs were left out, how many there were and how many are listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from heapq import heappop, heappush
from itertools import islice

from syncd.bounds import MAX_CONFLICTS, MAX_OVERLAPS_PER_EVENT
from syncd.model import Event

Pair = tuple[Event, Event]


@dataclass(frozen=True)
class Conflict:
    """Two overlapping busy things. ``kind`` is "hard" (two user events) or "soft"."""

    kind: str
    a: Event
    b: Event
    start: datetime
    end: datetime


@dataclass
class Crowd:
    """A run of events that overlap one another, one after the next, where pairs were left out."""

    start: datetime
    end: datetime
    events: int = 0
    overlaps: int = 0  # every pair that shares time
    listed: int = 0  # the pairs the report holds


@dataclass
class Overlaps:
    """The bounded report of one sweep: the pairs listed and the crowds where some were not."""

    pairs: list[Pair] = field(default_factory=list)
    crowds: list[Crowd] = field(default_factory=list)


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
    """Pairs of events whose intervals share time, by a sweep: O(n log n + pairs listed).

    Events are sorted by start; heaps keyed by end hold those still running, so each event
    is compared only with events it can overlap. An empty interval (end <= start) shares time
    with nothing, not even with an event around it, so it never enters the sweep. All pairs
    while no event overlaps more than ``MAX_OVERLAPS_PER_EVENT`` others (see :func:`sweep`).
    """
    return sweep(_in_time_order(events)).pairs


def hard_conflicts(events: Sequence[Event]) -> list[Conflict]:
    """Conflicts among busy user events (already filtered with :func:`is_busy`)."""
    return _hard(sweep(_in_time_order(unique_occurrences(events))))


def soft_conflicts(busy: Sequence[Event], blocks: Sequence[Event]) -> list[Conflict]:
    """Busy user events that overlap syncd's own buffers or travel blocks.

    ``blocks`` are the planned artifacts as events; a block never conflicts with its own source.
    """
    return _soft(_in_time_order(unique_occurrences(busy)), blocks)


def busy_conflicts(busy: Sequence[Event], blocks: Sequence[Event]) -> tuple[list[Conflict],
                                                                           list[Conflict]]:
    """``hard_conflicts(busy)`` and ``soft_conflicts(busy, blocks)``, sorting ``busy`` once."""
    report = bounded_conflicts(busy, blocks)
    return report.hard, report.soft


@dataclass
class Report:
    """Hard and soft conflicts, and the crowds whose pairs were not all listed."""

    hard: list[Conflict]
    soft: list[Conflict]
    crowds: list[Crowd]


def bounded_conflicts(busy: Sequence[Event], blocks: Sequence[Event],
                      urgent: Callable[[Event], bool] | None = None) -> Report:
    """Hard conflicts among ``busy`` and soft ones with ``blocks``, in bounded memory.

    ``urgent`` picks the events whose conflicts are listed first and beyond the report's cap
    (the planner's interviews); each of them still in at most ``MAX_OVERLAPS_PER_EVENT``.
    """
    ordered = _in_time_order(unique_occurrences(busy))
    hard = sweep(ordered, urgent)
    soft = _soft(ordered, blocks)
    return Report(_hard(hard), soft, hard.crowds)


def _when(event: Event) -> tuple[datetime, datetime, str]:
    return event.start, event.end, event.occurrence


def _in_time_order(events: Iterable[Event]) -> list[Event]:
    """The events that last some time, by start, end and occurrence (a stable sort)."""
    return sorted((event for event in events if event.start < event.end), key=_when)


class _Sweep:
    """The running events of a sweep, in two heaps by end: the urgent ones and the others."""

    def __init__(self, urgent: Callable[[Event], bool] | None, mixed_only: bool) -> None:
        self.is_urgent = urgent or (lambda event: False)
        self.mixed_only = mixed_only  # pair urgent with plain events only (blocks with users)
        self.urgent: list[tuple[datetime, int, Event]] = []
        self.plain: list[tuple[datetime, int, Event]] = []
        self.listed: Counter[int] = Counter()

    def advance(self, start: datetime) -> int:
        """Drop what ended by ``start``; returns how many are still running."""
        for heap in (self.urgent, self.plain):
            while heap and heap[0][0] <= start:
                heappop(heap)
        return len(self.urgent) + len(self.plain)

    def partners(self, index: int, event: Event, room: bool) -> list[tuple[int, Event]]:
        """Running events to list ``event`` with: a bounded look at each heap, urgent first."""
        mine = self.is_urgent(event)
        heaps = [self.urgent, self.plain]
        if self.mixed_only:
            heaps = [self.plain] if mine else [self.urgent]
        found: list[tuple[int, Event]] = []
        for heap in heaps:
            if heap is self.plain and not (room or mine):
                continue  # the report is full: only urgent events' conflicts go on
            for _, other_index, other in islice(heap, MAX_OVERLAPS_PER_EVENT):
                if len(found) + self.listed[index] >= MAX_OVERLAPS_PER_EVENT:
                    break
                if self.listed[other_index] < MAX_OVERLAPS_PER_EVENT:
                    found.append((other_index, other))
        return sorted(found, key=lambda pair: pair[0])  # in time order, whichever heap

    def enter(self, index: int, event: Event) -> None:
        """``event`` is running from now on."""
        heappush(self.urgent if self.is_urgent(event) else self.plain, (event.end, index, event))


def sweep(order: Sequence[Event], urgent: Callable[[Event], bool] | None = None,
          mixed_only: bool = False) -> Overlaps:
    """Pairs of events that share time, among events in time order, and the crowds capped.

    Each event is listed with at most ``MAX_OVERLAPS_PER_EVENT`` others (those ending soonest,
    urgent ones first); pairs of two non-urgent events stop at ``MAX_CONFLICTS``. Time is
    O(n log n + n * MAX_OVERLAPS_PER_EVENT), memory O(n + pairs listed).
    """
    state = _Sweep(urgent, mixed_only)
    out = Overlaps()
    crowd: Crowd | None = None
    for index, event in enumerate(order):
        running = state.advance(event.start)
        if crowd is None or not running:
            _close(crowd, out)
            crowd = Crowd(event.start, event.end)
        crowd.events += 1
        crowd.end = max(crowd.end, event.end)
        crowd.overlaps += running
        for other_index, other in state.partners(index, event, len(out.pairs) < MAX_CONFLICTS):
            out.pairs.append((other, event))
            state.listed[index] += 1
            state.listed[other_index] += 1
            crowd.listed += 1
        state.enter(index, event)
    _close(crowd, out)
    return out


def _close(crowd: Crowd | None, out: Overlaps) -> None:
    """Keep ``crowd`` in the report when some of its pairs were left out."""
    if crowd is not None and crowd.listed < crowd.overlaps:
        out.crowds.append(crowd)


def _hard(overlaps: Overlaps) -> list[Conflict]:
    return [Conflict("hard", a, b, max(a.start, b.start), min(a.end, b.end))
            for a, b in overlaps.pairs]


def _soft(busy: Sequence[Event], blocks: Sequence[Event]) -> list[Conflict]:
    # ``busy`` is sorted already, so this sort is cheap, and it orders them exactly as one
    # stable sort of the busy events followed by the blocks would.
    out = []
    overlaps = sweep(_in_time_order([*busy, *blocks]), urgent=lambda e: e.owned, mixed_only=True)
    for a, b in overlaps.pairs:
        if a.owned == b.owned:
            continue
        user, block = (b, a) if a.owned else (a, b)
        if block.marker and block.marker.source == user.occurrence:
            continue
        out.append(Conflict("soft", user, block, max(a.start, b.start), min(a.end, b.end)))
    return out
