"""syncd against ``vdirsyncer sync`` on the same Radicale calendar, whole processes.

What a user meets: each tool runs as the command they would type, from a cold start, with
its default settings. For each calendar shape and size, one Radicale in a temp folder gets
one calendar, bulk-loaded with a single PUT of a whole VCALENDAR; a counting proxy in a
process of its own sits in front of it and both tools talk through it. Then:

- syncd: ``syncd once`` with an empty state ("first"), then ``syncd once`` again ("idle");
- vdirsyncer: ``vdirsyncer discover`` (not compared), then ``vdirsyncer sync`` into a local
  folder ("first") and once more ("idle").

Both tools' times vary from run to run (vdirsyncer's by up to a third on a quiet machine), so
each pair is measured ``--rounds`` times (default 3) from nothing, the tools taking turns to go
first, and the table shows each tool's median and the range of the rounds' own ratios. After
each syncd round, ``syncd purge`` (not timed) removes what it wrote, so every round meets the
calendar as loaded. Before each timed process the disk is synced (not timed): vdirsyncer's
first sync leaves thousands of files for the kernel to write out, and the next process to
commit a database (syncd's state) would otherwise wait for them; with the tools taking turns,
that would land on every other round.

Two shapes: "spread" (events over 120 days, every 25th a weekly series) and "dense" (meetings
packed into 60 days, most of them overlapping others, one interview among them). Unless
``--no-daemon``, ``syncd run`` on the largest dense calendar reports, from its own log, the
CPU time and peak memory of its first and of its idle cycles (each idle cycle asked for with
SIGUSR1); and ``syncd status`` start-up time is measured on that state.

Run: ``python benchmarks/sync_vs_vdirsyncer.py --sizes 2000,10000 --shapes spread,dense [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.proxy import ProxyProcess  # noqa: E402
from tests.servers import DavServer, request, start_radicale  # noqa: E402

CAL_ID = "bench"
BIN = Path(sys.executable).parent
FMT = "%Y%m%dT%H%M%SZ"
CYCLE_DONE = re.compile(r"^Cycle done in [\d.]+ s: CPU ([\d.]+) s, peak memory ([\d.]+) MB")


@dataclass
class Row:
    """One measured phase of one tool."""

    shape: str
    events: int
    tool: str
    phase: str
    requests: int
    seconds: float


def _vevent(uid: str, start: datetime, minutes: int, summary: str, extra: list[str]) -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start.strftime(FMT)}",
            f"DTEND:{(start + timedelta(minutes=minutes)).strftime(FMT)}",
            f"SUMMARY:{summary}", *extra, "END:VEVENT"]


def spread_events(n: int, now: datetime) -> Iterator[list[str]]:
    """Events over 120 days around ``now``; every 25th is a weekly series of 20."""
    for i in range(n):
        start = now + timedelta(days=(i % 120) - 30, hours=8 + i % 10)
        extra = [f"LOCATION:Room {i % 12}, 1 Market St",
                 f"DESCRIPTION:Agenda item {i}\\nBring the numbers.",
                 f"ORGANIZER:mailto:boss{i % 5}@example.com",
                 "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alex@example.com"]
        if i % 25 == 0:
            extra.append("RRULE:FREQ=WEEKLY;COUNT=20")
        yield _vevent(f"bench-{i}@example.com", start, 30 + 15 * (i % 4),
                      f"Meeting {i} with team {i % 37}", extra)


def dense_events(n: int, now: datetime) -> Iterator[list[str]]:
    """``n - 1`` meetings packed into 60 days (most overlap others), and one interview."""
    day0 = now.replace(hour=0) - timedelta(days=10)
    for i in range(n - 1):
        start = day0 + timedelta(days=i % 60, hours=8 + (i * 7) % 10, minutes=15 * (i % 4))
        extra = [f"LOCATION:Room {i % 12}", f"DESCRIPTION:Weekly item {i}",
                 f"ORGANIZER;CN=Lead {i % 5}:mailto:lead{i % 5}@example.com",
                 "ATTENDEE;PARTSTAT=ACCEPTED;CN=Alex:mailto:alex@example.com"]
        yield _vevent(f"dense-{i}@example.com", start, 30 + 15 * (i % 3),
                      f"Sync {i % 41} with the {['data', 'web', 'ops'][i % 3]} team", extra)
    yield _vevent("interview-1@example.com", day0 + timedelta(days=12, hours=10), 60,
                  "Interview – Product Analyst (Globex)",
                  ["LOCATION:Globex HQ, 1 Market St, Springfield",
                   "DESCRIPTION:Onsite interview with the hiring manager.",
                   "ORGANIZER;CN=Rita Recruiter:mailto:rita@globex.example",
                   "ATTENDEE;PARTSTAT=ACCEPTED;CN=Alex:mailto:alex@example.com"])


SHAPES = {"spread": spread_events, "dense": dense_events}


def calendar_text(shape: str, n: int, now: datetime) -> str:
    """A VCALENDAR of ``n`` events of the given shape."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//syncd//benchmark//EN"]
    for event in SHAPES[shape](n, now):
        lines += event
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def bulk_load(server: DavServer, text: str) -> float:
    """PUT the whole calendar to the collection URL in one request; return seconds taken."""
    started = time.perf_counter()
    status, _, answer = request("PUT", server.calendar_url(CAL_ID), text.encode(),
                                auth=server.auth(), headers={"Content-Type": "text/calendar"},
                                timeout=900)
    if status not in (200, 201, 204):
        raise SystemExit(f"bulk load refused: HTTP {status} {answer[:200]}")
    return time.perf_counter() - started


