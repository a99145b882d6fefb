"""``events.list`` and ``calendarList.list``: filters, expansion, paging and sync tokens.

Follows the parameter descriptions of the discovery document: ``timeMin`` bounds an event's
end and ``timeMax`` its start (both exclusive); ``showDeleted`` and ``singleEvents`` decide
which cancelled entries appear; ``syncToken`` returns what changed since the token was issued,
deletions always included, and refuses ``iCalUID``, ``orderBy``, ``privateExtendedProperty``,
``q``, ``sharedExtendedProperty``, ``timeMin``, ``timeMax`` and ``updatedMin`` (and
``showDeleted=false``); an expired token answers 410. ``nextSyncToken`` comes only on the
last page. The whole result is computed on the first page and served from a snapshot.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.fakes.google import recurrence
from tests.fakes.google.errors import ApiError, bad_request, full_sync_required
from tests.fakes.google.store import CalendarData, Store

NOT_WITH_SYNC_TOKEN = ("iCalUID", "orderBy", "privateExtendedProperty", "q",
                       "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin")
NO_SYNC_TOKEN_FOR = ("iCalUID", "orderBy", "privateExtendedProperty", "q",
                     "sharedExtendedProperty", "updatedMin")
PAGE_PARAMS = ("pageToken", "maxResults", "alt", "fields", "prettyPrint", "quotaUser")


@dataclass(frozen=True)
class SyncState:
    """What a sync token stands for."""

    calendar_id: str
    seq: int
    generation: int
    time_min: datetime | None
    time_max: datetime | None
    single: bool


@dataclass
class Snapshot:
    """A computed result being paged through."""

    items: list[dict[str, Any]]
    signature: tuple
    sync_token: str | None


class Lister:
    """Answers list requests from a :class:`Store`."""

    def __init__(self, store: Store):
        self.store = store
        self.page_limit = 250  # the server's own page size; may be lowered by tests
        self.generation = 0
        self.tokens: dict[str, SyncState] = {}
        self.pages: dict[str, Snapshot] = {}

    def expire_sync_tokens(self) -> None:
        """Invalidate every sync token issued so far (the next incremental sync gets 410)."""
        self.generation += 1

    def events(self, cal: CalendarData, query: dict[str, list[str]]) -> dict[str, Any]:
        """``events.list``."""
        one = {k: v[-1] for k, v in query.items()}
        signature = tuple(sorted((k, tuple(v)) for k, v in query.items() if k not in PAGE_PARAMS))
        if "pageToken" in one:
            snap = self.pages.get(one["pageToken"])
            if snap is None or snap.signature != signature:
                raise bad_request("Invalid page token.", location="pageToken")
        else:
            snap = self._snapshot(cal, query, one, signature)
        size = min(int(one.get("maxResults", 250)), 2500, self.page_limit)
        page, rest = snap.items[:size], snap.items[size:]
        out = self._envelope(cal, page)
        if rest:
            token = "EjQK" + secrets.token_urlsafe(16)
            self.pages[token] = Snapshot(rest, signature, snap.sync_token)
            out["nextPageToken"] = token
        elif snap.sync_token:
            out["nextSyncToken"] = snap.sync_token
        return out

    def _snapshot(self, cal: CalendarData, query: dict[str, list[str]], one: dict[str, str],
                  signature: tuple) -> Snapshot:
        single = one.get("singleEvents") == "true"
        if "syncToken" in one:
            state = self._check_sync(cal, one)
            items = self._changed(cal, state)
            lo, hi = state.time_min, state.time_max
        else:
            lo, hi = _bound(one, "timeMin"), _bound(one, "timeMax")
            if lo and hi and hi <= lo:
                raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.",
                               domain="calendar", location="timeMax")
            items = self._select(cal, query, one, single, lo, hi)
        token = None
        if not any(k in one for k in NO_SYNC_TOKEN_FOR):
            token = "CP" + secrets.token_urlsafe(18)
            self.tokens[token] = SyncState(cal.entry["id"], self.store.seq, self.generation,
                                           lo, hi, single)
        return Snapshot(items, signature, token)

    def _check_sync(self, cal: CalendarData, one: dict[str, str]) -> SyncState:
        if any(k in one for k in NOT_WITH_SYNC_TOKEN) or one.get("showDeleted") == "false":
            raise bad_request("Sync token cannot be used with other request restrictions.",
                              reason="syncTokenWithRequestRestrictions", location="syncToken")
        state = self.tokens.get(one["syncToken"])
        if state is None or state.generation != self.generation or \
                state.calendar_id != cal.entry["id"]:
            raise full_sync_required()
        if state.single != (one.get("singleEvents") == "true"):
            raise bad_request("singleEvents must be as in the request that gave the sync token.")
        return state

    def _changed(self, cal: CalendarData, state: SyncState) -> list[dict[str, Any]]:
        """Everything changed since the token, cancelled entries included."""
        out: list[dict[str, Any]] = []
        for stored in cal.events.values():
            if stored.seq <= state.seq:
                continue
            body = stored.body
            if state.single and "recurrence" in body:
                out.extend(self._expand(cal, body, state.time_min, state.time_max))
            else:
                out.append(copy.deepcopy(body))
        return out

    def _select(self, cal: CalendarData, query: dict[str, list[str]], one: dict[str, str],
                single: bool, lo: datetime | None, hi: datetime | None) -> list[dict[str, Any]]:
        show_deleted = one.get("showDeleted") == "true" or "updatedMin" in one
        rows = []
        for stored in cal.events.values():
            body = stored.body
            if single and "recurrence" in body:
                candidates = self._expand(cal, body, lo, hi)
            elif "recurrence" in body:
                candidates = [copy.deepcopy(body)] if self._expand(cal, body, lo, hi) else []
            else:
                candidates = [copy.deepcopy(body)] if _overlaps(cal, body, lo, hi) else []
            rows.extend(c for c in candidates
                        if _visible(cal, c, single, show_deleted) and _matches(c, query, one))
        return _ordered(cal, rows, one, single)

    def _expand(self, cal: CalendarData, master: dict[str, Any], lo: datetime | None,
                hi: datetime | None) -> list[dict[str, Any]]:
        """A series' instances in (lo, hi), stored exceptions left to their own entries."""
        return [inst for inst in recurrence.instances(master, cal.tz, lo, hi)
                if inst["id"] not in cal.events]

    @staticmethod
    def _envelope(cal: CalendarData, items: list[dict[str, Any]]) -> dict[str, Any]:
        entry = cal.entry
        return {"kind": "calendar#events", "etag": entry["etag"], "summary": entry["summary"],
                "description": "", "updated": max((i.get("updated", "") for i in items),
                                                  default=""),
                "timeZone": entry.get("timeZone", "UTC"), "accessRole": entry["accessRole"],
                "defaultReminders": entry.get("defaultReminders", []), "items": items}

    def calendar_list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        """``calendarList.list`` with paging, ``minAccessRole``; hidden entries need showHidden."""
        one = {k: v[-1] for k, v in query.items()}
        if "syncToken" in one:
            raise ApiError(501, "notImplemented", "The fake has no calendarList sync.")
        ranks = ["freeBusyReader", "reader", "writer", "owner"]
        least = ranks.index(one.get("minAccessRole", "freeBusyReader"))
        entries = [copy.deepcopy(c.entry) for c in self.store.calendars.values()
                   if ranks.index(c.entry["accessRole"]) >= least
                   and (one.get("showHidden") == "true" or not c.entry.get("hidden"))]
        start = int(one["pageToken"]) if one.get("pageToken", "").isdigit() else 0
        size = min(int(one.get("maxResults", 100)), 250, self.page_limit)
        out: dict[str, Any] = {"kind": "calendar#calendarList", "etag": '"p3"',
                               "items": entries[start:start + size]}
        if start + size < len(entries):
            out["nextPageToken"] = str(start + size)
        return out


