"""Fault injection: the daemon as a process, against flaky servers, killed at random moments.

``syncd run`` runs as a subprocess against a local folder, Radicale, Xandikos and the Google
fake; each network account reaches its server through a :class:`FaultProxy` that fails a share
of the requests (5xx, 429, resets, half-written answers, stalls past the client's timeout,
writes whose answer is lost), and once per run fails every request for a few seconds.
Meanwhile the test moves, cancels and restores interviews and kills the daemon with SIGKILL
(half the time right after it sent a write), restarting it each time. Then the faults stop,
one clean ``syncd once`` runs, and the calendars must hold exactly the desired artifacts: each
key once per calendar, no orphan, no user event touched, every acknowledgement kept, and
``status`` must have shown the errors while they lasted and none at the end.

The daemon is the real ``syncd`` console script; the network accounts' ``timeout`` is
``CLIENT_TIMEOUT`` so that a stall costs about a second instead of a minute. A cycle is
counted when the daemon sends its STATUS= line on the NOTIFY_SOCKET, once per finished
cycle (each syncs the accounts that are due; all poll every second). ``SYNCD_FAULT_CYCLES``
(200), ``SYNCD_FAULT_KILLS`` (20) and ``SYNCD_FAULT_SEED`` shape the long run; its summary
is printed (see it with ``-s``) and written to ``fault-summary.json`` in the test's tmp folder.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from syncd.config import load
from syncd.cycle import Engine
from syncd.model import make_ref
from syncd.reconcile import owned_in
from syncd.state import State
from tests.contract.test_google import token_info, when
from tests.fakes.google import FakeGoogleCalendar
from tests.servers import DavServer, request, start_radicale, start_xandikos
from tests.system.faultproxy import FaultProxy

SYNCD = str(Path(sys.executable).parent / "syncd")
ME = "alex@example.com"
GOOGLE_WORK = "c_work@group.calendar.google.com"
CLIENT_TIMEOUT = 1  # seconds; CalDAV wants a whole number
STALL_SECONDS = 2.0  # longer than CLIENT_TIMEOUT, so a stall is a client timeout
FAULT_RATE = 0.30
CYCLES = int(os.environ.get("SYNCD_FAULT_CYCLES", "200"))
KILLS = int(os.environ.get("SYNCD_FAULT_KILLS", "20"))
SEED = int(os.environ.get("SYNCD_FAULT_SEED", "20261125"))
BURST_SECONDS = 4.0  # once per run every request fails for this long
RUN_LIMIT = 600.0  # seconds: a run that has not reached its cycles by then fails
UNEXPECTED_IN_LOG = ("Traceback", "internal error", "NotOwned", "refusing to change")


# -- seed data ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Seed:
    """A user event to store somewhere: where, what, when (days and hours from ``base``)."""

    where: str  # "home" | "work" | "lab" | "gmail"
    uid: str
    summary: str
    day: int
    hour: float
    minutes: int
    location: str = ""
    organizer: str = ""
    description: str = ""
    interview: bool = False


def _iv(where: str, uid: str, summary: str, day: int, hour: float, minutes: int, location: str,
        company: str, text: str) -> Seed:
    """An interview of the owner, organised by the company's recruiter."""
    return Seed(where, uid, summary, day, hour, minutes, location, f"recruiting@{company}.example",
                f"Hi Alex,\nlooking forward to meeting you for your {text} interview.\nRecruiting",
                interview=True)


