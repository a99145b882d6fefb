"""The long-running loop: schedule, signals, sd_notify, and a plain-sentence log of each cycle
(:mod:`syncd.narrator`).

SIGTERM and SIGINT let the write in flight finish, record it, and stop; SIGHUP reloads the
config, keeping the old one if the new one is broken; SIGUSR1 syncs every account now.
Under systemd (``Type=notify``) the daemon says READY=1 once the config is loaded and the
state is open, STATUS= after each cycle, WATCHDOG=1 while it makes progress (between
accounts and writes, and while it sleeps) and STOPPING=1 on the way out.
"""

from __future__ import annotations

import logging
import os
import random
import resource
import signal
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from syncd import config as config_mod
from syncd import lock, schedule
from syncd.config import Config
from syncd.cycle import Engine, Report
from syncd.errors import ConfigError
from syncd.narrator import Narrator
from syncd.secrets import remember_config_secrets
from syncd.state import State, open_state
from syncd.text import duration, plural, set_owner_zone

if TYPE_CHECKING:
    from syncd.ask.asker import Asker

log = logging.getLogger("syncd")

WATCHDOG_EVERY = 5.0  # seconds between WATCHDOG=1 during a cycle; WatchdogSec is minutes
SLEEP_SLICE = 10.0  # the longest the loop sleeps without feeding the watchdog


def sd_notify(message: str) -> bool:
    """Send one datagram to systemd's $NOTIFY_SOCKET; False when not run by systemd.

    The address is a path, or an abstract socket written with a leading ``@``.
    """
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
        return True
    except OSError as exc:
        log.debug("sd_notify failed: %s", exc)
        return False


class Watchdog:
    """Feeds systemd's watchdog from inside long cycles, at most every few seconds."""

    def __init__(self, every: float = WATCHDOG_EVERY, clock: Callable[[], float] = time.monotonic):
        self.every = every
        self.clock = clock
        self.last = float("-inf")

    def ping(self) -> None:
        """Send WATCHDOG=1 unless one went out moments ago."""
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            sd_notify("WATCHDOG=1")


