"""Scaffolding of the fault-injection tests: seeded user events, and the world they live in.

Radicale, Xandikos, the Google fake and the Exchange fake, each behind a :class:`FaultProxy`, a
local folder, the user events of :data:`SEEDS` stored in them, and the daemon's config. :class:`World`
also remembers how every user event must still look, for the checks in
:mod:`tests.system.faultcheck`.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any


from syncd.model import make_ref
from tests.contract.test_google import token_info, when
from tests.fakes.ews import FakeExchange
from tests.fakes.google import FakeGoogleCalendar
from tests.servers import DavServer, request, start_radicale, start_xandikos
from tests.system import faultexchange
from tests.system.faultproxy import FaultProxy

SYNCD = str(Path(sys.executable).parent / "syncd")
ME = "alex@example.com"
GOOGLE_WORK = "c_work@group.calendar.google.com"
# Each network account keeps the default per-request timeout (60 s): a stalled or trickling
# answer is ended only by the account's deadline for the cycle, as it would be in production.
# The long run's deadline is shorter than the default (90 s) only so that it fits in CI; every
# other run, and the long run's clean cycles after the faults, get CLEAN_DEADLINE, so that a busy
# machine cannot fail a cycle that meets no fault.
DEADLINE = 5  # seconds
CLEAN_DEADLINE = 60  # seconds




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


def interview(where: str, uid: str, summary: str, day: int, hour: float, minutes: int, location: str,
        company: str, text: str) -> Seed:
    """An interview of the owner, organised by the company's recruiter."""
    return Seed(where, uid, summary, day, hour, minutes, location, f"recruiting@{company}.example",
                f"Hi Alex,\nlooking forward to meeting you for your {text} interview.\nRecruiting",
                interview=True)


ZOOM = "https://zoom.us/j/987654321"
SEEDS = (
    # local folder: an onsite that clashes with a dentist, a meeting that clashes with a
    # CalDAV interview, a past video interview (acknowledged as attended), a mover
    interview("home", "home-initech", "Onsite interview – Backend Engineer (Initech)", 1, 10, 90,
        "Initech, 1 Market St, San Francisco, CA 94105", "initech", "onsite"),
    Seed("home", "home-dentist", "Dentist", 1, 10.5, 30, "Bright Smile Dental"),
    Seed("home", "home-team-sync", "Team sync", 2, 14.5, 60, organizer=ME),
    interview("home", "home-globex", "Video interview – Data Engineer (Globex)", -3, 9, 45, ZOOM,
        "globex", "video"),
    interview("home", "home-hooli", "Video interview – SRE (Hooli)", 6, 9, 60, ZOOM, "hooli", "video"),
    # Radicale: a video interview that clashes with the local team sync, a meeting that clashes
    # with a Google interview, an onsite the owner cannot attend, a mover
    interview("work", "work-umbrella", "Video interview – Platform Engineer (Umbrella)", 2, 14, 60,
        ZOOM, "umbrella", "video"),
    Seed("work", "work-planning", "Quarterly planning", 3, 16, 60, organizer=ME),
    interview("work", "work-soylent", "Onsite interview – Food Scientist (Soylent)", 4, 9, 120,
        "Soylent Corp, 500 Howard St, San Francisco", "soylent", "onsite"),
    Seed("work", "work-standup", "Standup", 4, 9.5, 30, organizer=ME),
    interview("work", "work-vandelay", "Video interview – Importer (Vandelay)", 7, 15, 45, ZOOM,
        "vandelay", "video"),
    # Xandikos: an onsite and a clashing gym slot
    interview("lab", "lab-wonka", "Onsite interview – Chocolatier (Wonka)", 5, 13, 60,
        "Wonka Factory, 1 Market St, San Francisco", "wonka", "onsite"),
    Seed("lab", "lab-gym", "Gym", 5, 13.5, 60),
    # Google: an onsite that clashes with the Radicale planning meeting, a video interview
    # that clashes with a lunch, a mover
    interview("gmail", "g-acme@acme.example", "Onsite interview – Staff Engineer (Acme)", 3, 16.5, 60,
        "Acme HQ, 1 Market St, San Francisco, CA 94105", "acme", "onsite"),
    interview("gmail", "g-stark@stark.example", "Video interview – ML Engineer (Stark Industries)", 5,
        11, 60, "https://meet.google.com/abc-defg-hij", "stark", "video"),
    Seed("gmail", "g-lunch@example.com", "Lunch with Sam", 5, 11.25, 30),
    interview("gmail", "g-wayne@wayne.example", "Video interview – Analyst (Wayne Enterprises)", 8, 10,
        60, "https://meet.google.com/xyz-wxyz-xyz", "wayne", "video"),
    # Exchange: an onsite that clashes with a one-to-one there and with the Google lunch's day,
    # a mover
    interview("corp", "x-initrode@initrode.example", "Onsite interview – Payments Engineer (Initrode)",
        6, 14, 60, "Initrode, 1 Market St, San Francisco", "initrode", "onsite"),
    Seed("corp", "x-one-on-one@corp.example", "1:1 with Pat", 6, 14.5, 30, organizer=ME),
    interview("corp", "x-dunder@dunder.example", "Video interview – Sales Lead (Dunder Mifflin)", 9, 11,
        45, ZOOM, "dunder", "video"),
)
MOVERS = {"home": "home-hooli", "work": "work-vandelay", "gmail": "g-wayne@wayne.example",
          "corp": "x-dunder@dunder.example"}
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
    ews: FakeExchange
    proxies: dict[str, FaultProxy]
    calendars: dict[str, str] = field(default_factory=dict)  # account -> direct calendar URL
    local_files: dict[str, bytes] = field(default_factory=dict)  # name -> bytes
    dav_etags: dict[str, dict[str, str]] = field(default_factory=dict)  # account -> href -> ETag
    google_events: dict[str, str] = field(default_factory=dict)  # id -> JSON
    google_ids: dict[str, str] = field(default_factory=dict)  # iCalUID -> id
    ews_items: dict[str, str] = field(default_factory=dict)  # ItemId -> fingerprint
    ews_ids: dict[str, str] = field(default_factory=dict)  # UID -> ItemId

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
        elif seed.where == faultexchange.ACCOUNT:
            item_id = faultexchange.put(self.ews, self.ews_ids, seed.uid, seed.summary, start, seed.minutes,
                                        seed.location, seed.organizer, seed.description)
            self.ews_items[item_id] = self.ews.fingerprint(item_id)
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
        elif seed.where == faultexchange.ACCOUNT:
            item_id = self.ews_ids.pop(seed.uid)
            self.ews.remove_event(item_id)
            self.ews_items.pop(item_id)
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

    def write_config(self, deadline: int = CLEAN_DEADLINE) -> None:
        """The daemon's config: every account polled each second, networks through proxies,
        each network account with ``deadline`` seconds per cycle."""
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
deadline = "{deadline}s"
""")
        parts.append(f"""[[accounts]]
