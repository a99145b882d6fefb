"""The long-running loop: schedule, signals, sd_notify, and a plain-sentence log of each cycle.

SIGTERM and SIGINT let the write in flight finish, record it, and stop; SIGHUP reloads the
config, keeping the old one if the new one is broken.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from syncd import config as config_mod
from syncd.config import Config
from syncd.cycle import Engine, Report
from syncd.errors import ConfigError
from syncd.state import State

log = logging.getLogger("syncd")

FAST_POLL = timedelta(minutes=1)
FAST_BEFORE = timedelta(hours=2)


def sd_notify(message: str) -> bool:
    """Send one datagram to systemd's $NOTIFY_SOCKET; False when not run by systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
        return True
    except OSError as exc:
        log.debug("sd_notify failed: %s", exc)
        return False


class Narrator:
    """Turns cycle reports into sentences, saying each interview and conflict once."""

    def __init__(self, tz):
        self.tz = tz
        self.interviews: set[str] = set()
        self.conflicts: set[tuple[str, str, str]] = set()

    def tell(self, report: Report) -> None:
        """Log what is new in ``report``."""
        for iv in report.plan.interviews:
            if iv.ref not in self.interviews:
                self.interviews.add(iv.ref)
                when = iv.event.start.astimezone(self.tz).strftime("%a %d %b %H:%M")
                log.info("Interview [%s] '%s' on %s (%s, score %.2f): %s", iv.ref, iv.event.summary,
                         when, iv.verdict.format.replace("_", " "), iv.verdict.score,
                         "; ".join(iv.verdict.reasons))
        for c in report.plan.conflicts:
            key = (c.kind, c.a.occurrence, c.b.occurrence)
            if key not in self.conflicts:
                self.conflicts.add(key)
                when = c.start.astimezone(self.tz).strftime("%a %d %b %H:%M")
                what = "Double booking" if c.kind == "hard" else "Tight squeeze"
                log.info("%s on %s: '%s' overlaps '%s'", what, when, c.a.summary, c.b.summary)
        for name, error in report.failed.items():
            log.warning("Account %s could not be synced: %s", name, error)

    @staticmethod
    def summary(report: Report, config: Config, now: datetime) -> str:
        """One line for systemd's STATUS=."""
        ok = len(config.accounts) - len(report.failed)
        ahead = sum(1 for iv in report.plan.interviews if iv.event.start > now)
        hard = sum(1 for c in report.plan.conflicts if c.kind == "hard")
        return (f"{ok} accounts ok, {len(report.failed)} failing, {ahead} interviews ahead, "
                f"{hard} conflicts")


class Daemon:
    """``syncd run``."""

    def __init__(self, config: Config):
        self.config = config
        self.stop = threading.Event()
        self.reload = threading.Event()
        self.wake = threading.Event()

    def install_signals(self) -> None:
        """SIGTERM/SIGINT stop after the write in flight; SIGHUP reloads the config."""
        def on_stop(signum, frame):
            log.info("Stopping (%s): finishing the write in flight", signal.Signals(signum).name)
            self.stop.set()
            self.wake.set()

        def on_hup(signum, frame):
            self.reload.set()
            self.wake.set()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_hup)

    def run(self) -> int:
        """Loop until stopped. Returns the exit code."""
        state = State.open(self.config.daemon["state_dir"])
        engine = Engine(self.config, state, stop=self.stop)
        narrator = Narrator(self.config.tz)
        log.info("syncd started: watching %d accounts, state in %s", len(self.config.accounts), state.path)
        sd_notify("READY=1")
        try:
            while not self.stop.is_set():
                if self.reload.is_set():
                    engine = self._reload(engine, state)
                now = datetime.now(timezone.utc)
                report = engine.cycle(now, on_plan=narrator.tell)
                sd_notify(f"STATUS={narrator.summary(report, self.config, now)}\nWATCHDOG=1")
                self._sleep(self._next_poll(report, now))
        finally:
            sd_notify("STOPPING=1")
            engine.close()
            state.close()
            log.info("syncd stopped")
        return 0

    def _reload(self, engine: Engine, state: State) -> Engine:
        self.reload.clear()
        try:
            fresh = config_mod.load(Path(self.config.path))
        except ConfigError as exc:
            log.error("Config reload failed; keeping the running config:\n%s", exc)
            return engine
        log.info("Config reloaded from %s", fresh.path)
        engine.close()
        self.config = fresh
        return Engine(fresh, state, stop=self.stop)

    def _next_poll(self, report: Report, now: datetime) -> float:
        """Poll often around interviews (two hours before until the follow-up grace ends)."""
        interval = self.config.daemon["poll_interval"]
        grace = self.config.followup["grace"]
        for iv in report.plan.interviews:
            if iv.event.start - FAST_BEFORE <= now <= iv.event.end + grace:
                interval = min(interval, FAST_POLL)
        return interval.total_seconds()

    def _sleep(self, seconds: float) -> None:
        """Sleep, waking early for a signal; keep the watchdog fed meanwhile."""
        deadline = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        while not self.stop.is_set() and not self.reload.is_set():
            left = (deadline - datetime.now(timezone.utc)).total_seconds()
            if left <= 0:
                return
            self.wake.wait(min(left, 10.0))
            self.wake.clear()
            sd_notify("WATCHDOG=1")
