"""The transport side of the CalDAV adapter: the DAV client and its errors.

:func:`to_provider_error` is the one place where HTTP statuses, ``caldav`` exceptions and
network failures become :mod:`syncd.errors`; :func:`guard` applies it around a block.
Messages name the HTTP status and what was being done, and never a password.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from syncd.errors import (
    AuthError, Gone, PreconditionFailed, ProviderError, RateLimited, TransientError,
)

if TYPE_CHECKING:
    from caldav import DAVClient

# caldav (and niquests under it) are imported where a client is made or its errors are read:
# an idle sync that providers.caldav.wire answers never loads them.

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30  # seconds per request: long enough for a 500-item multiget


class HTTPStatusError(Exception):
    """A raw DAV response we sent ourselves came back with an error status."""

    def __init__(self, status: int, retry_after: str | None = None, body: str = ""):
        from caldav.lib import error as dav_error

        self.status = status
        self.retry_after = retry_after
        self.preconditions = dav_error.parse_preconditions(body)
        super().__init__(f"HTTP {status}")


def timeout_seconds(value: Any, default: float = DEFAULT_TIMEOUT) -> int:
    """A timeout from the config (a timedelta, or seconds), at least one second."""
    if value is None:
        return int(default)
    seconds = value.total_seconds() if hasattr(value, "total_seconds") else float(value)
    return max(1, int(seconds))


def make_client(account: Mapping[str, Any], password: str | None) -> DAVClient:
    """Build the DAV client for an account config (no request is sent yet).

    Besides the documented keys it understands ``auth_type`` ("basic", "digest", "bearer":
    send credentials at once instead of after a 401) and ``timeout`` (a duration or seconds).
    """
    from caldav import DAVClient

    url = str(account["url"])
    return DAVClient(
        url=url,
        username=account.get("username") or None,
        password=password,
        auth_type=account.get("auth_type"),  # None: negotiate on the first 401
        ssl_verify_cert=bool(account.get("verify_tls", True)),
        timeout=timeout_seconds(account.get("timeout")),
        # A bare domain may be discovered (RFC 6764); a full URL is used as given.
        enable_rfc6764="://" not in url,
        # Rate limits are honoured by the daemon's one retry policy, not by sleeping here.
        rate_limit_handle=False,
    )


def check_status(response: Any) -> None:
    """Raise :class:`HTTPStatusError` for a DAV response with a status of 400 or more."""
    status = int(getattr(response, "status", 0) or 0)
    if status >= 400:
        headers = getattr(response, "headers", {}) or {}
        raw = getattr(response, "_raw", b"") or b""
        body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise HTTPStatusError(status, headers.get("Retry-After"), body)


@contextlib.contextmanager
def guard(account: str, what: str, secret: str | None = None) -> Iterator[None]:
    """Run a block of DAV calls; turn whatever it raises into a :class:`ProviderError`."""
    try:
        yield
    except ProviderError:
        raise
    except Exception as exc:  # every failure of the transport, mapped in one place
        raise to_provider_error(exc, account=account, what=what, secret=secret) from exc


def to_provider_error(exc: BaseException, *, account: str, what: str,
                      secret: str | None = None) -> ProviderError:
    """Map any exception of the DAV transport onto the :mod:`syncd.errors` hierarchy.

    401 -> AuthError; TLS verification -> ProviderError; refused connections, timeouts, 423
    and 5xx -> TransientError; 429 (and 503 with Retry-After) -> RateLimited; 404/410 -> Gone;
    412 -> PreconditionFailed. ``secret`` is scrubbed from the message in case a server
    echoed it.
    """
    from caldav.lib.http_sync import requests as http_lib

    status, retry_after = _status_of(exc)
    if status is not None:
        err = _from_status(status, retry_after, account, what)
    elif _is_tls_failure(exc):
        err = ProviderError(f"{what}: the server's certificate is not trusted (set verify_tls "
                            "= false only for a server you trust)", account=account)
    elif isinstance(exc, (http_lib.exceptions.Timeout, TimeoutError)):
        err = TransientError(f"{what}: the server did not answer in time", account=account)
    elif isinstance(exc, (http_lib.exceptions.ConnectionError, ConnectionError, OSError)):
        err = TransientError(f"{what}: cannot reach the server ({_short(exc)})", account=account)
    else:
        err = ProviderError(f"{what}: unexpected answer from the server "
                            f"({type(exc).__name__})", account=account)
    if secret and secret in str(err):
        err.args = (str(err).replace(secret, "***"),)
    return err


def _from_status(status: int, retry_after: float | None, account: str, what: str) -> ProviderError:
    text = f"{what}: HTTP {status}"
    if status == 401:
        return AuthError(f"check username and password ({text})", status=status, account=account)
    if status == 403:
        return ProviderError(f"{text}: the server refused access", status=status, account=account)
    if status in (404, 410):
        return Gone(f"{text}: it no longer exists", status=status, account=account)
    if status == 412:
        return PreconditionFailed(f"{text}: it changed on the server", status=status, account=account)
    if status == 429 or (status == 503 and retry_after is not None):
        wait = "" if retry_after is None else f", retry after {retry_after:g}s"
        return RateLimited(f"{text}: the server asks to slow down{wait}", status=status,
                           retry_after=retry_after, account=account)
    if status == 423:  # RFC 4918 11.3: locked, e.g. by another write under way (Xandikos)
        return TransientError(f"{text}: the server is busy with another write", status=status,
                              account=account)
    if status >= 500 or status == 408:
        return TransientError(f"{text}: server error", status=status, account=account)
    return ProviderError(f"{text}: the server refused the request", status=status, account=account)


def _status_of(exc: BaseException) -> tuple[int | None, float | None]:
    from caldav.lib import error as dav_error

    if isinstance(exc, HTTPStatusError):
        retry = dav_error.parse_retry_after(exc.retry_after) if exc.retry_after else None
        return exc.status, retry
    if isinstance(exc, dav_error.RateLimitError):
        return exc.status or 429, exc.retry_after_seconds
    if isinstance(exc, dav_error.NotFoundError):
        return exc.status or 404, None
    if isinstance(exc, dav_error.DAVError) and exc.status:
        return int(exc.status), None
    return None, None


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):  # the cause chain of a failed request: a few wrappers deep
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen) or "certificate verify failed" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _short(exc: BaseException) -> str:
    text = str(exc).split("\n")[0]
    if "refused" in text.lower():
        return "connection refused"
    return (text[:120] + "...") if len(text) > 120 else (text or type(exc).__name__)


def preconditions_of(exc: BaseException) -> list[str]:
    """The DAV:error precondition tags a failed request carried (empty if none)."""
    return list(getattr(exc, "preconditions", None) or [])


def redact_url(url: str) -> str:
    """A URL without any user:password@ part, for log lines and messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()
