"""Google Calendar, through google-api-python-client and the discovery document it ships.

Reading: ``events.list`` with ``singleEvents`` (Google expands recurring series) and
``showDeleted``; the first sync of a calendar is bounded by the planning window (plus
``window_slack``) and ends with a ``nextSyncToken``; later cycles send that token alone and get
only what changed, deletions as ``status: cancelled``. One request per calendar when nothing
changed. An expired token (HTTP 410) means a full resync of that calendar, reported as
``Changes(full=True)``. The token this adapter hands the core wraps Google's token together
with the end of the window it covers, so that a moving window triggers a resync in time.

Writing: artifacts are events with the client-chosen id ``<key>`` and the marker in
``extendedProperties.private``; inserting an id that exists answers 409, which makes creating
idempotent. Updates and deletes are conditional on the event's etag (``If-Match``), and
``sendUpdates`` is always ``none``: syncd never mails anyone.

All HTTP failures become :mod:`syncd.errors` in :func:`map_http_error`; the adapter does not
retry (the core's tenacity policy does).
"""

from __future__ import annotations

import http.client
import json
import logging
import ssl
import time
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time as dtime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from providers.google import auth as google_auth
from providers.base import Provider
from providers.recurrence import warn_once
from syncd.bounds import MAX_OCCURRENCES
from syncd.errors import (
    AuthError, Gone, PreconditionFailed, ProviderError, RateLimited, TransientError,
)
from syncd.model import (
    MARK_KEY, MARK_KIND, MARK_SOURCE, Artifact, Attendee, Calendar, Changes, Event, Item,
    Marker, Window, format_recurrence_id,
)
from syncd.retry import retry_after_seconds

if TYPE_CHECKING:
    from syncd.followup.sink import DraftSink

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://www.googleapis.com/calendar/v3/"
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
PARTSTAT = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE",
            "needsAction": "NEEDS-ACTION"}
STATUS = {"confirmed": "CONFIRMED", "tentative": "TENTATIVE", "cancelled": "CANCELLED"}
MAX_REMINDERS = 5  # Google's limit on reminder overrides per event
MAX_REMINDER_MINUTES = 40320  # four weeks, Google's upper bound
TOKEN_PREFIX = "g1"


