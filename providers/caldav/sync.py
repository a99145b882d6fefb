"""Reading one CalDAV collection: RFC 6578 sync-collection, calendar-multiget, ctag fallback.

The cheapest path is taken every time: a first read costs two requests (the collection's
DAV:sync-token, then one calendar-query with every event's data); an unchanged calendar costs
one sync-collection REPORT (or one depth-0 PROPFIND of the ctag on servers without
sync-collection); changed resources are fetched with calendar-multiget in chunks, never with
one GET each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from caldav import Calendar as DAVCalendar
from caldav import DAVClient
from caldav.elements import cdav, dav
from caldav.lib import error as dav_error
from lxml import etree

from providers.caldav.http import check_status, guard, preconditions_of
from providers.caldav.quick import (
    CALENDAR_DATA, EVENTS_QUERY, GETETAG, REFUSED_QUERY_STATUSES, SYNC_TOKEN, read_item,
)
from providers.caldav.wire import CTAG_PREFIX, HREF_SAFE, href_of, responses_of
from syncd.model import Changes, Item, Window

log = logging.getLogger(__name__)

CHUNK = 1000  # hrefs per calendar-multiget: Radicale's cost is mostly per request (a first sync of
# 10,000 events took 6.3-7.8 s in chunks of 500, 5.1 s in chunks of 1,000 to 5,000); it
# refuses REPORTs of over 10,000 items
VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"
SUPPORTED_REPORT = "{DAV:}supported-report"
GETCTAG = "{http://calendarserver.org/ns/}getctag"
CTAG_PROPFIND = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" '
                 'xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/></D:prop>'
                 "</D:propfind>")
TOKEN_PROPFIND = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>'
                  "<D:sync-token/></D:prop></D:propfind>")
UNSUPPORTED_STATUSES = (400, 405, 415, 501)


@dataclass
class Listing:
    """What the server says changed: href -> etag (etag "" when not reported), removals."""

    changed: dict[str, str]
    deleted: list[str]
    token: str
    full: bool


class CollectionReader:
    """Reads one calendar collection for one account.

    ``secret`` is the account password, only so that error messages can be scrubbed.
    """

    def __init__(self, client: DAVClient, url: str, account: str, label: str, tz: ZoneInfo,
                 secret: str | None = None):
        self.client = client
        self.url = url
        self.account = account
        self.label = label  # the calendar's name, for messages
        self.tz = tz
        self.secret = secret
        self.collection = DAVCalendar(client=client, url=url)

    def changes(self, token: str | None, known: Mapping[str, str], window: Window,
                listing: Listing | None = None, whole: bool = True) -> Changes:
        """Return the calendar's changes since ``token`` (everything, ``full``, if None).

        An expired or unknown token starts over without one. Servers without sync-collection
        are read by ctag and ETag listing, diffed against ``known`` (href -> etag). A
        ``listing`` the caller already has (``providers.caldav.wire.listing``) is not asked again;
        with ``whole`` False, a first read lists with sync-collection at once (the caller's
        ``providers.caldav.quick.read_whole`` found the server would not answer it whole).
        Raises ProviderError subclasses (see ``providers.caldav.http.to_provider_error``).
        """
        with guard(self.account, f"syncing {self.label!r}", self.secret):
            if token is None and listing is None and whole:
                read = self._read_whole(window)
                if read is not None:
                    return read
            if listing is not None:
                pass  # listed by the adapter's quick sync-collection REPORT
            elif token is not None and token.startswith(CTAG_PREFIX):
                listing = self._ctag_listing(token, known)
            else:
                listing = self._sync_or_fallback(token, known)
        if listing is None:  # the ctag did not move: nothing changed
            return Changes(token=token)
        wanted = [h for h, etag in listing.changed.items()
                  if listing.full or not etag or known.get(h) != etag]
        items, unreadable = self.fetch(wanted, window)
        deletions = [] if listing.full else sorted(set(listing.deleted) | unreadable)
        log.debug("%s: %s: %d changed, %d fetched, %d removed%s", self.account, self.label,
                  len(listing.changed), len(items), len(deletions), " (full)" if listing.full else "")
        return Changes(upserts=items, deletions=deletions, token=listing.token, full=listing.full)

    def _read_whole(self, window: Window) -> Changes | None:
        """A first read in two requests: the collection's DAV:sync-token (RFC 6578 4), then
        every event with its data in one calendar-query (RFC 4791 7.8).

        The token is read first, so anything that changes after it is reported again by the
        next sync-collection and read again then: nothing is missed, at worst read twice.
        Returns None when the server has no sync token or does not answer the query whole
        (refused, or truncated): the caller then lists with sync-collection and multiget.
        On Radicale this is several times cheaper than a sync-collection listing without a
        token followed by multigets (0.7 s against 5 s of the server's time at 10,000 events).
        """
        resp = self.client.propfind(self.url, props=TOKEN_PROPFIND, depth=0)
        check_status(resp)
        token = next((p.get(SYNC_TOKEN, "").strip() for _, _, p in responses_of(resp.tree)), "")
        if not token:
            return None
        resp = self.client.report(self.url, EVENTS_QUERY, depth=1)
        if resp.status in REFUSED_QUERY_STATUSES:
            log.info("%s: %s: the server refused a calendar-query of every event (HTTP %s); "
                     "listing with sync-collection", self.account, self.label, resp.status)
            return None
        check_status(resp)
        found, unread = self._answered(resp.tree)
        if found is None:
            log.info("%s: %s: the server truncated its answer to a calendar-query of every "
                     "event; listing with sync-collection", self.account, self.label)
            return None
        items = [item for href, (etag, text) in found.items()
                 if (item := self._parse(href, etag, text, window)) is not None]
        items += self.fetch(unread, window)[0]
        log.debug("%s: %s: %d events read whole (%d by multiget)", self.account, self.label,
                  len(items), len(unread))
        return Changes(upserts=items, deletions=[], token=token, full=True)

    def _answered(self, tree: Any) -> tuple[dict[str, tuple[str, str]] | None, list[str]]:
        """href -> (etag, text) of a calendar-query's answer, and the hrefs listed without
        their data (to be fetched by multiget); None when the answer says it is incomplete."""
        base = href_of(self.url).rstrip("/")
        found: dict[str, tuple[str, str]] = {}
        unread = []
        for href, status, props in responses_of(tree):
            path = href_of(href)
            if path.rstrip("/") == base:
                if status and " 200" not in status:
                    return None, []  # e.g. 507: more results than the server would send
            elif props.get(CALENDAR_DATA):
                found[path] = (props.get(GETETAG, "").strip(), props[CALENDAR_DATA])
            elif " 404" not in status:
                unread.append(path)
        return found, unread

    def _sync_or_fallback(self, token: str | None, known: Mapping[str, str]) -> Listing | None:
        try:
            return self._sync_collection(token) if token else self._initial_listing()
        except dav_error.DAVError as exc:
            if VALID_SYNC_TOKEN in preconditions_of(exc) and token is not None:
                log.info("%s: %s: the sync token is no longer valid (HTTP %s); reading the "
                         "whole calendar again", self.account, self.label, exc.status)
                return self._initial_listing()
            if not _unsupported(exc):
                raise
            log.info("%s: %s: the server has no sync-collection (HTTP %s); using ctag and "
                     "ETag listing", self.account, self.label, exc.status)
        return self._ctag_listing(None, known)

    def _sync_collection(self, token: str) -> Listing:
        """What changed since ``token``: one sync-collection REPORT (more only if the server
        pages its answer), through the library, without loading any object."""
        result = self.collection.get_objects_by_sync_token(
            sync_token=token, load_objects=False, disable_fallback=True)
        if result.truncated:
            log.warning("%s: %s: the server truncated its change list; the rest follows "
                        "next cycle", self.account, self.label)
        deleted = {href_of(u) for u in result.deleted_urls}
        base = href_of(self.url).rstrip("/")
        changed = {}
        for obj in result.objects:
            href = href_of(obj.url)
            if href not in deleted and href.rstrip("/") != base:
                changed[href] = str(obj.props.get(dav.GetEtag.tag) or "")
        return Listing(changed, sorted(deleted), str(result.sync_token or token), full=False)

    def _initial_listing(self) -> Listing:
        """sync-collection without a token: every member's href and ETag, and a token.

        Sent directly rather than through ``get_objects_by_sync_token``, which builds a
        resource object per member: on a first sync of 10,000 events that alone costs more
        than the server's answer. Incremental syncs, which list few members, use the library.
        """
        query = dav.SyncCollection() + [dav.SyncToken(value=""), dav.SyncLevel(value="1"),
                                        dav.Prop() + [dav.GetEtag()]]
        resp = self.client.report(self.url, _xml(query), depth=1)
        if resp.status >= 400:
            raise dav_error.error_from_response(dav_error.ReportError, resp)
        base = href_of(self.url).rstrip("/")
        changed, truncated = {}, False
        for href, status, props in responses_of(resp.tree):
            path = href_of(href)
            if path.rstrip("/") == base:
                truncated = " 507" in status  # RFC 6578 3.6: more to come
            # A member listed as removed (404, no ETag) was never held: nothing to drop.
            elif GETETAG in props or " 404" not in status:
                changed[path] = props.get(GETETAG, "").strip()
        token = (resp.tree.findtext(SYNC_TOKEN) if resp.tree is not None else "") or ""
        if truncated and token:
            rest = self._sync_collection(token)  # the library follows the remaining pages
            changed.update(rest.changed)
            for href in rest.deleted:
                changed.pop(href, None)
            token = rest.token
        return Listing(changed, [], token, full=True)

    def _ctag_listing(self, token: str | None, known: Mapping[str, str]) -> Listing | None:
        """Fallback: compare the ctag, and only if it moved list the ETags (depth-1 PROPFIND)."""
        resp = self.client.propfind(self.url, props=CTAG_PROPFIND, depth=0)
        check_status(resp)
        ctag = next((str(r.properties.get(GETCTAG) or "") for r in resp.results or []), "")
        new_token = CTAG_PREFIX + ctag
        if token is not None and ctag and token == new_token:
            return None
        resp = self.client.propfind(self.url, props=["{DAV:}getetag"], depth=1)
        check_status(resp)
        base = href_of(self.url).rstrip("/")
        etags = {href_of(r.href): str(r.properties.get("{DAV:}getetag") or "")
                 for r in resp.results or [] if href_of(r.href).rstrip("/") != base}
        if token is None:
            return Listing(etags, [], new_token, full=True)
        deleted = sorted(h for h in known if h not in etags)
        return Listing(etags, deleted, new_token, full=False)

    def fetch(self, hrefs: Iterable[str], window: Window) -> tuple[list[Item], set[str]]:
        """Fetch resources with calendar-multiget, CHUNK at a time, and parse them.

        Returns the items read and the hrefs that are gone or cannot be read (each of the
        latter logged as a warning naming it, so one broken series never stops a calendar).
        """
        hrefs = list(hrefs)
        chunks = [hrefs[i:i + CHUNK] for i in range(0, len(hrefs), CHUNK)]
        items: list[Item] = []
        missing: set[str] = set()
        for chunk, got in zip(chunks, self._prefetched(chunks)):
            missing.update(h for h in chunk if h not in got)
            for href, (etag, text) in got.items():
                item = self._parse(href, etag, text, window)
                if item is None:
                    missing.add(href)
                else:
                    items.append(item)
        return items, missing

    def _prefetched(self, chunks: list[list[str]]) -> Iterator[dict[str, tuple[str, str]]]:
        """Multiget answers in order, the next one fetched while the caller parses this one:
        the server's work and the parser's then overlap instead of taking turns."""
        if len(chunks) < 2:
            yield from (self._multiget(c) for c in chunks)
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="multiget") as pool:
            ahead = pool.submit(self._multiget, chunks[0])
            for nxt in chunks[1:]:
                current = ahead.result()
                ahead = pool.submit(self._multiget, nxt)
                yield current
            yield ahead.result()

    def _multiget(self, hrefs: list[str]) -> dict[str, tuple[str, str]]:
        """One calendar-multiget REPORT: href -> (etag, text) for the hrefs that exist.

        Built from caldav's element classes and sent with ``client.report`` rather than
        ``Calendar.multiget``, which would rewrite every body with ``vcal.fix``.
        """
        prop = dav.Prop() + [dav.GetEtag(), cdav.CalendarData()]
        query = cdav.CalendarMultiGet() + prop + [dav.Href(value=quote(h, safe=HREF_SAFE))
                                                   for h in hrefs]
        with guard(self.account, f"fetching {len(hrefs)} events of {self.label!r}", self.secret):
            # RFC 4791 7.9: no Depth header on calendar-multiget
            resp = self.client.report(self.url, _xml(query), depth=None)
            check_status(resp)
        out = {}
        for href, _, props in responses_of(resp.tree):
            if props.get(CALENDAR_DATA):  # an href answered with 404 has no calendar-data
                out[href_of(href)] = (props.get(GETETAG, "").strip(), props[CALENDAR_DATA])
        return out

    def _parse(self, href: str, etag: str, text: str, window: Window) -> Item | None:
        return read_item(self.account, self.label, href, etag, text, self.tz, window)


def _xml(element: object) -> str:
    """Serialise a caldav request element."""
    return etree.tostring(element.xmlelement(), encoding="utf-8",  # type: ignore[attr-defined]
                          xml_declaration=True).decode("utf-8")


def _unsupported(exc: dav_error.DAVError) -> bool:
    """Does this failed sync-collection REPORT mean the server lacks the report?"""
    if SUPPORTED_REPORT in preconditions_of(exc):
        return True
    if isinstance(exc, dav_error.ReportError) and exc.status is None:
        return True  # the library already knows this server has no sync tokens
    return exc.status in UNSUPPORTED_STATUSES
