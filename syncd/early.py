"""Early writes: an interview's blocks are sent while the rest of a first read is still handled.

On a first sync the server answers with the whole calendar at once, then waits while syncd
parses, stores and plans it; and every block syncd then creates costs the server a look at
the whole calendar (Radicale checks a new event's UID against every event, under its write
lock: about 70 ms per block at 2,000 events, 300 ms at 10,000). Sending an interview's buffers
and travel blocks as soon as its own event has been read puts the two side by side.

Only what the planning pass is sure to want goes early: the blocks of a one-off interview
still ahead, in the calendar that comes first of all the configured accounts and calendars (a
copy of the invitation anywhere else can never be the one the planner keeps), of an account
whose last sync did not fail, and none the state already holds. The cycle then plans as
always; the early writes are recorded before it compares the plan with the calendars, so
anything it plans differently (a company another invitation names in full) is an ordinary
update, and a block it does not want an ordinary deletion.

The writes themselves are :func:`syncd.reconcile.apply`'s: the same conditional create
through the engine's ``call`` (retries, the account's deadline), recorded in the state only
by the engine's thread, in :meth:`EarlyWrites.finish`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from providers.base import Provider
from syncd.config import Config
from syncd.learn import Learning
from syncd.model import Calendar, Event, Item, Window
from syncd.reconcile import IN_FLIGHT, Op, finish_write, write
from syncd.state import State

log = logging.getLogger("syncd.cycle")

MAX_SAID = 20_000  # texts whose hiring words are remembered (each at most a field's cap)
MAX_GLANCE = 1_000  # characters of a title or place read at a glance


class EarlyWrites:
    """One cycle's early writes, over every account that reads a calendar whole.

    ``acks``, ``marks`` and ``learning`` are the state's, as the planning pass will see them;
    ``owned`` the keys of the artifacts the state holds; ``skip`` the accounts whose last
    sync failed. ``call`` is the engine's, as for :func:`syncd.reconcile.apply`; ``stopping``
    says when nothing more may be sent.
    """

    def __init__(self, config: Config, now: datetime, window: Window, *,
                 acks: Mapping[str, str], marks: Mapping[str, str], learning: Learning | None,
                 owned: set[str], skip: set[str], call: Callable[..., Any],
                 stopping: Callable[[], bool]) -> None:
        self.config, self.now, self.window = config, now, window
        self.acks, self.marks, self.learning = acks, marks, learning
        self.owned, self.skip = owned, skip
        self.call, self.stopping = call, stopping
        self.first = min((str(a["name"]) for a in config.accounts), default="")
        # Made by the first item read, in the reading thread: the planner and the detector
        # load while the server answers, not before the first request.
        self.detector: Any = None
        self.rules: Any = None
        self.verdicts: dict[tuple, Any] = {}
        self._said: dict[tuple[str, bool], bool] = {}
        self.pending: list[tuple[Op, Calendar, Future]] = []
        self._sent: set[str] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._pool: ThreadPoolExecutor | None = None

    def watcher(self, account: Mapping[str, Any], provider: Provider
                ) -> Callable[[Calendar, list[Calendar]], _Watch | None] | None:
        """What the account's first reads tell as they go, made for (a calendar, the account's
        calendars); None when none of its interviews can be written early."""
        name = str(account["name"])
        if name != self.first or name in self.skip:
            return None

        def watch(calendar: Calendar, calendars: list[Calendar]) -> _Watch | None:
            if calendar.id != min(c.id for c in calendars):
                return None  # a copy of its invitations in the first calendar would be kept
            return _Watch(self, account, provider, calendar, calendars)
        return watch

    def seen(self, account: Mapping[str, Any], provider: Provider, calendar: Calendar,
             calendars: list[Calendar], item: Item) -> None:
        """One item of the first calendar as read: send its blocks when it is an interview
        the plan is sure of."""
        if self._closed or item.recurring or item.owned or len(item.events) != 1:
            return
        event = item.events[0]
        if event.all_day or event.end <= self.now or not self.window.overlaps(
                event.start, max(event.end, event.start + timedelta(seconds=1))):
            return
        interview = self._interview(event)
        if interview is None:
            return
        from syncd.plan import plan_blocks
        from syncd.stored import store_form

        name = str(account["name"])
        target = _target(account, calendar, calendars)
        kept = store_form(item)[1].events[0].located(name, calendar.id)  # as the planner will see it
        for artifact in plan_blocks(replace(interview, event=kept), self.config, target.id,
                                    self.learning):
            if artifact.key not in self.owned:
                self._send(Op("create", name, target.id, artifact=artifact), provider, target)

    def _interview(self, event: Event) -> Any:
        """The event (not yet located) as the planner's :class:`syncd.plan.Interview`, when it
        is one that gets blocks; else None."""
        from syncd.bounds import detector_fields
        from syncd.detect import Detector, decided_by_owner
        from syncd.plan import Interview, verdict_fields, why_inactive

        mark = self.marks.get(event.uid)
        if mark == "not-interview" or self.acks.get(event.ref) == "cannot-attend":
            return None
        if why_inactive(event, self.config) is not None:
            return None
        rules = self._rules()
        fields = verdict_fields(event, mark)
        texts = detector_fields(*fields[:5])[:3]
        if not self._says_hiring(*texts) and not decided_by_owner(rules, mark, *texts,
                                                                  event.categories):
            return None  # the planning pass reads it in full, after the read
        verdict = self.verdicts.get(fields)
        if verdict is None:
            if self.detector is None:
                self.detector = Detector(rules)
            verdict = self.detector.classify(*fields)
            with self._lock:
                self.verdicts[fields] = verdict
        return Interview(event, verdict, mark) if verdict.interview else None

    def _says_hiring(self, summary: str, description: str, location: str) -> bool:
        """:func:`syncd.detect_features.says_hiring` of any of the texts, each text looked
        at once (calendars repeat their titles and places)."""
        from syncd.detect_features import says_hiring

        said = self._said
        if len(said) > MAX_SAID:
            said.clear()
        for text, title in ((summary, True), (location, False), (description, False)):
            if text:
                known = said.get((text, title))
                if known is None:
                    known = said[(text, title)] = says_hiring(text, title)
                if known:
                    return True
        return False

    def wanted(self, summary: str, location: str) -> bool:
        """Whether an event with this title and place (as written) may be an interview that
        gets its blocks early: one the owner's rules decide, or one that says hiring."""
        if self._closed:
            return False
        rules = self._rules()
        if rules.include or rules.exclude or self.marks:
            return True  # the owner's decisions read the whole event
        return self._says_hiring(summary[:MAX_GLANCE], "", location[:MAX_GLANCE])

    def _rules(self) -> Any:
        """The detector's rules, made with its tables on first use (in the reading thread,
        which waits if the engine's thread is compiling them: syncd.cycle.prepare_planning)."""
        if self.rules is None:
            from syncd.detect import prepare
            from syncd.plan import rules_of

            prepare()
            self.rules = rules_of(self.config)
        return self.rules

    def _send(self, op: Op, provider: Provider, calendar: Calendar) -> None:
        assert op.artifact is not None
        with self._lock:
            if self._closed or op.artifact.key in self._sent or self.stopping():
                return
            self._sent.add(op.artifact.key)
            if self._pool is None:
                workers = max(1, min(IN_FLIGHT, int(getattr(provider, "writes_in_flight", 1))))
                self._pool = ThreadPoolExecutor(max_workers=workers,
                                                thread_name_prefix="syncd-early")
            self.pending.append((op, calendar, self._pool.submit(write, op, provider, calendar,
                                                                 self.call)))

    def finish(self, state: State) -> list[str]:
        """Stop taking items; wait for the writes sent and record each in the state (in the
        engine's thread). Returns the sentences of what was done."""
        with self._lock:
            self._closed = True
            pending, self.pending = self.pending, []
        done: list[str] = []
        for op, calendar, future in pending:
            finish_write(op, calendar, future, state, done)
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        return done

    def verdicts_read(self) -> dict[tuple, Any]:
        """The detector's verdicts on the items read, by :func:`syncd.plan.verdict_fields`:
        the planning pass need not work them out again."""
        with self._lock:
            return dict(self.verdicts)

    @property
    def sent(self) -> bool:
        """True when some write was sent and is not recorded yet."""
        return bool(self.pending)

    def close(self) -> None:
        """Take no more items (an abandoned reading thread may still report some)."""
        with self._lock:
            self._closed = True


def _target(account: Mapping[str, Any], calendar: Calendar, calendars: list[Calendar]) -> Calendar:
    """The calendar the account's artifacts go to (``write_calendar``), else the event's own."""
    wanted = account.get("write_calendar")
    return next((c for c in calendars if wanted and wanted in (c.name, c.id)), calendar)


class _Watch:
    """One first read's :class:`providers.base.Watch`, for the first calendar of the first
    account: it hands each item to :meth:`EarlyWrites.seen`."""

    def __init__(self, early: EarlyWrites, account: Mapping[str, Any], provider: Provider,
                 calendar: Calendar, calendars: list[Calendar]) -> None:
        self.early, self.account, self.provider = early, account, provider
        self.calendar, self.calendars = calendar, calendars

    def __call__(self, item: Item) -> None:
        try:
            self.early.seen(self.account, self.provider, self.calendar, self.calendars, item)
        except Exception:  # an early write is only ever a head start: the cycle plans anyway
            log.debug("%s: no early write for %s", self.account["name"], item.href, exc_info=True)

    def wanted(self, summary: str, location: str) -> bool:
        try:
            return self.early.wanted(summary, location)
        except Exception:
            log.debug("%s: no early look at %r", self.account["name"], summary[:80], exc_info=True)
            return True
