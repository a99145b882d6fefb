"""One reconciliation cycle: observe every account, plan, apply, draft follow-ups.

An account that fails is recorded in the state and skipped; it never stops the others, and no
artifact of it is created or deleted until it syncs again.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from providers import base
from syncd import retry, sync
from syncd.collector import collector_paused
from syncd.config import Config
from syncd.errors import Gone, ProviderError
from syncd import rest
from syncd.learn import learning_from
from syncd.model import Calendar, Event, Window
from syncd.reconcile import apply, diff, guard_deletions, in_place, owned_in
from syncd.state import State
from syncd.window import MARGIN, planning_window, snapshot_window

if TYPE_CHECKING:
    from syncd.early import EarlyWrites
    from syncd.followup.sink import DraftSink
    from syncd.plan import Memo, Plan

# The planner, the detector behind it and the drafting are imported where a cycle plans:
# an idle ``syncd once`` that rests (syncd.rest) never loads them.

log = logging.getLogger(__name__)

__all__ = ["MARGIN", "Engine", "Report", "collector_paused", "snapshot"]
REDISCOVER = timedelta(hours=6)
PLANNING_MODULES = ("syncd.explain", "syncd.followup.drafting", "syncd.plan", "syncd.verdicts")
DISCOVERED = "discovered."  # + account name, in the state's settings: when its calendars were listed


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
        self.deadlines: dict[str, float] = {}  # account -> time.monotonic() its cycle must end by
        self.call = retry.caller(self.stop, self.deadlines)
        self.sink: DraftSink | None = None
        self._memo: dict[str, tuple[object, Any]] = {}
        self.plan_memo: Memo | None = None  # made on first use: it reads the kept verdicts
        self.early: EarlyWrites | None = None  # this cycle's, while a first read is under way

    def provider(self, account: Mapping[str, Any]) -> base.Provider:
        """The adapter of an account, created on first use."""
        name = account["name"]
        if name not in self.providers:
            self.providers[name] = base.load(account, self.config.tz, self.state.provider_cache(name))
        return self.providers[name]

    def close(self) -> None:
        """Close the draft sink and every provider (abandoned ones were let go already)."""
        if self.sink is not None:
            self.sink.close()
            self.sink = None
        for provider in self.providers.values():
            provider.close()

    def drafts(self) -> DraftSink:
        """The draft sink ``followup.sink`` names, opened on first use and kept open."""
        if self.sink is None:
            from syncd.followup.sink import open_sink  # Jinja2 and the mail modules: only to draft

            self.sink = open_sink(self.config.followup,
                                  lambda name: self.provider(self.config.account(name)))
        return self.sink

    def cycle(self, now: datetime, accounts: list[str] | None = None,
              on_plan: Callable[[Report], None] | None = None) -> Report:
        """Sync the accounts (all, or those named), then plan and apply over all of them.

        Every account's requests, retries and waits, reads and writes alike, end by its
        ``deadline`` from the start of the cycle. ``on_plan`` sees the report once planned, before anything is written.
        """
        failed = self.observe(now, accounts)
        return self.decide(now, failed, on_plan)

    def once(self, now: datetime, on_plan: Callable[[Report], None] | None = None,
             may_rest: bool = True) -> tuple[dict[str, str], bool]:
        """The cycle of ``syncd once``: like :meth:`cycle` over every account, but when the last
        one ended settled and nothing it read has changed since (see :mod:`syncd.rest`), it ends
        after the sync. Returns the accounts that failed (name -> sentence) and whether it rested.
        """
        failed = self.observe(now, None)
        if (may_rest and not self.dry_run and not failed and not self.stop.is_set()
                and not (self.early is not None and self.early.sent)):
            if rest.may_rest(self.state, rest.fingerprint(self.state, self.config), now):
                log.info("Nothing changed since the last cycle: no plan, no writes")
                return failed, True
        report = self.decide(now, failed, on_plan)
        if may_rest and not self.dry_run:
            self._settle(report, now)
        return report.failed, False

    def observe(self, now: datetime, accounts: list[str] | None = None) -> dict[str, str]:
        """Start the cycle's clock and sync the accounts. Returns name -> error sentence."""
        self.start_clock()
        return self.sync_accounts(now, snapshot_window(self.config, now), accounts)

    def decide(self, now: datetime, failed: dict[str, str],
               on_plan: Callable[[Report], None] | None = None) -> Report:
        """Plan over every account's cache, then write what the plan wants and draft."""
        from syncd.explain import explain_removals
        from syncd.plan import make_plan

        window = planning_window(self.config, now)
        outer = snapshot_window(self.config, now)
        events = self._remembered("snapshot", (self._cache_generation(), outer),
                                  lambda: snapshot(self.state, self.config, outer))
        memo = self._plan_memo()
        if self.early is not None:
            memo.given = self.early.verdicts_read()
        with collector_paused():
            plan = make_plan(events, self.config, now, self.state.acks(), self.write_calendars(),
                             learning_from(self.state.ack_times(), self.config.learn, now),
                             self.state.marks(), memo)
        self._keep_verdicts()
        report = Report(plan=plan, failed=failed, suspects=set(self.suspects))
        early = self._finish_early()
        owned = self._owned()
        ops = diff(plan.artifacts, owned, window, skip_accounts=set(failed) | self.troubled(), now=now)
        ops = explain_removals(ops, plan, events, self.state.acks(), self.config)
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
        report.ops = early + apply(ops, providers, calendars, self.state, self.call, self._stopping)
        for name, provider in providers.items():  # what writing taught an adapter
            self.state.save_provider_cache(name, provider.cache)
        self._let_go({name for name in providers if self.out_of_time(name)})
        if self.stop.is_set():
            return report
        report.drafts = self.draft(plan, now)
        return report

    def _finish_early(self) -> list[str]:
        """Wait for the cycle's early writes (:mod:`syncd.early`) and record them, so that the
        plan is compared with calendars that hold them. Returns what they did."""
        early, self.early = self.early, None
        return early.finish(self.state) if early is not None else []

    def _owned(self) -> list[Any]:
        return self._remembered("owned", self._cache_generation(),
                                lambda: in_place(owned_in(self.state.items())))

    def _settle(self, report: Report, now: datetime) -> None:
        """Record the cycle for :mod:`syncd.rest` when it left nothing to do: every account
        synced, nothing suspected or held, the plan's writes all made, its drafts all left
        alone by the next pass; otherwise forget any earlier record."""
        from syncd.followup.drafting import untouched

        failed = report.failed or self.troubled() or report.suspects or report.held
        owned = self._owned()
        window = planning_window(self.config, now)
        followups = self.state.followups()
        if (failed or self.stop.is_set() or diff(report.plan.artifacts, owned, window, now=now)
                or not all(untouched(f.kind, followups.get(f.interview.ref))
                           for f in report.plan.followups)):
            rest.forget(self.state)
            return
        due = rest.next_change(self.config, now, report.plan.interviews, owned,
                               self.state.ack_times())
        rest.remember(self.state, rest.fingerprint(self.state, self.config), now, due)

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
        from syncd.followup.drafting import apply_followups

        return [o.sentence for o in apply_followups(plan.followups, self.state, self.config, now, sink)]

    def _plan_memo(self) -> Memo:
        from syncd.plan import Memo, rules_of
        from syncd.verdicts import VerdictStore

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

    def start_clock(self) -> None:
        """Give every account its deadline for this cycle, counted from now."""
        start = time.monotonic()
        for account in self.config.accounts:
            self.deadlines[account["name"]] = start + account["deadline"].total_seconds()

    def out_of_time(self, name: str) -> bool:
        """True once an account's deadline for this cycle has passed."""
        return time.monotonic() >= self.deadlines.get(name, float("inf"))

    def sync_accounts(self, now: datetime, window: Window, names: list[str] | None) -> dict[str, str]:
        """Sync the accounts (all, or those named) concurrently. Returns name -> error sentence."""
        self.suspects = set()
        failed: dict[str, str] = {}
        jobs = []
        for account in self.config.accounts:
            if (names is None or account["name"] in names) and not self.stop.is_set():
                try:
                    jobs.append(self._job(account, now, window))
                except ProviderError as exc:  # e.g. a type this version has no adapter for
                    log.warning("%s: sync failed: %s", account["name"], exc)
                    self.state.record_sync(account["name"], account["type"], now, str(exc), None)
                    failed[account["name"]] = str(exc)
        whole = any(job.reads_whole for job in jobs)
        self.early = self._early_writes(now, window, jobs) if whole else None
        modules = tuple(name for job in jobs for name in job.provider.read_modules)
        sync.run_all(jobs, self.call, self.stop, self.heartbeat,
                     meanwhile=partial(prepare_planning, modules) if whole else None)
        if self.early is not None:
            self.early.close()  # a reading thread left behind adds nothing more
        for job in jobs:
            error = sync.commit(job, self.state, now, self.suspects, self.stop.is_set())
            if job.discovered is not None:
                self._discovered(job.account, now)
            if error:
                failed[job.name] = error
                if isinstance(job.error, Gone):
                    self._discovered(job.account, None)
            if sync.abandoned(job):
                self._let_go({job.name})
        return failed

    def _early_writes(self, now: datetime, window: Window, jobs: list[sync.Job]
                      ) -> EarlyWrites | None:
        """The cycle's early writes (:mod:`syncd.early`), watching the jobs that read a
        calendar whole; None on a dry run."""
        if self.dry_run:
            return None
        from syncd.early import EarlyWrites

        state = self.state
        early = EarlyWrites(self.config, now, window, acks=state.acks(), marks=state.marks(),
                            learning=learning_from(state.ack_times(), self.config.learn, now),
                            owned={o.key for o in self._owned()}, skip=self.troubled(),
                            call=self.call, stopping=self.stop.is_set)
        for job in jobs:
            if job.reads_whole:
                job.watch = early.watcher(job.account, job.provider)
        return early

    def _job(self, account: Mapping[str, Any], now: datetime, window: Window) -> sync.Job:
        """What one account's sync starts from (read here, in the engine's thread)."""
        name = account["name"]
        provider = self.provider(account)
        cached: list[Calendar] | None = self.state.calendars(name)
        last = self.discovered.get(name)
        if last is None and not provider.lists_calendars_free:
            last = self._discovered_before(account, cached or [])
        if last is None or not cached or not last <= now <= last + REDISCOVER:
            cached = None
        known = self.state.calendars(name)
        since = {c.id: (self.state.token(name, c.id), self.state.etags(name, c.id)) for c in known}
        return sync.Job(account=account, provider=provider, window=window,
                        deadline=self.deadlines[name], cached=cached, since=since)

    def _discovered(self, account: Mapping[str, Any], when: datetime | None) -> None:
        """Note when an account's calendars were listed (None: list them again next cycle),
        here and in the state, so that the next process (``syncd once``) need not list them."""
        name = account["name"]
        if when is None:
            self.discovered.pop(name, None)
        else:
            self.discovered[name] = when
        record = {"at": when.isoformat(), "account": rest.account_digest(account)} if when else {}
        self.state.set_setting(DISCOVERED + name, json.dumps(record))

    def _discovered_before(self, account: Mapping[str, Any], cached: list[Calendar]) -> datetime | None:
        """When an earlier process listed this account's calendars, if its config is the same
        and every calendar it names was among them; else None (list them now)."""
        try:
            record = json.loads(self.state.setting(DISCOVERED + account["name"]) or "{}")
            at = datetime.fromisoformat(record["at"])
        except (ValueError, KeyError, TypeError):
            return None
        named = set(account["calendars"]) | ({account["write_calendar"]} - {""})
        have = {c.name for c in cached} | {c.id for c in cached}
        if record.get("account") != rest.account_digest(account) or named - have:
            return None
        return at

    def _let_go(self, names: set[str]) -> None:
        """Forget the providers of accounts whose calls were abandoned; close them in the
        background (closing may wait on the stuck request). The next cycle starts afresh."""
        for name in names:
            provider = self.providers.pop(name, None)
            if provider is not None:
                threading.Thread(target=provider.close, daemon=True, name=f"syncd-close-{name}").start()

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


