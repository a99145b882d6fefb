"""The fake Google Calendar v3 server: HTTP, OAuth, fault injection and the request log.

Start it with ``FakeGoogleCalendar().start()`` (it binds 127.0.0.1 on a free port) and stop
it with ``stop()``. Every request is recorded (method, path, query, body, and whether it
carried ``If-Match``; never the ``Authorization`` header). API requests need
``Authorization: Bearer <token>`` with a token the fake issued (``access_token``, or one from
its token endpoint at ``token_uri``), else 401 as Google answers an expired token.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from tests.fakes.google import gmail, recurrence
from tests.fakes.google.discovery import DOCUMENT, Discovery, Route
from tests.fakes.google.errors import ApiError
from tests.fakes.google.listing import Lister
from tests.fakes.google.store import Store
from tests.fakes.http import QuietHandler, Served, answer, basic_credentials, hang_up, take

CLIENT_ID = "fake-client.apps.googleusercontent.com"
CLIENT_SECRET = "fake-client-secret"
_DISCOVERY: Discovery | None = None
_GMAIL: Discovery | None = None
CALENDAR_SCOPES = ("https://www.googleapis.com/auth/calendar.events",
                   "https://www.googleapis.com/auth/calendar.readonly")


def discovery() -> Discovery:
    """The parsed discovery document, loaded once per process."""
    global _DISCOVERY
    if _DISCOVERY is None:
        _DISCOVERY = Discovery()
    return _DISCOVERY


def gmail_discovery() -> Discovery:
    """Gmail v1's discovery document (drafts), loaded once per process."""
    global _GMAIL
    if _GMAIL is None:
        _GMAIL = Discovery(DOCUMENT.with_name("gmail.v1.json"))
    return _GMAIL


@dataclass
class Recorded:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    if_match: str | None = None
    method_id: str | None = None
    status: int | None = None


@dataclass
class Fault:
    """A fault applied to the next ``remaining`` API requests."""

    kind: str  # "error" | "slow" | "drop"
    remaining: int
    status: int = 0
    reason: str = ""
    retry_after: str | None = None
    seconds: float = 0.0


@dataclass
class OAuthState:
    """The token endpoint's view: issued tokens, the refresh token, the grant switch."""

    access_tokens: set[str] = field(default_factory=set)
    token_scopes: dict[str, set[str]] = field(default_factory=dict)
    refresh_token: str = "1//fake-refresh-" + secrets.token_urlsafe(12)
    auth_codes: set[str] = field(default_factory=set)
    code_scopes: dict[str, str] = field(default_factory=dict)  # what the user consented to
    invalid_grant: bool = False
    token_requests: list[dict[str, str]] = field(default_factory=list)