ZOOM = "https://zoom.us/j/987654321"
SEEDS = (
    # local folder: an onsite that clashes with a dentist, a meeting that clashes with a
    # CalDAV interview, a past video interview (acknowledged as attended), a mover
    _iv("home", "home-initech", "Onsite interview – Backend Engineer (Initech)", 1, 10, 90,
        "Initech, 1 Market St, San Francisco, CA 94105", "initech", "onsite"),
    Seed("home", "home-dentist", "Dentist", 1, 10.5, 30, "Bright Smile Dental"),
    Seed("home", "home-team-sync", "Team sync", 2, 14.5, 60, organizer=ME),
    _iv("home", "home-globex", "Video interview – Data Engineer (Globex)", -3, 9, 45, ZOOM,
        "globex", "video"),
    _iv("home", "home-hooli", "Video interview – SRE (Hooli)", 6, 9, 60, ZOOM, "hooli", "video"),
    # Radicale: a video interview that clashes with the local team sync, a meeting that clashes
    # with a Google interview, an onsite the owner cannot attend, a mover
    _iv("work", "work-umbrella", "Video interview – Platform Engineer (Umbrella)", 2, 14, 60,
        ZOOM, "umbrella", "video"),
    Seed("work", "work-planning", "Quarterly planning", 3, 16, 60, organizer=ME),
    _iv("work", "work-soylent", "Onsite interview – Food Scientist (Soylent)", 4, 9, 120,
        "Soylent Corp, 500 Howard St, San Francisco", "soylent", "onsite"),
    Seed("work", "work-standup", "Standup", 4, 9.5, 30, organizer=ME),
    _iv("work", "work-vandelay", "Video interview – Importer (Vandelay)", 7, 15, 45, ZOOM,
        "vandelay", "video"),
    # Xandikos: an onsite and a clashing gym slot
    _iv("lab", "lab-wonka", "Onsite interview – Chocolatier (Wonka)", 5, 13, 60,
        "Wonka Factory, 1 Market St, San Francisco", "wonka", "onsite"),
    Seed("lab", "lab-gym", "Gym", 5, 13.5, 60),
    # Google: an onsite that clashes with the Radicale planning meeting, a video interview
    # that clashes with a lunch, a mover
    _iv("gmail", "g-acme@acme.example", "Onsite interview – Staff Engineer (Acme)", 3, 16.5, 60,
        "Acme HQ, 1 Market St, San Francisco, CA 94105", "acme", "onsite"),
    _iv("gmail", "g-stark@stark.example", "Video interview – ML Engineer (Stark Industries)", 5,
        11, 60, "https://meet.google.com/abc-defg-hij", "stark", "video"),
    Seed("gmail", "g-lunch@example.com", "Lunch with Sam", 5, 11.25, 30),
    _iv("gmail", "g-wayne@wayne.example", "Video interview – Analyst (Wayne Enterprises)", 8, 10,
        60, "https://meet.google.com/xyz-wxyz-xyz", "wayne", "video"),
)
MOVERS = {"home": "home-hooli", "work": "work-vandelay", "gmail": "g-wayne@wayne.example"}
ATTENDED = "home-globex"  # acknowledged --attended early in the run
CANNOT_ATTEND = "work-soylent"  # acknowledged --cannot-attend: its blocks must go


def ics(seed: Seed, start: datetime) -> str:
    """The iCalendar text another client would store for ``seed`` starting at ``start``."""
    fmt = "%Y%m%dT%H%M%SZ"
    end = start + timedelta(minutes=seed.minutes)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fault tests//other client//EN",
             "BEGIN:VEVENT", f"UID:{seed.uid}", f"DTSTAMP:{start.strftime(fmt)}",
             f"DTSTART:{start.strftime(fmt)}", f"DTEND:{end.strftime(fmt)}",
             f"SUMMARY:{_escape(seed.summary)}"]
    if seed.location:
        lines.append(f"LOCATION:{_escape(seed.location)}")
    if seed.description:
        lines.append(f"DESCRIPTION:{_escape(seed.description)}")
    if seed.organizer:
        lines.append(f"ORGANIZER:mailto:{seed.organizer}")
        lines.append(f"ATTENDEE;CN=Alex Doe;PARTSTAT=ACCEPTED:mailto:{ME}")
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def google_body(seed: Seed, start: datetime) -> dict[str, Any]:
    """The Google event resource another client would store for ``seed``."""
    body: dict[str, Any] = {"iCalUID": seed.uid, "summary": seed.summary,
                            "start": when(start), "end": when(start + timedelta(minutes=seed.minutes))}
    if seed.location:
        body["location"] = seed.location
    if seed.description:
        body["description"] = seed.description
    if seed.organizer:
        body["organizer"] = {"email": seed.organizer}
        body["attendees"] = [{"email": ME, "self": True, "responseStatus": "accepted"},
                             {"email": seed.organizer, "organizer": True,
                              "responseStatus": "accepted"}]
    return body


# -- reading the calendars directly (never through a proxy) -----------------------------------

DAV = "{DAV:}"
CAL = "{urn:ietf:params:xml:ns:caldav}"
QUERY = ('<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" '
         'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>'
         '<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>')
KEY_LINE = re.compile(r"^X-SYNCD-KEY:(\S+)\s*$", re.M)


def dav_objects(server: DavServer, cal_url: str) -> dict[str, tuple[str, str]]:
    """href -> (ETag, iCalendar text) of every object in a calendar, asked of the server itself."""
    status, _, text = request("REPORT", cal_url, QUERY.encode(), auth=server.auth(),
                              headers={"Depth": "1", "Content-Type": "application/xml"})
    assert status == 207, (status, text[:500])
    out = {}
    for resp in ET.fromstring(text).iter(f"{DAV}response"):
        href = resp.findtext(f"{DAV}href") or ""
        etag = resp.findtext(f".//{DAV}getetag") or ""
        data = resp.findtext(f".//{CAL}calendar-data") or ""
        if data:
            out[href] = (etag, data)
    return out