def syncd_config(work: Path, proxy: ProxyProcess, server: DavServer) -> Path:
    """A config as a user would write it: one CalDAV account, every default left alone."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "config.toml"
    config.write_text(f"""[daemon]
state_dir = "{work / 'state'}"
timezone = "UTC"

[interviews]
self = ["alex@example.com"]

[followup]
drafts_dir = "{work / 'drafts'}"
from = "Alex Doe <alex@example.com>"

[[accounts]]
name = "bench"
type = "caldav"
url = "{proxy.url}"
username = "{server.username}"
password_env = "BENCH_CALDAV_PASSWORD"
calendars = ["{CAL_ID}"]
""")
    return config


def syncd(config: Path, server: DavServer, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    """Run one ``syncd`` command as a process; return seconds taken and the result."""
    env = {**os.environ, "BENCH_CALDAV_PASSWORD": server.password}
    os.sync()  # what the last process wrote is on disk: no run pays for another's writeback
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "syncd"), "--config", str(config), *args], env=env,
                          capture_output=True, text=True)
    return time.perf_counter() - started, done


def run_syncd(proxy: ProxyProcess, server: DavServer, shape: str, n: int, work: Path) -> list[Row]:
    """``syncd once`` from an empty state, then again with nothing changed; then ``syncd
    purge`` (not timed), so that the next round finds the calendar as it was loaded."""
    config = syncd_config(work, proxy, server)
    rows = []
    for phase in ("first", "idle"):
        proxy.reset()
        seconds, done = syncd(config, server, "once")
        if done.returncode != 0:
            raise SystemExit(f"syncd once failed ({done.returncode}):\n{done.stderr[-2000:]}")
        rows.append(Row(shape, n, "syncd", phase, proxy.total(), seconds))
    _, done = syncd(config, server, "status", "--json")
    held = sum(a["events"] or 0 for a in json.loads(done.stdout)["accounts"])
    if held < n:
        raise SystemExit(f"syncd holds {held} events, expected at least {n}")
    _, done = syncd(config, server, "purge")
    if done.returncode != 0:
        raise SystemExit(f"syncd purge failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return rows


def vdirsyncer_config(work: Path, proxy: ProxyProcess, server: DavServer) -> Path:
    """Write a vdirsyncer config syncing the bench calendar into ``work/local``."""
    (work / "local" / CAL_ID).mkdir(parents=True)
    config = work / "config"
    config.write_text(f"""[general]
status_path = "{work / 'status'}/"

[pair bench]
a = "bench_remote"
b = "bench_local"
collections = ["{CAL_ID}"]
conflict_resolution = "a wins"

[storage bench_remote]
type = "caldav"
url = "{proxy.url}{server.home.strip('/')}/"
username = "{server.username}"
password = "{server.password}"

