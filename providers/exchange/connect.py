"""Connecting to Exchange with exchangelib, and turning its failures into syncd errors.

The connection is configured explicitly whenever the config allows it (``service_endpoint``
or ``server``, ``auth_type``, ``version``): exchangelib then sends no probing requests.
``autodiscover = true`` runs discovery once and keeps what it found (endpoint, auth type,
version) in the provider's cache, which the state persists, so later starts connect directly.

exchangelib's default retry policy (``FaultTolerance``) sleeps through throttling and outages
for up to an hour inside one call. syncd uses ``FailFast`` instead: a refusal comes straight
back as an error, the shared retry policy (:mod:`syncd.retry`) decides about waiting, and an
account that stays throttled is retried next cycle while the others go on.

exchangelib logs request headers (the ``Authorization`` header included) at DEBUG and on
some errors; its loggers are therefore kept quiet, whatever the daemon's log level.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import requests
from exchangelib import DELEGATE, Account, Configuration, Credentials, EWSTimeZone, FailFast
from exchangelib import errors as ews
from exchangelib.autodiscover.discovery import Autodiscovery
from exchangelib.autodiscover.protocol import AutodiscoverProtocol
from exchangelib.transport import BASIC, NTLM
from exchangelib.version import Build, Version

from syncd.errors import (
    AuthError, Gone, PreconditionFailed, ProviderError, RateLimited, SyncTokenInvalid,
    TransientError,
)
from syncd.secrets import resolve_password

T = TypeVar("T")
AUTH_TYPES = {"ntlm": NTLM, "basic": BASIC}
VERSIONS = {
    "Exchange2010": Build(14, 0), "Exchange2010_SP1": Build(14, 1), "Exchange2010_SP2": Build(14, 2),
    "Exchange2013": Build(15, 0), "Exchange2013_SP1": Build(15, 0, 847),
    "Exchange2016": Build(15, 1), "Exchange2019": Build(15, 2),
}
CACHE_KEYS = ("ews_endpoint", "ews_auth_type", "ews_version")
# exchangelib opens one connection and adds more up to this when a request waits for one: a
# request abandoned at the cycle's deadline (still stuck in the server) then blocks nothing.
MAX_CONNECTIONS = 4
TRANSIENT = (ews.ErrorInternalServerTransientError, ews.ErrorTimeoutExpired,
             ews.ErrorTooManyObjectsOpened, ews.ErrorMailboxStoreUnavailable,
             ews.ErrorMailboxMoveInProgress, ews.ErrorConnectionFailed, ews.MalformedResponseError,
             ews.SOAPError, ews.TransportError, ews.ErrorExceededConnectionCount,
             requests.exceptions.RequestException, ConnectionError, TimeoutError)
GONE = (ews.ErrorItemNotFound, ews.ErrorFolderNotFound, ews.ErrorCalendarOccurrenceIsDeletedFromRecurrence)

for _name in ("exchangelib", "requests_ntlm", "ntlm_auth", "spnego"):
    logging.getLogger(_name).setLevel(logging.CRITICAL + 1)


def connect(account: Mapping[str, Any], tz: ZoneInfo, cache: dict[str, str], timeout: float) -> Account:
    """An exchangelib Account for the config table ``account``.

    Raises ProviderError for an unusable configuration, AuthError for a missing password,
    and the translated error of a failed autodiscovery.
    """
    name, email = str(account.get("name", "")), str(account.get("email", ""))
    credentials = Credentials(str(account.get("username") or email), _password(account))
    zone = EWSTimeZone(tz.key)
    config = _explicit(account, cache, credentials)
    if config is None:
        _bound_autodiscovery(timeout)
        probe = Configuration(credentials=credentials, retry_policy=FailFast(), max_connections=MAX_CONNECTIONS)
        found = guarded(name, lambda: Account(email, config=probe, autodiscover=True,
                                              access_type=DELEGATE, default_timezone=zone))
        protocol = found.protocol
        cache.update(ews_endpoint=protocol.service_endpoint, ews_auth_type=str(protocol.auth_type),
                     ews_version=_version_name(protocol.version))
        config = _explicit(account, cache, credentials)
        assert config is not None
    ews_account = Account(email, config=config, autodiscover=False, access_type=DELEGATE,
                          default_timezone=zone)
    ews_account.protocol.TIMEOUT = timeout
    return ews_account


def _bound_autodiscovery(timeout: float) -> None:
    """Bound every step of autodiscovery: HTTP requests and DNS look-ups (exchangelib's own
    defaults are class attributes fixed at import)."""
    limit = min(timeout, AutodiscoverProtocol.TIMEOUT)
    AutodiscoverProtocol.TIMEOUT = limit
    Autodiscovery.DNS_RESOLVER_ATTRS = {**Autodiscovery.DNS_RESOLVER_ATTRS, "timeout": limit / 2.5}
    Autodiscovery.DNS_RESOLVER_LIFETIME = limit


def _password(account: Mapping[str, Any]) -> str:
    password = resolve_password(account)
    if password is None:
        raise AuthError("no password configured: set password_command, password_env, "
                        "password_credential or password", account=str(account.get("name", "")))
    return password


def _explicit(account: Mapping[str, Any], cache: Mapping[str, str],
              credentials: Credentials) -> Configuration | None:
    """The explicit Configuration, or None when only autodiscovery can tell the endpoint."""
    endpoint = account.get("service_endpoint") or None
    server = account.get("server") or None
    if not endpoint and not server:
        if not cache.get("ews_endpoint"):
            if not account.get("autodiscover", True):
                raise ProviderError("set service_endpoint or server, or autodiscover = true",
                                    account=str(account.get("name", "")))
            return None
        endpoint = cache["ews_endpoint"]
    return Configuration(
        service_endpoint=endpoint, server=None if endpoint else server, credentials=credentials,
        auth_type=_auth_type(account, cache), version=_version(account, cache),
        retry_policy=FailFast(), max_connections=MAX_CONNECTIONS)


def _auth_type(account: Mapping[str, Any], cache: Mapping[str, str]) -> str:
    configured = str(account.get("auth_type") or "").lower()
    if configured:
        if configured not in AUTH_TYPES:
            raise ProviderError(f"auth_type {configured!r} is not one of: {', '.join(AUTH_TYPES)}",
                                account=str(account.get("name", "")))
        return AUTH_TYPES[configured]
    return cache.get("ews_auth_type") or NTLM


def _version(account: Mapping[str, Any], cache: Mapping[str, str]) -> Version | None:
    text = str(account.get("version") or cache.get("ews_version") or "")
    if not text:
        return None
    if text not in VERSIONS:
        raise ProviderError(f"version {text!r} is not one of: {', '.join(VERSIONS)}",
                            account=str(account.get("name", "")))
    return Version(build=VERSIONS[text])


def _version_name(version: Version | None) -> str:
    if version is None:
        return ""
    build = version.build
    best = ""
    for name, candidate in VERSIONS.items():
        if candidate <= build:
            best = name
    return best


def translate(exc: BaseException, account: str) -> ProviderError:
    """The syncd error for an exchangelib (or requests) failure; never includes credentials."""
    kind = type(exc).__name__
    if isinstance(exc, ews.ErrorServerBusy):
        reraised = str(exc).startswith(("Reraised from", "Caused by"))
        wait = None if reraised or exc.back_off is None else float(exc.back_off)
        return RateLimited(f"Exchange is busy ({'connection trouble' if reraised else 'throttled'})",
                           retry_after=wait, account=account)
    if isinstance(exc, ews.UnauthorizedError):
        return AuthError("Exchange refused the credentials (HTTP 401): check username, "
                         "password and auth_type", status=401, account=account)
    if isinstance(exc, ews.ErrorInvalidSyncStateData):
        return SyncTokenInvalid("Exchange refused the sync state", account=account)
    if isinstance(exc, ews.ErrorIrresolvableConflict):
        return PreconditionFailed("the item changed on Exchange since it was read", account=account)
    if isinstance(exc, GONE):
        return Gone(f"Exchange: {kind}", status=404, account=account)
    if isinstance(exc, ews.RedirectError):
        return ProviderError(f"Exchange redirected to {exc.url}: set service_endpoint to it",
                             account=account)
    if isinstance(exc, TRANSIENT):
        return TransientError(f"Exchange did not answer properly ({kind})", account=account)
    if isinstance(exc, OSError):
        return TransientError(f"connection to Exchange failed ({kind})", account=account)
    return ProviderError(f"Exchange refused the request: {kind}", account=account)


def guarded(account: str, fn: Callable[[], T]) -> T:
    """Run ``fn``; whatever exchangelib or the network raises leaves as a syncd error."""
    try:
        return fn()
    except ProviderError:
        raise
    except (ews.EWSError, requests.exceptions.RequestException, OSError) as exc:
        raise translate(exc, account) from None
