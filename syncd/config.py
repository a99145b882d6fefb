"""The config file: one schema, every problem reported at once, frozen values out.

``SCHEMA`` gives each key its type, default and a line of help; ``load`` parses TOML with
``tomllib``, checks every key against the schema and raises :class:`ConfigError` listing each
problem with the file, the dotted key, the value and what was expected.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncd import config_checks
from syncd.errors import ConfigError, ConfigProblem

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
PROVIDER_TYPES = ("local", "caldav", "google", "exchange", "msgraph")


def parse_duration(text: str) -> timedelta:
    """Parse ``"90s"``, ``"15m"``, ``"2h"``, ``"30d"`` or ``"1w"``; raise ValueError otherwise."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(text)
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True)
class Key:
    """One key of the schema: a checker that converts the TOML value, a default, a help line."""

    check: Callable[[Any], Any]
    expected: str
    default: Any = None
    required: bool = False


def _duration(value: Any) -> timedelta:
    return parse_duration(value)


def _path(value: Any) -> Path:
    if not isinstance(value, str) or not value:
        raise ValueError(value)
    return Path(os.path.expandvars(value)).expanduser()


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(value)
    return tuple(value)


def _regexes(value: Any) -> tuple[str, ...]:
    patterns = _strings(value)
    for p in patterns:
        re.compile(p)
    return patterns


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def _minutes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 60:
        raise ValueError(value)
    return value


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(value)
    return float(value)