class GoogleProvider(Provider):
    """A Google account: its calendar list and each calendar's events."""

    timeout: float = 60.0  # seconds per HTTP request
    page_size: int = 250  # events.list maxResults
    window_slack: timedelta = timedelta(days=7)  # how far past the window a full sync reads

    def __init__(self, account: Mapping[str, Any], tz: ZoneInfo,
                 cache: dict[str, str] | None = None):
        super().__init__(account, tz, cache)
        self.endpoint = str(account.get("api_endpoint") or DEFAULT_ENDPOINT)
        if not self.endpoint.endswith("/calendar/v3/"):
            raise ProviderError(f"api_endpoint {self.endpoint!r} must end in /calendar/v3/",
                                account=self.name)
        self._service: Any = None
        self._keeper: google_auth.TokenKeeper | None = None

    # -- plumbing -------------------------------------------------------------------------

    def _api(self) -> Any:
        """The Calendar v3 service, built on first use from the stored credentials."""
        if self._service is None:
            self._service = build("calendar", "v3", http=self.authorized_http(),
                                  static_discovery=True, cache_discovery=False,
                                  client_options={"api_endpoint": self.endpoint})
        return self._service

    def authorized_http(self) -> AuthorizedHttp:
        """A new HTTP client signed with the account's credentials (loaded once, kept fresh)."""
        if self._keeper is None:
            creds = google_auth.load_credentials(self.account)
            self._keeper = google_auth.TokenKeeper(self.account, creds)
        configured = self.account.get("timeout")
        timeout = configured.total_seconds() if configured is not None else self.timeout
        return AuthorizedHttp(self._keeper.creds, http=httplib2.Http(timeout=timeout))

    def draft_sink(self) -> DraftSink:
        """The account's Gmail drafts (``followup.sink = "account:NAME"``); see providers.google.drafts."""
        from providers.google.drafts import GmailDrafts

        return GmailDrafts(self)

    def execute(self, request: Any) -> Any:
        """Run one Google API request (Calendar or Gmail); failures leave as syncd errors."""
        return self._execute(request)

    def _execute(self, request: Any, if_match: str | None = None) -> Any:
        """Run one API request; every failure leaves here as a syncd error."""
        if if_match:
            request.headers["If-Match"] = if_match
        try:
            return request.execute(num_retries=0)
        except HttpError as exc:
            raise map_http_error(exc, self.name) from None
        except RefreshError as exc:
            raise google_auth.refresh_failed(self.name, exc) from None
        except ssl.SSLCertVerificationError as exc:
            raise ProviderError(f"TLS certificate refused: {exc.verify_message}",
                                account=self.name) from None
        except (OSError, httplib2.HttpLib2Error, http.client.HTTPException,
                TransportError) as exc:
            raise TransientError(f"connection to Google failed: {type(exc).__name__}",
                                 account=self.name) from exc
        finally:
            if self._keeper is not None:
                self._keeper.save_if_refreshed()

    def close(self) -> None:
        """Drop the HTTP connections; the service is rebuilt on next use."""
        if self._service is not None:
            self._service.close()
            self._service = None

    # -- reading --------------------------------------------------------------------------

    def calendars(self) -> list[Calendar]:
        """List the account's calendars from ``calendarList.list`` (all pages).

        Returns Calendar values named by ``summaryOverride`` or ``summary``, writable when the
        access role is owner or writer. Raises the ProviderError family.
        """
        api, found, page = self._api(), [], None
        while True:
            resp = self._execute(api.calendarList().list(pageToken=page))
            for entry in resp.get("items", []):
                found.append(Calendar(
                    account=self.name, id=entry["id"],
                    name=entry.get("summaryOverride") or entry.get("summary") or entry["id"],
                    writable=entry.get("accessRole") in ("owner", "writer"), url=""))
            page = resp.get("nextPageToken")
            if not page:
                return found

    def changes(self, calendar: Calendar, token: str | None, known: Mapping[str, str],
                window: Window) -> Changes:
        """Incremental sync with Google's sync token; a full sync when there is none.

        A full sync happens on the first call, when the token has expired (410) and when the
        window has moved past what the token covers; it returns ``full=True`` and no
        deletions. Raises the ProviderError family (``Gone`` if the calendar disappeared).
        """
        horizon, sync_token = parse_token(token)
        if sync_token and horizon is not None and window.end <= horizon:
            try:
                return self._incremental(calendar, sync_token, horizon)
            except Gone as exc:
                if exc.status != 410:
                    raise
                log.info("%s: sync token of %s expired; full resync", self.name, calendar.id)
        return self._full(calendar, window)

    def _full(self, calendar: Calendar, window: Window) -> Changes:
        horizon = window.end + self.window_slack
        events, sync_token = self._list(calendar, timeMin=rfc3339(window.start),
                                        timeMax=rfc3339(horizon))
        upserts = [item for ev in events if ev.get("status") != "cancelled"
                   for item in [self._item(calendar, ev)] if item is not None]
        log.debug("%s: full sync of %s: %d events", self.name, calendar.id, len(upserts))
        return Changes(upserts=upserts, token=make_token(horizon, sync_token), full=True)

    def _incremental(self, calendar: Calendar, sync_token: str, horizon: datetime) -> Changes:
        events, new_token = self._list(calendar, syncToken=sync_token)
        changes = Changes(token=make_token(horizon, new_token))
        for ev in events:
            if ev.get("status") == "cancelled":
                changes.deletions.append(ev["id"])
            else:
                item = self._item(calendar, ev)
                if item is not None:
                    changes.upserts.append(item)
        log.debug("%s: incremental sync of %s: %d changed, %d deleted", self.name,
                  calendar.id, len(changes.upserts), len(changes.deletions))
        return changes

    def _list(self, calendar: Calendar, **params: Any) -> tuple[list[dict], str | None]:
        """Follow events.list pages; return the events and the last page's nextSyncToken.

        At most ``MAX_OCCURRENCES`` instances of one series are kept (Google expands series
        on its side, as many as the window holds); removals always are.
        """
        api, events, page = self._api(), [], None
        per_series: Counter[str] = Counter()
        while True:
            resp = self._execute(api.events().list(
                calendarId=calendar.id, singleEvents=True, showDeleted=True,
                maxResults=self.page_size, pageToken=page, **params))
            for body in resp.get("items", []):
                series = body.get("recurringEventId")
                if series and body.get("status") != "cancelled":
                    per_series[series] += 1
                    if per_series[series] > MAX_OCCURRENCES:
                        continue
                events.append(body)
            page = resp.get("nextPageToken")
            if not page:
                for series in (s for s, n in per_series.items() if n > MAX_OCCURRENCES):
                    warn_once(calendar.id, series, "capped", "%s: recurring series %s in %s has "
                              "%d instances in the window; planning %d", self.name, series,
                              calendar.id, per_series[series], MAX_OCCURRENCES)
                return events, resp.get("nextSyncToken")

    def _item(self, calendar: Calendar, body: Mapping[str, Any]) -> Item | None:
        try:
            event = event_from_google(body, self.tz)
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("%s: skipping unreadable event %s in %s: %s", self.name,
                        body.get("id"), calendar.id, exc)
            return None
        event = event.located(self.name, calendar.id)
        return Item(href=event.href, etag=event.etag, events=(event,))

    # -- writing --------------------------------------------------------------------------

    def create(self, calendar: Calendar, artifact: Artifact) -> Item:
        """Insert the artifact as event ``<key>``; if it exists, return it as found.

        An event deleted earlier keeps its id on Google (a cancelled tombstone, so the insert
        answers 409 too); such a tombstone is restored with the artifact's content.
        Raises the ProviderError family.
        """
        events, body = self._api().events(), artifact_body(artifact)
        try:
            created = self._execute(events.insert(calendarId=calendar.id, body=body,
                                                  sendUpdates="none"))
            log.debug("%s: created %s %s in %s", self.name, artifact.kind, artifact.key,
                     calendar.id)
        except PreconditionFailed as exc:
            if exc.status != 409:
                raise
            created = self._execute(events.get(calendarId=calendar.id, eventId=artifact.key))
            if created.get("status") == "cancelled":
                log.info("%s: restoring deleted %s %s", self.name, artifact.kind, artifact.key)
                created = self._execute(events.update(
                    calendarId=calendar.id, eventId=artifact.key, body=body,
                    sendUpdates="none"), if_match=created.get("etag"))
        return self._required_item(calendar, created)

    def _update(self, calendar: Calendar, item: Item, artifact: Artifact) -> Item:
        updated = self._execute(self._api().events().update(
            calendarId=calendar.id, eventId=item.href, body=artifact_body(artifact),
            sendUpdates="none"), if_match=item.etag)
        log.debug("%s: updated %s %s in %s", self.name, artifact.kind, artifact.key, calendar.id)
        return self._required_item(calendar, updated)

    def _delete(self, calendar: Calendar, item: Item) -> None:
        try:
            self._execute(self._api().events().delete(
                calendarId=calendar.id, eventId=item.href, sendUpdates="none"),
                if_match=item.etag)
            log.debug("%s: deleted %s from %s", self.name, item.href, calendar.id)
        except Gone:
            log.debug("%s: %s was already gone from %s", self.name, item.href, calendar.id)

    def _required_item(self, calendar: Calendar, body: Mapping[str, Any]) -> Item:
        item = self._item(calendar, body)
        if item is None:
            raise ProviderError(f"Google returned an unreadable event {body.get('id')!r}",
                                account=self.name)
        return item