def keys_in(text: str) -> list[str]:
    """The X-SYNCD-KEY values in an iCalendar text (unfolded lines are enough here)."""
    return KEY_LINE.findall(text.replace("\r\n ", ""))


def google_owned(fake: FakeGoogleCalendar, calendar: str) -> list[str]:
    """The syncd keys of the live (not cancelled) owned events of a Google calendar."""
    out = []
    for body in fake.events_of(calendar):
        private = (body.get("extendedProperties") or {}).get("private") or {}
        if body.get("status") != "cancelled" and "syncd-key" in private:
            out.append(private["syncd-key"])  # an id other than the key would be a second copy
    return out


# -- the world: servers, proxies, config ------------------------------------------------------

@dataclass
class World:
    """Everything one test runs against, and what the user's own events must still look like."""

    root: Path
    base: datetime
    radicale: DavServer
    xandikos: DavServer
    fake: FakeGoogleCalendar
    proxies: dict[str, FaultProxy]
    calendars: dict[str, str] = field(default_factory=dict)  # account -> direct calendar URL
    local_files: dict[str, bytes] = field(default_factory=dict)  # name -> bytes
    dav_etags: dict[str, dict[str, str]] = field(default_factory=dict)  # account -> href -> ETag
    google_events: dict[str, str] = field(default_factory=dict)  # id -> JSON
    google_ids: dict[str, str] = field(default_factory=dict)  # iCalUID -> id

    @property
    def config(self) -> Path:
        """The config file."""
        return self.root / "config.toml"

    @property
    def folder(self) -> Path:
        """The local account's calendar folder."""
        return self.root / "calendars" / "personal"

    @property
    def state_dir(self) -> Path:
        """The daemon's state folder."""
        return self.root / "state"

    def server(self, account: str) -> DavServer:
        """The CalDAV server of a CalDAV account."""
        return self.radicale if account == "work" else self.xandikos

    def start_of(self, seed: Seed, shift: float = 0.0) -> datetime:
        """When a seeded event starts, ``shift`` hours later than seeded."""
        return self.base + timedelta(days=seed.day, hours=seed.hour + shift)

    def put(self, seed: Seed, shift: float = 0.0) -> None:
        """Store (or move) a user event as another client would, and remember how it looks."""
        start = self.start_of(seed, shift)
        if seed.where == "home":
            path = self.folder / f"{seed.uid}.ics"
            path.write_text(ics(seed, start), encoding="utf-8")
            self.local_files[path.name] = path.read_bytes()
        elif seed.where == "gmail":
            self._put_google(seed, start)
        else:
            self._put_dav(seed, start)

    def _put_dav(self, seed: Seed, start: datetime) -> None:
        server, url = self.server(seed.where), self.calendars[seed.where] + f"{seed.uid}.ics"
        status, _, _ = request("PUT", url, ics(seed, start).encode(), auth=server.auth(),
                               headers={"Content-Type": "text/calendar; charset=utf-8"})
        assert status in (200, 201, 204), status
        objects = dav_objects(server, self.calendars[seed.where])
        href = next(h for h in objects if h.endswith(f"/{seed.uid}.ics"))
        self.dav_etags.setdefault(seed.where, {})[href] = objects[href][0]

    def _put_google(self, seed: Seed, start: datetime) -> None:
        body = google_body(seed, start)
        if seed.uid in self.google_ids:  # a move, or restoring a deleted event
            stored = self.fake.modify_event(GOOGLE_WORK, self.google_ids[seed.uid], {
                "start": body["start"], "end": body["end"], "status": "confirmed"})
        else:
            stored = self.fake.seed_event(GOOGLE_WORK, body)
            self.google_ids[seed.uid] = stored["id"]
        self.google_events[stored["id"]] = json.dumps(stored, sort_keys=True)

    def remove(self, seed: Seed) -> None:
        """Delete a user event as another client would (Google keeps a cancelled tombstone)."""
        if seed.where == "home":
            (self.folder / f"{seed.uid}.ics").unlink()
            self.local_files.pop(f"{seed.uid}.ics")
        elif seed.where == "gmail":
            event_id = self.google_ids[seed.uid]
            self.fake.remove_event(GOOGLE_WORK, event_id)
            tomb = next(b for b in self.fake.events_of(GOOGLE_WORK) if b["id"] == event_id)
            self.google_events[event_id] = json.dumps(tomb, sort_keys=True)
        else:
            url = self.calendars[seed.where] + f"{seed.uid}.ics"
            status, _, _ = request("DELETE", url, auth=self.server(seed.where).auth())
            assert status in (200, 204), status
            etags = self.dav_etags[seed.where]
            etags.pop(next(h for h in etags if h.endswith(f"/{seed.uid}.ics")))

    @staticmethod
    def dav_accounts() -> list[str]:
        """The CalDAV accounts: on Radicale and on Xandikos."""
        return ["work", "lab"]

    def write_config(self) -> None:
        """The daemon's config: every account polled each second, networks through proxies."""
        token = self.root / "token.json"
        token.write_text(json.dumps(token_info(self.fake)))
        token.chmod(0o600)
        parts = [f"""[daemon]
state_dir = "{self.state_dir}"
poll_interval = "1s"
timezone = "UTC"

[[accounts]]
name = "home"
type = "local"
path = "{self.folder.parent}"
poll_interval = "1s"
"""]
        for account in self.dav_accounts():
            server = self.server(account)
            parts.append(f"""[[accounts]]
name = "{account}"
type = "caldav"
url = "{self.proxies[account].url}"
username = "{server.username}"
password = "fault-test-password"
calendars = ["{'Work' if account == 'work' else 'Lab'}"]
poll_interval = "1s"
timeout = "{CLIENT_TIMEOUT}s"
""")
        parts.append(f"""[[accounts]]
name = "gmail"
type = "google"
token_file = "{token}"
api_endpoint = "{self.proxies['gmail'].url}calendar/v3/"
token_uri = "{self.fake.token_uri}"
calendars = ["Work"]
poll_interval = "1s"
timeout = "{CLIENT_TIMEOUT}s"

[interviews]
self = ["{ME}"]

[travel.places]
"1 Market St" = 25

[followup]
drafts_dir = "{self.root / 'drafts'}"
templates_dir = "{self.root / 'templates'}"
from = "Alex Doe <{ME}>"
""")
        self.config.write_text("\n".join(parts), encoding="utf-8")
        self.config.chmod(0o600)

    def seed_all(self) -> None:
        """Create the calendars and store every seeded event."""
        self.folder.mkdir(parents=True)
        (self.folder / "displayname").write_text("Personal\n")
        self.calendars["work"] = self.radicale.make_calendar("work", "Work")
        self.calendars["lab"] = self.xandikos.make_calendar("lab", "Lab")
        for seed in SEEDS:
            self.put(seed)

    def set_faults(self, rate: float) -> None:
        """Switch every proxy's fault rate."""
        for proxy in self.proxies.values():
            proxy.rate = rate


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """Radicale, Xandikos, the Google fake, a fault proxy in front of each, seeded, configured."""
    radicale = start_radicale(tmp_path / "radicale")
    xandikos = start_xandikos(tmp_path / "xandikos")
    fake = FakeGoogleCalendar().start()
    fake.add_calendar(ME, ME, primary=True, time_zone="UTC")
    fake.add_calendar(GOOGLE_WORK, "Work")
    upstreams = {"work": radicale.url, "lab": xandikos.url, "gmail": fake.url}
    proxies = {name: FaultProxy(url.rstrip("/"), seed=SEED + i, stall_seconds=STALL_SECONDS,
                                name=name).start()
               for i, (name, url) in enumerate(upstreams.items())}
    base = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    env = World(tmp_path, base + timedelta(days=2), radicale, xandikos, fake, proxies)
    try:
        env.seed_all()
        env.write_config()
        yield env
    finally:
        for proxy in proxies.values():
            proxy.stop()
        fake.stop()
        xandikos.stop()
        env.radicale.stop()  # a test may have replaced it


