"""Exchange Server on premises, over EWS with exchangelib.

Reading: ``SyncFolderItems`` from the stored sync state (paging while
``IncludesLastItemInRange`` is false) says which items changed; when nothing did, that one
request is the whole cycle for the calendar. Changed items are read with ``GetItem`` in
batches (the sync returns no bodies). A recurring master that changed is expanded by a
``CalendarView`` over the window (Exchange expands series and applies exceptions); the same
view, split into spans Exchange accepts, lists the whole window on a first sync, after
``ErrorInvalidSyncStateData`` and when the window has moved past what the token covers.
The token handed to the core wraps Exchange's sync state with the end of that span.

Items are one per stored resource: a single item under its ItemId, a series under its
master's ItemId with its occurrences in the window as the events.

Writing: artifacts are calendar items with the marker in three named extended properties,
no attendees, Busy (Free for conflict markers), a reminder, and always
``SendMeetingInvitations=SendToNone``. Creating looks the key up first (a FindItem
restriction on ``syncd-key``), so a crash between creating and recording never duplicates.
Updates are conditional on the ChangeKey (``NeverOverwrite``); deletes send no cancellation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from exchangelib import CalendarItem, close_connections
from exchangelib.ewsdatetime import EWSDateTime
from exchangelib.items import ALL_OCCURRENCES, SEND_TO_NONE
from exchangelib.properties import RecurringMasterItemId

from providers.base import Provider
from providers.exchange import connect, convert, zones
from syncd.errors import Gone, SyncTokenInvalid
from syncd.model import Artifact, Calendar, Changes, Event, Item, Window

if TYPE_CHECKING:
    from syncd.followup.sink import DraftSink

log = logging.getLogger(__name__)

TOKEN_PREFIX = "x1"
MAX_VIEW_SPAN = timedelta(days=700)  # Exchange refuses CalendarViews over about two years
BATCH = 100  # items per GetItem request
NEVER_OVERWRITE = "NeverOverwrite"


class ExchangeProvider(Provider):
    """An Exchange mailbox: its Calendar folder."""

    timeout: float = 60.0  # seconds per HTTP request
    window_slack: timedelta = timedelta(days=7)  # how far past the window a listing reads
    sync_page: int = 512  # changes per SyncFolderItems answer (Exchange's maximum)

    def __init__(self, account: Mapping[str, Any], tz: ZoneInfo, cache: dict[str, str] | None = None):
        super().__init__(account, tz, cache)
        configured = account.get("timeout")
        if configured is not None:
            self.timeout = configured.total_seconds() if hasattr(configured, "total_seconds") else float(configured)
        self.owner = str(account.get("email", ""))
        self.tentative_busy = bool(account.get("tentative_busy", True))
        self._account: Any = None
        self._folders: dict[str, Any] = {}
        convert.register()
        zones.install()

    # -- plumbing -------------------------------------------------------------------------

    def _ews(self) -> Any:
        if self._account is None:
            self._account = connect.connect(self.account, self.tz, self.cache, self.timeout)
        return self._account

    def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call into exchangelib; every failure leaves as a syncd error."""
        return connect.guarded(self.name, lambda: fn(*args, **kwargs))

    def _folder(self, calendar: Calendar) -> Any:
        folder = self._folders.get(calendar.id)
        if folder is None:
            found = self._run(lambda: self._ews().calendar)
            if found.id != calendar.id:
                raise Gone(f"calendar {calendar.name!r} is no longer the mailbox's calendar",
                           account=self.name)
            self._folders[calendar.id] = folder = found
        return folder

    def draft_sink(self) -> DraftSink:
        """The mailbox's Drafts folder as the follow-up sink (see :mod:`providers.exchange.drafts`)."""
        from providers.exchange.drafts import ExchangeDraftSink

        return ExchangeDraftSink(self)

    def close(self) -> None:
        """Close exchangelib's connections; the account is rebuilt on next use."""
        if self._account is not None:
            self._account.protocol.close()
            close_connections()
        self._account = None
        self._folders = {}

    # -- reading --------------------------------------------------------------------------

    def calendars(self) -> list[Calendar]:
        """The mailbox's Calendar folder (Exchange's distinguished ``calendar``)."""
        folder = self._run(lambda: self._ews().calendar)
        self._folders[folder.id] = folder
        return [Calendar(account=self.name, id=folder.id, name=str(folder.name or "Calendar"),
                         writable=True, url="")]

    def changes(self, calendar: Calendar, token: str | None, known: Mapping[str, str],
                window: Window) -> Changes:
        """Incremental sync from the sync state in ``token``; a listing of the window otherwise.

        Raises the ProviderError family; never SyncTokenInvalid (the adapter recovers).
        """
        folder = self._folder(calendar)
        horizon, state = parse_token(token)
        try:
            changed, deleted, state = self._sync(folder, state)
        except SyncTokenInvalid:
            log.info("%s: Exchange refused the sync state of %s; reading it in full", self.name,
                     calendar.name)
            changed, deleted, state = self._sync(folder, None)
            horizon = None
        if horizon is None or window.end > horizon:
            return self._listing(calendar, folder, window, state)
        if not changed and not deleted:
            return Changes(token=make_token(horizon, state))
        return self._incremental(calendar, folder, Window(window.start, horizon),
                                 changed, deleted, known, make_token(horizon, state))

    def _sync(self, folder: Any, state: str | None) -> tuple[list[str], list[str], str]:
        """Follow SyncFolderItems pages; (changed ids, deleted ids, the new sync state)."""
        folder.item_sync_state = state
        changed: dict[str, None] = {}
        deleted: dict[str, None] = {}
        pages = folder.sync_items(sync_state=state, only_fields=["changekey"],
                                  max_changes_returned=self.sync_page)
        for kind, item in self._run(lambda: list(pages)):
            item_id = item.id
            if kind == "delete":
                deleted[item_id] = None
                changed.pop(item_id, None)
            elif kind in ("create", "update"):
                changed[item_id] = None
        return list(changed), list(deleted), str(folder.item_sync_state or "")

    def _listing(self, calendar: Calendar, folder: Any, window: Window, state: str) -> Changes:
        horizon = window.end + self.window_slack
        occurrences = self._view(folder, window.start, horizon)
        items = self._group(calendar, occurrences)
        log.debug("%s: full listing of %s: %d items", self.name, calendar.name, len(items))
        return Changes(upserts=items, token=make_token(horizon, state), full=True)

    def _incremental(self, calendar: Calendar, folder: Any, span: Window, changed: list[str],
                     deleted: list[str], known: Mapping[str, str], token: str | None) -> Changes:
        out = Changes(deletions=list(deleted), token=token)
        series: set[str] = set()
        for item in self._fetch(changed):
            if item.type == "RecurringMaster":
                series.add(str(item.uid))
                out.deletions.append(item.id)  # replaced below if it still meets the window
            elif span.overlaps(*self._times(item)):
                out.upserts.extend(self._items(calendar, [item]))
            elif item.id in known:
                out.deletions.append(item.id)
        if series:
            fresh = self._group(calendar, self._view(folder, span.start, span.end, series))
            out.upserts.extend(fresh)
            hrefs = {i.href for i in fresh}
            out.deletions = [h for h in out.deletions if h not in hrefs]
        log.debug("%s: incremental sync of %s: %d changed, %d deleted", self.name, calendar.name,
                  len(out.upserts), len(out.deletions))
        return out

    def _times(self, item: Any) -> tuple[datetime, datetime]:
        start, _ = convert.to_utc(item.start, self.tz)
        end, _ = convert.to_utc(item.end, self.tz, end=True)
        return start, max(end, start + timedelta(seconds=1))

    def _view(self, folder: Any, start: datetime, end: datetime,
              uids: set[str] | None = None) -> list[Any]:
        """Every occurrence and single item in [start, end), read in full with GetItem batches;
        with ``uids``, only the occurrences of those series.

        FindItem cannot return a UID, so a view for some series reads every occurrence in the
        window (singles are left out by their CalendarItemType) and keeps those series' own.
        """
        ids: dict[str, Any] = {}
        for begin, finish in spans(start, end, MAX_VIEW_SPAN):
            view = folder.view(start=EWSDateTime.from_datetime(begin.astimezone(timezone.utc)),
                               end=EWSDateTime.from_datetime(finish.astimezone(timezone.utc)))
            rows = self._run(lambda v=view: list(v.values_list("id", "changekey", "type")))
            for item_id, changekey, kind in rows:
                if uids is None or kind in ("Occurrence", "Exception"):
                    ids.setdefault(item_id, changekey)
        items = self._fetch(list(ids))
        return items if uids is None else [i for i in items if str(i.uid) in uids]

    def _fetch(self, ids: list[str]) -> list[Any]:
        """Read items in full, BATCH ids per GetItem; ids that vanished meanwhile are skipped."""
        account, out = self._ews(), []
        for index in range(0, len(ids), BATCH):
            chunk = [(i, None) for i in ids[index:index + BATCH]]
            for item in self._run(lambda c=chunk: list(account.fetch(ids=c, only_fields=convert.FIELDS))):
                if isinstance(item, CalendarItem):
                    out.append(item)
        return out

    def _group(self, calendar: Calendar, items: list[Any]) -> list[Item]:
        """Singles as one Item each; occurrences grouped under their master's ItemId."""
        singles = [i for i in items if i.type not in ("Occurrence", "Exception")]
        by_uid: dict[str, list[Any]] = {}
        for occ in items:
            if occ.type in ("Occurrence", "Exception"):
                by_uid.setdefault(str(occ.uid), []).append(occ)
        out = self._items(calendar, singles)
        masters = self._masters([group[0] for group in by_uid.values()])
        for uid, group in by_uid.items():
            master = masters.get(uid)
            if master is None:
                continue
            events = tuple(e for e in (self._event(calendar, o, master.id, master.changekey)
                                       for o in group) if e is not None)
            out.append(Item(href=master.id, etag=str(master.changekey), events=events))
        return out

    def _masters(self, occurrences: list[Any]) -> dict[str, Any]:
        """uid -> recurring master, read with RecurringMasterItemId (GetItem batches)."""
        account, out = self._ews(), {}
        refs = [RecurringMasterItemId(id=o.id, changekey=o.changekey) for o in occurrences]
        for index in range(0, len(refs), BATCH):
            chunk = refs[index:index + BATCH]
            for master in self._run(lambda c=chunk: list(account.fetch(ids=c, only_fields=["uid"]))):
                if isinstance(master, CalendarItem):
                    out[str(master.uid)] = master
        return out

    def _items(self, calendar: Calendar, items: Iterable[Any]) -> list[Item]:
        out = []
        for item in items:
            event = self._event(calendar, item, item.id, item.changekey)
            if event is not None:
                out.append(Item(href=item.id, etag=str(item.changekey), events=(event,)))
        return out

    def _event(self, calendar: Calendar, item: Any, href: str, etag: str) -> Event | None:
        try:
            event = convert.event_of(item, self.tz, self.owner, href, str(etag), self.tentative_busy)
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("%s: skipping unreadable item in %s: %s", self.name, calendar.name, exc)
            return None
        return event.located(self.name, calendar.id)

    # -- writing --------------------------------------------------------------------------

    def create(self, calendar: Calendar, artifact: Artifact) -> Item:
        """Create the artifact's item unless one with its key exists; returns it as stored."""
        folder = self._folder(calendar)
        existing = self._run(lambda: list(folder.filter(syncd_key=artifact.key).values_list("id")))
        if existing:
            log.info("%s: %s %s already exists in %s", self.name, artifact.kind, artifact.key,
                     calendar.name)
            return self._stored(calendar, existing[0][0] if isinstance(existing[0], tuple) else existing[0])
        item = CalendarItem(account=self._ews(), folder=folder, **convert.artifact_fields(artifact))
        self._run(item.save, send_meeting_invitations=SEND_TO_NONE)
        log.info("%s: created %s %s in %s", self.name, artifact.kind, artifact.key, calendar.name)
        return self._written(calendar, artifact, item)

    def _written(self, calendar: Calendar, artifact: Artifact, item: Any) -> Item:
        """The Item just written, from the id and ChangeKey Exchange answered (no extra read)."""
        event = convert.artifact_event(artifact, str(item.id), str(item.changekey), str(item.uid or ""))
        return Item(href=str(item.id), etag=str(item.changekey),
                    events=(event.located(self.name, calendar.id),))

    def _stored(self, calendar: Calendar, item_id: str) -> Item:
        found = self._items(calendar, self._fetch([item_id]))
        if not found:
            raise Gone(f"the item {artifact_label(item_id)} vanished right after it was written",
                       account=self.name)
        return found[0]

    def _update(self, calendar: Calendar, item: Item, artifact: Artifact) -> Item:
        fields = convert.artifact_fields(artifact)
        ews_item = CalendarItem(account=self._ews(), folder=self._folder(calendar), id=item.href,
                                changekey=item.etag, **fields)
        self._run(ews_item.save, update_fields=list(fields), conflict_resolution=NEVER_OVERWRITE,
                  send_meeting_invitations=SEND_TO_NONE)
        log.info("%s: updated %s %s in %s", self.name, artifact.kind, artifact.key, calendar.name)
        return self._written(calendar, artifact, ews_item)

    def _delete(self, calendar: Calendar, item: Item) -> None:
        ews_item = CalendarItem(account=self._ews(), folder=self._folder(calendar), id=item.href,
                                changekey=item.etag)
        try:
            self._run(ews_item.delete, send_meeting_cancellations=SEND_TO_NONE,
                      affected_task_occurrences=ALL_OCCURRENCES)
            log.info("%s: deleted %s from %s", self.name, artifact_label(item.href), calendar.name)
        except Gone:
            log.info("%s: %s was already gone from %s", self.name, artifact_label(item.href),
                     calendar.name)


def artifact_label(item_id: str) -> str:
    """A short, log-safe label for an ItemId."""
    return f"item …{item_id[-12:]}"


def spans(start: datetime, end: datetime, size: timedelta) -> list[tuple[datetime, datetime]]:
    """[start, end) cut into consecutive pieces of at most ``size``."""
    out = []
    while start < end:
        out.append((start, min(end, start + size)))
        start = out[-1][1]
    return out


def make_token(horizon: datetime, state: str) -> str:
    """Wrap Exchange's sync state with the end of the span the cache covers."""
    return f"{TOKEN_PREFIX}:{int(horizon.timestamp())}:{state}"


def parse_token(token: str | None) -> tuple[datetime | None, str | None]:
    """Undo :func:`make_token`; (None, None) for anything else (a full listing follows)."""
    parts = (token or "").split(":", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1].isdigit():
        return None, None
    return datetime.fromtimestamp(int(parts[1]), timezone.utc), parts[2] or None

