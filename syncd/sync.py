"""Syncing accounts: each in a thread of its own, each within its deadline for the cycle.

A sync is split in two. :func:`fetch` runs in the account's thread and only talks to the
provider (through the engine's ``call``, which bounds every request, retry and wait by the
account's deadline); it hands each calendar's changes over as it gets them. :func:`commit` runs
in the engine's thread once every account has finished or run out of time, and is the only
part that touches the state: it stores the calendars that arrived in time (each on its own,
with the mass-loss check) and records the account's success or failure.

An account that runs out of time has failed for this cycle like any other failure: nothing of
it is written, its artifacts are neither created nor deleted, and the next cycle tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from providers import base
from syncd import retry
from syncd.errors import OutOfTime, ProviderError, SyncTokenInvalid
from syncd.model import Calendar, Changes, Window
from syncd.state import State

log = logging.getLogger("syncd.cycle")

MASS_LOSS_MIN = 4  # a calendar this small may legitimately empty out in one edit
JOIN_SLICE = 0.5  # seconds between the engine's looks at its account threads (and the watchdog)
LATE = 2.0  # seconds past its deadline an account thread may take to notice and end


@dataclass
class Job:
    """One account's sync in this cycle: what it starts from and what it brought back."""

    account: Mapping[str, Any]
    provider: base.Provider
    window: Window
    deadline: float  # time.monotonic()
    cached: list[Calendar] | None  # the calendars to read; None: discover them first
    since: dict[str, tuple[str | None, dict[str, str]]]  # calendar id -> (token, href -> etag)
    discovered: list[Calendar] | None = None
    fetched: list[tuple[Calendar, Changes]] = field(default_factory=list)
    error: BaseException | None = None
    finished: bool = False
    interrupted: bool = False
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    reading: threading.Event = field(default_factory=threading.Event)  # a whole read is under way
    # What a first read of one of its calendars tells as it goes (see syncd.early): made for
    # (that calendar, the account's calendars); None for a calendar it need not watch.
    watch: Callable[[Calendar, list[Calendar]], base.Watch | None] | None = None

    @property
    def reads_whole(self) -> bool:
        """True when some calendar will be read in full (none known yet, or one without a
        token): the long wait for a server that :func:`run_all` can put to use."""
        return not self.since or any(token is None for token, _ in self.since.values())

    @property
    def name(self) -> str:
        """The account's name."""
        return str(self.account["name"])

    def hand_over(self, **results: Any) -> bool:
        """Record results unless the engine has stopped listening. Returns whether they count."""
        with self.lock:
            if self.closed:
                return False
            for key, value in results.items():
                if key == "fetched":
                    self.fetched.append(value)
                else:
                    setattr(self, key, value)
            return True

    def close(self) -> None:
        """Stop listening: anything the thread hands over from now on is dropped."""
        with self.lock:
            self.closed = True


def fetch(job: Job, call: Callable[..., Any], stop: threading.Event) -> None:
    """The account thread: discover calendars if due, then read each one's changes."""
    name, provider = job.name, job.provider
    try:
        calendars = job.cached
        if calendars is None:
            calendars = wanted(job.account, call(name, provider.calendars))
            job.hand_over(discovered=calendars)
        for cal in calendars:
            if stop.is_set():
                job.hand_over(interrupted=True)  # each calendar is committed on its own; the rest can wait
                return
            token, known = job.since.get(cal.id, (None, {}))
            if token is None:
                job.reading.set()
            try:
                changes = _read(job, call, cal, calendars, token, known)
            except SyncTokenInvalid:
                log.info("%s: sync token for %s expired; reading it in full", name, cal.name)
                changes = call(name, provider.changes, cal, None, {}, job.window)
            job.hand_over(fetched=(cal, changes))
        job.hand_over(finished=True)
    except ProviderError as exc:
        job.hand_over(error=exc)
    except Exception as exc:  # an adapter bug must not stop the other accounts
        if job.hand_over(error=exc):
            log.exception("%s: unexpected error while syncing", name)
    finally:
        job.reading.set()
        job.done.set()


def _read(job: Job, call: Callable[..., Any], cal: Calendar, calendars: list[Calendar],
          token: str | None, known: dict[str, str]) -> Changes:
    """One calendar's changes; a first read reports each item to ``job.watch`` meanwhile."""
    provider = job.provider
    if token is not None or job.watch is None:
        return call(job.name, provider.changes, cal, token, known, job.window)
    provider.watch = job.watch(cal, calendars)
    try:
        return call(job.name, provider.changes, cal, token, known, job.window)
    finally:
        provider.watch = None


def wanted(account: Mapping[str, Any], found: list[Calendar]) -> list[Calendar]:
    """The discovered calendars the account's config asks for (all when it names none)."""
    names = set(account["calendars"]) | ({account["write_calendar"]} - {""})
    return [c for c in found if not account["calendars"] or {c.name, c.id} & names]