# -- the daemon and its notifications ----------------------------------------------------------

class Notifications:
    """A NOTIFY_SOCKET as systemd binds it; counts the STATUS= line each finished cycle sends.

    Like systemd it asks the kernel for each sender's pid (SO_PASSCRED), so that READY=1 can be
    told apart between a daemon and the one started after it was killed.
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
            lines = data.decode().splitlines()
            if "READY=1" in lines:
                self.ready |= {self.CREDENTIALS.unpack(cdata[:self.CREDENTIALS.size])[0]
                               for level, kind, cdata in ancillary
                               if (level, kind) == (socket.SOL_SOCKET, socket.SCM_CREDENTIALS)}
            self.statuses += [line[7:] for line in lines
                              if line.startswith("STATUS=") and " ok" in line]

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


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[Notifications]:
    """The NOTIFY_SOCKET listener."""
    listener = Notifications(tmp_path / "notify.sock")
    yield listener
    listener.close()


@pytest.fixture
def daemon(world: World, notify: Notifications) -> Iterator[DaemonProcess]:
    """The daemon (not started yet)."""
    process = DaemonProcess(world.config, notify)
    yield process
    process.close()


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


# -- what the calendars hold vs what is desired -------------------------------------------------

def desired(config_path: Path) -> tuple[dict[tuple[str, str], list[str]], list[str], dict[str, str]]:
    """Plan in-process over the calendars as they are (dry run on a copy of the state).

    Returns (account, calendar id) -> desired keys, the operations still to do, and the
    accounts that failed to sync.
    """
    config = load(config_path)
    state = State.open_copy(config.daemon["state_dir"])
    engine = Engine(config, state, dry_run=True)
    try:
        report = engine.cycle(datetime.now(timezone.utc))
    finally:
        engine.close()
        state.close()
    out: dict[tuple[str, str], list[str]] = {}
    for art in report.plan.artifacts:
        out.setdefault((art.account, art.calendar), []).append(art.key)
    return out, report.ops, report.failed


def actual(env: World) -> dict[tuple[str, str], list[str]]:
    """(account, calendar id) -> keys of the owned events found in each calendar, directly."""
    out = {("home", "personal"): [k for p in sorted(env.folder.glob("*.ics"))
                                  for k in keys_in(p.read_text(encoding="utf-8"))]}
    for account in env.dav_accounts():  # a CalDAV calendar's id is its URL's last segment,
        objects = dav_objects(env.server(account), env.calendars[account])  # named as the account
        out[(account, account)] = [k for _, text in objects.values() for k in keys_in(text)]
    out[("gmail", GOOGLE_WORK)] = google_owned(env.fake, GOOGLE_WORK)
    assert google_owned(env.fake, ME) == [], "nothing may be written to an unwatched calendar"
    return out


def compare(want: dict[tuple[str, str], list[str]], have: dict[tuple[str, str], list[str]]
            ) -> dict[str, int]:
    """Count duplicates, orphans and missing artifacts over every calendar."""
    dup = orphan = missing = 0
    for where in set(want) | set(have):
        wanted, found = Counter(want.get(where, [])), Counter(have.get(where, []))
        assert all(n == 1 for n in wanted.values()), f"the plan itself repeats a key in {where}"
        dup += sum(n - 1 for n in found.values() if n > 1)
        orphan += sum(1 for k in found if k not in wanted)
        missing += sum(1 for k in wanted if k not in found)
    return {"duplicates": dup, "orphans": orphan, "missing": missing}


def touched_user_events(env: World) -> list[str]:
    """User events that differ from what the test itself last stored (must be none)."""
    touched = []
    for name, data in env.local_files.items():
        if (env.folder / name).read_bytes() != data:
            touched.append(f"home/{name}")
    for account in env.dav_accounts():
        now = {h: e for h, (e, _) in dav_objects(env.server(account), env.calendars[account]).items()}
        touched += [f"{account}{h}" for h, etag in env.dav_etags[account].items() if now.get(h) != etag]
    for event_id, before in env.google_events.items():
        stored = next(b for b in env.fake.events_of(GOOGLE_WORK) if b["id"] == event_id)
        if json.dumps(stored, sort_keys=True) != before:
            touched.append(f"gmail/{event_id}")
    return touched


def writes_to_user_events(env: World) -> list[str]:
    """Write requests that targeted anything but a syncd artifact (must be none)."""
    bad = []
    for account in env.dav_accounts():
        bad += [f"{account}: {m} {p}" for m, p, _ in env.proxies[account].writes
                if not re.search(r"/syncd-[0-9a-f]{26,}\.ics$", p)]
    user_ids = set(env.google_events)
    for r in env.fake.requests:
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and r.path != "/token":
            target = r.path.rsplit("/", 1)[-1] if r.method != "POST" else (r.body or {}).get("id")
            if target in user_ids or not re.fullmatch(r"[0-9a-f]{26,}", str(target)):
                bad.append(f"gmail: {r.method} {r.path}")
    return bad


def state_keys(state_dir: Path) -> dict[tuple[str, str], list[str]]:
    """What the daemon's state believes it owns, per calendar."""
    state = State.open(state_dir)
    try:
        out: dict[tuple[str, str], list[str]] = {}
        for owned in owned_in(state.items()):
            out.setdefault((owned.account, owned.calendar), []).append(owned.key)
        return out
    finally:
        state.close()


