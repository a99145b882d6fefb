"""The connection side of the CalDAV adapter: the library's client and the quick one.

:class:`Connection` holds how one account reaches its server: the ``caldav`` library's
client, made on first use, and :class:`providers.caldav.wire.Link`, the standard library's
client that a first sync, an idle sync and the artifacts' writes go through while the server
behaves (:mod:`providers.caldav.quick`); how the server wants credentials is kept in the
account's cache so that the next process knows it. Any write's error is worded by
:func:`providers.caldav.http.to_provider_error` whichever client sent it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from providers.base import Provider
from providers.caldav import wire
from providers.caldav.http import guard, make_client, redact_url, timeout_seconds
from syncd.errors import ProviderError
from syncd.secrets import resolve_password

if TYPE_CHECKING:
    from caldav import DAVClient

# caldav and niquests are loaded only when the library's client is made.

log = logging.getLogger(__name__)

CACHE_AUTH = "caldav.auth"  # how the server asked for credentials last time, and for which account
AUTH_SCHEMES = {"HTTPBasicAuth": "basic", "HTTPDigestAuth": "digest", "HTTPBearerAuth": "bearer"}
CACHE_ONE_WRITE = "caldav.one-write-at-a-time"  # the server answered 423 to writes side by side
QUICK_SCHEMES = (None, "none", "basic", "bearer", "digest")  # None: not known yet, ask


class Connection(Provider):
    """How one CalDAV account reaches its server (the calendar semantics are the subclass's)."""

    def __init__(self, account: Mapping[str, Any], tz: ZoneInfo, cache: dict[str, str] | None = None):
        super().__init__(account, tz, cache)
        self._client: DAVClient | None = None
        self._secret: str | None = None
        self._connecting = threading.Lock()
        self._quick: wire.Link | None = None
        # The quick client declined a read: the library does the rest of this sync; a read the
        # library then completes (it has learnt the sign-in) lets the quick client try again.
        self._declined = False

    @property
    def client(self) -> DAVClient:
        """The DAV client, built on first use (the password is read only then)."""
        if self._client is None:
            with self._connecting:  # writes may ask from several threads at once
                if self._client is None:
                    self._client = self._connect()
        return self._client

    def _connect(self) -> DAVClient:
        client = make_client(self.account, self._password())
        log.debug("%s: connecting to %s as %s", self.name,
                  redact_url(str(self.account.get("url", ""))), self.account.get("username"))
        self._warn_unverified()
        return client

    def _password(self) -> str | None:
        """The account's password (None when the config names no source), read once per
        process: a ``password_command`` may ask a keyring or a gpg agent, and neither client
        makes it ask twice."""
        if self._secret is None:
            self._secret = resolve_password(self.account)
        return self._secret

    def _warn_unverified(self) -> None:
        if not self.account.get("verify_tls", True):
            log.warning("%s: verify_tls is off: the server's certificate is not checked",
                        self.name)

    @property
    def writes_in_flight(self) -> int:  # type: ignore[override]
        """Four: each write is one conditional PUT or DELETE of its own (the quick client opens a
        connection per request; the library's niquests session is thread-safe), so latency, not
        the server, bounds writes made one by one. One for a server that refused writes side
        by side."""
        return 1 if self.cache.get(CACHE_ONE_WRITE) else 4

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """``_guard`` for a write. A server that answers 423 (Locked) to writes side by side
        (Xandikos does, while another write holds its store) gets one at a time from now on;
        the write itself is retried by the core's retry policy."""
        try:
            with self._guard(what):
                yield
        except ProviderError as exc:
            if exc.status == 423 and not self.cache.get(CACHE_ONE_WRITE):
                log.info("%s: the server refuses writes side by side (HTTP 423); writing one "
                         "at a time from now on", self.name)
                self.cache[CACHE_ONE_WRITE] = "1"
            raise

    def _guard(self, what: str) -> Any:
        """``providers.caldav.http.guard`` for this account; reads the password first so that it
        is known and can be scrubbed from any message."""
        return guard(self.name, what, self._password())

    def _send(self, method: str, url: str, body: str | None, headers: dict[str, str]) -> Any:
        """One write (PUT or DELETE), through the quick client when it can, else through the
        library. Returns the answer's ``status``, ``headers`` and ``_raw`` body, an error status
        included (``check_status`` words it as for the library's answers); a failure without an
        answer, a redirect or a 401 go to the library, which sends the write again."""
        link = self._link()
        if link is not None:
            try:
                with link.open(method, url, body.encode() if body is not None else None,
                               headers) as answer:
                    return SimpleNamespace(status=answer.status, headers=answer.headers, _raw=b"")
            except wire.Declined as exc:
                if exc.status is not None and exc.status >= 400 and exc.status != 401:
                    return SimpleNamespace(status=exc.status, headers=exc.headers, _raw=exc.body)
                log.debug("%s: the quick %s declined (%s); asking the library", self.name,
                          method, exc)
        if method == "DELETE":
            return self.client.delete(url, headers)
        return self.client.put(url, body, headers)

    def close(self) -> None:
        """Close the HTTP session."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _fingerprint(self) -> str:
        keys = ("url", "username", "calendars", "write_calendar")
        relevant = {k: self.account.get(k) for k in keys}
        return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


    def _link(self) -> wire.Link | None:
        """The standard library's client for this account (:mod:`providers.caldav.quick`), or
        None when the library must do it: a bare domain to discover (RFC 6764), a sign-in the
        quick path does not do, or it declined a read once already in this process."""
        url = str(self.account.get("url", ""))
        scheme = self._auth_scheme()
        if self._declined or "://" not in url or scheme not in QUICK_SCHEMES:
            return None
        if self._quick is None:
            password = (self._password() if scheme != "none" else self._secret) or ""
            self._warn_unverified()
            self._quick = wire.Link(url, scheme, (str(self.account.get("username") or ""),
                                                  password),
                                    bool(self.account.get("verify_tls", True)),
                                    timeout_seconds(self.account.get("timeout")))
        return self._quick

    def _decline(self, what: str, exc: wire.Declined) -> None:
        log.debug("%s: the quick %s declined (%s); asking the library", self.name, what, exc)
        self._declined = True
        self._quick = None  # made again, with the sign-in the library learns

    def _remember_auth(self) -> None:
        """Keep how the library, or else the quick client, signed in ("none" when the server
        never asked), after a read that worked; the quick client may try again from now on."""
        self._declined = False
        self._keep_scheme()

    def _auth_scheme(self) -> str | None:
        """How the server asked for credentials when the library last signed in (or how the
        config says to send them); None when not known yet."""
        configured = self.account.get("auth_type")
        if configured:
            return str(configured)
        try:
            known = json.loads(self.cache.get(CACHE_AUTH, ""))
        except ValueError:
            return None
        if not isinstance(known, dict) or known.get("for") != self._fingerprint():
            return None
        return str(known["scheme"]) if known.get("scheme") in ("basic", "digest", "bearer", "none") else None

    def _keep_scheme(self) -> None:
        if self._client is not None:
            auth = getattr(self._client, "auth", None)
            scheme = "none" if auth is None else AUTH_SCHEMES.get(type(auth).__name__)
        elif self._quick is not None:
            scheme = self._quick.scheme
        else:
            return
        if scheme is not None:
            self.cache[CACHE_AUTH] = json.dumps({"scheme": scheme, "for": self._fingerprint()})
