"""Microsoft 365 calendars through Microsoft Graph (HTTP with requests, tokens from msal).

Reading: ``calendarView/delta`` (``/me/calendarView/delta`` for the default calendar,
``/me/calendars/{id}/calendarView/delta`` for the others). The first round needs
``startDateTime``/``endDateTime`` and follows ``@odata.nextLink`` pages to an
``@odata.deltaLink``, which is stored; later cycles send that link alone, so a cycle with
nothing new is one request per calendar. The window is fixed in the link: it is read
:attr:`GraphProvider.window_slack` wider than the planning window, and a new round starts only
when the planning window is about to leave it. Deletions, and events that left the window,
arrive as ``@removed``; entries may be replayed, so the last word on an id wins and removing an
unknown id is harmless. An expired link (410, ``syncStateNotFound``, ``resyncRequired``) means
a full round for that calendar.

Delta answers cannot ``$expand`` extended properties, so whenever a round brings events, one
more request lists the calendar's marked events with their markers (a ``$filter`` on the
``syncd-key`` property): ownership always comes from the marker.

Writing: events with no attendees (nobody is invited), busy or free, one reminder, the marker in
three single-value extended properties; before creating, the key is looked up by ``$filter``,
and the POST carries a ``transactionId`` derived from the key, so a crash between creating and
recording never duplicates. Changes and deletions are conditional on the event's etag.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from providers.base import Provider
from providers.msgraph import auth
from providers.msgraph.client import DEFAULT_ENDPOINT, GraphClient
from providers.msgraph.convert import (
    EXPAND_MARKER, artifact_body, event_from_graph, marker_filter, marker_of,
)
from syncd.errors import Gone, ProviderError, SyncTokenInvalid
from syncd.model import Artifact, Calendar, Changes, Item, Marker, Window

if TYPE_CHECKING:
    from syncd.followup.sink import DraftSink

log = logging.getLogger(__name__)

TOKEN_PREFIX = "m1"
PAGE_SIZE = 100  # Prefer: odata.maxpagesize for delta rounds


class GraphProvider(Provider):
    """A Microsoft 365 / Outlook.com mailbox: its calendars and their events."""

    timeout: float = 60.0
    window_slack: timedelta = timedelta(days=7)

    def __init__(self, account: Mapping[str, Any], tz: ZoneInfo,
                 cache: dict[str, str] | None = None):
        super().__init__(account, tz, cache)
        self.endpoint = str(account.get("api_endpoint") or DEFAULT_ENDPOINT)
        if not self.endpoint.rstrip("/").endswith("/v1.0"):
            raise ProviderError(f"api_endpoint {self.endpoint!r} must end in /v1.0/",
                                account=self.name)
        self.tokens = auth.token_source(account)
        self._client: GraphClient | None = None

    @property
    def client(self) -> GraphClient:
        """The HTTP client, made on first use."""
        if self._client is None:
            configured = self.account.get("timeout")
            timeout = configured.total_seconds() if configured is not None else self.timeout
            mailbox = f"{self.endpoint}|{self.account.get('token_file') or self.name}"
            self._client = GraphClient(self.name, self.endpoint, self.tokens, timeout, mailbox)
        return self._client

    def draft_sink(self) -> DraftSink:
        """The mailbox's Drafts folder as the follow-up sink (see :mod:`providers.msgraph.drafts`)."""
        from providers.msgraph.drafts import GraphDraftSink

        return GraphDraftSink(self)

    def close(self) -> None:
        """Drop the HTTP connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- reading --------------------------------------------------------------------------

    def calendars(self) -> list[Calendar]:
        """List the mailbox's calendars (all pages). The default calendar gets ``url``
        ``"default"``, which selects ``/me/calendarView/delta`` for it. Also learns the
        mailbox's own address. Raises the ProviderError family."""
        me = self.client.request("GET", "me", params={"$select": "mail,userPrincipalName"})
        self.cache["me"] = str(me.get("mail") or me.get("userPrincipalName") or "")
        found = []
        for page in self.client.pages("me/calendars", params={"$top": "100"}):
            for entry in page.get("value", []):
                found.append(Calendar(
                    account=self.name, id=str(entry["id"]), name=str(entry.get("name") or entry["id"]),
                    writable=bool(entry.get("canEdit", True)),
                    url="default" if entry.get("isDefaultCalendar") else ""))
        return found

    def changes(self, calendar: Calendar, token: str | None, known: Mapping[str, str],
                window: Window) -> Changes:
        """Incremental sync with the stored delta link; a full round when there is none,
        when it expired, or when the window is about to leave the one it covers.
        Raises the ProviderError family (``Gone`` if the calendar disappeared)."""
        start, end, link = parse_token(token)
        if link and start is not None and end is not None and start <= window.start \
                and window.end <= end:
            try:
                return self._incremental(calendar, link, start, end)
            except SyncTokenInvalid:
                log.info("%s: delta link of %s expired; full resync", self.name, calendar.name)
        return self._full(calendar, window)

    def _full(self, calendar: Calendar, window: Window) -> Changes:
        start, end = window.start, window.end + self.window_slack
        params = {"startDateTime": iso(start), "endDateTime": iso(end)}
        entries, link = self._round(delta_path(calendar), params)
        markers = self._markers(calendar)
        upserts = [item for body in entries.values() if "@removed" not in body
                   for item in [self._item(calendar, body, markers)] if item is not None]
        log.debug("%s: full sync of %s: %d events", self.name, calendar.name, len(upserts))
        return Changes(upserts=upserts, token=make_token(start, end, link), full=True)

    def _incremental(self, calendar: Calendar, link: str, start: datetime,
                     end: datetime) -> Changes:
        entries, new_link = self._round(link, None)
        changes = Changes(token=make_token(start, end, new_link))
        markers = self._markers(calendar) if any("@removed" not in b for b in entries.values()) \
            else {}
        for event_id, body in entries.items():
            if "@removed" in body:
                changes.deletions.append(event_id)
            elif (item := self._item(calendar, body, markers)) is not None:
                changes.upserts.append(item)
        log.debug("%s: incremental sync of %s: %d changed, %d removed", self.name,
                  calendar.name, len(changes.upserts), len(changes.deletions))
        return changes

    def _round(self, path: str, params: dict[str, str] | None) -> tuple[dict[str, dict], str]:
        """Follow one delta round to its deltaLink; the last entry per event id wins."""
        entries: dict[str, dict] = {}
        headers = {"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}
        for page in self.client.pages(path, params=params, headers=headers):
            for body in page.get("value", []):
                if isinstance(body, dict) and body.get("id"):
                    entries.pop(str(body["id"]), None)  # keep the order of the last word
                    entries[str(body["id"])] = body
            link = page.get("@odata.deltaLink")
            if link:
                return entries, str(link)
        raise ProviderError("Graph ended a delta round without a deltaLink", account=self.name)

    def _markers(self, calendar: Calendar) -> dict[str, Marker]:
        """event id -> marker of every syncd event in the calendar (one paged request)."""
        found = {}
        params = {"$filter": marker_filter(), "$expand": EXPAND_MARKER, "$select": "id",
                  "$top": "100"}
        for page in self.client.pages(events_path(calendar), params=params):
            for body in page.get("value", []):
                marker = marker_of(body)
                if marker is not None:
                    found[str(body["id"])] = marker
        return found

    def _item(self, calendar: Calendar, body: Mapping[str, Any],
              markers: Mapping[str, Marker]) -> Item | None:
        if body.get("type") == "seriesMaster":
            return None  # calendarView lists the occurrences themselves
        try:
            event = event_from_graph(body, self.tz, self.cache.get("me", ""),
                                     markers.get(str(body.get("id"))))
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("%s: skipping unreadable event in %s: %s", self.name, calendar.name,
                        type(exc).__name__)
            return None
        event = event.located(self.name, calendar.id)
        return Item(href=event.href, etag=event.etag, events=(event,))

    # -- writing --------------------------------------------------------------------------

    def create(self, calendar: Calendar, artifact: Artifact) -> Item:
        """Return the event carrying the artifact's key if there is one, else create it
        (with the key's transactionId, so a retried POST cannot duplicate either).
        Raises the ProviderError family."""
        existing = self._find(calendar, artifact.key)
        if existing is not None:
            log.info("%s: %s %s already exists in %s", self.name, artifact.kind, artifact.key,
                     calendar.name)
            return existing
        created = self.client.request("POST", events_path(calendar),
                                      body=artifact_body(artifact, create=True))
        log.debug("%s: created %s %s in %s", self.name, artifact.kind, artifact.key, calendar.name)
        return self._required(calendar, created, artifact.marker)

    def _find(self, calendar: Calendar, key: str) -> Item | None:
        params = {"$filter": marker_filter(key), "$expand": EXPAND_MARKER}
        for page in self.client.pages(events_path(calendar), params=params):
            for body in page.get("value", []):
                marker = marker_of(body)
                if marker is not None and marker.key == key:
                    return self._required(calendar, body, marker)
        return None

    def _update(self, calendar: Calendar, item: Item, artifact: Artifact) -> Item:
        updated = self.client.request("PATCH", event_path(item.href), body=artifact_body(artifact),
                                      headers={"If-Match": item.etag} if item.etag else None)
        log.debug("%s: updated %s %s in %s", self.name, artifact.kind, artifact.key, calendar.name)
        return self._required(calendar, updated, artifact.marker)

    def _delete(self, calendar: Calendar, item: Item) -> None:
        try:
            self.client.request("DELETE", event_path(item.href),
                                headers={"If-Match": item.etag} if item.etag else None)
            log.debug("%s: deleted %s from %s", self.name, item.href, calendar.name)
        except Gone:
            log.info("%s: %s was already gone from %s", self.name, item.href, calendar.name)

    def _required(self, calendar: Calendar, body: Mapping[str, Any], marker: Marker) -> Item:
        item = self._item(calendar, body, {str(body.get("id")): marker})
        if item is None:
            raise ProviderError("Graph returned an unreadable event", account=self.name)
        return item


# -- paths and tokens -----------------------------------------------------------------------

def delta_path(calendar: Calendar) -> str:
    """The calendarView delta function of a calendar."""
    if calendar.url == "default":
        return "me/calendarView/delta"
    return f"me/calendars/{quote(calendar.id, safe='')}/calendarView/delta"


def events_path(calendar: Calendar) -> str:
    """A calendar's events collection (create, and marker look-ups)."""
    if calendar.url == "default":
        return "me/calendar/events"
    return f"me/calendars/{quote(calendar.id, safe='')}/events"


def event_path(event_id: str) -> str:
    """One event of the mailbox."""
    return f"me/events/{quote(event_id, safe='')}"


def iso(moment: datetime) -> str:
    """An aware datetime as the UTC timestamp calendarView wants."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_token(start: datetime, end: datetime, link: str) -> str:
    """Wrap a deltaLink with the window it covers."""
    return f"{TOKEN_PREFIX}:{int(start.timestamp())}:{int(end.timestamp())}:{link}"


def parse_token(token: str | None) -> tuple[datetime | None, datetime | None, str | None]:
    """Undo :func:`make_token`; Nones for anything else (a full round follows)."""
    parts = (token or "").split(":", 3)
    if len(parts) != 4 or parts[0] != TOKEN_PREFIX or not (parts[1].isdigit() and parts[2].isdigit()):
        return None, None, None
    return (datetime.fromtimestamp(int(parts[1]), timezone.utc),
            datetime.fromtimestamp(int(parts[2]), timezone.utc), parts[3])

