"""Microsoft sign-in for syncd: msal's device-code flow, its token cache, or a token command.

``token_file`` holds msal's serialized token cache (refresh token included), so it is only ever
written with mode 0600, atomically, through :func:`syncd.secrets.write_private`, and only when
msal says it changed. ``token_command`` is the alternative for people who already have a token
source (``az account get-access-token --resource-type ms-graph --query accessToken -o tsv``):
the first line it prints is used as the bearer token. Nothing here logs or prints a token.

Delegated permissions, and why each is needed:

- ``Calendars.ReadWrite``: read the calendars and create, change and delete syncd's own events;
- ``User.Read``: the mailbox's own address, to see the owner's answer to an invitation;
- ``Mail.ReadWrite``: only for an account that is the follow-up draft sink, to keep drafts in
  its Drafts folder (never ``Mail.Send``: syncd sends nothing).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from syncd.errors import AuthError, ProviderError, TransientError
from syncd.secrets import remember, secret_from_command, write_private

log = logging.getLogger(__name__)

CALENDAR_SCOPES = ("Calendars.ReadWrite", "User.Read")
MAIL_SCOPES = ("Mail.ReadWrite",)
DEFAULT_AUTHORITY = "https://login.microsoftonline.com/"
# msal's answers that need the owner to sign in again, not a retry
SIGN_IN_ERRORS = {"invalid_grant", "interaction_required", "consent_required", "login_required",
                  "invalid_client", "unauthorized_client"}


def sign_in_hint(account_name: str) -> str:
    """The sentence shown whenever a new sign-in is needed."""
    return f"sign-in expired: run `syncd auth {account_name}`"


def scopes_for(draft_sink: bool) -> list[str]:
    """The delegated permissions to ask for at sign-in."""
    return list(CALENDAR_SCOPES + (MAIL_SCOPES if draft_sink else ()))


def authority_of(account: Mapping[str, Any]) -> str:
    """The sign-in endpoint: ``authority`` if set, else login.microsoftonline.com/<tenant>."""
    if account.get("authority"):
        return str(account["authority"]).rstrip("/")
    return DEFAULT_AUTHORITY + str(account.get("tenant") or "common")


class TokenSource:
    """Hands out bearer tokens for one account; ``invalidate`` after the API answered 401."""

    def token(self, scopes: tuple[str, ...] = CALENDAR_SCOPES) -> str:
        """A bearer token for ``scopes``. Raises AuthError, TransientError or ProviderError."""
        raise NotImplementedError

    def invalidate(self) -> None:
        """Forget the current token so that the next :meth:`token` gets a fresh one."""

    def refused(self, account_name: str) -> str:
        """What to tell the owner when Graph refuses even a fresh token."""
        return sign_in_hint(account_name)


class CommandSource(TokenSource):
    """``token_command``: run the command each time a token is needed after a refusal."""

    def __init__(self, account: Mapping[str, Any]):
        self.name = str(account.get("name", ""))
        self.argv = [str(a) for a in account["token_command"]]
        self._token: str | None = None

    def token(self, scopes: tuple[str, ...] = CALENDAR_SCOPES) -> str:
        """The command's first line of output (run once, again after :meth:`invalidate`)."""
        if self._token is None:
            self._token = secret_from_command(self.name, self.argv, "token_command", "token")
        return self._token

    def invalidate(self) -> None:
        """Run the command again next time (its token may have expired)."""
        self._token = None

    def refused(self, account_name: str) -> str:
        """The command's token is refused: signing in is the command's business."""
        return (f"Microsoft Graph refused the token printed by token_command {self.argv[0]}: "
                "check that it signs in to the right account and asks for Microsoft Graph")


