"""Google sign-in for syncd: the installed-app OAuth flow and the stored token file.

The token file holds google-auth's authorized-user JSON (``Credentials.to_json()``), which
includes the refresh token, so it is only ever written with mode 0600, through a temporary
file and an atomic rename. Nothing here logs or prints a token.

Scopes, and why each is needed:

- ``calendar.events``: read events and create, change and delete the events syncd owns
  (buffers, travel blocks, conflict markers). It grants no access to calendar settings,
  sharing or the calendar list.
- ``calendar.readonly``: ``calendarList.list``, to find the account's calendars and their
  access roles; ``calendar.events`` does not cover the calendar list, and the read-only
  scope is the narrowest one that does without granting any write access beyond events.
- ``gmail.compose``, only when the account is the follow-up draft sink
  (``followup.sink = "account:NAME"``): create, update, read and delete drafts. It cannot read
  the mailbox's other messages.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials

from syncd.errors import AuthError, ProviderError, TransientError
from syncd.secrets import write_private

log = logging.getLogger(__name__)

SCOPES = (
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.readonly",
)
DRAFTS_SCOPE = "https://www.googleapis.com/auth/gmail.compose"

# The loopback address the console flow asks Google to redirect to. Nothing listens there:
# the user copies the address the browser failed to open and pastes it back.
CONSOLE_REDIRECT = "http://127.0.0.1:1/"


def sign_in_hint(account_name: str) -> str:
    """The sentence shown whenever a new sign-in is needed."""
    return f"sign-in expired: run `syncd auth {account_name}`"


def token_path(account: Mapping[str, Any]) -> Path:
    """Return the expanded ``token_file`` of an account. Raises AuthError when unset."""
    value = account.get("token_file")
    if not value:
        raise AuthError(f"account {account.get('name', '')!r} has no token_file",
                        account=str(account.get("name", "")))
    return Path(os.path.expanduser(str(value)))


def load_credentials(account: Mapping[str, Any]) -> Credentials:
    """Load an account's stored credentials.

    Takes the account's config mapping; returns google-auth user credentials whose
    ``token_uri`` is the account's ``token_uri`` override if it has one (tests, proxies).
    Raises AuthError, with the ``syncd auth`` hint, when the file is missing or unusable.
    """
    name = str(account.get("name", ""))
    path = token_path(account)
    try:
        creds = Credentials.from_authorized_user_file(str(path))
    except FileNotFoundError:
        raise AuthError(f"not signed in: run `syncd auth {name}`", account=name) from None
    except (OSError, ValueError, KeyError):
        # The message of these errors can quote file content: don't pass it on.
        raise AuthError(f"{path} is not a usable token file: run `syncd auth {name}`",
                        account=name) from None
    override = account.get("token_uri")
    if override:
        copied = creds.with_token_uri(str(override))
        copied.expiry = creds.expiry  # the copy would otherwise never expire
        creds = copied
    return creds


def save_credentials(creds: Credentials, path: Path) -> None:
    """Write ``creds`` to ``path`` with mode 0600, atomically.

    Keys already in the file that the credentials do not carry are kept, so a refresh never
    loses information. Raises OSError when the file cannot be written.
    """
    data: dict[str, Any] = {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data.update(json.loads(creds.to_json()))
    write_private(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


class TokenKeeper:
    """Writes an account's credentials back whenever google-auth has refreshed them."""

    def __init__(self, account: Mapping[str, Any], creds: Credentials):
        self.name = str(account.get("name", ""))
        self.path = token_path(account)
        self.creds = creds
        self._saved = creds.token

    def save_if_refreshed(self) -> None:
        """Persist the credentials if their access token changed since the last save.

        A failed write is logged and tried again after the next request: the refresh token
        in the file stays valid, so nothing is lost meanwhile.
        """
        if not self.creds.token or self.creds.token == self._saved:
            return
        try:
            save_credentials(self.creds, self.path)
        except OSError as exc:
            log.warning("%s: cannot write the refreshed token to %s: %s", self.name, self.path,
                        exc.strerror)
            return
        self._saved = self.creds.token
        log.info("%s: refreshed Google access token saved to %s", self.name, self.path)