[storage bench_local]
type = "filesystem"
path = "{work / 'local'}/"
fileext = ".ics"
""")
    return config


def vdirsyncer(config: Path, *args: str) -> float:
    """Run one vdirsyncer command; return seconds taken. Raises SystemExit on failure."""
    env = {**os.environ, "VDIRSYNCER_CONFIG": str(config)}
    os.sync()
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "vdirsyncer"), "--config", str(config), *args], env=env,
                          capture_output=True, text=True, input="y\n" * 4)
    if done.returncode != 0:
        raise SystemExit(f"vdirsyncer {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def run_vdirsyncer(proxy: ProxyProcess, server: DavServer, shape: str, n: int,
                   work: Path) -> list[Row]:
    """``vdirsyncer discover``, then a first and an idle ``vdirsyncer sync``."""
    config = vdirsyncer_config(work, proxy, server)
    vdirsyncer(config, "discover")
    rows = []
    for phase in ("first", "idle"):
        proxy.reset()
        seconds = vdirsyncer(config, "sync")
        rows.append(Row(shape, n, "vdirsyncer", phase, proxy.total(), seconds))
    files = len(list((work / "local" / CAL_ID).glob("*.ics")))
    if files != n:
        raise SystemExit(f"vdirsyncer wrote {files} files, expected {n}")
    return rows


@contextmanager
def loaded_radicale(shape: str, n: int, work: Path) -> Iterator[tuple[DavServer, ProxyProcess]]:
    """A Radicale holding one calendar of ``n`` events, behind a counting proxy."""
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    with start_radicale(work / "radicale") as server, ProxyProcess(server.url) as proxy:
        load = bulk_load(server, calendar_text(shape, n, now))
        print(f"{shape} {n} events: bulk load {load:.1f}s", flush=True)
        request("PROPFIND", server.calendar_url(CAL_ID), auth=server.auth(),
                headers={"Depth": "1"}, timeout=900)  # warm Radicale's item cache for both
        yield server, proxy


def bench_size(shape: str, n: int, rounds: int) -> list[Row]:
    """Measure both tools ``rounds`` times on one Radicale holding ``n`` events of ``shape``.

    Each round starts both tools from nothing (a new state, a new local folder), and the
    rounds alternate which tool goes first, so that neither always meets a warmer server."""
    work = Path(tempfile.mkdtemp(prefix="syncd-bench-"))
    rows: list[Row] = []
    try:
        with loaded_radicale(shape, n, work) as (server, proxy):
            for i in range(rounds):
                tools = [("vdirsyncer", run_vdirsyncer), ("syncd", run_syncd)]
                for name, run in tools if i % 2 == 0 else tools[::-1]:
                    rows += run(proxy, server, shape, n, work / f"{name}-{i}")
            return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


@dataclass
class DaemonCycles:
    """CPU seconds and peak memory of a ``syncd run``'s cycles, read from its log."""

    first_cpu: float
    idle_cpu: list[float]
    idle_requests: list[int]
    peak_mb: float
    status_seconds: float


def _cycle_lines(proc: subprocess.Popen) -> Iterator[dict]:
    """The "cycle done" records of a daemon's JSON log, as they come."""
    assert proc.stderr is not None
    for line in proc.stderr:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        match = CYCLE_DONE.search(entry.get("message", ""))
        if match:
            yield {"cpu_seconds": float(match.group(1)), "peak_rss_mb": float(match.group(2))}