class MsalSource(TokenSource):
    """The msal token cache in ``token_file``: silent refresh, written back when it changes."""

    def __init__(self, account: Mapping[str, Any]):
        self.name = str(account.get("name", ""))
        self.path = token_path(account)
        self.account = account
        self._app: Any = None
        self._force = False
        self._lock = threading.Lock()

    def _application(self) -> Any:
        if self._app is None:
            import msal

            cache = msal.SerializableTokenCache()
            try:
                cache.deserialize(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise AuthError(f"not signed in: run `syncd auth {self.name}`",
                                account=self.name) from None
            except (OSError, ValueError):
                # the error text could quote the file, which holds tokens: don't pass it on
                raise AuthError(f"{self.path} is not a usable token file: run "
                                f"`syncd auth {self.name}`", account=self.name) from None
            self._app = application(self.account, cache)
        return self._app

    def token(self, scopes: tuple[str, ...] = CALENDAR_SCOPES) -> str:
        """A token from the cache, refreshed silently when it is due (or was refused)."""
        with self._lock:
            app = self._application()
            accounts = app.get_accounts()
            if not accounts:
                raise AuthError(f"not signed in: run `syncd auth {self.name}`", account=self.name)
            result = _guarded(self.name, lambda: app.acquire_token_silent_with_error(
                list(scopes), accounts[0], force_refresh=self._force))
            self._force = False
            self._save(app.token_cache)
            return checked_token(self.name, result)

    def invalidate(self) -> None:
        """The next token comes from the token endpoint, not the cache."""
        self._force = True

    def _save(self, cache: Any) -> None:
        if not cache.has_state_changed:
            return
        try:
            write_private(self.path, cache.serialize())
            cache.has_state_changed = False
            log.info("%s: refreshed Microsoft token saved to %s", self.name, self.path)
        except OSError as exc:  # the refresh token in the file stays valid: try again later
            log.warning("%s: cannot write the token cache %s: %s", self.name, self.path,
                        exc.strerror)


def token_path(account: Mapping[str, Any]) -> Path:
    """The expanded ``token_file`` of an account. Raises AuthError when unset."""
    value = account.get("token_file")
    if not value:
        raise AuthError(f"account {account.get('name', '')!r} has neither token_file nor "
                        "token_command", account=str(account.get("name", "")))
    return Path(os.path.expanduser(str(value)))


def token_source(account: Mapping[str, Any]) -> TokenSource:
    """``token_command`` when the account has one, else the msal cache in ``token_file``."""
    return CommandSource(account) if account.get("token_command") else MsalSource(account)


def application(account: Mapping[str, Any], cache: Any) -> Any:
    """An msal public client for the account (this contacts the authority's discovery
    document). Raises ProviderError when the authority is unusable, TransientError when it
    cannot be reached."""
    import msal

    name = str(account.get("name", ""))
    custom = bool(account.get("authority"))
    return _guarded(name, lambda: msal.PublicClientApplication(
        str(account.get("client_id", "")), authority=authority_of(account), token_cache=cache,
        instance_discovery=False if custom else None))


def _guarded(name: str, call: Callable[[], Any]) -> Any:
    """Run an msal call; network failures become TransientError, a bad authority a
    ProviderError. msal's messages can quote server answers: only types are passed on."""
    import requests

    try:
        return call()
    except requests.exceptions.SSLError:
        raise ProviderError("TLS certificate of the Microsoft sign-in endpoint refused",
                            account=name) from None
    except requests.RequestException as exc:
        raise TransientError(f"Microsoft sign-in endpoint unreachable: {type(exc).__name__}",
                             account=name) from None
    except ValueError as exc:
        raise ProviderError(f"Microsoft sign-in endpoint refused the authority: "
                            f"{str(exc)[:200]}", account=name) from None


def checked_token(name: str, result: Mapping[str, Any] | None) -> str:
    """The access token of an msal result, or the error it calls for (never quoting tokens)."""
    if result and result.get("access_token"):
        remember(str(result["access_token"]))
        return str(result["access_token"])
    error = str((result or {}).get("error") or "no cached sign-in")
    if result is None or error in SIGN_IN_ERRORS:
        log.warning("%s: Microsoft token refresh refused (%s)", name, error)
        raise AuthError(sign_in_hint(name), account=name)
    log.warning("%s: Microsoft token endpoint failed (%s)", name, error)
    raise TransientError(f"Microsoft token endpoint failed: {error}", account=name)


def authorize(account: Mapping[str, Any], draft_sink: bool = False,
              say: Callable[[str], None] = print) -> Path:
    """Run the device-code sign-in for an account and store msal's cache (mode 0600).

    Takes the account's config mapping and whether it is the draft sink (then Mail.ReadWrite
    is asked for too); ``say`` shows the code and where to enter it, on any device. Returns
    the token file's path. Raises AuthError when the sign-in fails or is declined.
    """
    import msal

    name = str(account.get("name", ""))
    if account.get("token_command"):
        raise AuthError(f"account {name!r} uses token_command: nothing to sign in to",
                        account=name)
    path = token_path(account)
    cache = msal.SerializableTokenCache()
    if path.exists():
        try:
            cache.deserialize(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.info("%s: replacing the unreadable token file %s", name, path)
    app = application(account, cache)
    flow = _guarded(name, lambda: app.initiate_device_flow(scopes=scopes_for(draft_sink)))
    if "user_code" not in flow:
        raise AuthError(f"Microsoft refused to start the sign-in: {flow.get('error', 'unknown')}"
                        f" ({str(flow.get('error_description', ''))[:300]})", account=name)
    say(str(flow.get("message") or f"Open {flow.get('verification_uri')} and enter the code "
                                   f"{flow['user_code']}"))
    result = _guarded(name, lambda: app.acquire_token_by_device_flow(flow))
    if not result.get("access_token"):
        raise AuthError(f"Microsoft sign-in failed: {result.get('error', 'unknown')} "
                        f"({str(result.get('error_description', ''))[:300]})", account=name)
    write_private(path, cache.serialize())
    log.info("%s: Microsoft sign-in stored in %s", name, path)
    return path