def prepare_planning(read_modules: tuple[str, ...] = ()) -> None:
    """Import what the providers will read the answer with (``read_modules``), then the
    detector, compiling its tables (made on first use), then the planner and the drafting,
    while the servers prepare their answer to a first read: a first sync needs them all, and
    that time would otherwise follow the wait instead of filling it. The detector comes
    before the planner because a read's early writes (:mod:`syncd.early`) look at each event
    as it arrives. An idle cycle never calls this."""
    try:
        for name in dict.fromkeys(read_modules):
            importlib.import_module(name)
        importlib.import_module("syncd.detect").prepare()  # what a read's early writes need next
        for name in PLANNING_MODULES:
            importlib.import_module(name)
    except Exception:  # the planning pass imports them again, and says what is wrong
        log.debug("Preparing the planner failed", exc_info=True)


def snapshot(state: State, config: Config, window: Window) -> list[Event]:
    """Every cached occurrence that meets ``window``, located in its account and calendar."""
    events = []
    for account, calendar, item in state.items():
        if item.recurring:
            from providers.ical import expand_raw  # icalendar: only where a series is held

            item = expand_raw(item, config.tz, window)
        for event in item.events:
            if window.overlaps(event.start, max(event.end, event.start + timedelta(seconds=1))):
                events.append(event.located(account, calendar))
    return events
