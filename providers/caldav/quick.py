"""A first CalDAV sync without the CalDAV library: discovery and the whole first read.

Loading the ``caldav`` library and niquests costs a first sync more than its three discovery
PROPFINDs, and its client keeps a whole answer in memory, then builds a tree of it, before
the first event is parsed. Here the same requests go through :class:`providers.caldav.wire.Link`
(the standard library's client) and the calendar-query's answer is parsed as it streams in:
each DAV:response is read, its event parsed and its XML dropped as soon as its end arrives.
Anything unusual (a redirect, a sign-in other than basic, an error status, a broken answer)
raises :class:`providers.caldav.wire.Declined` and the library does the work again, wording
any error, so what a sync does is the same whichever path it took.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from providers.caldav.wire import (
    HREF, PROP, PROPSTAT, RESPONSE, STATUS, XML_TYPE, Declined, Link, href_of, response_of,
)
from providers.base import Watch
from syncd.collector import collector_paused
from syncd.model import Item, Window

log = logging.getLogger(__name__)

CALDAV = "urn:ietf:params:xml:ns:caldav"
PRINCIPAL = "{DAV:}current-user-principal"
HOME_SET = f"{{{CALDAV}}}calendar-home-set"
RESOURCETYPE, DISPLAYNAME = "{DAV:}resourcetype", "{DAV:}displayname"
COMPONENTS = f"{{{CALDAV}}}supported-calendar-component-set"
CALENDAR = f"{{{CALDAV}}}calendar"
CALENDAR_DATA = f"{{{CALDAV}}}calendar-data"
GETETAG, SYNC_TOKEN = "{DAV:}getetag", "{DAV:}sync-token"
PROPFIND = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" '
            f'xmlns:C="{CALDAV}"><D:prop>{{props}}</D:prop></D:propfind>')
# Every calendar object resource with its data (RFC 4791 7.8; an empty VCALENDAR comp-filter
# matches them all, 9.7.1): the same members as a sync-collection listing, so that the cache
# holds the whole calendar and a resource syncd cannot read is still named in a warning.
EVENTS_QUERY = ('<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" '
                f'xmlns:C="{CALDAV}"><D:prop><D:getetag/><C:calendar-data/>'
                '</D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
                "</C:calendar-query>")
REFUSED_QUERY_STATUSES = (400, 403, 405, 415, 501, 507)  # 403/507: too many results
MAX_PROPFIND = 4 * 1024 * 1024  # bytes of a discovery answer: a home of a few calendars
MAX_WHOLE = 512 * 1024 * 1024  # bytes of a whole calendar: about 500,000 events
READ_SIZE = 256 * 1024  # bytes read from the socket at a time
MAX_LATER = 64 * 1024 * 1024  # characters of resources kept to be parsed after the answer


@dataclass
class Found:
    """One member of a calendar home: its path, display name and component kinds."""

    href: str
    is_calendar: bool
    name: str
    components: list[str]


@dataclass
class Whole:
    """A calendar read whole: its token, its events, the members listed without their data."""

    token: str
    items: list[Item]
    unread: list[str]


def discover(link: Link, url: str) -> tuple[str, list[Found]]:
    """(URL of the calendar home, its members) as the library finds them: the account URL's
    current-user-principal, that principal's calendar-home-set, a depth-1 PROPFIND of the home.
    Raises Declined where the library would guess, warn or move (no principal, no home set,
    a home on another host, an ``@`` it would quote)."""
    props = _one(link, url, "<D:current-user-principal/><C:calendar-home-set/>")
    principal = urljoin(url, _href_in(props.get(PRINCIPAL)))
    if href_of(principal).rstrip("/") != href_of(url).rstrip("/") or HOME_SET not in props:
        props = _one(link, principal, "<C:calendar-home-set/>")
    home_href = _href_in(props.get(HOME_SET))
    home = urljoin(principal, home_href)
    if "@" in home_href or urlsplit(home).netloc != urlsplit(url).netloc:
        raise Declined("a calendar home the library would rewrite")
    body = PROPFIND.format(props="<D:resourcetype/><D:displayname/>"
                                 "<C:supported-calendar-component-set/>")
    tree = _tree(link, "PROPFIND", home, body, "1", MAX_PROPFIND)
    return home, [_found(response) for response in tree.iterchildren(RESPONSE)]


def _one(link: Link, url: str, props: str) -> dict[str, Any]:
    """The 200 properties (elements) of the first response to a depth-0 PROPFIND."""
    tree = _tree(link, "PROPFIND", url, PROPFIND.format(props=props), "0", MAX_PROPFIND)
    response = next(tree.iterchildren(RESPONSE), None)
    return {} if response is None else dict(_elements(response))


def _href_in(element: Any) -> str:
    href = (element.findtext(HREF) or "").strip() if element is not None else ""
    if not href:
        raise Declined("a property the library would guess")
    return href


def _found(response: Any) -> Found:
    props = dict(_elements(response))
    kinds = props.get(RESOURCETYPE)
    components = props.get(COMPONENTS)
    return Found(href=href_of(response.findtext(HREF) or ""),
                 is_calendar=kinds is not None and kinds.find(CALENDAR) is not None,
                 name=(props[DISPLAYNAME].text or "") if DISPLAYNAME in props else "",
                 components=[str(c.get("name")) for c in components] if components is not None else [])


def _elements(response: Any) -> Iterator[tuple[str, Any]]:
    """(tag, element) of each property in the 200 propstats of one DAV:response."""
    for propstat in response.iterchildren(PROPSTAT):
        status = propstat.findtext(STATUS)
        if status is None or " 200" in status:
            for prop in propstat.iterchildren(PROP):
                yield from ((el.tag, el) for el in prop)


def _tree(link: Link, method: str, url: str, body: str, depth: str, limit: int) -> Any:
    """The parsed 207 answer to one request (entities never expanded); Declined otherwise."""
    from lxml import etree

    with link.open(method, url, body.encode(), {"Depth": depth, "Content-Type": XML_TYPE}) as answer:
        text = answer.read(limit + 1)
        if answer.status != 207 or len(text) > limit:
            raise Declined(f"HTTP {answer.status} ({len(text)} bytes)")
    try:
        return etree.fromstring(text, _parser())
    except etree.XMLSyntaxError:
        raise Declined("not a multistatus") from None


def _parser(**events: Any) -> Any:
    from lxml import etree

    options = {"resolve_entities": False, "no_network": True, "huge_tree": False}
    if events:
        return etree.XMLPullParser(**events, **options)
    return etree.XMLParser(**options)


def read_whole(link: Link, url: str, account: str, label: str, tz: ZoneInfo,
               window: Window, seen: Watch | None = None) -> Whole | None:
    """The collection's DAV:sync-token (RFC 6578 4), then every event with its data in one
    calendar-query (RFC 4791 7.8), each event parsed as its part of the answer arrives and
    handed to ``seen``, when given; what ``seen`` does not want first is parsed (and handed
    over) after the rest of the answer has been read.

    The token is read first, so anything that changes after it is reported again by the next
    sync-collection and read again then: nothing is missed, at worst read twice. Returns None
    when the server has no token or does not answer the query whole (refused, truncated, over
    :data:`MAX_WHOLE`): the caller then lists with sync-collection. Raises Declined.
    """
    props = _one(link, url, "<D:sync-token/>")
    token = (props[SYNC_TOKEN].text or "").strip() if SYNC_TOKEN in props else ""
    if not token:
        return None
    try:
        answer = link.open("REPORT", url, EVENTS_QUERY.encode(),
                           {"Depth": "1", "Content-Type": XML_TYPE})
    except Declined as exc:
        if exc.status not in REFUSED_QUERY_STATUSES:
            raise
        log.info("%s: %s: the server refused a calendar-query of every event (HTTP %s); "
                 "listing with sync-collection", account, label, exc.status)
        return None
    with answer:
        if answer.status != 207:
            raise Declined(f"HTTP {answer.status}")
        reading = _Reading(url, account, label, tz, window, seen)
        if not reading.stream(answer):
            log.info("%s: %s: the server truncated its answer to a calendar-query of every "
                     "event; listing with sync-collection", account, label)
            return None
    items = reading.items
    log.debug("%s: %s: %d events read whole (%d without data)", account, label,
              len(items), len(reading.unread))
    return Whole(token, items, reading.unread)


class _Reading:
    """A calendar-query answer, read response by response as it streams in."""

    def __init__(self, url: str, account: str, label: str, tz: ZoneInfo, window: Window,
                 seen: Watch | None = None):
        self.base = href_of(url).rstrip("/")
        self.account, self.label, self.tz, self.window = account, label, tz, window
        self.seen = seen
        self.slots: list[Item | None] = []  # each resource's item, in the answer's order
        self.unread: list[str] = []
        self.later: list[tuple[int, str, str, str]] = []  # (place in slots, href, etag, text)
        self.later_size = 0

    @property
    def items(self) -> list[Item]:
        """The events read so far, in the answer's order (a resource that could not be
        parsed is left out, with a warning)."""
        return [item for item in self.slots if item is not None]

    def stream(self, answer: Any) -> bool:
        """Read the whole answer; False when it says it is incomplete or is too long.

        Python's cyclic collector stays out meanwhile (:func:`syncd.collector.collector_paused`):
        the events read make no reference cycles, yet as they pile up each of its passes walks
        them all again."""
        with collector_paused():
            return self._stream(answer)

    def _stream(self, answer: Any) -> bool:
        from lxml import etree

        parser = _parser(events=("end",), tag=RESPONSE)
        size = 0
        try:
            while chunk := answer.read(READ_SIZE):
                size += len(chunk)
                if size > MAX_WHOLE:
                    return False
                parser.feed(chunk)
                if not self._take(parser):
                    return False
            parser.close()
        except etree.XMLSyntaxError:
            raise Declined("not a multistatus") from None
        self._read_later()
        return True

    def _take(self, parser: Any) -> bool:
        for _, element in parser.read_events():
            href, status, props = response_of(element)
            element.clear()
            while element.getprevious() is not None:  # what was read is dropped at once
                del element.getparent()[0]
            path = href_of(href)
            if path.rstrip("/") == self.base:
                if status and " 200" not in status:
                    return False  # e.g. 507: more results than the server would send
            elif props.get(CALENDAR_DATA):
                self._event(path, props.get(GETETAG, "").strip(), props[CALENDAR_DATA])
            elif " 404" not in status:
                self.unread.append(path)
        return True

    def _event(self, href: str, etag: str, text: str) -> None:
        """Parse one resource and hand it over now, or keep it for :meth:`_read_later` when
        ``seen`` does not want it first (up to :data:`MAX_LATER` characters are kept)."""
        if self.seen is not None and self.later_size + len(text) <= MAX_LATER:
            from providers.ical_fast import glance

            said = glance(text)
            if said is not None and not self.seen.wanted(*said):
                self.later.append((len(self.slots), href, etag, text))
                self.later_size += len(text)
                self.slots.append(None)
                return
        self.slots.append(self._parsed(href, etag, text))

    def _parsed(self, href: str, etag: str, text: str) -> Item | None:
        item = read_item(self.account, self.label, href, etag, text, self.tz, self.window)
        if item is not None and self.seen is not None:
            self.seen(item)
        return item

    def _read_later(self) -> None:
        """Parse what was kept for after the answer, in the answer's order."""
        for place, href, etag, text in self.later:
            self.slots[place] = self._parsed(href, etag, text)
        self.later, self.later_size = [], 0


def read_item(account: str, label: str, href: str, etag: str, text: str, tz: ZoneInfo,
              window: Window) -> Item | None:
    """One resource parsed, or None with a warning naming it: one unreadable resource must
    not stop the calendar."""
    from providers.ical import parse_item

    try:
        return parse_item(href, etag, text, tz, window)
    except Exception as exc:  # whatever a stranger's data makes the parser raise
        log.warning("%s: %s: skipping %s: %s", account, label, href, exc)
        return None
