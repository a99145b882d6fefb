"""One reconciliation cycle: observe every account, plan, apply, draft follow-ups.

An account that fails is recorded in the state and skipped; it never stops the others, and no
artifact of it is created or deleted until it syncs again.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from providers import base
from providers.ical import expand_raw
from syncd import retry
from syncd.config import Config
from syncd.errors import Gone, ProviderError, SyncTokenInvalid
from syncd.learn import learning_from
from syncd.followup import DraftSink, apply_followups, open_sink
from syncd.model import Calendar, Changes, Event, Window
from syncd.plan import Memo, Plan, make_plan, planning_window, rules_of
from syncd.reconcile import apply, diff, guard_deletions, owned_in
from syncd.state import State
from syncd.verdicts import VerdictStore

log = logging.getLogger(__name__)

MARGIN = timedelta(days=1)  # plan a little beyond the window so its edges do not churn
REDISCOVER = timedelta(hours=6)


@dataclass
class Report:
    """What one cycle did."""

    plan: Plan
    failed: dict[str, str] = field(default_factory=dict)
    ops: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    held: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    suspects: set[tuple[str, str]] = field(default_factory=set)


class Engine:
    """Holds the providers between cycles of one process."""

    def __init__(self, config: Config, state: State, dry_run: bool = False,
                 stop: threading.Event | None = None, heartbeat: Callable[[], None] | None = None):
        self.config = config
        self.stop = stop or threading.Event()
        self.heartbeat = heartbeat or (lambda: None)  # the daemon feeds systemd's watchdog here
        self.state = state
        self.dry_run = dry_run
        self.providers: dict[str, base.Provider] = {}
        self.discovered: dict[str, datetime] = {}
        self.suspects: set[tuple[str, str]] = set()
        self.call = retry.caller(self.stop)
        self.sink: DraftSink | None = None
        self._memo: dict[str, tuple[object, Any]] = {}
        self.plan_memo: Memo | None = None  # made on first use: it reads the kept verdicts

    def provider(self, account: Mapping[str, Any]) -> base.Provider:
        """The adapter of an account, created on first use."""
        name = account["name"]
        if name not in self.providers:
            self.providers[name] = base.load(account, self.config.tz, self.state.provider_cache(name))
        return self.providers[name]

    def close(self) -> None:
        """Close the draft sink and every provider."""
        if self.sink is not None:
            self.sink.close()
            self.sink = None
        for provider in self.providers.values():
            provider.close()

    def drafts(self) -> DraftSink:
        """The draft sink ``followup.sink`` names, opened on first use and kept open."""
        if self.sink is None:
            self.sink = open_sink(self.config.followup,
                                  lambda name: self.provider(self.config.account(name)))
        return self.sink

    def cycle(self, now: datetime, accounts: list[str] | None = None,
              on_plan: Callable[[Report], None] | None = None) -> Report:
        """Sync the accounts (all, or those named), then plan and apply over all of them.

        ``on_plan`` sees the report once planned, before anything is written.
        """
        window = planning_window(self.config, now)
        outer = Window(window.start - MARGIN, window.end + MARGIN)
        failed = {}
        self.suspects = set()
        for account in self.config.accounts:
            if (accounts is None or account["name"] in accounts) and not self.stop.is_set():
                error = self.sync_account(account, now, outer)
                self.heartbeat()
                if error:
                    failed[account["name"]] = error
        events = self._remembered("snapshot", (self._cache_generation(), _hours(outer)),
                                  lambda: snapshot(self.state, self.config, _hours(outer)))
        with collector_paused():
            plan = make_plan(events, self.config, now, self.state.acks(), self.write_calendars(),
                             learning_from(self.state.ack_times(), self.config.learn, now),
                             self.state.marks(), self._plan_memo())
        self._keep_verdicts()
        report = Report(plan=plan, failed=failed, suspects=set(self.suspects))
        owned = self._remembered("owned", self._cache_generation(),
                                 lambda: owned_in(self.state.items()))
        ops = diff(plan.artifacts, owned, window, skip_accounts=set(failed) | self.troubled())
        ops, report.held = guard_deletions(ops, owned, self.state.held)
        self._say_held(report.held)
        if on_plan:
            on_plan(report)
        if self.dry_run:
            report.ops = [f"would {op.describe()}" for op in ops]
            return report
        for acc, cal in {(a.account, a.calendar) for a in owned} | set(report.held):
            self.state.set_held(acc, cal, report.held.get((acc, cal), set()), now)
        calendars = {(c.account, c.id): c for c in self.state.calendars()}
        providers = {name: self.provider(self.config.account(name)) for name in {op.account for op in ops}}
        report.ops = apply(ops, providers, calendars, self.state, self.call, self._stopping)
        if self.stop.is_set():
            return report
        report.drafts = self.draft(plan, now)
        return report

    def draft(self, plan: Plan, now: datetime) -> list[str]:
        """Apply the plan's follow-ups to the sink; a sink that cannot be opened waits a cycle."""
        if not plan.followups:
            return []
        try:
            sink = self.drafts()
        except ProviderError as exc:
            log.warning("Follow-up drafts wait for the next cycle: the draft sink %s cannot be "
                        "opened: %s", self.config.followup.get("sink", "maildir"), exc)
            return [f"draft sink unavailable: {exc}"]
        return [o.sentence for o in apply_followups(plan.followups, self.state, self.config, now, sink)]

    def _plan_memo(self) -> Memo:
        if self.plan_memo is None:
            store = VerdictStore(self.state.verdict_rows(), rules_of(self.config))
            self.plan_memo = Memo(store)
        return self.plan_memo

    def _keep_verdicts(self) -> None:
        """Store the verdicts the pass read, when they differ from the stored ones."""
        store = self.plan_memo.verdicts if self.plan_memo else None
        rows = store.changes() if store else None
        if rows is not None:
            self.state.replace_verdicts(rows)

    def _cache_generation(self) -> int:
        return self.state.generation()

    def _remembered(self, name: str, key: object, compute: Callable[[], Any]) -> Any:
        """``compute()``, or what it gave last time for the same ``key``: an idle cycle
        neither decodes nor expands the cache again."""
        known = self._memo.get(name)
        if known is None or known[0] != key:
            known = self._memo[name] = (key, compute())
        return known[1]

    def troubled(self) -> set[str]:
        """Accounts whose last sync failed: nothing of theirs is written until one succeeds."""
        return {a["name"] for a in self.state.accounts() if a["last_error"]}

    def _stopping(self) -> bool:
        """Asked before each write: feed the watchdog, then say whether to stop."""
        self.heartbeat()
        return self.stop.is_set()

    def sync_account(self, account: Mapping[str, Any], now: datetime, window: Window) -> str | None:
        """Bring one account's cache up to date. Returns an error sentence, or None."""
        name = account["name"]
        try:
            provider = self.provider(account)
            for cal in self._calendars(account, provider, now):
                if self.stop.is_set():
                    return None  # each calendar is committed on its own; the rest can wait
                self._sync_calendar(provider, cal, window, now)
                self.heartbeat()
            self.state.save_provider_cache(name, provider.cache)
        except ProviderError as exc:
            if isinstance(exc, Gone):
                self.discovered.pop(name, None)
            log.warning("%s: sync failed: %s", name, exc)
            self.state.record_sync(name, account["type"], now, str(exc), None)
            return str(exc)
        except Exception as exc:  # an adapter bug must not stop the other accounts
            log.exception("%s: unexpected error while syncing", name)
            self.state.record_sync(name, account["type"], now, f"internal error: {exc}", None)
            return f"internal error: {exc}"
        self.state.record_sync(name, account["type"], now, None, self.state.count_events(name))
        return None

    def _calendars(self, account: Mapping[str, Any], provider: base.Provider, now: datetime) -> list[Calendar]:
        name = account["name"]
        last = self.discovered.get(name)
        if last is None or now - last > REDISCOVER or not self.state.calendars(name):
            found = self.call(name, provider.calendars)
            wanted = set(account["calendars"]) | ({account["write_calendar"]} - {""})
            found = [c for c in found if not account["calendars"] or {c.name, c.id} & wanted]
            self.state.save_calendars(name, found)
            self.discovered[name] = now
        return self.state.calendars(name)

    def _sync_calendar(self, provider: base.Provider, cal: Calendar, window: Window, now: datetime) -> None:
        name = provider.name
        token = self.state.token(name, cal.id)
        known = self.state.etags(name, cal.id)
        try:
            changes = self.call(name, provider.changes, cal, token, known, window)
        except SyncTokenInvalid:
            log.info("%s: sync token for %s expired; reading it in full", name, cal.name)
            changes = self.call(name, provider.changes, cal, None, {}, window)
        suspected = self.state.suspected(name, cal.id)
        if changes.full or changes.deletions:  # only these can make events vanish
            users = self.state.user_hrefs(name, cal.id)
            gone = len(users) - remaining(users, changes)
            if mass_loss(len(users), len(users) - gone):
                if not suspected:
                    log.warning("%s: %s suddenly reports %d of its %d events gone; holding that back "
                                "for one cycle in case the answer was truncated", name, cal.name,
                                gone, len(users))
                    self.state.set_suspected(name, cal.id, True, now)
                    self.suspects.add((name, cal.id))
                    return
                log.info("%s: %s still reports %d events gone; going ahead", name, cal.name, gone)
        if suspected:
            self.state.set_suspected(name, cal.id, False, now)
        self.state.apply_changes(name, cal.id, changes)

    def write_calendars(self) -> dict[tuple[str, str], str]:
        """(account, calendar id) -> id of the calendar its artifacts go to."""
        out = {}
        for account in self.config.accounts:
            cals = self.state.calendars(account["name"])
            target = next((c.id for c in cals if account["write_calendar"] in (c.name, c.id)), None)
            for cal in cals:
                out[(account["name"], cal.id)] = target or cal.id
        return out

    @staticmethod
    def _say_held(held: dict[tuple[str, str], set[str]]) -> None:
        for (account, calendar), keys in held.items():
            log.warning("%s: holding back %d deletions in %s: that is most of its artifacts; "
                        "they go ahead next cycle if the calendars still say so", account,
                        len(keys), calendar)