def refresh_failed(account_name: str, exc: RefreshError) -> ProviderError:
    """Turn a failed refresh into the error users see (never quoting any token).

    Google's token endpoint failing (5xx, which google-auth marks retryable) is transient;
    a refused grant (``invalid_grant``: revoked, expired, password changed) needs a new
    sign-in, and so does anything else the endpoint refuses.
    """
    if getattr(exc, "retryable", False):
        log.warning("%s: Google token endpoint unavailable", account_name)
        return TransientError("Google's token endpoint is unavailable", account=account_name)
    reason = "refused" if "invalid_grant" in str(exc) else "failed"
    log.warning("%s: Google token refresh %s", account_name, reason)
    return AuthError(sign_in_hint(account_name), account=account_name)


def authorize(account: Mapping[str, Any], console: bool = False,
              prompt: Callable[[str], str] = input,
              say: Callable[[str], None] = print, drafts: bool = False) -> Path:
    """Run Google's installed-app sign-in for an account and store the token (mode 0600).

    Takes the account's config mapping (``client_secrets``, ``token_file``); with ``console``
    the user opens the sign-in address on any machine and pastes back the address the
    browser ends on (for headless servers), otherwise a browser is opened and a loopback
    server on a free port receives the answer. ``prompt``/``say`` are the console's input and
    output; ``drafts`` also asks for ``gmail.compose`` (the account keeps the follow-up drafts).
    Returns the token file's path. Raises AuthError when the client secrets are
    missing or the sign-in fails.
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    name = str(account.get("name", ""))
    secrets = account.get("client_secrets")
    if not secrets:
        raise AuthError(f"account {name!r} needs client_secrets (the OAuth client JSON "
                        "downloaded from Google Cloud) to sign in", account=name)
    path = token_path(account)
    try:
        flow = InstalledAppFlow.from_client_secrets_file(
            os.path.expanduser(str(secrets)), scopes=[*SCOPES, *([DRAFTS_SCOPE] if drafts else [])])
    except (OSError, ValueError) as exc:
        raise AuthError(f"cannot read client_secrets {secrets}: {exc}", account=name) from None
    try:
        creds = _console_flow(flow, prompt, say) if console else flow.run_local_server(
            port=0, open_browser=_have_browser())
    except AuthError:
        raise
    except Exception as exc:  # oauthlib raises many unrelated types; none carries a token
        raise AuthError(f"Google sign-in failed: {type(exc).__name__}", account=name) from None
    save_credentials(creds, path)
    log.info("%s: Google sign-in stored in %s", name, path)
    return path


def _have_browser() -> bool:
    # Without one, run_local_server prints the address instead (reachable by SSH forwarding).
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def _console_flow(flow: Any, prompt: Callable[[str], str],
                  say: Callable[[str], None]) -> Credentials:
    flow.redirect_uri = CONSOLE_REDIRECT
    url, state = flow.authorization_url(prompt="consent")
    say("Open this address in a browser on any machine and allow access:\n\n"
        f"    {url}\n\nThe browser then fails to open a page on 127.0.0.1; copy the "
        "address it shows and paste it here.")
    answer = prompt("Address (or code): ").strip()
    code = answer
    if "://" in answer or answer.startswith("127.0.0.1"):
        query = parse_qs(urlsplit(answer).query)
        if query.get("state", [state])[0] != state:
            raise AuthError("the pasted address belongs to another sign-in attempt")
        if "error" in query:
            raise AuthError(f"Google refused the sign-in: {query['error'][0]}")
        code = query.get("code", [""])[0]
    if not code:
        raise AuthError("no authorization code in the pasted text")
    flow.fetch_token(code=code)
    return flow.credentials
