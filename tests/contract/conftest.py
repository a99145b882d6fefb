"""Fixtures for the CalDAV contract tests: real Radicale and Xandikos servers on 127.0.0.1.

The servers are started once per session; every test gets a fresh calendar on them, and a
provider that talks to the server through a :class:`tests.servers.CountingProxy`, so that a
test can count the adapter's requests or make the "server" answer whatever it likes.
User events are written straight to the server, bypassing both the proxy and the adapter.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from providers.caldav import CalDAVProvider
from syncd.model import Calendar, Window
from tests.proxy import CountingProxy
from tests.servers import DavServer, request, start_radicale, start_xandikos

UTC = ZoneInfo("UTC")


@pytest.fixture(scope="session")
def radicale_server() -> Iterator[DavServer]:
    """One Radicale for the whole session (no authentication, owner_only rights)."""
    with start_radicale() as server:
        yield server


@pytest.fixture(scope="session")
def xandikos_server() -> Iterator[DavServer]:
    """One Xandikos for the whole session."""
    with start_xandikos() as server:
        yield server


@pytest.fixture(params=["radicale", "xandikos"])
def dav_server(request: pytest.FixtureRequest) -> DavServer:
    """Each server in turn."""
    return request.getfixturevalue(f"{request.param}_server")


def ical_event(uid: str, summary: str, start: datetime, end: datetime,
               rrule: str | None = None, extra: str = "") -> str:
    """A minimal VCALENDAR with one VEVENT, as another client would store it."""
    fmt = "%Y%m%dT%H%M%SZ"
    summary = summary.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//other client//EN",
             "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z",
             f"DTSTART:{start.astimezone(timezone.utc).strftime(fmt)}",
             f"DTEND:{end.astimezone(timezone.utc).strftime(fmt)}", f"SUMMARY:{summary}"]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    if extra:
        lines.append(extra)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


SITE = Path(icalendar.__file__).parent.parent
CORPUS_FOLDERS = (SITE / "icalendar" / "tests" / "calendars",
                  SITE / "recurring_ical_events" / "test" / "calendars")


@functools.cache
def corpus_resources(per_file: int = 2) -> tuple[tuple[str, str], ...]:
    """Real-world .ics files shipped with icalendar and recurring-ical-events, one resource
    per UID as a CalDAV server stores them, at most ``per_file`` from each file:
    (resource name, text). Files icalendar cannot parse are kept whole.
    """
    out = []
    for folder in CORPUS_FOLDERS:
        for path in sorted(folder.glob("*.ics")):
            stem = f"{folder.parent.parent.name[:4]}-{path.stem}"
            text = path.read_bytes().decode("utf-8", errors="replace")
            out += [(f"{stem}-{i}.ics", part)
                    for i, part in enumerate(_split_by_uid(text)[:per_file])]
    return tuple(out)


def _split_by_uid(text: str) -> list[str]:
    try:
        cal = icalendar.Calendar.from_ical(text)
    except Exception:  # broken beyond parsing: the server decides
        return [text]
    zones = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
    groups: dict[str, list] = {}
    for comp in cal.subcomponents:
        if comp.name == "VEVENT":
            groups.setdefault(str(comp.get("UID", "")), []).append(comp)
    parts = []
    for comps in groups.values():
        part = icalendar.Calendar()
        part.add("PRODID", "-//tests//corpus//EN")
        part.add("VERSION", "2.0")
        for comp in zones + comps:
            part.add_component(comp)
        try:
            parts.append(part.to_ical().decode("utf-8"))
        except Exception:  # icalendar cannot even write it back: leave it out
            continue
    return parts


def good_uids(text: str, window: Window) -> set[str]:
    """The UIDs a correct reader must find in one resource: an oracle that does not use the
    adapter's codec. Single events need a UID, a readable DTSTART, DTEND or DURATION, and
    no DTEND before the start; a series counts when recurring-ical-events expands it
    without error.
    """
    try:
        cal = icalendar.Calendar.from_ical(text)
        vevents = cal.walk("VEVENT")
        if any(k in v for v in vevents for k in ("RRULE", "RDATE", "RECURRENCE-ID")):
            occurrences = recurring_ical_events.of(cal).between(window.start, window.end)
            return {str(o["UID"]).strip() for o in occurrences if str(o.get("UID", "")).strip()}
    except Exception:
        return set()
    return {str(v["UID"]).strip() for v in vevents if _good_single(v)}


def _good_single(vevent: Any) -> bool:
    if not str(vevent.get("UID", "")).strip():
        return False
    try:
        start = _comparable(vevent["DTSTART"].dt)
        end = _comparable(vevent["DTEND"].dt) if "DTEND" in vevent else start
        if "DURATION" in vevent:
            vevent["DURATION"].dt  # noqa: B018 - raises on a broken duration
    except Exception:
        return False
    return start is not None and end is not None and end >= start


def _comparable(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=timezone.utc)
    return None


@dataclass
class CalDAVEnv:
    """The ``env`` of ``tests/contract/suite.py`` for one fresh calendar on a real server."""

    server: DavServer
    proxy: CountingProxy
    provider: CalDAVProvider
    calendar: Calendar
    cal_url: str  # the calendar's URL on the server itself (not through the proxy)
    events: dict[str, tuple[str, datetime, datetime, str | None]] = field(default_factory=dict)

    @property
    def cal_path(self) -> str:
        """The calendar's path on the server, ending in /."""
        return urlsplit(self.cal_url).path

    def href(self, uid: str) -> str:
        """The server path a user event with this UID is stored at."""
        return self.cal_path + uid + ".ics"

    def user_url(self, uid: str) -> str:
        """The direct URL of a user event."""
        return self.cal_url + quote(uid, safe="@") + ".ics"

    def put_raw(self, name: str, body: str, headers: dict[str, str] | None = None) -> int:
        """Store any resource text under ``name`` in the calendar, directly; return the status."""
        status, _, _ = request("PUT", self.cal_url + quote(name, safe="@"), body.encode(),
                               auth=self.server.auth(),
                               headers={"Content-Type": "text/calendar", **(headers or {})})
        return status

    def add_user_event(self, uid: str, summary: str, start: datetime, end: datetime,
                       rrule: str | None = None) -> None:
        self.events[uid] = (summary, start, end, rrule)
        status = self.put_raw(uid + ".ics", ical_event(uid, summary, start, end, rrule))
        assert status in (200, 201, 204), status

    def edit_user_event(self, uid: str, summary: str) -> None:
        _, start, end, rrule = self.events[uid]
        self.add_user_event(uid, summary, start, end, rrule)

    def remove_user_event(self, uid: str) -> None:
        status, _, _ = request("DELETE", self.user_url(uid), auth=self.server.auth())
        assert status in (200, 204), status

    def fingerprint(self, uid: str) -> str:
        status, headers, body = request("GET", self.user_url(uid), auth=self.server.auth())
        assert status == 200, status
        return f"{headers.get('etag')}\n{body}"

    def server_hrefs(self) -> set[str]:
        """The resources the calendar holds, listed directly on the server."""
        status, _, body = request("PROPFIND", self.cal_url, auth=self.server.auth(),
                                  headers={"Depth": "1"})
        assert status == 207, status
        responses = ElementTree.fromstring(body).iter("{DAV:}response")
        hrefs = {unquote(urlsplit(r.findtext("{DAV:}href") or "").path) for r in responses}
        return hrefs - {self.cal_path}

    def account(self, **overrides: Any) -> dict[str, Any]:
        """The account config of ``provider`` with some keys changed."""
        return {**self.provider.account, **overrides}


def make_account(server: DavServer, url: str, **overrides: Any) -> dict[str, Any]:
    """An account config for ``server`` reached at ``url``."""
    account = {"name": f"{server.kind}-account", "type": "caldav", "url": url,
               "username": server.username, "password": server.password, "verify_tls": True}
    account.update(overrides)
    return account


def new_calendar_env(server: DavServer, cache: dict[str, str] | None = None) -> CalDAVEnv:
    """A fresh calendar on ``server``, a proxy in front of the server, a provider through it."""
    cal_id = "cal-" + uuid.uuid4().hex[:10]
    cal_url = server.make_calendar(cal_id, displayname=f"Test {cal_id}")
    proxy = CountingProxy(server.url).start()
    provider = CalDAVProvider(make_account(server, proxy.url), UTC, cache)
    calendar = next(c for c in provider.calendars() if c.id == cal_id)
    proxy.reset()
    return CalDAVEnv(server, proxy, provider, calendar, cal_url)


@pytest.fixture
def env(dav_server: DavServer) -> Iterator[CalDAVEnv]:
    """The contract suite's ``env``: a fresh calendar, on Radicale and on Xandikos."""
    environment = new_calendar_env(dav_server)
    yield environment
    environment.provider.close()
    environment.proxy.stop()
