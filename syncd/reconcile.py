"""Desired artifacts vs owned-as-observed -> operations; then apply them one at a time.

Only events that carry the syncd marker are ever candidates for update or delete; ownership is
checked again by the provider base class before any write. A safety check runs before the
first write: a cycle that would delete most of a calendar's artifacts is held back once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syncd.errors import NotOwned, PreconditionFailed, ProviderError
from syncd.model import Artifact, Calendar, Event, Item, Window, made_for
from syncd.state import State
from syncd.text import span, when

log = logging.getLogger(__name__)

MIN_GUARDED = 10  # up to this many deletions per calendar (two interviews' worth) never trip the guard


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


def apply(ops: Sequence[Op], providers: Mapping[str, object], calendars: Mapping[tuple[str, str], Calendar],
          state: State, call: Callable, stopping: Callable[[], bool]) -> list[str]:
    """Run the operations one at a time, recording each success in the state.

    ``call(account, fn, *args)`` runs a provider call under the retry policy; ``stopping()``
    is asked before each operation, so a shutdown waits only for the write in flight. Returns
    the sentences of what was done; failures are logged and left for the next cycle.
    """
    done = []
    for op in ops:
        if stopping():
            break
        provider = providers[op.account]
        calendar = calendars[(op.account, op.calendar)]
        try:
            _apply_one(op, provider, calendar, state, call)
        except PreconditionFailed as exc:
            log.info("%s: %s changed under us (%s); will look again next cycle", op.account,
                     op.calendar, exc)
            continue
        except ProviderError as exc:
            log.warning("%s: could not %s: %s", op.account, op.describe(), exc)
            continue
        except NotOwned as exc:
            # Our key's slot holds an event without our marker (a client that rewrote one of
            # our blocks and dropped the X- properties): it is the user's now. Leave it alone,
            # and let the other operations, and the other accounts, go on.
            log.warning("%s: could not %s: %s", op.account, op.describe(), exc)
            continue
        done.append(f"{op.account}/{calendar.name}: {op.describe()}")
        log.info("%s: %s in %s", op.account, op.describe(), calendar.name)
    return done


def _apply_one(op: Op, provider, calendar: Calendar, state: State, call: Callable) -> None:
    if op.action == "delete":
        assert op.owned is not None
        call(op.account, provider.delete, calendar, op.owned.item)
        state.drop_item(op.account, op.calendar, op.owned.item.href)
        return
    assert op.artifact is not None
    if op.action == "create":
        item = call(op.account, provider.create, calendar, op.artifact)
        found = item.events[0] if item.events else None
        if found is not None and not op.artifact.same_content(found):
            item = call(op.account, provider.update, calendar, item, op.artifact)  # a leftover from a crash
    else:
        assert op.owned is not None
        item = call(op.account, provider.update, calendar, op.owned.item, op.artifact)
    state.put_item(op.account, op.calendar, item)
