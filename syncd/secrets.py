"""Passwords and tokens: where they come from, how they are stored, and keeping them out of logs.

An account's password comes from exactly one of ``password_command`` (an argv list run without
a shell), ``password_env`` (an environment variable), ``password_credential`` (a systemd
credential, ``$CREDENTIALS_DIRECTORY/NAME``, from ``LoadCredential=``) or an inline
``password`` (which :mod:`syncd.config` allows only in a file nobody else can read).

Every value resolved here is remembered by :func:`remember`, so that :class:`RedactingFilter`
can scrub it from any log line, as a second line of defence behind code that never logs it.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from syncd.errors import AuthError

COMMAND_TIMEOUT = 30.0  # seconds a password_command may take (a keyring may ask to unlock)
MIN_REDACTED = 3  # shorter values would blank out ordinary words; no real secret is this short
REDACTED = "[redacted]"

_known: set[str] = set()
_lock = threading.Lock()

# Credentials that can turn up in text from libraries and servers, whatever their value.
_PATTERNS = (
    (re.compile(r"(?i)\b((?:proxy-)?authorization\s*[:=]\s*)[^\r\n]*"), r"\1" + REDACTED),
    # a scheme and a token-like word (one with a digit or punctuation, so not "Basic auth")
    (re.compile(r"\b(Bearer|Basic|NTLM|Negotiate|bearer)(\s+)(?=[\w.~+/=-]*[\d.~+/=_-])"
                r"[\w.~+/=-]{8,}"), r"\1\2" + REDACTED),
    (re.compile(r"(?i)([\"']?(?:access_token|refresh_token|id_token|client_secret|password)[\"']?"
                r"\s*[:=]\s*[\"']?)[^\"'\s,&}]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@"), r"\1" + REDACTED + "@"),
)


class SecretError(AuthError):
    """An account's password could not be obtained; names the account and the source, never a value."""


def resolve_password(account: Mapping[str, Any]) -> str | None:
    """Return the password of an account config, or None when it names no source.

    Sources, first match wins: ``password_command``, ``password_env``, ``password_credential``,
    ``password``. Raises :class:`SecretError` naming the account and what went wrong (the
    command's argv[0], the variable, the credential), never the command's output.
    """
    name = str(account.get("name", ""))
    if account.get("password_command"):
        value = _from_command(name, [str(a) for a in account["password_command"]])
    elif account.get("password_env"):
        value = _from_env(name, str(account["password_env"]))
    elif account.get("password_credential"):
        value = _from_credential(name, str(account["password_credential"]))
    elif account.get("password") is not None:
        value = str(account["password"])
    else:
        return None
    remember_password(account, value)
    return value


def remember_password(account: Mapping[str, Any], value: str) -> None:
    """Remember an account's password and the forms it travels in: HTTP Basic sends
    base64("username:password"), which a server may echo back bare, without its scheme."""
    remember(value)
    user = str(account.get("username") or account.get("email") or "")
    for encoding in ("utf-8", "latin-1"):
        try:
            pair = f"{user}:{value}".encode(encoding)
        except UnicodeEncodeError:
            continue
        token = base64.b64encode(pair).decode("ascii")
        remember(token)
        remember(token.rstrip("="))


def secret_from_command(account: str, argv: list[str], key: str = "password_command",
                        what: str = "password") -> str:
    """Run ``argv`` without a shell and return the first line it prints, remembered for redaction.

    ``key`` and ``what`` name the config key and the secret in messages. Raises
    :class:`SecretError` naming the account and argv[0], never the command's output.
    """
    value = _from_command(account, argv, key, what)
    remember(value)
    return value


def _from_command(account: str, argv: list[str], key: str = "password_command",
                  what: str = "password") -> str:
    where = f"account {account!r}: {key} {argv[0] if argv else '(empty)'}"
    if not argv:
        raise SecretError(f"{where}: the command is empty", account=account)
    import subprocess  # only for password_command: every process reads this module's filters

    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise SecretError(f"{where} did not finish within {COMMAND_TIMEOUT:.0f}s",
                          account=account) from None
    except OSError as exc:
        raise SecretError(f"{where} could not be run: {exc.strerror}", account=account) from None
    if done.returncode != 0:
        raise SecretError(f"{where} exited with status {done.returncode}", account=account)
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise SecretError(f"{where} printed no {what}", account=account)
    return lines[0]


def _from_env(account: str, variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise SecretError(f"account {account!r}: password_env names ${variable}, which is not set "
                          "(or empty) in syncd's environment", account=account)
    return value


def _from_credential(account: str, credential: str) -> str:
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    if not folder:
        raise SecretError(f"account {account!r}: password_credential {credential!r} needs "
                          "$CREDENTIALS_DIRECTORY: run syncd from a unit with "
                          f"LoadCredential={credential}:/path/to/secret", account=account)
    path = Path(folder) / credential
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SecretError(f"account {account!r}: password_credential {credential!r}: cannot read "
                          f"{path}: {exc.strerror}", account=account) from None
    if not lines or not lines[0]:
        raise SecretError(f"account {account!r}: password_credential {credential!r}: {path} is "
                          "empty", account=account)
    return lines[0]


def remember_config_secrets(accounts: Any) -> None:
    """Remember the secrets a config reveals without running anything, for redaction.

    Takes the config's accounts; inline passwords, set ``password_env`` variables and readable
    credentials are remembered; ``password_command`` is left until it is really needed.
    """
    for account in accounts:
        if account.get("password"):
            remember_password(account, str(account["password"]))
        if account.get("password_env") and os.environ.get(str(account["password_env"])):
            remember_password(account, os.environ[str(account["password_env"])])
        if account.get("password_credential"):
            try:
                remember_password(account, _from_credential(str(account.get("name", "")),
                                                            str(account["password_credential"])))
            except SecretError:
                pass  # reported when the account is synced


def remember(value: str) -> None:
    """Add ``value`` to the secrets that every log line is scrubbed of."""
    if len(value) >= MIN_REDACTED:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """``text`` with remembered secrets and credential-looking tokens replaced by [redacted]."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)  # longest first: one may contain another
    for value in known:
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class LibraryFilter(logging.Filter):
    """A handler filter that lets libraries' records through only from WARNING up.

    Naming their loggers is not enough: some (caldav among them) log a server's answer at INFO
    through the root logger itself. syncd's own loggers (``syncd``, ``providers``) pass at any
    level the root logger allows; ``verbose`` lets libraries' DEBUG and INFO through as well.
    """

    OWN = ("syncd", "providers", "__main__")

    def __init__(self, verbose: bool = False):
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        """True for syncd's records, and for a library's from WARNING up."""
        if self.verbose or record.levelno >= logging.WARNING:
            return True
        return record.name.split(".", 1)[0] in self.OWN


class RedactingFilter(logging.Filter):
    """A handler filter that scrubs secrets from the message and from any traceback text."""

    _traceback = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record's message and traceback now, redacted; always lets it through."""
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._traceback.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable and writable by the owner alone (0600).

    The parent folder is created with mode 0700 if missing. The data goes to a temporary file
    in the same folder, is flushed to disk, and replaces ``path`` by rename, so a reader sees
    the old content or the new, never a mix. Raises OSError.
    """
    import tempfile  # only to write a token or a secret: every process reads this module's filters

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