def _bound(one: dict[str, str], name: str) -> datetime | None:
    return datetime.fromisoformat(one[name]) if name in one else None


def _times(cal: CalendarData, body: dict[str, Any]) -> tuple[datetime, datetime]:
    start, _ = recurrence.parse_when(body["start"], "start", cal.tz)
    end, _ = recurrence.parse_when(body["end"], "end", cal.tz)
    return start, end


def _overlaps(cal: CalendarData, body: dict[str, Any], lo: datetime | None,
              hi: datetime | None) -> bool:
    start, end = _times(cal, body)
    return (lo is None or end > lo) and (hi is None or start < hi)


def _visible(cal: CalendarData, body: dict[str, Any], single: bool, show_deleted: bool) -> bool:
    if body.get("status") != "cancelled" or show_deleted:
        return True
    # Cancelled instances of a live series still show when showDeleted and singleEvents are
    # both false (the parameter's description says so).
    parent = cal.events.get(body.get("recurringEventId", ""))
    return not single and parent is not None and parent.body.get("status") != "cancelled"


def _matches(body: dict[str, Any], query: dict[str, list[str]], one: dict[str, str]) -> bool:
    ext = body.get("extendedProperties") or {}
    for scope, param in (("private", "privateExtendedProperty"), ("shared", "sharedExtendedProperty")):
        for constraint in query.get(param, []):
            key, _, value = constraint.partition("=")
            if (ext.get(scope) or {}).get(key) != value:
                return False
    if "iCalUID" in one and body.get("iCalUID") != one["iCalUID"]:
        return False
    if "updatedMin" in one and body.get("updated", "") < one["updatedMin"]:
        return False
    if "q" in one:
        people = [body.get("organizer") or {}] + body.get("attendees", [])
        text = " ".join([body.get(k, "") for k in ("summary", "description", "location")] +
                        [p.get(k, "") for p in people for k in ("email", "displayName")])
        return all(word.lower() in text.lower() for word in one["q"].split())
    return True


def _ordered(cal: CalendarData, rows: list[dict[str, Any]], one: dict[str, str],
             single: bool) -> list[dict[str, Any]]:
    order = one.get("orderBy")
    if order == "startTime":
        if not single:
            raise bad_request("The requested ordering is not available for the particular query.",
                              location="orderBy")
        return sorted(rows, key=lambda b: (_times(cal, b)[0], b["id"]) if "start" in b else
                      (datetime.max.replace(tzinfo=cal.tz), b["id"]))
    if order == "updated":
        return sorted(rows, key=lambda b: (b.get("updated", ""), b["id"]))
    return rows