# -- errors -------------------------------------------------------------------------------

def map_http_error(exc: HttpError, account: str = "") -> ProviderError:
    """Turn a Calendar API error response into the matching syncd error.

    403 with a rate-limit reason and 429 are RateLimited (with Retry-After when sent), 5xx
    TransientError, 401 AuthError, 404/410 Gone, 409/412 PreconditionFailed (409 is
    "already exists"), any other status ProviderError carrying Google's reason.
    """
    status = int(exc.resp.status)
    reason, message = error_reason(exc.content)
    text = f"Google Calendar: HTTP {status} {reason or ''}: {message}".replace("  ", " ")
    if status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS):
        wait = retry_after_seconds(exc.resp.get("retry-after"), time.time())
        return RateLimited(text, status=status, retry_after=wait, account=account)
    if status >= 500:
        wait = retry_after_seconds(exc.resp.get("retry-after"), time.time())
        return TransientError(text, status=status, retry_after=wait, account=account)
    if status == 401:
        return AuthError(google_auth.sign_in_hint(account), status=status, account=account)
    if status in (404, 410):
        return Gone(text, status=status, account=account)
    if status in (409, 412):
        return PreconditionFailed(text, status=status, account=account)
    return ProviderError(text, status=status, account=account)


def error_reason(content: bytes | str | None) -> tuple[str | None, str]:
    """Return (reason, message) from Google's JSON error body; (None, "") if it has none."""
    try:
        err = json.loads(content or b"{}").get("error", {})
    except (ValueError, AttributeError):
        return None, ""
    if not isinstance(err, dict):
        return None, str(err)
    details = err.get("errors") or [{}]
    return details[0].get("reason"), str(err.get("message", ""))


