"""Desired artifacts vs owned-as-observed -> operations; then apply them, a few at a time.

Only events that carry the syncd marker are ever candidates for update or delete; ownership is
checked again by the provider base class before any write. A safety check runs before the
first write: a cycle that would delete most of a calendar's artifacts is held back once.

Writes of an account whose adapter allows it (``Provider.writes_in_flight``) run concurrently,
at most ``IN_FLIGHT`` at once: each is idempotent by its artifact's key and touches one
resource of its own, so their order does not matter. Only the calling thread records them in
the state, one by one in the operations' order.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syncd.errors import NotOwned, PreconditionFailed, ProviderError
from syncd.model import Artifact, Calendar, Event, Item, Window, made_for
from syncd.state import State
from syncd.text import span, when

log = logging.getLogger(__name__)

MIN_GUARDED = 10  # up to this many deletions per calendar (two interviews' worth) never trip the guard
IN_FLIGHT = 4  # writes under way at once, over all accounts


@dataclass(frozen=True)
class Owned:
    """An owned artifact as observed in a calendar."""

    account: str
    calendar: str
    item: Item
    event: Event

    @property
    def key(self) -> str:
        """The artifact key from its marker."""
        assert self.event.marker is not None
        return self.event.marker.key


@dataclass(frozen=True)
class Op:
    """One write: ``action`` is "create", "update" or "delete"; ``reason`` says why a delete."""

    action: str
    account: str
    calendar: str
    artifact: Artifact | None = None
    owned: Owned | None = None
    reason: str = ""

    def describe(self) -> str:
        """A plain sentence for logs and ``--dry-run``, its times in the owner's zone."""
        if self.action == "delete":
            assert self.owned is not None
            ev = self.owned.event
            why = f": {self.reason}" if self.reason else ""
            return f"remove {ev.marker.kind if ev.marker else '?'} '{ev.summary}' ({when(ev.start)}){why}"
        assert self.artifact is not None
        a = self.artifact
        verb = "add" if self.action == "create" else "move"
        return f"{verb} {a.kind} '{a.summary}' ({span(a.start, a.end)})"


def owned_in(items: Iterable[tuple[str, str, Item]]) -> list[Owned]:
    """Every owned artifact among cached items (one per item: artifacts never recur)."""
    out = []
    for account, calendar, item in items:
        if item.owned and item.events:
            out.append(Owned(account, calendar, item, item.events[0]))
    return out


def in_place(owned: Iterable[Owned]) -> list[Owned]:
    """The owned artifacts that sit in the account and calendar they were made for.

    A copy elsewhere (a folder configured as two accounts, an event the owner copied into
    another calendar) is left out: only the account and calendar an artifact was made for may
    change or delete it.
    """
    return [o for o in owned if o.event.marker is not None and made_for(o.event.marker, o.account, o.calendar)]


def diff(desired: Sequence[Artifact], owned: Sequence[Owned], window: Window,
         skip_accounts: Iterable[str] = (), now: datetime | None = None) -> list[Op]:
    """The operations that turn ``owned`` into ``desired``.

    Owned artifacts are deleted only when they lie inside ``window`` (history before it is left
    alone) and belong to an account that synced this cycle (``skip_accounts`` did not). With
    ``now``, one that has already ended is history too: the planner stops wanting the blocks of
    an interview once it is over, and they stay as they were.
    """
    skip = set(skip_accounts)
    found: dict[tuple[str, str, str], list[Owned]] = defaultdict(list)
    for o in in_place(owned):
        found[(o.account, o.calendar, o.key)].append(o)
    ops: list[Op] = []
    wanted = set()
    for art in desired:
        if art.account in skip:
            continue
        where = (art.account, art.calendar, art.key)
        wanted.add(where)
        copies = found.get(where, [])
        if not copies:
            ops.append(Op("create", art.account, art.calendar, artifact=art))
        elif not art.same_content(copies[0].event):
            ops.append(Op("update", art.account, art.calendar, artifact=art, owned=copies[0]))
        ops.extend(Op("delete", c.account, c.calendar, owned=c, reason="a duplicate") for c in copies[1:])
    for where, copies in found.items():
        if where in wanted or where[0] in skip:
            continue
        ops.extend(Op("delete", c.account, c.calendar, owned=c) for c in copies
                   if window.start <= c.event.start < window.end and (now is None or c.event.end > now))
    return ops


