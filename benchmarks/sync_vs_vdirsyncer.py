"""syncd's CalDAV adapter against ``vdirsyncer sync`` on the same Radicale calendar.

For each size, one Radicale in a temp folder gets one calendar, bulk-loaded with a single
PUT of a whole VCALENDAR to the collection. A counting proxy on 127.0.0.1, in a process of its own,
sits in front of Radicale and both tools talk through it. Then:

- syncd: a fresh ``CalDAVProvider`` (empty cache) lists the calendars ("discover"), reads the
  whole calendar ("first"), then asks again with the token it got ("idle"). In-process, as in
  the daemon.
- vdirsyncer: ``vdirsyncer discover``, then ``vdirsyncer sync`` into a local folder ("first")
  and once more ("idle"). Each run is a process, as from cron; its bare start-up time is
  printed below the table.

Run: ``python benchmarks/caldav_vs_vdirsyncer.py --sizes 2000,10000``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from providers.caldav import CalDAVProvider  # noqa: E402
from syncd.model import Window  # noqa: E402
from tests.proxy import ProxyProcess  # noqa: E402
from tests.servers import DavServer, request, start_radicale  # noqa: E402

CAL_ID = "bench"


@dataclass
class Row:
    """One measured phase of one tool."""

    events: int
    tool: str
    phase: str
    requests: int
    seconds: float


def calendar_text(n: int, now: datetime) -> str:
    """A VCALENDAR of ``n`` events around ``now``; every 25th is a weekly series."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//syncd//benchmark//EN"]
    fmt = "%Y%m%dT%H%M%SZ"
    for i in range(n):
        start = now + timedelta(days=(i % 120) - 30, hours=8 + i % 10)
        lines += ["BEGIN:VEVENT", f"UID:bench-{i}@example.com", "DTSTAMP:20260101T000000Z",
                  f"DTSTART:{start.strftime(fmt)}",
                  f"DTEND:{(start + timedelta(minutes=30 + 15 * (i % 4))).strftime(fmt)}",
                  f"SUMMARY:Meeting {i} with team {i % 37}",
                  f"LOCATION:Room {i % 12}, 1 Market St",
                  f"DESCRIPTION:Agenda item {i}\\nBring the numbers.",
                  f"ORGANIZER:mailto:boss{i % 5}@example.com",
                  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alex@example.com"]
        if i % 25 == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=20")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def bulk_load(server: DavServer, n: int, now: datetime) -> float:
    """PUT the whole calendar to the collection URL in one request; return seconds taken."""
    started = time.perf_counter()
    status, _, text = request("PUT", server.calendar_url(CAL_ID), calendar_text(n, now).encode(),
                              auth=server.auth(), headers={"Content-Type": "text/calendar"},
                              timeout=900)
    if status not in (200, 201, 204):
        raise SystemExit(f"bulk load refused: HTTP {status} {text[:200]}")
    return time.perf_counter() - started


def run_syncd(proxy: ProxyProcess, server: DavServer, n: int, now: datetime) -> list[Row]:
    """First and idle sync with the adapter; checks it read every resource."""
    account = {"name": "bench", "type": "caldav", "url": proxy.url,
               "username": server.username, "password": server.password}
    window = Window(now - timedelta(days=31), now + timedelta(days=91))
    provider = CalDAVProvider(account, ZoneInfo("UTC"), {})
    proxy.reset()
    started = time.perf_counter()
    calendar = next(c for c in provider.calendars() if c.id == CAL_ID)
    rows = [Row(n, "syncd", "discover", proxy.total(), time.perf_counter() - started)]
    proxy.reset()
    started = time.perf_counter()
    first = provider.changes(calendar, None, {}, window)
    rows.append(Row(n, "syncd", "first", proxy.total(), time.perf_counter() - started))
    if len(first.upserts) != n:
        raise SystemExit(f"syncd read {len(first.upserts)} resources, expected {n}")
    known = {item.href: item.etag for item in first.upserts}
    proxy.reset()
    started = time.perf_counter()
    idle = provider.changes(calendar, first.token, known, window)
    rows.append(Row(n, "syncd", "idle", proxy.total(), time.perf_counter() - started))
    if idle.upserts or idle.deletions:
        raise SystemExit("syncd's idle sync reported changes")
    provider.close()
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
    exe = Path(sys.executable).parent / "vdirsyncer"
    env = {**os.environ, "VDIRSYNCER_CONFIG": str(config)}
    started = time.perf_counter()
    done = subprocess.run([str(exe), "--config", str(config), *args], env=env,
                          capture_output=True, text=True, input="y\n" * 4)
    if done.returncode != 0:
        raise SystemExit(f"vdirsyncer {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def run_vdirsyncer(proxy: ProxyProcess, server: DavServer, n: int, work: Path) -> list[Row]:
    """``vdirsyncer discover``, then a first and an idle ``vdirsyncer sync``."""
    config = vdirsyncer_config(work, proxy, server)
    rows = []
    for phase, command in (("discover", "discover"), ("first", "sync"), ("idle", "sync")):
        proxy.reset()
        seconds = vdirsyncer(config, command)
        rows.append(Row(n, "vdirsyncer", phase, proxy.total(), seconds))
    files = len(list((work / "local" / CAL_ID).glob("*.ics")))
    if files != n:
        raise SystemExit(f"vdirsyncer wrote {files} files, expected {n}")
    return rows


def bench_size(n: int) -> tuple[list[Row], float]:
    """Measure both tools on a fresh Radicale holding ``n`` events; return rows, load time."""
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    work = Path(tempfile.mkdtemp(prefix="syncd-bench-"))
    try:
        with start_radicale(work / "radicale") as server, ProxyProcess(server.url) as proxy:
            load = bulk_load(server, n, now)
            request("PROPFIND", server.calendar_url(CAL_ID), auth=server.auth(),
                    headers={"Depth": "1"}, timeout=900)  # warm Radicale's item cache for both
            rows = run_syncd(proxy, server, n, now)
            rows += run_vdirsyncer(proxy, server, n, work / "vdirsyncer")
            return rows, load
    finally:
        shutil.rmtree(work, ignore_errors=True)


def print_table(rows: list[Row]) -> None:
    """Print the rows with the syncd/vdirsyncer ratios of time and of requests."""
    base = {(r.events, r.phase): r for r in rows if r.tool == "vdirsyncer"}
    print(f"{'events':>7}  {'tool':<10}  {'phase':<8}  {'requests':>8}  {'seconds':>8}  "
          f"{'time ratio':>10}  {'req ratio':>9}")
    for r in rows:
        other = base.get((r.events, r.phase))
        ratio = req = ""
        if r.tool == "syncd" and other is not None:
            ratio = f"{r.seconds / other.seconds:.2f}"
            req = f"{r.requests / other.requests:.2f}" if other.requests else ""
        print(f"{r.events:>7}  {r.tool:<10}  {r.phase:<8}  {r.requests:>8}  {r.seconds:>8.2f}  "
              f"{ratio:>10}  {req:>9}")


def startup_seconds() -> float:
    """How long a bare ``vdirsyncer --version`` takes: the floor under each of its runs."""
    exe = Path(sys.executable).parent / "vdirsyncer"
    started = time.perf_counter()
    subprocess.run([str(exe), "--version"], capture_output=True, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Parse ``--sizes``, run every size, print the table; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,10000", help="comma-separated event counts")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        size_rows, load = bench_size(n)
        print(f"{n} events: bulk load {load:.1f}s", flush=True)
        rows += size_rows
    print()
    print_table(rows)
    print(f"\n(time ratio = syncd seconds / vdirsyncer seconds; vdirsyncer runs as a process, "
          f"its bare start-up takes {startup_seconds():.2f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
