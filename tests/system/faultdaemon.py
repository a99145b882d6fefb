"""Scaffolding of the fault-injection tests: the daemon as a process, its notifications,
the command line, and the things the long run does to the world (moves, kills, bursts).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.system.faultworld import ATTENDED, CANNOT_ATTEND, MOVERS, SEEDS, SYNCD, World, ref_of

FAULT_RATE = 0.30
BURST_SECONDS = 4.0  # once per run every request fails for this long
UNEXPECTED_IN_LOG = ("Traceback", "internal error", "NotOwned", "refusing to change")



# -- the daemon and its notifications ----------------------------------------------------------

class Notifications:
    """A NOTIFY_SOCKET as systemd binds it; counts the STATUS= line each finished cycle sends.

    Like systemd it asks the kernel for each sender's pid (SO_PASSCRED), so that READY=1 can be
    told apart between a daemon and the one started after it was killed. ``spans`` holds, for
    each cycle, the seconds since the same daemon's previous summary (or its READY=1): the
    cycle's length plus the short sleep before it, an upper bound of how long the cycle took.
    """

    CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid

    def __init__(self, path: Path):
        self.address = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(self.address)
        self.sock.settimeout(0.2)
        self.statuses: list[str] = []
        self.ready: set[int] = set()  # pids that said READY=1
        self.spans: list[float] = []
        self._last: dict[int, float] = {}  # pid -> when it last said READY=1 or STATUS=
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        space = socket.CMSG_SPACE(self.CREDENTIALS.size)
        while not self.closed.is_set():
            try:
                data, ancillary, _, _ = self.sock.recvmsg(4096, space)
            except TimeoutError:
                continue
            except OSError:
                return
            now = time.monotonic()
            lines = data.decode().splitlines()
            pids = {self.CREDENTIALS.unpack(cdata[:self.CREDENTIALS.size])[0]
                    for level, kind, cdata in ancillary
                    if (level, kind) == (socket.SOL_SOCKET, socket.SCM_CREDENTIALS)}
            summaries = [line[7:] for line in lines if line.startswith("STATUS=") and " ok" in line]
            for pid in pids:
                if summaries and pid in self._last:
                    self.spans.append(now - self._last[pid])
                if summaries or "READY=1" in lines:
                    self._last[pid] = now
            if "READY=1" in lines:
                self.ready |= pids
            self.statuses += summaries

    @property
    def cycles(self) -> int:
        """Cycles finished so far (each sends one summary, "3 accounts ok, ...")."""
        return len(self.statuses)

    def close(self) -> None:
        """Stop listening."""
        self.closed.set()
        self.thread.join(timeout=2)
        self.sock.close()


class DaemonProcess:
    """``syncd run``; restartable; one log file across restarts."""

    def __init__(self, config: Path, notify: Notifications):
        self.config = config
        self.log_path = config.parent / "daemon.log"
        self.env = {**os.environ, "NOTIFY_SOCKET": notify.address, "SYNCD_RETRY_BASE": "0.01"}
        self.env.pop("JOURNAL_STREAM", None)
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        """Start (or restart) the daemon."""
        with self.log_path.open("a") as log:
            log.write(f"=== start {self.starts + 1}\n")
            log.flush()
            self.proc = subprocess.Popen(
                [SYNCD, "--config", str(self.config), "run"],
                env=self.env, stdout=subprocess.DEVNULL, stderr=log, cwd=self.config.parent)
        self.starts += 1

    @property
    def pid(self) -> int:
        """The running daemon's process id."""
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        """True while the daemon runs."""
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no finally, no flush, no goodbye."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        """Kill whatever still runs."""
        if self.alive():
            self.kill()

    def log(self) -> str:
        """Everything the daemon logged, all runs."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""




def cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    """Run one ``syncd`` command (default timeouts, quick retries)."""
    env = {**os.environ, "SYNCD_RETRY_BASE": "0.01"}
    env.pop("JOURNAL_STREAM", None)
    return subprocess.run([SYNCD, "--config", str(config), *args], capture_output=True, text=True,
                          timeout=120, env=env)