def guard_deletions(ops: Sequence[Op], owned: Sequence[Owned], held: Callable[[str, str], set[str]]
                    ) -> tuple[list[Op], dict[tuple[str, str], set[str]]]:
    """Hold back a calendar's deletions when they are most of its artifacts.

    Returns the ops to run now and, per (account, calendar), the keys held this cycle. A
    deletion that was already held last cycle and is still wanted goes ahead: the calendars
    have said the same thing twice.
    """
    per_calendar: dict[tuple[str, str], int] = defaultdict(int)
    for o in owned:
        per_calendar[(o.account, o.calendar)] += 1
    deletions: dict[tuple[str, str], list[Op]] = defaultdict(list)
    for op in ops:
        if op.action == "delete":
            deletions[(op.account, op.calendar)].append(op)
    holding: dict[tuple[str, str], set[str]] = {}
    for where, dels in deletions.items():
        keys = {op.owned.key for op in dels if op.owned}
        if len(dels) > MIN_GUARDED and len(dels) * 2 > per_calendar[where] and not keys <= held(*where):
            holding[where] = keys
    kept = [op for op in ops if not (op.action == "delete" and (op.account, op.calendar) in holding)]
    return kept, holding


def apply(ops: Sequence[Op], providers: Mapping[str, Any], calendars: Mapping[tuple[str, str], Calendar],
          state: State, call: Callable, stopping: Callable[[], bool]) -> list[str]:
    """Run the operations, up to ``IN_FLIGHT`` at once, recording each success in the state.

    ``call(account, fn, *args)`` runs a provider call under the retry policy; ``stopping()``
    is asked before each operation starts, so a shutdown waits only for the writes in flight.
    An account's adapter allows ``writes_in_flight`` of its writes at once (one unless it
    says more); an operation starts only when its account has room. Returns the sentences of
    what was done, in the operations' order; failures are logged and left for the next cycle.
    """
    limits = {name: max(1, min(IN_FLIGHT, int(getattr(p, "writes_in_flight", 1))))
              for name, p in providers.items()}
    done: list[str] = []
    pending: deque[tuple[Op, Calendar, Future]] = deque()
    pool = ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="syncd-write")
    try:
        for op in ops:
            while pending and (len(pending) >= IN_FLIGHT or limits[op.account] <= sum(
                    1 for waiting, _, _ in pending if waiting.account == op.account)):
                finish_write(*pending.popleft(), state, done)
            if stopping():
                break
            calendar = calendars[(op.account, op.calendar)]
            pending.append((op, calendar, pool.submit(write, op, providers[op.account],
                                                      calendar, call)))
        while pending:
            finish_write(*pending.popleft(), state, done)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # if this thread dies: start no more
    return done


def write(op: Op, provider: Any, calendar: Calendar, call: Callable) -> Item | None:
    """The provider's side of one operation (in a worker thread): the item written, or None
    for a deletion. Records nothing."""
    if op.action == "delete":
        assert op.owned is not None
        call(op.account, provider.delete, calendar, op.owned.item)
        return None
    assert op.artifact is not None
    if op.action == "create":
        item = call(op.account, provider.create, calendar, op.artifact)
        found = item.events[0] if item.events else None
        if found is not None and not op.artifact.same_content(found):
            item = call(op.account, provider.update, calendar, item, op.artifact)  # a leftover from a crash
        return item
    assert op.owned is not None
    return call(op.account, provider.update, calendar, op.owned.item, op.artifact)


def finish_write(op: Op, calendar: Calendar, future: Future, state: State, done: list[str]) -> None:
    """Wait for one operation; record it in the state (in the calling thread) and say so."""
    try:
        item = future.result()
    except PreconditionFailed as exc:
        log.info("%s: %s changed under us (%s); will look again next cycle", op.account,
                 op.calendar, exc)
        return
    except (ProviderError, NotOwned) as exc:
        # NotOwned: our key's slot holds an event without our marker (a client that rewrote
        # one of our blocks and dropped the X- properties): it is the user's now. Leave it
        # alone, and let the other operations, and the other accounts, go on.
        log.warning("%s: could not %s: %s", op.account, op.describe(), exc)
        return
    if item is None:
        assert op.owned is not None
        state.drop_item(op.account, op.calendar, op.owned.item.href)
    else:
        state.put_item(op.account, op.calendar, item)
    done.append(f"{op.account}/{calendar.name}: {op.describe()}")
    log.info("%s: %s in %s", op.account, op.describe(), calendar.name)