name = "gmail"
type = "google"
token_file = "{token}"
api_endpoint = "{self.proxies['gmail'].url}calendar/v3/"
token_uri = "{self.fake.token_uri}"
calendars = ["Work"]
poll_interval = "1s"
deadline = "{deadline}s"

{faultexchange.config_block(self.ews, self.proxies[faultexchange.ACCOUNT].url, deadline)}
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


def ref_of(uid: str) -> str:
    """The REF of a non-recurring event, as ``status`` prints it."""
    return make_ref(uid, None)


@contextmanager
def open_world(tmp_path: Path, seed: int) -> Iterator[World]:
    """Radicale, Xandikos, the Google and Exchange fakes, a fault proxy in front of each (seeded
    with ``seed`` onwards), the calendars seeded and the config written; everything stopped
    afterwards."""
    radicale = start_radicale(tmp_path / "radicale")
    xandikos = start_xandikos(tmp_path / "xandikos")
    fake = FakeGoogleCalendar().start()
    fake.add_calendar(ME, ME, primary=True, time_zone="UTC")
    fake.add_calendar(GOOGLE_WORK, "Work")
    ews = faultexchange.start(ME)
    upstreams = {"work": radicale.url, "lab": xandikos.url, "gmail": fake.url,
                 faultexchange.ACCOUNT: f"http://127.0.0.1:{ews.port}"}
    proxies = {name: FaultProxy(url.rstrip("/"), seed=seed + i,
                                name=name).start()
               for i, (name, url) in enumerate(upstreams.items())}
    base = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    env = World(tmp_path, base + timedelta(days=2), radicale, xandikos, fake, ews, proxies)
    try:
        env.seed_all()
        env.write_config()
        yield env
    finally:
        for proxy in proxies.values():
            proxy.stop()
        fake.stop()
        ews.stop()
        xandikos.stop()
        env.radicale.stop()  # a test may have replaced it