def status(config: Path) -> dict[str, Any]:
    """``syncd status --json``."""
    done = cli(config, "status", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class StatusPoller:
    """Polls ``syncd status --json`` in a thread; remembers every account error it saw."""

    def __init__(self, config: Path, every: float = 2.0, limit: int = 400):
        self.config, self.every, self.limit = config, every, limit
        self.polls = 0
        self.errors: list[tuple[str, str]] = []  # (account, last_error)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StatusPoller:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=150)

    def _run(self) -> None:
        while self.polls < self.limit and not self.stopped.wait(self.every):
            done = cli(self.config, "status", "--json")
            if done.returncode != 0:
                continue
            self.polls += 1
            for account in json.loads(done.stdout)["accounts"]:
                if account["last_error"]:
                    self.errors.append((account["name"], account["last_error"]))


def wait_until(predicate: Callable[[], bool], timeout: float, what: str,
               daemon: DaemonProcess | None = None) -> None:
    """Poll ``predicate`` until it holds; fail naming ``what`` (with the daemon's log tail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if daemon is not None:
            assert daemon.alive(), f"the daemon exited by itself:\n{daemon.log()[-4000:]}"
        time.sleep(0.1)
    tail = daemon.log()[-4000:] if daemon is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


# -- the long run -----------------------------------------------------------------------------

@dataclass
class Run:
    """Bookkeeping of the long run."""

    rng: random.Random
    kills: int = 0
    kills_after_write: int = 0
    edits: int = 0
    shifts: dict[str, float] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)


def move_one(env: World, run: Run, where: str) -> None:
    """Edit a mover interview as its owner would: move it by an hour or back, or cancel it
    (delete it) or bring it back. Every edit makes the daemon write."""
    seed = next(s for s in SEEDS if s.uid == MOVERS[where])
    if seed.uid in run.removed:
        run.removed.discard(seed.uid)
        env.put(seed, run.shifts.get(seed.uid, 0.0))
    elif run.rng.random() < 0.3:
        run.removed.add(seed.uid)
        env.remove(seed)
    else:
        run.shifts[seed.uid] = 0.0 if run.shifts.get(seed.uid) else run.rng.choice((1.0, 1.5))
        env.put(seed, run.shifts[seed.uid])
    run.edits += 1


def kill_and_restart(env: World, daemon: DaemonProcess, run: Run) -> None:
    """SIGKILL the daemon at a random moment, or right after it sent a write, and restart it."""
    if run.rng.random() < 0.5:
        where = run.rng.choice(("work", "gmail", "corp"))
        proxy = env.proxies[where]
        seen = len(proxy.writes)
        move_one(env, run, where)
        deadline = time.monotonic() + 5
        while len(proxy.writes) == seen and time.monotonic() < deadline and daemon.alive():
            time.sleep(0.002)
        time.sleep(run.rng.uniform(0, 0.05))
        run.kills_after_write += len(proxy.writes) > seen
    else:
        time.sleep(run.rng.uniform(0, 1.5))
    assert daemon.alive(), f"the daemon exited by itself:\n{daemon.log()[-4000:]}"
    daemon.kill()
    run.kills += 1
    daemon.start()


def burst(env: World, daemon: DaemonProcess) -> None:
    """Every request fails for a few seconds, so that whole syncs fail and status says so.

    At 30% a sync fails outright only when all four attempts of one call fail, which a short
    run may never see; the burst makes sure the error path is taken at least once.
    """
    env.set_faults(1.0)
    time.sleep(BURST_SECONDS)
    env.set_faults(FAULT_RATE)
    assert daemon.alive(), f"the daemon exited by itself:\n{daemon.log()[-4000:]}"


def acknowledge(env: World, daemon: DaemonProcess) -> None:
    """Once the daemon has seen them, acknowledge two interviews as the owner would."""
    wanted = {ref_of(ATTENDED), ref_of(CANNOT_ATTEND)}
    wait_until(lambda: wanted <= {i["ref"] for i in status(env.config)["interviews"]}, 240,
               "the interviews to acknowledge", daemon)
    for uid, flag in ((ATTENDED, "--attended"), (CANNOT_ATTEND, "--cannot-attend")):
        done = cli(env.config, "ack", ref_of(uid), flag)
        assert done.returncode == 0, done.stderr