MASS_LOSS_MIN = 4  # a calendar this small may legitimately empty out in one edit


def remaining(users: set[str], changes: Changes) -> int:
    """How many user items (not syncd's) a calendar holds once ``changes`` are applied."""
    hrefs = {i.href for i in changes.upserts if not i.owned}
    if changes.full:
        return len(hrefs)
    return len((users - set(changes.deletions)) | hrefs)


def mass_loss(before: int, after: int) -> bool:
    """True when most of a calendar's events vanished at once (an empty or truncated answer?)."""
    return before >= MASS_LOSS_MIN and after * 2 < before


def _hours(window: Window) -> Window:
    """``window`` widened to whole hours, so that its edges move once an hour, not every
    cycle: within an hour the snapshot of an unchanged cache is the same."""
    start = window.start.replace(minute=0, second=0, microsecond=0)
    end = window.end.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return Window(start, end)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector out of a planning pass.

    Planning allocates a few small objects per event and leaves no reference cycles, yet
    every so often the collector walks every live object, the whole snapshot included, to
    look for some: on 100,000 events that is about a quarter of the pass. Reference counting
    still frees everything as usual; the collector resumes (if it was on) when the pass ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def snapshot(state: State, config: Config, window: Window) -> list[Event]:
    """Every cached occurrence that meets ``window``, located in its account and calendar."""
    events = []
    for account, calendar, item in state.items():
        if item.recurring:
            item = expand_raw(item, config.tz, window)
        for event in item.events:
            if window.overlaps(event.start, max(event.end, event.start + timedelta(seconds=1))):
                events.append(event.located(account, calendar))
    return events
