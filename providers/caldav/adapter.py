"""CalDAV adapter: any CalDAV server (Fastmail, iCloud, Nextcloud, Baïkal, Radicale, Xandikos).

Calendars are discovered once (principal, calendar home, one depth-1 PROPFIND) and cached in
``self.cache``; they are discovered again only when a calendar answers 404/410 or the
account's config changes. A first sync (discovery and the whole read) goes through
:mod:`providers.caldav.quick` while the server behaves, other reads through
:mod:`providers.caldav.sync`; the clients are in :mod:`providers.caldav.connection`, the error
mapping in :mod:`providers.caldav.http`, the iCalendar codec in :mod:`providers.ical`.

Writes are conditional: a create sends ``If-None-Match: *`` to ``syncd-<key>.ics`` under the
calendar, so creating twice never makes two events; updates and deletes send
``If-Match: <etag>``, so an event that changed since it was read is never overwritten.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from providers.base import Provider
from providers.caldav import quick, wire
from providers.caldav.connection import Connection
from providers.caldav.http import check_status, timeout_seconds
from providers.caldav.quick import Found
from providers.caldav.wire import href_of, url_of
from syncd.errors import Gone, PreconditionFailed, ProviderError
from syncd.model import Artifact, Calendar, Changes, Item, Window
from syncd.secrets import resolve_password
from syncd.text import plural

if TYPE_CHECKING:

    from providers.caldav.sync import CollectionReader

# The caldav library, niquests and icalendar are loaded where they are used: an idle sync that
# providers.caldav.wire answers needs none of them.

log = logging.getLogger(__name__)

CACHE_CALENDARS = "caldav.calendars"
CACHE_FINGERPRINT = "caldav.fingerprint"
CALENDAR_PROPS = ["{DAV:}resourcetype", "{DAV:}displayname",
                  "{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set"]
CALDAV_CALENDAR = "{urn:ietf:params:xml:ns:caldav}calendar"
ICS_TYPE = "text/calendar; charset=utf-8"


class CalDAVProvider(Connection):
    """A CalDAV account: ``url``, ``username``, a password source, ``verify_tls``.

    Raises the :mod:`syncd.errors` documented on :class:`providers.base.Provider`.
    """

    read_modules = ("providers.ical",)  # its events are iCalendar, read and written

    def __init__(self, account: Mapping[str, Any], tz: ZoneInfo, cache: dict[str, str] | None = None):
        super().__init__(account, tz, cache)
        self._rediscovered = False

    # -- calendars ----------------------------------------------------------------------

    def calendars(self) -> list[Calendar]:
        """List every calendar of the account, from the cache when it is still valid.

        Raises AuthError, TransientError or ProviderError when discovery fails.
        """
        cached = self._cached_calendars()
        if cached is not None:
            return cached
        found = self._discover()
        self.cache[CACHE_CALENDARS] = json.dumps(
            [{"id": c.id, "name": c.name, "url": c.url} for c in found])
        self.cache[CACHE_FINGERPRINT] = self._fingerprint()
        return found

    def rediscover(self) -> None:
        """Forget the cached calendar list so that the next ``calendars()`` asks the server."""
        self.cache.pop(CACHE_CALENDARS, None)
        self.cache.pop(CACHE_FINGERPRINT, None)

    def _cached_calendars(self) -> list[Calendar] | None:
        if self.cache.get(CACHE_FINGERPRINT) != self._fingerprint():
            return None
        try:
            rows = json.loads(self.cache.get(CACHE_CALENDARS, ""))
            found = [Calendar(account=self.name, id=r["id"], name=r["name"], url=r["url"])
                     for r in rows]
        except (ValueError, KeyError, TypeError):
            return None
        # A calendar named in the config but missing from the cache was probably added on
        # the server since: look once per process rather than on every cycle.
        wanted = set(self.account.get("calendars") or []) | {self.account.get("write_calendar")}
        have = {c.name for c in found} | {c.id for c in found}
        if (wanted - {None, ""}) - have and not self._rediscovered:
            return None
        return found

    def _discover(self) -> list[Calendar]:
        self._rediscovered = True
        home, members = self._quick_members() or self._library_members()
        found = []
        for member in members:
            if not member.is_calendar or "VEVENT" not in (member.components or ["VEVENT"]):
                continue  # the home itself, or a task list: nothing for a calendar daemon there
            path = member.href.rstrip("/") + "/"
            cal_id = path.rstrip("/").rsplit("/", 1)[-1]
            found.append(Calendar(account=self.name, id=cal_id, name=member.name or cal_id,
                                  writable=True, url=url_of(home, path)))
        log.info("%s: found %s: %s", self.name, plural(len(found), "calendar"),
                 ", ".join(c.name for c in found))
        return found

    def _quick_members(self) -> tuple[str, list[Found]] | None:
        """The calendar home and its members by :func:`providers.caldav.quick.discover`; None
        to ask the library."""
        link = self._link()
        if link is None:
            return None
        try:
            return quick.discover(link, str(self.account["url"]))
        except wire.Declined as exc:
            self._decline("discovery", exc)
            return None

    def _library_members(self) -> tuple[str, list[Found]]:
        with self._guard("discovering calendars"):
            home = str(self.client.principal().calendar_home_set.url)
            resp = self.client.propfind(home, props=CALENDAR_PROPS, depth=1)
            check_status(resp)
        members = []
        for res in resp.results or []:
            props = res.properties
            members.append(Found(href=href_of(res.href),
                                 is_calendar=CALDAV_CALENDAR in (props.get(CALENDAR_PROPS[0]) or []),
                                 name=str(props.get(CALENDAR_PROPS[1]) or ""),
                                 components=list(props.get(CALENDAR_PROPS[2]) or [])))
        return home, members

    # -- reading ------------------------------------------------------------------------

    def changes(self, calendar: Calendar, token: str | None, known: Mapping[str, str],
                window: Window) -> Changes:
        """What changed in ``calendar`` since ``token``; see ``CollectionReader.changes``.

        An idle calendar is answered by :func:`providers.caldav.wire.listing` (one REPORT,
        without loading the CalDAV library) once the server's way of signing in is known.
        A calendar that answers 404/410 makes the next ``calendars()`` rediscover.
        """
        whole = True
        if token is None:
            changes, whole = self._quick_whole(calendar, window)
            if changes is not None:
                return changes
        quick = self._quick_listing(calendar, token)
        listing = None
        if quick is not None:
            changed, deleted, new_token = quick
            if wire.nothing_new(changed, deleted, known):
                return Changes(token=new_token)
            from providers.caldav.sync import Listing

            listing = Listing(changed, deleted, new_token, full=False)
        try:
            changes = self._reader(calendar).changes(token, known, window, listing, whole)
        except Gone:
            log.warning("%s: calendar %s is gone; calendars will be discovered again",
                        self.name, calendar.name)
            self.rediscover()
            raise
        self._remember_auth()
        return changes

    def _quick_whole(self, calendar: Calendar, window: Window) -> tuple[Changes | None, bool]:
        """A first read by :func:`providers.caldav.quick.read_whole`: (its changes, True), or
        (None, False) when the server answers that read otherwise (list with sync-collection),
        or (None, True) to leave the whole read to the library."""
        link = self._link()
        if link is None or not calendar.url:
            return None, True
        try:
            whole = quick.read_whole(link, calendar.url, self.name, calendar.name, self.tz, window,
                                     self.watch)
        except wire.Declined as exc:
            self._decline("first read", exc)
            return None, True
        if whole is None:
            return None, False
        items = whole.items
        if whole.unread:
            items += self._reader(calendar).fetch(whole.unread, window)[0]
        self._remember_auth()
        return Changes(upserts=items, deletions=[], token=whole.token, full=True), True

    def _quick_listing(self, calendar: Calendar, token: str | None
                       ) -> tuple[dict[str, str], list[str], str] | None:
        """The sync-collection listing since ``token`` by :func:`providers.caldav.wire.listing`;
        None to ask the library (no token yet, ctag token, sign-in not known yet, any trouble)."""
        scheme = self._auth_scheme()
        if not token or token.startswith(wire.CTAG_PREFIX) or scheme is None or not calendar.url:
            return None
        if self._secret is None and scheme != "none":
            self._secret = resolve_password(self.account)
        credentials = (str(self.account.get("username") or ""), self._secret or "")
        return wire.listing(calendar.url, token, scheme, credentials,
                            bool(self.account.get("verify_tls", True)),
                            timeout_seconds(self.account.get("timeout")))

    def _reader(self, calendar: Calendar) -> CollectionReader:
        from providers.caldav.sync import CollectionReader

        return CollectionReader(self.client, self._url(calendar), self.name, calendar.name,
                                self.tz, self._secret)

    def _url(self, calendar: Calendar) -> str:
        if calendar.url:
            return calendar.url
        for known in self.calendars():
            if known.id == calendar.id:
                return known.url
        raise Gone(f"calendar {calendar.id!r} is not on the server", account=self.name)

    def _fetch_one(self, calendar: Calendar, href: str, window: Window) -> Item | None:
        items, _ = self._reader(calendar).fetch([href], window)
        return items[0] if items else None

    # -- writing ------------------------------------------------------------------------

    def create(self, calendar: Calendar, artifact: Artifact) -> Item:
        """PUT the artifact to ``syncd-<key>.ics`` with ``If-None-Match: *``.

        When it exists already (412, or a UID conflict), return the stored item as found.
        Raises PreconditionFailed when it exists but cannot be found again.
        """
        href = href_of(self._url(calendar)).rstrip("/") + f"/syncd-{artifact.key}.ics"
        from providers.ical import render_artifact

        body = render_artifact(artifact)
        what = f"creating {artifact.kind} {artifact.key} in {calendar.name!r}"
        with self._writing(what):
            resp = self._send("PUT", url_of(self._url(calendar), href), body,
                              {"If-None-Match": "*", "Content-Type": ICS_TYPE})
            if resp.status in (409, 412):
                return self._existing(calendar, href, artifact, resp)
            check_status(resp)
        log.debug("%s: created %s %s in %s", self.name, artifact.kind, artifact.key, calendar.name)
        return self._written(calendar, href, body, resp, artifact)

    def _existing(self, calendar: Calendar, href: str, artifact: Artifact, resp: Any) -> Item:
        window = _window_of(artifact)
        found = self._fetch_one(calendar, href, window)
        if found is None:
            found = self._find_by_uid(calendar, artifact.uid, window)
        if found is None:
            raise PreconditionFailed(
                f"creating {artifact.key} in {calendar.name!r}: HTTP {resp.status}, but no "
                "event with its key can be found", status=resp.status, account=self.name)
        log.debug("%s: %s %s already exists in %s", self.name, artifact.kind, artifact.key,
                 calendar.name)
        return found

    def _find_by_uid(self, calendar: Calendar, uid: str, window: Window) -> Item | None:
        """Look an event up by UID (a client may have stored it under another name)."""
        from caldav.lib import error as dav_error

        reader = self._reader(calendar)
        with self._guard(f"looking up {uid} in {calendar.name!r}"):
            try:
                obj = reader.collection.get_object_by_uid(uid)
            except dav_error.NotFoundError:
                return None
        return self._fetch_one(calendar, href_of(obj.url), window)

    def _update(self, calendar: Calendar, item: Item, artifact: Artifact) -> Item:
        """PUT the artifact over an owned item with ``If-Match``; 412 -> PreconditionFailed."""
        href = self._own_href(calendar, item)
        from providers.ical import render_artifact

        etag = item.etag or self._checked_current(calendar, item, artifact.key).etag
        body = render_artifact(artifact)
        with self._writing(f"updating {artifact.kind} {artifact.key} in {calendar.name!r}"):
            resp = self._send("PUT", url_of(self._url(calendar), href), body,
                              {"If-Match": etag, "Content-Type": ICS_TYPE})
            check_status(resp)
        log.debug("%s: updated %s %s in %s", self.name, artifact.kind, artifact.key, calendar.name)
        return self._written(calendar, href, body, resp, artifact)

    def _delete(self, calendar: Calendar, item: Item) -> None:
        """DELETE an owned item with ``If-Match``; a missing item is fine, 412 is not."""
        href = self._own_href(calendar, item)
        etag = item.etag
        if not etag:
            current = self._checked_current(calendar, item, None)
            etag = current.etag
        with self._writing(f"deleting {href} in {calendar.name!r}"):
            resp = self._send("DELETE", url_of(self._url(calendar), href), None,
                              {"If-Match": etag})
            if resp.status in (404, 410):
                log.debug("%s: %s was already gone", self.name, href)
                return
            check_status(resp)
        log.debug("%s: deleted %s in %s", self.name, href, calendar.name)

    def _own_href(self, calendar: Calendar, item: Item) -> str:
        """Refuse to write anywhere but directly inside the calendar's collection."""
        base = href_of(self._url(calendar)).rstrip("/") + "/"
        href = href_of(item.href)
        if not href.startswith(base) or "/" in href[len(base):]:
            raise ProviderError(f"{href!r} is not in calendar {calendar.name!r}", account=self.name)
        return href

    def _checked_current(self, calendar: Calendar, item: Item, key: str | None) -> Item:
        """Fetch the stored item and check its body still carries our marker."""
        starts = [e.start for e in item.events] or [datetime.now(timezone.utc)]
        ends = [e.end for e in item.events] or starts
        window = Window(min(starts) - timedelta(days=1), max(ends) + timedelta(days=1))
        current = self._fetch_one(calendar, href_of(item.href), window)
        if current is None:
            raise Gone(f"{item.href} no longer exists", status=404, account=self.name)
        Provider._require_owned(current, key, calendar)
        return current

    def _written(self, calendar: Calendar, href: str, body: str, resp: Any,
                 artifact: Artifact) -> Item:
        """The item just stored: parsed from what we sent when the server gave an ETag."""
        from providers.ical import parse_item

        etag = (getattr(resp, "headers", {}) or {}).get("ETag")
        if not etag:  # some servers change what they store: read back what they keep
            stored = self._fetch_one(calendar, href, _window_of(artifact))
            if stored is not None:
                return stored
            etag = ""
        return parse_item(href, etag, body, self.tz, _window_of(artifact))


def _window_of(artifact: Artifact) -> Window:
    """A window around one artifact, for reading it back."""
    return Window(artifact.start - timedelta(days=1), artifact.end + timedelta(days=1))