def live_drafts(drafts_dir: Path) -> Counter:
    """ref -> number of draft files in the Maildir's cur/ that still carry the draft flag."""
    found: Counter = Counter()
    for path in (drafts_dir / "cur").glob("*:2,*D*"):
        match = re.search(r"^X-Syncd-Event: (\S+)", path.read_text(errors="replace"), re.M)
        if match:
            found[match.group(1)] += 1
    return found


def ref_of(uid: str) -> str:
    """The REF of a non-recurring event, as ``status`` prints it."""
    return make_ref(uid, None)


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
        where = run.rng.choice(("work", "gmail"))
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
    wait_until(lambda: wanted <= {i["ref"] for i in status(env.config)["interviews"]}, 90,
               "the interviews to acknowledge", daemon)
    for uid, flag in ((ATTENDED, "--attended"), (CANNOT_ATTEND, "--cannot-attend")):
        done = cli(env.config, "ack", ref_of(uid), flag)
        assert done.returncode == 0, done.stderr


def test_faults_and_kills_end_with_exactly_the_desired_artifacts(world, daemon, notify, tmp_path):
    env, run = world, Run(random.Random(SEED))
    started = time.monotonic()
    env.set_faults(FAULT_RATE)
    daemon.start()
    with StatusPoller(env.config) as poller:
        acknowledge(env, daemon)
        kill_at = [round((i + 1) * CYCLES / (KILLS + 1)) for i in range(KILLS)]
        move_at = sorted(run.rng.sample(range(5, max(CYCLES, 6)), min(CYCLES // 5, max(CYCLES - 5, 1))))
        burst_at = CYCLES // 3
        while notify.cycles < CYCLES or kill_at:
            assert time.monotonic() - started < RUN_LIMIT, f"only {notify.cycles} cycles in time"
            if kill_at and notify.cycles >= kill_at[0]:
                kill_at.pop(0)
                kill_and_restart(env, daemon, run)
            elif burst_at and notify.cycles >= burst_at:
                burst_at = 0
                burst(env, daemon)
            elif move_at and notify.cycles >= move_at[0]:
                move_at.pop(0)
                move_one(env, run, run.rng.choice(tuple(MOVERS)))
            assert daemon.alive(), f"the daemon exited by itself:\n{daemon.log()[-4000:]}"
            time.sleep(0.02)
        faulty_seconds = time.monotonic() - started
        # A daemon restarted moments ago may not have its signal handlers yet.
        wait_until(lambda: daemon.pid in notify.ready, 30, "the daemon to be ready", daemon)
        assert daemon.stop() == 0, daemon.log()[-4000:]
    env.set_faults(0.0)
    clean = cli(env.config, "once")
    assert clean.returncode == 0, clean.stderr[-4000:]
    summary = verify(env, daemon, notify, run, poller, faulty_seconds)
    summary["runtime_seconds"] = round(time.monotonic() - started, 1)
    report(summary, tmp_path / "fault-summary.json")
    assert summary["duplicates"] == summary["orphans"] == summary["missing"] == 0, summary
    assert summary["user_events_touched"] == summary["writes_to_user_events"] == 0, summary
    assert summary["acks_kept"] == 2 and summary["drafts_ok"], summary
    assert summary["status_errors_seen"], "status never showed a network account's error"
    assert summary["status_errors_at_end"] == [], summary
    assert summary["unexpected_errors_in_log"] == 0, "the daemon logged an unexpected error"
    assert summary["kills"] == KILLS and summary["cycles"] >= CYCLES


def verify(env: World, daemon: DaemonProcess, notify: Notifications, run: Run,
           poller: StatusPoller, faulty_seconds: float) -> dict[str, Any]:
    """Everything the long run must end with, measured (the test asserts on the result)."""
    dry = cli(env.config, "once", "--dry-run")
    want, ops, failed = desired(env.config)
    have = actual(env)
    final = status(env.config)
    acks = {i["ref"]: i["ack"] for i in final["interviews"]}
    followups = {i["ref"]: i["followup"] for i in final["interviews"]}
    drafts = live_drafts(env.root / "drafts")
    faults: Counter = Counter()
    for proxy in env.proxies.values():
        faults.update(proxy.faults)
    log = daemon.log()
    touched, writes = touched_user_events(env), writes_to_user_events(env)
    return {
        "cycles": notify.cycles,
        "cycles_with_a_failing_account": sum("failing" in s for s in notify.statuses),
        "cycles_per_second": round(notify.cycles / faulty_seconds, 2),
        "fault_rate": FAULT_RATE, "burst_seconds_at_100_percent": BURST_SECONDS,
        "faults_by_kind": dict(sorted(faults.items())),
        "faults_total": sum(faults.values()),
        "requests": {name: p.summary() for name, p in env.proxies.items()},
        "kills": run.kills, "kills_right_after_a_write": run.kills_after_write,
        "daemon_starts": daemon.starts, "user_edits": run.edits,
        **compare(want, have),
        "artifacts": sum(len(v) for v in have.values()),
        "state_matches_calendars": {k: sorted(v) for k, v in state_keys(env.state_dir).items()}
        == {k: sorted(v) for k, v in have.items() if v},
        "ops_left_after_clean_cycle": ops, "failed_in_clean_cycle": failed,
        "dry_run_says_nothing_to_change": "nothing to change" in dry.stdout,
        "user_events_touched": len(touched), "user_events_touched_which": touched,
        "writes_to_user_events": len(writes), "writes_to_user_events_which": writes,
        "acks_kept": sum(acks.get(ref_of(u)) == a for u, a in ((ATTENDED, "attended"),
                                                               (CANNOT_ATTEND, "cannot-attend"))),
        "drafts_ok": (followups.get(ref_of(ATTENDED)) or {}).get("kind") == "thank-you"
        and (followups.get(ref_of(CANNOT_ATTEND)) or {}).get("kind") == "reschedule"
        and all(n == 1 for n in drafts.values()),
        "live_drafts": dict(drafts),
        "status_polls": poller.polls, "status_errors_seen": len(poller.errors),
        "accounts_with_errors_seen": sorted({a for a, _ in poller.errors}),
        "status_errors_at_end": [a["name"] for a in final["accounts"] if a["last_error"]],
        "unexpected_errors_in_log": sum(log.count(w) for w in UNEXPECTED_IN_LOG),
    }


def report(summary: dict[str, Any], path: Path) -> None:
    """Print the summary and keep it as JSON next to the test's files."""
    text = json.dumps(summary, indent=2, default=str)
    path.write_text(text)
    print(f"\nfault-injection summary ({path}):\n{text}")


# -- a server that goes away ------------------------------------------------------------------

NEW_HOME = _iv("home", "home-newco", "Onsite interview – Engineer (Newco)", 9, 10, 60,
               "Newco, 1 Market St, San Francisco", "newco", "onsite")
NEW_WORK = _iv("work", "work-later", "Video interview – Architect (Later Inc)", 10, 15, 60, ZOOM,
               "later", "video")
STARK = next(s for s in SEEDS if s.uid == "g-stark@stark.example")


def prep_start(env: World, uid: str) -> str | None:
    """Start of the Google prep buffer of the interview with ``uid``, as stored on the fake."""
    for body in env.fake.events_of(GOOGLE_WORK):
        private = (body.get("extendedProperties") or {}).get("private") or {}
        if (body.get("status") != "cancelled" and private.get("syncd-kind") == "buffer-before"
                and private.get("syncd-source") == uid):
            return body["start"]["dateTime"]
    return None


def google_sources(env: World, kind: str) -> Counter:
    """How many live artifacts of ``kind`` each source UID has on the Google calendar."""
    found: Counter = Counter()
    for body in env.fake.events_of(GOOGLE_WORK):
        private = (body.get("extendedProperties") or {}).get("private") or {}
        if body.get("status") != "cancelled" and private.get("syncd-kind") == kind:
            found[private.get("syncd-source")] += 1
    return found


def local_sources(env: World) -> Counter:
    """How many artifacts each source UID has in the local folder."""
    found: Counter = Counter()
    for path in env.folder.glob("syncd-*.ics"):
        match = re.search(r"^X-SYNCD-SOURCE:(\S+)", path.read_text(), re.M)
        if match:
            found[match.group(1)] += 1
    return found


def dav_sources(env: World, account: str) -> Counter:
    """How many artifacts each source UID has in a CalDAV calendar, read from the server."""
    found: Counter = Counter()
    for _, text in dav_objects(env.server(account), env.calendars[account]).values():
        match = re.search(r"^X-SYNCD-SOURCE:(\S+)", text, re.M)
        if match:
            found[match.group(1)] += 1
    return found


def errors_by_account(env: World) -> dict[str, str | None]:
    """account -> last_error, from ``syncd status --json``."""
    return {a["name"]: a["last_error"] for a in status(env.config)["accounts"]}


def test_a_caldav_server_going_away_does_not_stop_the_others(world, daemon, notify):
    env = world
    daemon.start()
    wait_until(lambda: notify.cycles >= 3 and not any(errors_by_account(env).values())
               and dav_sources(env, "work"), 60, "a first clean sync", daemon)
    acme = "g-acme@acme.example"
    assert google_sources(env, "conflict")[acme] == 1  # it clashes with a CalDAV meeting
    env.radicale.stop()  # the CalDAV server is gone: the proxy resets every connection
    env.put(NEW_HOME)
    moved = env.start_of(STARK, 2.0)
    env.put(STARK, 2.0)
    want_prep = (moved - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M")
    wait_until(lambda: local_sources(env)[NEW_HOME.uid] == 4, 30,
               "the local account to sync while CalDAV is down", daemon)
    wait_until(lambda: (prep_start(env, STARK.uid) or "").startswith(want_prep), 30,
               "the Google account to sync while CalDAV is down", daemon)
    wait_until(lambda: errors_by_account(env)["work"] is not None, 30,
               "status to name the CalDAV account's error", daemon)
    errors = errors_by_account(env)
    assert {name for name, error in errors.items() if error} == {"work"}, errors
    assert any("failing (work)" in s for s in notify.statuses), notify.statuses[-5:]
    assert google_sources(env, "conflict")[acme] == 1, "the cached CalDAV meeting still clashes"

    env.radicale = start_radicale(env.root / "radicale")  # back, on a new port
    env.proxies["work"].upstream = env.radicale.url.rstrip("/")
    env.calendars["work"] = env.radicale.calendar_url("work")
    env.put(NEW_WORK)
    wait_until(lambda: dav_sources(env, "work")[NEW_WORK.uid] == 2, 45,
               "the CalDAV account to catch up once its server is back", daemon)
    wait_until(lambda: not any(errors_by_account(env).values()), 30,
               "every account to be healthy again", daemon)
    assert daemon.stop() == 0
    assert cli(env.config, "once").returncode == 0
    want, ops, failed = desired(env.config)
    assert (ops, failed) == ([], {})
    assert compare(want, actual(env)) == {"duplicates": 0, "orphans": 0, "missing": 0}
    assert touched_user_events(env) == [] and writes_to_user_events(env) == []
    assert env.proxies["work"].unreachable > 0
    assert "Traceback" not in daemon.log()


def test_a_block_stripped_of_its_marker_is_left_alone_and_stops_nothing(world, daemon, notify):
    """Some clients drop unknown X- properties when the owner edits an event. The block that
    keeps syncd's UID but lost its marker is the user's from then on: syncd must neither
    change it nor die on it (it once did: NotOwned escaped the cycle and ended the daemon)."""
    env = world
    daemon.start()
    initech = "home-initech"

    def prep_file() -> Path | None:
        return next((p for p in env.folder.glob("syncd-*.ics")
                     if f"X-SYNCD-SOURCE:{initech}" in p.read_text()
                     and "X-SYNCD-KIND:buffer-before" in p.read_text()), None)

    wait_until(lambda: notify.cycles >= 2 and prep_file() is not None, 60, "a first clean sync",
               daemon)
    prep = prep_file()
    assert prep is not None
    stripped = "".join(line for line in prep.read_text().splitlines(keepends=True)
                       if not line.startswith("X-SYNCD-"))
    prep.write_text(stripped.replace("Prep:", "Prep (moved by me):"))
    env.local_files[prep.name] = prep.read_bytes()
    seen = notify.cycles
    env.put(STARK, 2.0)  # the other accounts keep going
    want_prep = (env.start_of(STARK, 2.0) - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M")
    wait_until(lambda: notify.cycles >= seen + 3
               and (prep_start(env, STARK.uid) or "").startswith(want_prep), 30,
               "more cycles after the block lost its marker", daemon)
    assert "does not carry the syncd marker" in daemon.log()
    assert daemon.stop() == 0
    assert touched_user_events(env) == []


def test_a_crash_between_writing_a_draft_and_recording_it_leaves_one_draft(tmp_path, monkeypatch):
    """kill -9 lands after the draft is in the Maildir but before the state records it: the
    next cycle adopts that draft instead of writing a second one for the same interview."""
    from syncd.demo import seed as seed_demo

    config = load(seed_demo(tmp_path / "demo"))

    def cycle() -> None:
        state = State.open(config.daemon["state_dir"])
        engine = Engine(config, state)
        try:
            engine.cycle(datetime.now(timezone.utc))
        finally:
            engine.close()
            state.close()

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("kill -9")  # nothing catches it: like the process dying

    with monkeypatch.context() as patch:
        patch.setattr(State, "set_followup", killed)
        with pytest.raises(KeyboardInterrupt):
            cycle()
    assert sum(live_drafts(config.followup["drafts_dir"]).values()) == 1  # written, not recorded
    cycle()
    cycle()
    drafts = live_drafts(config.followup["drafts_dir"])
    assert list(drafts.values()) == [1], drafts
    state = State.open(config.daemon["state_dir"])
    try:
        [record] = state.followups().values()
    finally:
        state.close()
    assert record["state"] == "drafted" and Path(record["path"]).exists()