# -- conversions --------------------------------------------------------------------------

def rfc3339(value: datetime) -> str:
    """An aware datetime as the RFC 3339 UTC timestamp Google's time filters need."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_token(horizon: datetime, sync_token: str | None) -> str | None:
    """Wrap Google's sync token with the end of the window it covers."""
    if not sync_token:
        return None
    return f"{TOKEN_PREFIX}:{int(horizon.timestamp())}:{sync_token}"


def parse_token(token: str | None) -> tuple[datetime | None, str | None]:
    """Undo :func:`make_token`; (None, None) for anything else (a full sync follows)."""
    parts = (token or "").split(":", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1].isdigit():
        return None, None
    return datetime.fromtimestamp(int(parts[1]), timezone.utc), parts[2]


def _when(value: Mapping[str, Any], tz: ZoneInfo) -> tuple[datetime, bool]:
    """An EventDateTime as an aware datetime; all-day dates at midnight in ``tz``."""
    if value.get("dateTime"):
        moment = datetime.fromisoformat(value["dateTime"])
        return (moment if moment.tzinfo else moment.replace(tzinfo=tz)), False
    day = date.fromisoformat(value["date"])
    return datetime.combine(day, dtime(0), tzinfo=tz), True


def _recurrence_id(body: Mapping[str, Any]) -> str | None:
    original = body.get("originalStartTime")
    if not body.get("recurringEventId") or not original:
        return None
    if original.get("dateTime"):
        return format_recurrence_id(datetime.fromisoformat(original["dateTime"]))
    return format_recurrence_id(date.fromisoformat(original["date"]))


def _marker(body: Mapping[str, Any]) -> Marker | None:
    private = (body.get("extendedProperties") or {}).get("private") or {}
    kind, source, key = (private.get(k) for k in (MARK_KIND, MARK_SOURCE, MARK_KEY))
    if kind and source and key and body.get("id") == key:
        return Marker(kind=kind, source=source, key=key)
    return None


def event_from_google(body: Mapping[str, Any], tz: ZoneInfo) -> Event:
    """Convert one Google event (an instance when expanded) into an Event.

    Raises KeyError/ValueError when the start or end is missing or malformed.
    """
    start, all_day = _when(body["start"], tz)
    end, _ = _when(body["end"], tz)
    attendees = tuple(
        Attendee(email=a.get("email", ""), name=a.get("displayName", ""),
                 partstat=PARTSTAT.get(a.get("responseStatus", ""), "NEEDS-ACTION"))
        for a in body.get("attendees", []) if a.get("email"))
    return Event(
        uid=body.get("iCalUID") or body["id"], start=start, end=end,
        summary=body.get("summary", ""), description=body.get("description", ""),
        location=body.get("location", ""),
        organizer=(body.get("organizer") or {}).get("email", ""), attendees=attendees,
        organizer_name=str((body.get("organizer") or {}).get("displayName", ""))[:200],
        tzid=str(body["start"].get("timeZone", "") if not all_day else ""),
        all_day=all_day, status=STATUS.get(body.get("status", "confirmed"), "CONFIRMED"),
        transparent=body.get("transparency") == "transparent",
        recurrence_id=_recurrence_id(body), href=body["id"], etag=body.get("etag", ""),
        marker=_marker(body))


def artifact_body(artifact: Artifact) -> dict[str, Any]:
    """The Google event resource for an artifact: id ``<key>``, marker, no attendees."""
    minutes = sorted({min(MAX_REMINDER_MINUTES, max(0, int(a.before.total_seconds() // 60)))
                      for a in artifact.alarms})[:MAX_REMINDERS]
    return {
        "id": artifact.key,
        "summary": artifact.summary,
        "description": artifact.description,
        "location": artifact.location,
        "start": {"dateTime": rfc3339(artifact.start)},
        "end": {"dateTime": rfc3339(artifact.end)},
        "status": "confirmed",
        "transparency": "transparent" if artifact.transparent else "opaque",
        "reminders": {"useDefault": False,
                      "overrides": [{"method": "popup", "minutes": m} for m in minutes]},
        "extendedProperties": {"private": {
            MARK_KIND: artifact.kind, MARK_SOURCE: artifact.source, MARK_KEY: artifact.key}},
    }
