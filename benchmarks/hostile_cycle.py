"""One `syncd once` process on the hostile corpus and on a big calendar: seconds and peak memory.

Usage: python benchmarks/hostile_cycle.py [--events N]

Each case is a local calendar folder and a config in a temporary folder; `syncd once` runs as
a process of its own (as a user or systemd would run it), twice: the first cycle reads every
file and writes every artifact, the second finds nothing changed. Printed per cycle: wall
time and the peak resident memory of that process (from wait4's rusage), with the number of
events it had to read. README.md states the bounds these numbers support.

Cases:
- hostile: the demo calendar plus every entry of tests/hostile (FREQ=SECONDLY with no end,
  MINUTELY since 1970, 3,000 events at one time, a 100,000-value RDATE, a megabyte
  organizer, 20,000 attendees, broken properties, control characters, ...);
- big: N ordinary events (default 20,000) over the planning window, one file each, with a
  daily series, interviews and clashes among them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syncd.demo import seed  # noqa: E402
from tests.hostile import cases, write_folder  # noqa: E402

SYNCD = Path(sys.executable).parent / "syncd"


def run_once(config: Path) -> tuple[int, float, float]:
    """Run `syncd once`; return (exit status, seconds, peak RSS in MB) of that process."""
    started = time.perf_counter()
    proc = subprocess.Popen([str(SYNCD), "--config", str(config), "once"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024


def hostile_case(folder: Path) -> tuple[Path, int]:
    """The demo folder plus the whole corpus; returns (config, events in the files)."""
    config = seed(folder)
    now = datetime.now().astimezone()
    write_folder(folder / "calendars" / "personal", now)
    events = sum(entry.text.count("BEGIN:VEVENT") for entry in cases(now)) + 5
    return config, events


def big_case(folder: Path, count: int) -> tuple[Path, int]:
    """``count`` events over the next weeks, one file each, every 50th an interview."""
    config = seed(folder)
    calendar = folder / "calendars" / "personal"
    start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    for i in range(count):
        when = start + timedelta(minutes=37 * i % (28 * 24 * 60))
        title = f"Interview with Company {i} – Engineer" if i % 50 == 0 else f"Meeting {i}"
        rule = "RRULE:FREQ=DAILY\r\n" if i % 1000 == 1 else ""
        (calendar / f"big-{i}.ics").write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:big-{i}@bench.example\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{when:%Y%m%dT%H%M%SZ}\r\nDTEND:{when + timedelta(minutes=45):%Y%m%dT%H%M%SZ}\r\n"
            f"{rule}SUMMARY:{title}\r\nORGANIZER:mailto:jobs@company{i}.example\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    return config, count + 5


def main() -> int:
    """Run both cases, print a table; exit 1 if a cycle did not end with status 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="events in the big calendar")
    args = parser.parse_args()
    print(f"{'case':<10} {'events':>8} {'cycle':<7} {'status':>6} {'seconds':>8} {'peak MB':>8}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp:
        for name, build in (("hostile", hostile_case), ("big", lambda f: big_case(f, args.events))):
            config, events = build(Path(tmp) / name)
            for cycle in ("first", "second"):
                status, seconds, peak = run_once(config)
                failed |= status != 0
                print(f"{name:<10} {events:>8} {cycle:<7} {status:>6} {seconds:>8.1f} {peak:>8.0f}",
                      flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
