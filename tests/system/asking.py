"""Helpers for the asking tests: a demo with an interview that just ended, the daemon as a process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.parser import BytesHeaderParser
from pathlib import Path

from syncd.demo import OWNER, _ics, seed
from syncd.model import make_ref

SYNCD = str(Path(sys.executable).parent / "syncd")
JUST_ENDED_UID = "ask-just-ended"
UPCOMING_UID = "ask-upcoming"


def seed_asking(folder: Path, extra: str = "") -> Path:
    """The demo plus an interview that ended 20 minutes ago and one in three hours.

    Returns the config path; ``extra`` is appended to the config (TOML).
    """
    config = seed(folder)
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    calendars = folder / "calendars" / "personal"
    (calendars / "just-ended.ics").write_text(_ics(
        JUST_ENDED_UID, "Video interview – Data Engineer (Initech)", now - timedelta(minutes=65), 45,
        location="https://meet.example.com/initech", organizer="sam@initech.example",
        attendees=(("Sam Rivera", "sam@initech.example"), ("Alex Doe", OWNER)),
        description="Interview for the Data Engineer role at Initech."))
    (calendars / "upcoming.ics").write_text(_ics(
        UPCOMING_UID, "Phone screen – QA Lead (Umbrella)", now + timedelta(hours=3), 30,
        organizer="kim@umbrella.example", attendees=(("Kim Park", "kim@umbrella.example"), ("Alex Doe", OWNER)),
        description="Phone interview for the QA Lead position."))
    with config.open("a") as fh:
        fh.write('\n[ask]\nafter = "0s"\n' + extra)
    return config


def just_ended_ref() -> str:
    return make_ref(JUST_ENDED_UID, None)


def drafts_for(config: Path, ref: str) -> list[tuple[Path, str]]:
    """(path, kind) of every live draft of ``ref`` in the demo's Maildir."""
    out = []
    for path in sorted((config.parent / "drafts" / "cur").glob("*:2,*D*")):
        with path.open("rb") as fh:
            headers = BytesHeaderParser().parse(fh)
        if headers.get("X-Syncd-Event") == ref:
            out.append((path, str(headers.get("X-Syncd-Kind"))))
    return out


def wait_until(predicate, what: str, timeout: float = 60.0, proc: subprocess.Popen | None = None,
               log: Path | None = None):
    """Poll ``predicate`` until it returns something true; AssertionError with the log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text() if log else ''}")


class Running:
    """``syncd run`` on a config, with its log."""

    def __init__(self, config: Path, env: dict[str, str] | None = None, name: str = "daemon"):
        self.config = config
        self.log_path = config.parent / f"{name}.log"
        self.log_file = self.log_path.open("a")
        self.env = {**os.environ, "SYNCD_RETRY_BASE": "0.01", **(env or {})}
        for var in ("JOURNAL_STREAM", "NOTIFY_SOCKET"):
            self.env.pop(var, None)
        self.proc = subprocess.Popen([SYNCD, "--config", str(config), "run"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=self.log_file)

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_log(self, pattern: str, count: int = 1, timeout: float = 60.0) -> str:
        """Wait until ``pattern`` (a regex) has been logged ``count`` times."""
        return wait_until(lambda: len(re.findall(pattern, self.log())) >= count and self.log(),
                          f"{pattern!r} x{count}", timeout, self.proc, self.log_path)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=20)
        self.log_file.close()
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.log_file.closed:
            self.log_file.close()