class FakeGoogleCalendar(Served):
    """A Calendar v3 server for one user, with switches for the faults Google shows."""

    def __init__(self, page_size: int = 250):
        self.store = Store()
        self.gmail = gmail.Mailbox()
        self.lister = Lister(self.store)
        self.lister.page_limit = page_size
        self.oauth = OAuthState()
        self.access_token = self.issue_access_token()
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []

    @property
    def url(self) -> str:
        """The server's root, ``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_endpoint(self) -> str:
        """The value for an account's ``api_endpoint``."""
        return self.url + "calendar/v3/"

    @property
    def token_uri(self) -> str:
        """The OAuth token endpoint (refresh and authorization-code grants)."""
        return self.url + "token"

    # -- test helpers (no HTTP) -------------------------------------------------------------

    def add_calendar(self, calendar_id: str, summary: str, **kw: Any) -> dict[str, Any]:
        """Add a calendar to the user's list (``access_role``, ``primary``, ``summary_override``)."""
        with self.store.lock:
            return self.store.add_calendar(calendar_id, summary, **kw)

    def seed_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store a user's event directly, as another client would; returns the stored resource.

        ``body`` may carry ``recurringEventId`` and ``originalStartTime`` to add an exception.
        """
        with self.store.lock:
            cal = self.store.calendar(calendar_id)
            if "recurringEventId" not in body:
                return self.store.insert(cal, body, direct=True)
            master = self.store.get(cal, body["recurringEventId"])
            original, all_day = recurrence.parse_when(body.get("originalStartTime"),
                                                      "originalStartTime", cal.tz)
            instance_id = f"{master['id']}_{recurrence.instance_suffix(original, all_day)}"
            return self.store.replace(cal, instance_id, body, None)

    def modify_event(self, calendar_id: str, event_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Patch a stored event directly (a user's edit elsewhere); new etag and sequence."""
        with self.store.lock:
            return self.store.patch(self.store.calendar(calendar_id), event_id, changes, None)

    def remove_event(self, calendar_id: str, event_id: str) -> None:
        """Delete an event directly (it becomes a cancelled tombstone)."""
        with self.store.lock:
            self.store.delete(self.store.calendar(calendar_id), event_id, None)

    def events_of(self, calendar_id: str) -> list[dict[str, Any]]:
        """The stored resources of a calendar, tombstones included (copies)."""
        with self.store.lock:
            return [copy.deepcopy(s.body) for s in self.store.calendar(calendar_id).events.values()]

    def expire_sync_tokens(self) -> None:
        """Make every issued sync token answer 410 fullSyncRequired."""
        with self.store.lock:
            self.lister.expire_sync_tokens()

    def set_page_size(self, size: int) -> None:
        """Serve at most ``size`` entries per page, whatever ``maxResults`` asks."""
        self.lister.page_limit = size

    def issue_access_token(self, scopes: str | None = None) -> str:
        """Create an access token the API accepts, for ``scopes`` (space-separated; default:
        the calendar scopes and gmail.compose)."""
        token = "ya29.fake-" + secrets.token_urlsafe(16)
        self.oauth.access_tokens.add(token)
        self.oauth.token_scopes[token] = set((scopes or " ".join((*CALENDAR_SCOPES, gmail.COMPOSE))).split())
        return token

    def revoke_access_tokens(self) -> None:
        """Expire every access token (the next API call answers 401 until refreshed)."""
        self.oauth.access_tokens.clear()

    def issue_auth_code(self, scope: str | None = None) -> str:
        """An authorization code the token endpoint will exchange once, for the ``scope`` the
        user consented to (space-separated; default: the calendar scopes)."""
        code = "4/fake-" + secrets.token_urlsafe(8)
        self.oauth.auth_codes.add(code)
        if scope:
            self.oauth.code_scopes[code] = scope
        return code

    def fail_next(self, count: int, status: int, reason: str = "",
                  retry_after: str | None = None) -> None:
        """Answer the next ``count`` API requests with an error in Google's shape."""
        default = {403: "rateLimitExceeded", 429: "rateLimitExceeded", 500: "backendError",
                   503: "backendError"}.get(status, "error")
        self.faults.append(Fault("error", count, status, reason or default, retry_after))

    def slow_next(self, count: int, seconds: float) -> None:
        """Delay the next ``count`` API answers by ``seconds``."""
        self.faults.append(Fault("slow", count, seconds=seconds))

    def drop_next(self, count: int) -> None:
        """Close the connection without answering the next ``count`` API requests."""
        self.faults.append(Fault("drop", count))

    def api_requests(self, method_id: str | None = None) -> list[Recorded]:
        """Recorded API requests (not token requests), optionally of one method id."""
        return [r for r in self.requests if r.method_id and (method_id is None or r.method_id == method_id)]

    def take_fault(self) -> Fault | None:
        """Consume one unit of the first pending fault."""
        return take(self.faults, self.store.lock)

    # -- OAuth --------------------------------------------------------------------------------

    def token_grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The token endpoint: refresh_token and authorization_code grants."""
        with self.store.lock:
            self.oauth.token_requests.append({k: v for k, v in form.items()
                                              if k in ("grant_type", "client_id", "scope")})
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
            grant = form.get("grant_type")
            if grant == "refresh_token":
                if self.oauth.invalid_grant or form.get("refresh_token") != self.oauth.refresh_token:
                    return 400, {"error": "invalid_grant",
                                 "error_description": "Token has been expired or revoked."}
                return 200, self._token_answer(form.get("scope"), with_refresh=False)
            if grant == "authorization_code":
                if form.get("code") not in self.oauth.auth_codes:
                    return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
                self.oauth.auth_codes.discard(form["code"])
                granted = self.oauth.code_scopes.pop(form["code"], None) or form.get("scope")
                return 200, self._token_answer(granted, with_refresh=True)
            return 400, {"error": "unsupported_grant_type"}

    def _token_answer(self, scope: str | None, with_refresh: bool) -> dict[str, Any]:
        answer = {"access_token": self.issue_access_token(scope), "expires_in": 3599,
                  "token_type": "Bearer",
                  "scope": scope or "https://www.googleapis.com/auth/calendar.events "
                                    "https://www.googleapis.com/auth/calendar.readonly"}
        if with_refresh:
            answer["refresh_token"] = self.oauth.refresh_token
        return answer

    # -- API dispatch -------------------------------------------------------------------------

    def dispatch(self, route: Route, params: dict[str, str], query: dict[str, list[str]],
                 body: Any, if_match: str | None) -> tuple[int, Any]:
        """Run one validated API request against the store; returns (status, JSON or None)."""
        store, name = self.store, route.method_id.removeprefix("calendar.")
        with store.lock:
            if name == "calendarList.list":
                return 200, self.lister.calendar_list(query)
            cal = store.calendar(params["calendarId"])
            if name == "events.list":
                return 200, self.lister.events(cal, query)
            if name == "events.get":
                return 200, store.get(cal, params["eventId"])
            store.require_writer(cal)
            if name == "events.insert":
                return 200, store.insert(cal, body)
            if name == "events.update":
                return 200, store.replace(cal, params["eventId"], body, if_match)
            if name == "events.patch":
                return 200, store.patch(cal, params["eventId"], body, if_match)
            if name == "events.delete":
                store.delete(cal, params["eventId"], if_match)
                return 204, None
        raise ApiError(501, "notImplemented", f"The fake does not implement {route.method_id}")


def _basic_auth(header: str) -> dict[str, str]:
    """Client credentials sent as HTTP Basic (client_secret_basic), which Google accepts too."""
    found = basic_credentials(header)
    if found is None:
        return {}
    return {"client_id": unquote_plus(found[0]), "client_secret": unquote_plus(found[1])}


class _Handler(QuietHandler):
    fake: FakeGoogleCalendar

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = Recorded(self.command, parts.path, query, None, self.headers.get("If-Match"))
        with self.fake.store.lock:
            self.fake.requests.append(record)
        if parts.path == "/token" and self.command == "POST":
            form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            form.update(_basic_auth(self.headers.get("Authorization", "")))
            status, answer = self.fake.token_grant(form)
            return self._send(record, status, json.dumps(answer).encode())
        try:
            record.body = json.loads(raw) if raw else None
        except ValueError:
            return self._send(record, 400, ApiError(400, "parseError", "Parse Error").body())
        if self._apply_fault(record):
            return
        try:
            status, answer = self._api(record, parts.path, query)
        except ApiError as exc:
            return self._send(record, exc.status, exc.body(), exc.headers)
        self._send(record, status, b"" if answer is None else json.dumps(answer).encode())

    def _api(self, record: Recorded, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        doc = gmail_discovery() if path.startswith("/gmail/") else discovery()
        route, params = doc.match(self.command, path)
        record.method_id = route.method_id
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.fake.oauth.access_tokens:
            raise ApiError(401, "authError", "Invalid Credentials", location="Authorization",
                           headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})
        doc.check_query(route, query)
        doc.check_body(route, record.body)
        if doc is not discovery():
            with self.fake.store.lock:
                return gmail.dispatch(self.fake.gmail, route.method_id, params, query, record.body,
                                      self.fake.oauth.token_scopes.get(auth[7:], set()),
                                      route.desc.get("scopes", []))
        return self.fake.dispatch(route, params, query, record.body, record.if_match)

    def _apply_fault(self, record: Recorded) -> bool:
        fault = self.fake.take_fault()
        if fault is None:
            return False
        record.method_id = "fault"
        if fault.kind == "slow":
            time.sleep(fault.seconds)
            return False
        if fault.kind == "drop":
            hang_up(self)
            return True
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        message = {"rateLimitExceeded": "Rate Limit Exceeded",
                   "userRateLimitExceeded": "User Rate Limit Exceeded"}.get(fault.reason, "Backend Error")
        domain = "usageLimits" if "Limit" in fault.reason else "global"
        self._send(record, fault.status, ApiError(fault.status, fault.reason, message, domain).body(),
                   headers)
        return True

    def _send(self, record: Recorded, status: int, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        record.status = status
        answer(self, status, body, "application/json; charset=UTF-8", headers)


FakeGoogleCalendar.handler = _Handler
