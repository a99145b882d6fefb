"""providers.caldav.quick reads a first sync's answers as they stream in, as the library would,
or declines: discovery, the whole read, its refusals and truncations, hostile answers."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from email.message import Message
from zoneinfo import ZoneInfo

import pytest

import providers.caldav.quick as quick
from providers.caldav.quick import _found, _Reading
from providers.caldav.wire import Declined, Link
from syncd.model import Window

URL = "http://dav.test/alice/work/"
TZ = ZoneInfo("UTC")
WINDOW = Window(datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2027, 1, 1, tzinfo=timezone.utc))


def vevent(uid: str) -> str:
    return ("BEGIN:VCALENDAR&#13;\nVERSION:2.0&#13;\nBEGIN:VEVENT&#13;\n"
            f"UID:{uid}&#13;\nDTSTART:20260301T090000Z&#13;\nDTEND:20260301T100000Z&#13;\n"
            f"SUMMARY:Meeting {uid} &amp; more&#13;\nEND:VEVENT&#13;\nEND:VCALENDAR&#13;\n")


def member(href: str, uid: str | None, status: str = "200 OK") -> str:
    data = f"<C:calendar-data>{vevent(uid)}</C:calendar-data>" if uid else ""
    return (f"<D:response><D:href>{href}</D:href><D:propstat><D:prop>"
            f'<D:getetag>"{uid}"</D:getetag>{data}</D:prop>'
            f"<D:status>HTTP/1.1 {status}</D:status></D:propstat></D:response>")


def answer(*responses: str, head: str = "") -> bytes:
    return (f'<?xml version="1.0"?>{head}<D:multistatus xmlns:D="DAV:" '
            f'xmlns:C="urn:ietf:params:xml:ns:caldav">{"".join(responses)}</D:multistatus>').encode()


class Trickle(io.BytesIO):
    """An answer arriving a few bytes at a time, as from a slow network."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(7)


def read(body: bytes) -> _Reading | None:
    reading = _Reading(URL, "acct", "work", TZ, WINDOW)
    return reading if reading.stream(Trickle(body)) else None


def test_each_event_is_parsed_as_its_response_arrives():
    body = answer(member("/alice/work/a.ics", "a"), member("/alice/work/b%20c.ics", "b"),
                  "<D:response><D:href>/alice/work/gone.ics</D:href>"
                  "<D:status>HTTP/1.1 404 Not Found</D:status></D:response>",
                  member("/alice/work/bare.ics", None))
    reading = read(body)
    assert reading is not None
    assert [(i.href, i.etag, i.events[0].summary) for i in reading.items] == [
        ("/alice/work/a.ics", '"a"', "Meeting a & more"), ("/alice/work/b c.ics", '"b"', "Meeting b & more")]
    assert reading.unread == ["/alice/work/bare.ics"]  # listed without data: fetched by multiget


def test_a_truncated_or_oversized_answer_is_listed_instead(monkeypatch):
    truncated = ("<D:response><D:href>/alice/work/</D:href>"
                 "<D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response>")
    assert read(answer(member("/alice/work/a.ics", "a"), truncated)) is None
    monkeypatch.setattr(quick, "MAX_WHOLE", 100)
    assert read(answer(member("/alice/work/a.ics", "a"))) is None


def test_a_broken_answer_is_declined_and_a_broken_event_skipped(caplog):
    with pytest.raises(Declined):
        read(answer(member("/alice/work/a.ics", "a"))[:-20])
    body = answer(member("/alice/work/a.ics", "a").replace("DTSTART:2026", "DTSTART:xx"))
    reading = read(body)
    assert reading is not None and reading.items == []
    assert "skipping /alice/work/a.ics" in caplog.text


def test_entities_in_a_hostile_answer_are_not_expanded():
    laughs = ('<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    body = answer(member("/alice/work/&c;.ics", "a"), head=laughs)
    try:
        reading = read(body)
    except Declined:
        return
    assert reading is None or all(len(i.href) < 100 for i in reading.items)


def test_calendars_are_told_from_other_members_as_the_library_tells_them():
    from lxml import etree

    tree = etree.XML(answer(
        "<D:response><D:href>/alice/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/>"
        "</D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>",
        "<D:response><D:href>/alice/w%20k/</D:href><D:propstat><D:prop><D:resourcetype>"
        "<D:collection/><C:calendar/></D:resourcetype><D:displayname>Work</D:displayname>"
        '<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/>'
        "</C:supported-calendar-component-set></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
        "</D:propstat><D:propstat><D:prop><D:getctag/></D:prop>"
        "<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>"))
    found = [_found(r) for r in tree]
    assert [(f.href, f.is_calendar, f.name, f.components) for f in found] == [
        ("/alice/", False, "", []), ("/alice/w k/", True, "Work", ["VEVENT", "VTODO"])]


def challenge(*values: str) -> Message:
    headers = Message()
    for value in values:
        headers["WWW-Authenticate"] = value
    return headers


def test_a_challenge_is_answered_with_basic_only_where_the_library_would_choose_it():
    def chosen(*values: str, credentials: tuple[str, str] = ("bob", "pw")) -> str | None:
        link = Link(URL, None, credentials, True, 5)
        link._challenged(challenge(*values))
        return link.scheme
    assert chosen('Basic realm="x"') == "basic"
    assert chosen('Bearer realm="x"', 'Basic realm="x"') == "basic"
    assert chosen('Digest realm="x", qop="auth"', 'Basic realm="x"') is None  # the library: digest
    assert chosen('Basic realm="x"', credentials=("bob", "")) is None
    assert chosen() is None


class Watching:
    """A first read's watch that wants only titles with 'Interview' first."""

    def __init__(self) -> None:
        self.got: list[str] = []

    def __call__(self, item) -> None:
        self.got.append(item.events[0].summary)

    def wanted(self, summary: str, location: str) -> bool:
        return "Interview" in summary


def test_what_the_watch_wants_first_is_handed_over_first_and_the_rest_after():
    def titled(href: str, uid: str, title: str) -> str:
        return member(href, uid).replace(f"SUMMARY:Meeting {uid} &amp; more", f"SUMMARY:{title}")

    body = answer(titled("/alice/work/a.ics", "a", "Standup"),
                  titled("/alice/work/b.ics", "b", "Interview with Acme"),
                  member("/alice/work/broken.ics", "x").replace("DTSTART:2026", "DTSTART:xx"),
                  titled("/alice/work/c.ics", "c", "Lunch"))
    watch = Watching()
    reading = _Reading(URL, "acct", "work", TZ, WINDOW, watch)
    assert reading.stream(Trickle(body))
    assert watch.got == ["Interview with Acme", "Standup", "Lunch"]
    plain = read(body)
    assert plain is not None and reading.items == plain.items  # the answer's order, as without a watch
    assert [i.href for i in reading.items] == ["/alice/work/a.ics", "/alice/work/b.ics", "/alice/work/c.ics"]