class Daemon:
    """``syncd run``: sync each account when it is due, plan over all, sleep, repeat."""

    def __init__(self, config: Config, rand: Callable[[], float] = random.random):
        self.config = config
        set_owner_zone(config.tz)
        self.stop = threading.Event()
        self.reload = threading.Event()
        self.wake = threading.Event()
        self.sync_now = threading.Event()
        self.watchdog = Watchdog()
        self.timings: dict[str, schedule.Timing] = {}
        self.rand = rand
        from syncd.ask.asker import Asker  # the channels and drafting: only for the daemon

        self.asker = Asker(config, [])
        self.first = True  # act on answers left by a crash before the first cycle

    def install_signals(self) -> None:
        """SIGTERM/SIGINT stop after the write in flight; SIGHUP reloads the config; SIGUSR1
        syncs every account now (``systemctl --user kill -s USR1 syncd``)."""
        def on_stop(signum, frame):
            log.info("Stopping (%s): finishing the write in flight", signal.Signals(signum).name)
            self.stop.set()
            self.wake.set()

        def on_hup(signum, frame):
            self.reload.set()
            self.wake.set()

        def on_usr1(signum, frame):
            self.sync_now.set()
            self.wake.set()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_hup)
        signal.signal(signal.SIGUSR1, on_usr1)

    def run(self) -> int:
        """Loop until stopped. Returns the exit code; raises ConfigError if the state won't open."""
        state = open_state(self.config)
        engine = self._engine(state)
        narrator = Narrator(self.config.tz, self.config)
        log.info("syncd started: watching %s, state in %s", plural(len(self.config.accounts), "account"),
                 state.path)
        for warning in self.config.warnings:
            log.warning("Config: %s", warning)
        self.asker = self._asker()
        sd_notify("READY=1\nSTATUS=Starting the first sync")
        try:
            while not self.stop.is_set():
                if self.reload.is_set():
                    engine = self._reload(engine, state)
                self._act_on_answers(state)
                self._cycle_due(engine, narrator)
                if not self.stop.is_set():
                    self._sleep(self._wait().total_seconds())
        finally:
            sd_notify("STOPPING=1")
            self.asker.stop()
            engine.close()
            state.close()
            log.info("syncd stopped")
        return 0

    def _asker(self) -> Asker:
        """Start the channels that ask the owner (the page, ntfy, desktop)."""
        from syncd.ask.asker import Asker, build_channels

        asker = Asker(self.config, build_channels(self.config), self.wake)
        asker.start()
        return asker

    def _act_on_answers(self, state: State) -> None:
        """Carry out answers recorded by the channels (or before a crash) without waiting for a cycle."""
        if self.asker.answered.is_set() or self.first:
            self.first = False
            from syncd.status import current_plan

            now = datetime.now(timezone.utc)
            self.asker.act(state, current_plan(self.config, state, now), now)

    def _engine(self, state: State) -> Engine:
        return Engine(self.config, state, stop=self.stop, heartbeat=self.watchdog.ping)

    def _names(self) -> list[str]:
        return [a["name"] for a in self.config.accounts]

    def _cycle_due(self, engine: Engine, narrator: Narrator) -> None:
        """Sync the accounts that are due (planning covers all), then schedule them again."""
        now = datetime.now(timezone.utc)
        if self.sync_now.is_set():
            self.sync_now.clear()
            self.timings = {}
        due = schedule.due_accounts(self._names(), self.timings, now)
        if not due:
            return
        log.debug("Syncing %s", ", ".join(due))
        with lock.writing(self.config.daemon["state_dir"]), cycle_cost():  # an `ack` waits
            report = engine.cycle(now, accounts=due, on_plan=narrator.tell)
        if self.stop.is_set():
            return
        self.asker.after_cycle(engine.state, report.plan, now)
        self._reschedule(due, report, now)
        failing = [n for n in self._names() if self.timings[n].failures]
        sd_notify(f"STATUS={narrator.summary(report, self._names(), failing, now)}\nWATCHDOG=1")

    def _reschedule(self, due: list[str], report: Report, now: datetime) -> None:
        default = self.config.daemon["poll_interval"]
        intervals = {a["name"]: schedule.poll_interval(a, default) for a in self.config.accounts}
        spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        for iv in report.plan.interviews:
            spans[iv.event.account].append((iv.event.start, iv.event.end))
        before = self.timings
        self.timings = schedule.reschedule(before, {n: n not in report.failed for n in due}, intervals,
                                           spans, self.config.followup["grace"], now, self.rand)
        for name in due:
            timing, earlier = self.timings[name], before.get(name)
            if timing.failures:
                log.info("%s: %s in a row failed; next try in %s", name,
                         plural(timing.failures, "sync"), duration(timing.due - now))
            elif earlier is not None and earlier.failures:
                log.info("%s: syncing again after %s", name, plural(earlier.failures, "failure"))
            log.debug("%s: next sync in %s", name, duration(timing.due - now))

    def _wait(self) -> timedelta:
        return schedule.next_wake(self._names(), self.timings, datetime.now(timezone.utc))

    def _reload(self, engine: Engine, state: State) -> Engine:
        """Load the config again; a broken one leaves the running config in place."""
        self.reload.clear()
        sd_notify("RELOADING=1")
        path = Path(self.config.path)
        try:
            fresh = config_mod.load(path)
        except ConfigError as exc:
            log.error("Config reload failed, keeping the running config: %s",
                      "; ".join(str(p) for p in exc.problems))
            sd_notify("READY=1\nSTATUS=Config reload failed; still running the previous config")
            return engine
        remember_config_secrets(fresh.accounts)
        if fresh.daemon["state_dir"] != self.config.daemon["state_dir"]:
            log.warning("daemon.state_dir changed in %s; restart syncd to use it (still using %s)",
                        path, state.path.parent)
        engine.close()
        self.config = fresh
        set_owner_zone(fresh.tz)
        self.asker.stop()
        self.asker = self._asker()
        self.timings = {}  # sync every account with the new settings now
        log.info("Config reloaded from %s: watching %s", path, plural(len(fresh.accounts), "account"))
        sd_notify("READY=1\nSTATUS=Config reloaded")
        return self._engine(state)

    def _sleep(self, seconds: float) -> None:
        """Sleep, waking early for a signal; keep the watchdog fed meanwhile."""
        deadline = time.monotonic() + seconds
        while not (self.stop.is_set() or self.reload.is_set() or self.sync_now.is_set()
                   or self.asker.answered.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.wake.wait(min(left, SLEEP_SLICE))
            self.wake.clear()
            sd_notify("WATCHDOG=1")


@contextmanager
def cycle_cost() -> Iterator[None]:
    """Log, at DEBUG, the wall time, CPU time and peak memory of the cycle run inside."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        log.debug("Cycle done in %.3f s: CPU %.3f s, peak memory %.1f MB",
                  time.perf_counter() - wall, time.process_time() - cpu, peak_mb)