def run_all(jobs: list[Job], call: Callable[..., Any], stop: threading.Event,
            heartbeat: Callable[[], None], clock: Callable[[], float] = time.monotonic,
            meanwhile: Callable[[], None] | None = None) -> None:
    """Run every job in a daemon thread of its own and wait until each has finished, run out of
    time, or (when stopping) had its grace; feed ``heartbeat`` meanwhile. Closes every job.

    ``meanwhile`` runs in this thread once a job has started a whole read (or every job has
    ended): work the cycle needs next, done while the servers answer instead of after.
    """
    reading = threading.Event()
    for job in jobs:
        job.reading = reading
        threading.Thread(target=fetch, args=(job, call, stop), daemon=True,
                         name=f"syncd-sync-{job.name}").start()
    if meanwhile is not None and jobs:
        _when_reading(jobs, reading, stop, heartbeat, clock)
        meanwhile()
    stopping_since: float | None = None
    for job in jobs:
        while not job.done.wait(JOIN_SLICE):
            heartbeat()
            now = clock()
            if stop.is_set():
                stopping_since = now if stopping_since is None else stopping_since
            if now >= job.deadline + LATE or (stopping_since is not None
                                              and now - stopping_since >= retry.STOP_GRACE + LATE):
                break  # stuck outside a provider call (e.g. parsing): abandon it all the same
        job.close()
        heartbeat()


def _when_reading(jobs: list[Job], reading: threading.Event, stop: threading.Event,
                  heartbeat: Callable[[], None], clock: Callable[[], float]) -> None:
    """Wait until a job starts a whole read or ends, feeding ``heartbeat``; give up at the
    first deadline or on a stop request (the join that follows deals with those)."""
    first = min(job.deadline for job in jobs)
    while not reading.wait(JOIN_SLICE) and not stop.is_set() and clock() < first:
        heartbeat()
    heartbeat()


def commit(job: Job, state: State, now: datetime, suspects: set[tuple[str, str]],
           stopping: bool = False) -> str | None:
    """Store what ``job`` brought back in time and record the outcome. Returns an error sentence,
    or None (also when the sync was cut short by a stop request: nothing is recorded then)."""
    name = job.name
    if job.discovered is not None:
        state.save_calendars(name, job.discovered)
    for cal, changes in job.fetched:
        store(state, name, cal, changes, now, suspects)
    if job.finished:
        state.save_provider_cache(name, job.provider.cache)
        state.record_sync(name, job.account["type"], now, None, state.count_events(name))
        return None
    if job.interrupted or stopping:
        return None
    error = job.error
    if error is None or isinstance(error, OutOfTime):
        error = OutOfTime(f"did not finish within its deadline of {describe(job)} for a cycle"
                          + (f" ({error})" if error else ""))
    if isinstance(error, ProviderError):
        message = str(error)
        log.warning("%s: sync failed: %s", name, message)
    else:
        message = f"internal error: {error}"
    state.record_sync(name, job.account["type"], now, message, None)
    return message


def describe(job: Job) -> str:
    """The account's deadline as configured, e.g. "90s"."""
    value = job.account.get("deadline")
    return f"{value.total_seconds():g}s" if isinstance(value, timedelta) else "this cycle"


def abandoned(job: Job) -> bool:
    """True when the job's provider may still be busy in an abandoned thread (or call)."""
    return not job.done.is_set() or isinstance(job.error, OutOfTime)


def store(state: State, name: str, cal: Calendar, changes: Changes, now: datetime,
          suspects: set[tuple[str, str]]) -> None:
    """Apply one calendar's changes to the cache, holding back a sudden mass loss once."""
    suspected = state.suspected(name, cal.id)
    if changes.full or changes.deletions:  # only these can make events vanish
        users = state.user_hrefs(name, cal.id)
        gone = len(users) - remaining(users, changes)
        if mass_loss(len(users), len(users) - gone):
            if not suspected:
                log.warning("%s: %s suddenly reports %d of its %d events gone; holding that back "
                            "for one cycle in case the answer was truncated", name, cal.name,
                            gone, len(users))
                state.set_suspected(name, cal.id, True, now)
                suspects.add((name, cal.id))
                return
            log.info("%s: %s still reports %d events gone; going ahead", name, cal.name, gone)
    if suspected:
        state.set_suspected(name, cal.id, False, now)
    state.apply_changes(name, cal.id, changes)


def remaining(users: set[str], changes: Changes) -> int:
    """How many user items (not syncd's) a calendar holds once ``changes`` are applied."""
    hrefs = {i.href for i in changes.upserts if not i.owned}
    if changes.full:
        return len(hrefs)
    return len((users - set(changes.deletions)) | hrefs)


def mass_loss(before: int, after: int) -> bool:
    """True when most of a calendar's events vanished at once (an empty or truncated answer?)."""
    return before >= MASS_LOSS_MIN and after * 2 < before