def _zone(value: Any) -> ZoneInfo:
    try:
        return ZoneInfo(_string(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(value) from exc


def _places(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ValueError(value)
    return {str(k): _minutes(v) for k, v in value.items()}


def _percent(value: Any) -> float:
    """``"50%"`` -> 0.5 (from 0% to 500%)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", value) if isinstance(value, str) else None
    if not match or float(match.group(1)) > 500:
        raise ValueError(value)
    return float(match.group(1)) / 100


def _durations(value: Any) -> tuple[timedelta, ...]:
    return tuple(parse_duration(v) for v in _strings(value))


def _listen(value: Any) -> tuple[str, int]:
    """``"127.0.0.1:8737"`` -> (host, port); port 0 picks a free one; an empty host is refused."""
    host, sep, port = _string(value).rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(value)
    return host, int(port)


def _url(value: Any) -> str:
    text = _string(value)
    if not re.fullmatch(r"https?://[^/\s]+/[^/\s?#]+", text):
        raise ValueError(value)
    return text


LANGUAGES = ("auto", "en", "de", "fr", "es")


def _language(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in LANGUAGES:
        raise ValueError(value)
    return value.lower()


def _argv(value: Any) -> tuple[str, ...]:
    argv = _strings(value)
    if not argv:
        raise ValueError(value)
    return argv


DURATION = "a duration such as \"90s\", \"15m\", \"2h\" or \"30d\""
SCHEMA: dict[str, dict[str, Key]] = {
    "daemon": {
        "state_dir": Key(_path, "a path", "~/.local/state/syncd"),
        "poll_interval": Key(_duration, DURATION, "5m"),
        "horizon": Key(_duration, DURATION, "30d"),
        "timezone": Key(_zone, "an IANA time zone such as \"Europe/Berlin\"", None),
    },
    "interviews": {
        "self": Key(_strings, "a list of the owner's e-mail addresses", []),
        "threshold": Key(_fraction, "a number from 0 to 1", 0.5),
        "include": Key(_regexes, "a list of valid regular expressions", []),
        "exclude": Key(_regexes, "a list of valid regular expressions", []),
    },
    "buffers": {
        "before": Key(_duration, DURATION, "15m"),
        "after": Key(_duration, DURATION, "10m"),
    },
    "travel": {
        "default_minutes": Key(_minutes, "whole minutes from 0 to 1440", 30),
        "remind_before": Key(_duration, DURATION, "10m"),
        "return_trip": Key(_bool, "true or false", True),
        "places": Key(_places, "a table of location substring = minutes", {}),
    },
    "conflicts": {
        "flag_in_calendar": Key(_bool, "true or false", True),
        "include_all_day": Key(_bool, "true or false", False),
        "quote_other_accounts": Key(_bool, "true or false", False),
    },
    "followup": {
        "grace": Key(_duration, DURATION, "2h"),
        "max_age": Key(_duration, DURATION, "3d"),
        "drafts_dir": Key(_path, "a path", "~/.local/share/syncd/drafts"),
        "templates_dir": Key(_path, "a path", "~/.config/syncd/templates"),
        "from": Key(_string, "a From address such as \"Alex Doe <alex@example.com>\"", ""),
        "sink": Key(_string, "\"maildir\", \"imap\" or \"account:NAME\"", "maildir"),
        "language": Key(_language, "\"auto\" or a language code: en, de, fr, es", "auto"),
    },
    "ask": {
        "after": Key(_duration, DURATION, "15m"),
        "ntfy": Key(_url, "an ntfy topic URL such as \"https://ntfy.example.org/TOPIC\"", None),
        "ntfy_token_env": Key(_string, "the name of an environment variable holding an ntfy token", None),
        "desktop": Key(_bool, "true or false", False),
    },
    "web": {
        "listen": Key(_listen, "host:port such as \"127.0.0.1:8737\"", "127.0.0.1:8737"),
        "enabled": Key(_bool, "true or false", True),
    },
    "learn": {
        "enabled": Key(_bool, "true or false", True),
        "period": Key(_duration, DURATION, "60d"),
        "alarms": Key(_durations, "a list of durations such as [\"1d\", \"2h\", \"30m\"]",
                      ["1d", "2h", "30m"]),
        "extra": Key(_percent, "a percentage such as \"50%\"", "50%"),
    },
}

_COMMON = {
    "name": Key(_string, "a unique account name", required=True),
    "type": Key(_string, "one of " + ", ".join(PROVIDER_TYPES), required=True),
    "calendars": Key(_strings, "a list of calendar names", []),
    "write_calendar": Key(_string, "a calendar name", ""),
    "poll_interval": Key(_duration, DURATION, None),
    "timeout": Key(_duration, DURATION, "60s"),
    "deadline": Key(_duration, DURATION, "90s"),
}
_PASSWORD = {
    "password": Key(_string, "a password (only in a file readable by its owner alone)", None),
    "password_env": Key(_string, "the name of an environment variable", None),
    "password_command": Key(_argv, "a command as a list of strings", None),
    "password_credential": Key(_string, "the name of a systemd credential", None),
}
def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise ValueError(value)
    return value


def _tls(value: Any) -> str:
    if value not in ("ssl", "starttls", "none"):
        raise ValueError(value)
    return str(value)


# Tables inside a section: [followup.imap].
SUBTABLES: dict[str, dict[str, dict[str, Key]]] = {
    "followup": {"imap": {
        "host": Key(_string, "the IMAP server's host name", ""),
        "port": Key(_port, "a TCP port (default 993 with tls = \"ssl\", else 143)", None),
        "username": Key(_string, "the IMAP user name", ""),
        "tls": Key(_tls, "\"ssl\", \"starttls\" or \"none\" (none only for a loopback host)", "ssl"),
        "folder": Key(_string, "the drafts mailbox, such as \"Drafts\"", "Drafts"),
        **_PASSWORD,
    }},
}
ACCOUNT_SCHEMA: dict[str, dict[str, Key]] = {
    "local": {"path": Key(_path, "a path to a folder of calendars", required=True)},
    "caldav": {
        "url": Key(_string, "the CalDAV server URL", required=True),
        "username": Key(_string, "a user name", ""),
        "verify_tls": Key(_bool, "true or false", True),
        **_PASSWORD,
    },
    "google": {
        "client_secrets": Key(_path, "the OAuth client JSON from Google Cloud", None),
        "token_file": Key(_path, "a path for the stored token", required=True),
        "api_endpoint": Key(_string, "a URL ending in /calendar/v3/", None),
        "token_uri": Key(_string, "the OAuth token endpoint URL", None),
    },
    "exchange": {
        "email": Key(_string, "the mailbox address", required=True),
        "username": Key(_string, "a user name", ""),
        "service_endpoint": Key(_string, "the EWS URL", None),
        "server": Key(_string, "the server host name", None),
        "autodiscover": Key(_bool, "true or false", True),
        "auth_type": Key(_string, "\"ntlm\" or \"basic\"", "ntlm"),
        "version": Key(_string, "an Exchange version such as \"Exchange2016\"", None),
        "tentative_busy": Key(_bool, "true or false", True),
        **_PASSWORD,
    },
    "msgraph": {
        "client_id": Key(_string, "the application (client) id of the app registered in "
                                  "Entra ID", None),
        "tenant": Key(_string, "a tenant id or domain, or \"common\" / \"organizations\" / "
                               "\"consumers\"", "common"),
        "token_file": Key(_path, "a path for msal's token cache", None),
        "token_command": Key(_argv, "a command as a list of strings that prints an access token",
                             None),
        "api_endpoint": Key(_string, "a URL ending in /v1.0/", None),
        "authority": Key(_string, "the sign-in endpoint URL (https)", None),
    },
}


@dataclass(frozen=True)
class Config:
    """A validated config. Sections are dicts of converted values; accounts a tuple of dicts."""

    path: Path
    daemon: dict[str, Any]
    interviews: dict[str, Any]
    buffers: dict[str, Any]
    travel: dict[str, Any]
    conflicts: dict[str, Any]
    followup: dict[str, Any]
    accounts: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    ask: dict[str, Any] = field(default_factory=lambda: section_defaults("ask"))
    web: dict[str, Any] = field(default_factory=lambda: section_defaults("web"))
    learn: dict[str, Any] = field(default_factory=lambda: section_defaults("learn"))
    warnings: tuple[ConfigProblem, ...] = ()  # what will run, but likely not as meant

    @property
    def tz(self) -> ZoneInfo:
        """The zone for floating and all-day values: the configured one or the system's."""
        return self.daemon["timezone"] or system_zone()

    def account(self, name: str) -> dict[str, Any]:
        """The account table called ``name``; KeyError if there is none."""
        for acc in self.accounts:
            if acc["name"] == name:
                return acc
        raise KeyError(name)


def section_defaults(name: str) -> dict[str, Any]:
    """Every key of a schema section at its default value."""
    return {key: _default(spec) for key, spec in SCHEMA[name].items()}


def system_zone() -> ZoneInfo:
    """The system's zone: $TZ, /etc/timezone, the /etc/localtime link, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        candidates.append(target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "")
    except OSError:
        pass
    for name in candidates:
        try:
            if name:
                return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def default_path() -> Path:
    """``$XDG_CONFIG_HOME/syncd/config.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "syncd" / "config.toml"


def load(path: Path) -> Config:
    """Read and validate ``path``. Raises ConfigError with every problem found."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(where, "(file)", None, "the config file does not exist")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem(where, "(file)", None, f"cannot be read: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem(where, "(syntax)", None, f"is not valid TOML: {exc}")]) from None
    return validate(data, path)


def validate(data: dict[str, Any], path: Path) -> Config:
    """Validate parsed TOML against the schema. Raises ConfigError listing every problem."""
    problems: list[ConfigProblem] = []
    where = str(path)
    _unknown(where, "", data, list(SCHEMA) + ["accounts"], problems)
    sections = {}
    for name, keys in SCHEMA.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            problems.append(ConfigProblem(where, name, table, "a table"))
            table = {}
        subtables = {sub: table.get(sub, {}) for sub in SUBTABLES.get(name, {})}
        table = {k: v for k, v in table.items() if k not in subtables}
        sections[name] = _section(where, name, table, keys, problems)
        for sub, sub_keys in SUBTABLES.get(name, {}).items():
            raw = subtables[sub] if isinstance(subtables[sub], dict) else {}
            if raw is not subtables[sub]:
                problems.append(ConfigProblem(where, f"{name}.{sub}", subtables[sub], "a table"))
            sections[name][sub] = _section(where, f"{name}.{sub}", raw, sub_keys, problems)
    accounts = _accounts(where, data.get("accounts", []), problems)
    for table in [*sections.values(), *accounts]:
        _anchor_paths(table, path.parent)
    _check_secrets_file(path, [*accounts, {**sections["followup"]["imap"], "_key": "followup.imap"}],
                        problems)
    warnings: list[ConfigProblem] = []
    if not problems:
        errors, warnings = config_checks.check(where, sections, accounts)
        problems += errors
    problems += _check_sink(where, sections["followup"], accounts)
    if problems:
        raise ConfigError(problems)
    return Config(path=path, accounts=tuple(accounts), warnings=tuple(warnings), **sections)


def _anchor_paths(table: dict[str, Any], base: Path) -> None:
    """Relative paths are relative to the config file's folder, not to the working directory."""
    for key, value in table.items():
        if isinstance(value, Path) and not value.is_absolute():
            table[key] = (base / value).resolve()


def _section(where: str, prefix: str, table: dict[str, Any], keys: dict[str, Key],
             problems: list[ConfigProblem]) -> dict[str, Any]:
    _unknown(where, prefix, table, list(keys), problems)
    out = {}
    for key, spec in keys.items():
        dotted = f"{prefix}.{key}"
        if key not in table:
            if spec.required:
                problems.append(ConfigProblem(where, dotted, None, f"is required: {spec.expected}"))
            out[key] = _default(spec)
            continue
        try:
            out[key] = spec.check(table[key])
        except (ValueError, TypeError, OverflowError, re.error) as exc:
            detail = f" ({exc})" if isinstance(exc, re.error) else ""
            problems.append(ConfigProblem(where, dotted, table[key], f"expected {spec.expected}{detail}"))
            out[key] = _default(spec)
    return out


def _default(spec: Key) -> Any:
    return spec.check(spec.default) if spec.default is not None else None


def _unknown(where: str, prefix: str, table: dict[str, Any], known: list[str],
             problems: list[ConfigProblem]) -> None:
    for key in table:
        if key in known:
            continue
        import difflib  # only for a key that is wrong: every command loads a config

        guess = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        dotted = f"{prefix}.{key}" if prefix else key
        problems.append(ConfigProblem(where, dotted, None, f"unknown key{hint}"))


def _accounts(where: str, raw: Any, problems: list[ConfigProblem]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        problems.append(ConfigProblem(where, "accounts", raw, "an array of tables ([[accounts]])"))
        return []
    out, names = [], set()
    for i, table in enumerate(raw):
        prefix = f"accounts[{i}]"
        if not isinstance(table, dict):
            problems.append(ConfigProblem(where, prefix, table, "a table"))
            continue
        kind = table.get("type")
        if kind not in PROVIDER_TYPES:
            problems.append(ConfigProblem(where, f"{prefix}.type", kind,
                                          "one of " + ", ".join(PROVIDER_TYPES)))
            continue
        account = _section(where, prefix, table, {**_COMMON, **ACCOUNT_SCHEMA[kind]}, problems)
        if kind == "msgraph":
            _check_msgraph(where, prefix, account, problems)
        if account["name"] in names:
            problems.append(ConfigProblem(where, f"{prefix}.name", account["name"], "a unique name"))
        names.add(account["name"])
        out.append(account)
    if not raw:
        problems.append(ConfigProblem(where, "accounts", None, "at least one [[accounts]] table"))
    return out


def _check_msgraph(where: str, prefix: str, account: dict[str, Any],
                   problems: list[ConfigProblem]) -> None:
    """A Graph account signs in one way: msal (client_id + token_file) or token_command."""
    if account.get("token_command"):
        if account.get("token_file"):
            problems.append(ConfigProblem(where, f"{prefix}.token_file", str(account["token_file"]),
                                          "not together with token_command: choose one"))
        return
    for key, expected in (("client_id", "the application (client) id of the app registered "
                                        "in Entra ID (or give token_command)"),
                          ("token_file", "a path for msal's token cache (or give token_command)")):
        if not account.get(key):
            problems.append(ConfigProblem(where, f"{prefix}.{key}", None, f"is required: {expected}"))


def _check_sink(where: str, followup: dict[str, Any], accounts: list[dict[str, Any]]) -> list[ConfigProblem]:
    """``followup.sink`` names a sink syncd has (an account sink: an account that keeps drafts)."""
    from syncd.followup.sink import validate_sink

    problems = validate_sink(followup["sink"], accounts, where)
    if followup["sink"] == "imap":
        from syncd.followup.imap import check_settings  # imaplib and ssl: only for this sink

        problems += [ConfigProblem(where, f"followup.imap.{key}", value, expected)
                     for key, value, expected in check_settings(followup["imap"])]
    return problems


def _check_secrets_file(path: Path, accounts: list[dict[str, Any]],
                        problems: list[ConfigProblem]) -> None:
    """An inline password is allowed only in a file nobody else can read."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return
    for i, acc in enumerate(accounts):  # the accounts, and [followup.imap] (its "_key")
        if acc.get("password"):
            problems.append(ConfigProblem(
                str(path), f"{acc.get('_key') or f'accounts[{i}]'}.password", "********",
                f"not allowed while the file is readable by others: run `chmod 600 {path}` "
                "or use password_env / password_command"))
