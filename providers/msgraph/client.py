"""The one place that talks HTTP to Microsoft Graph and turns its answers into syncd errors.

Every request carries ``Prefer: outlook.timezone="UTC"`` (times come back in UTC) and
``outlook.body-content-type="text"``; at most :data:`MAX_IN_FLIGHT` requests per mailbox are in
flight at once (Graph throttles a mailbox from four concurrent requests). A 401 gets one fresh
token and one more try. Links the server hands back (``@odata.nextLink``/``deltaLink``) are
followed only on the configured endpoint's origin, so a token never goes anywhere else. The
client does not retry: the core's retry policy does, honouring ``Retry-After``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from providers.msgraph.auth import CALENDAR_SCOPES, TokenSource, sign_in_hint
from syncd.errors import (
    AuthError, Gone, PreconditionFailed, ProviderError, RateLimited, SyncTokenInvalid,
    TransientError,
)
from syncd.retry import retry_after_seconds

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://graph.microsoft.com/v1.0/"
MAX_IN_FLIGHT = 4
PREFER = 'outlook.timezone="UTC", outlook.body-content-type="text"'
RESYNC_CODES = {"syncstatenotfound", "syncstateinvalid", "resyncrequired"}
MAX_ANSWER = 32 * 1024 * 1024  # bytes; one page of events is far smaller
MAX_PAGES = 10_000  # pages of one listing or delta round: a million events at 100 a page

_limits: dict[str, threading.BoundedSemaphore] = {}
_limits_lock = threading.Lock()


def mailbox_limit(mailbox: str) -> threading.BoundedSemaphore:
    """The semaphore shared by every client of one mailbox in this process."""
    with _limits_lock:
        return _limits.setdefault(mailbox, threading.BoundedSemaphore(MAX_IN_FLIGHT))


class GraphClient:
    """Authenticated JSON requests against one mailbox's Graph endpoint."""

    def __init__(self, account: str, endpoint: str, tokens: TokenSource, timeout: float,
                 mailbox: str):
        self.account = account
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.origin = _origin(self.endpoint)
        self.tokens = tokens
        self.timeout = timeout
        self.limit = mailbox_limit(mailbox)
        self.session = requests.Session()

    def close(self) -> None:
        """Drop pooled connections."""
        self.session.close()

    def url(self, path_or_url: str) -> str:
        """An absolute URL on the endpoint. Raises ProviderError for a link to anywhere else."""
        if "://" not in path_or_url:
            return self.endpoint + path_or_url.lstrip("/")
        if _origin(path_or_url) != self.origin:
            raise ProviderError(f"Graph sent a link to another host ({_origin(path_or_url)}); "
                                "not following it", account=self.account)
        return path_or_url

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                body: Any = None, headers: Mapping[str, str] | None = None,
                scopes: tuple[str, ...] = CALENDAR_SCOPES, raw: bool = False) -> Any:
        """Send one request; return the JSON answer (None for 204), or with ``raw`` the body's
        bytes. Raises the ProviderError family: RateLimited/TransientError, AuthError, Gone,
        PreconditionFailed, SyncTokenInvalid."""
        url = self.url(path)
        for attempt in (1, 2):
            status, retry_after, content = self._send(method, url, params, body, headers, scopes)
            if status != 401:
                break
            self.tokens.invalidate()
            if attempt == 2:
                raise AuthError(self.tokens.refused(self.account), status=401, account=self.account)
        if status >= 400:
            raise map_error(status, content, retry_after, self.account)
        if raw:
            return content
        if status == 204 or not content:
            return None
        try:
            return json.loads(content)
        except ValueError:
            raise TransientError(f"Graph answered HTTP {status} with a body that is not JSON",
                                 status=status, account=self.account) from None

    def _send(self, method: str, url: str, params: Mapping[str, str] | None, body: Any,
              headers: Mapping[str, str] | None,
              scopes: tuple[str, ...]) -> tuple[int, str | None, bytes]:
        """One exchange: (status, Retry-After, body), the body read within the size cap."""
        token = self.tokens.token(scopes)
        extra = dict(headers or {})
        prefer = ", ".join(p for p in (PREFER, extra.pop("Prefer", "")) if p)
        all_headers = {"Authorization": f"Bearer {token}", "Prefer": prefer,
                       "Accept": "application/json", **extra}
        if not self.limit.acquire(timeout=self.timeout):
            raise TransientError(f"{MAX_IN_FLIGHT} requests to this mailbox are still in flight",
                                 account=self.account)
        try:
            with self.session.request(method, url, params=params, json=body,
                                      headers=all_headers, timeout=self.timeout,
                                      allow_redirects=False, stream=True) as resp:
                content = self._read(resp)
        except requests.exceptions.SSLError as exc:
            raise ProviderError(f"TLS certificate refused: {type(exc).__name__}",
                                account=self.account) from None
        except requests.RequestException as exc:
            raise TransientError(f"connection to Microsoft Graph failed: {type(exc).__name__}",
                                 account=self.account) from None
        finally:
            self.limit.release()
        log.debug("%s: %s %s -> %s", self.account, method, urlsplit(url).path, resp.status_code)
        return resp.status_code, resp.headers.get("Retry-After"), content

    def _read(self, resp: requests.Response) -> bytes:
        """The body, refused past :data:`MAX_ANSWER` bytes or past the timeout in total."""
        deadline = time.monotonic() + self.timeout
        chunks, size = [], 0
        for chunk in resp.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_ANSWER:
                raise ProviderError(f"Graph answered with more than {MAX_ANSWER} bytes; refusing",
                                    account=self.account)
            if time.monotonic() > deadline:
                raise TransientError("Graph's answer took too long to arrive", account=self.account)
            chunks.append(chunk)
        return b"".join(chunks)

    def pages(self, path: str, params: Mapping[str, str] | None = None,
              headers: Mapping[str, str] | None = None,
              scopes: tuple[str, ...] = CALENDAR_SCOPES) -> Iterator[dict[str, Any]]:
        """Yield each page of a collection, following ``@odata.nextLink`` to the end."""
        page = self.request("GET", path, params=params, headers=headers, scopes=scopes)
        for _ in range(MAX_PAGES):
            yield page
            link = page.get("@odata.nextLink")
            if not link:
                return
            page = self.request("GET", str(link), headers=headers, scopes=scopes)
        raise ProviderError(f"Graph kept sending pages past {MAX_PAGES}; giving up",
                            account=self.account)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def error_of(content: bytes | None) -> tuple[str, str]:
    """(code, message) of Graph's JSON error body; ("", "") when it has none."""
    try:
        err = json.loads(content or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        return "", ""
    if not isinstance(err, dict):
        return "", ""
    return str(err.get("code") or ""), str(err.get("message") or "")[:300]


def map_error(status: int, content: bytes | None, retry_after: str | None,
              account: str = "") -> ProviderError:
    """Turn a Graph error answer into the matching syncd error.

    429 is RateLimited and 5xx TransientError (both with Retry-After when sent); 401 AuthError
    with the ``syncd auth`` hint; 403 a ProviderError that names the missing consent; 404
    Gone; 410 and the delta codes (syncStateNotFound, resyncRequired) SyncTokenInvalid;
    409/412 PreconditionFailed; anything else a ProviderError with Graph's code.
    """
    code, message = error_of(content)
    text = f"Microsoft Graph: HTTP {status} {code}: {message}".replace("  ", " ").rstrip(": ")
    wait = retry_after_seconds(retry_after, time.time())
    if status == 429:
        return RateLimited(text, status=status, retry_after=wait, account=account)
    if status >= 500:
        return TransientError(text, status=status, retry_after=wait, account=account)
    if status == 401:
        return AuthError(sign_in_hint(account), status=status, account=account)
    if status == 410 or code.lower() in RESYNC_CODES:
        return SyncTokenInvalid(text, status=status, account=account)
    if status == 403:
        return ProviderError(text + " (the app lacks a permission: ask the tenant's admin to "
                             "grant consent, see the README)", status=status, account=account)
    if status == 404:
        return Gone(text, status=status, account=account)
    if status in (409, 412):
        return PreconditionFailed(text, status=status, account=account)
    return ProviderError(text, status=status, account=account)