def bench_daemon(n: int, idle_cycles: int = 5) -> DaemonCycles:
    """``syncd run`` on a dense calendar of ``n`` events: first cycle, then idle ones."""
    work = Path(tempfile.mkdtemp(prefix="syncd-bench-daemon-"))
    try:
        with loaded_radicale("dense", n, work) as (server, proxy):
            config = syncd_config(work / "syncd", proxy, server)
            env = {**os.environ, "BENCH_CALDAV_PASSWORD": server.password}
            proc = subprocess.Popen([str(BIN / "syncd"), "--config", str(config), "-v",
                                     "--log-format", "json", "run"], env=env,
                                    stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
            try:
                return _measure(proc, config, server, proxy, idle_cycles)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(proc: subprocess.Popen, config: Path, server: DavServer, proxy: ProxyProcess,
             idle_cycles: int) -> DaemonCycles:
    cycles = _cycle_lines(proc)
    first = next(cycles)
    idle, requests = [], []
    for _ in range(idle_cycles):
        proxy.reset()
        proc.send_signal(signal.SIGUSR1)
        entry = next(cycles)
        idle.append(entry["cpu_seconds"])
        requests.append(proxy.total())
    peak = entry["peak_rss_mb"]
    status = min(syncd(config, server, "status")[0] for _ in range(5))
    return DaemonCycles(first["cpu_seconds"], idle, requests, peak, status)


def median(values: list[float]) -> float:
    """The middle value (the mean of the middle two for an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def print_table(rows: list[Row]) -> None:
    """Print, per shape, size and phase, each tool's median time over the rounds, the ratio of
    the medians, the range of the rounds' own ratios, and each tool's request count."""
    groups: dict[tuple[str, int, str], dict[str, list[Row]]] = {}
    for r in rows:
        groups.setdefault((r.shape, r.events, r.phase), {}).setdefault(r.tool, []).append(r)
    print(f"{'shape':<7} {'events':>7}  {'phase':<6}  {'syncd s':>8}  {'vdirsyncer s':>12}  "
          f"{'ratio':>6}  {'rounds':>11}  {'syncd req':>9}  {'vdirsyncer req':>14}")
    for (shape, events, phase), tools in groups.items():
        ours, theirs = tools.get("syncd", []), tools.get("vdirsyncer", [])
        if not ours or not theirs:
            continue
        a, b = median([r.seconds for r in ours]), median([r.seconds for r in theirs])
        each = sorted(x.seconds / y.seconds for x, y in zip(ours, theirs))
        print(f"{shape:<7} {events:>7}  {phase:<6}  {a:>8.2f}  {b:>12.2f}  {a / b:>6.2f}  "
              f"{each[0]:>5.2f}-{each[-1]:<5.2f}  {max(r.requests for r in ours):>9}  "
              f"{max(r.requests for r in theirs):>14}")


def print_daemon(n: int, d: DaemonCycles) -> None:
    """Print what ``syncd run`` said about its own cycles."""
    idle_ms = sorted(1000 * c for c in d.idle_cpu)
    print(f"\nsyncd run, dense calendar of {n} events (from its own log):")
    print(f"  first cycle CPU            {d.first_cpu:8.2f} s")
    print(f"  idle cycle CPU (median)    {idle_ms[len(idle_ms) // 2]:8.1f} ms  "
          f"(all: {', '.join(f'{c:.1f}' for c in idle_ms)})")
    print(f"  requests per idle cycle    {max(d.idle_requests):8d}")
    print(f"  peak memory (RSS)          {d.peak_mb:8.1f} MB")
    print(f"  `syncd status` start-up    {d.status_seconds:8.3f} s  (best of 5)")


def compile_bytecode() -> None:
    """Write the bytecode of both tools and their libraries first, as an installer does: with
    PYTHONDONTWRITEBYTECODE set (CI, some shells) every start would compile every module again,
    which says more about the module count than about either tool."""
    site = [p for p in sys.path if p.endswith("site-packages")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0",
                    str(ROOT / "syncd"), str(ROOT / "providers"), *site],
                   check=False, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run every shape and size, print the tables; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,10000", help="comma-separated event counts")
    parser.add_argument("--shapes", default="spread,dense", help="comma-separated: spread, dense")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per shape and size; the table shows medians (default 3)")
    parser.add_argument("--no-daemon", action="store_true", help="skip the `syncd run` cycles")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    compile_bytecode()
    rows: list[Row] = []
    for shape in (s.strip() for s in args.shapes.split(",") if s.strip()):
        for n in sizes:
            rows += bench_size(shape, n, max(args.rounds, 1))
    print()
    print_table(rows)
    print(f"\n(median of {max(args.rounds, 1)} rounds; ratio = syncd median / vdirsyncer median;"
          " rounds = the range of each round's own ratio; whole processes, cold start)")
    if not args.no_daemon:
        print_daemon(max(sizes), bench_daemon(max(sizes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
