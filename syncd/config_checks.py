"""What a valid config can still get wrong: checks across keys, run after the schema.

``check`` returns errors (the config will not work: exit 78) and warnings (it will run, but
not as its owner likely expects). Each names the file and the key, as schema problems do.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from syncd.errors import ConfigProblem

EXAMPLE_OWNER = "alex@example.com"
EXAMPLE_PATH = Path("~/.local/share/syncd/calendars").expanduser()
# Sane ranges: outside them a duration is a mistake (a busy loop, a date overflow). A duration
# key not listed here (every key a later change adds) gets DEFAULT_RANGE.
DEFAULT_RANGE = (timedelta(0), timedelta(days=3660))
RANGES: dict[str, tuple[timedelta, timedelta]] = {
    "daemon.poll_interval": (timedelta(seconds=1), timedelta(days=1)),
    "daemon.horizon": (timedelta(days=1), timedelta(days=3660)),
    "buffers.before": (timedelta(0), timedelta(days=1)),
    "buffers.after": (timedelta(0), timedelta(days=1)),
    "travel.remind_before": (timedelta(0), timedelta(days=1)),
    "followup.grace": (timedelta(0), timedelta(days=30)),
    "followup.max_age": (timedelta(0), timedelta(days=366)),
    "accounts.poll_interval": (timedelta(seconds=1), timedelta(days=1)),
    "accounts.timeout": (timedelta(seconds=1), timedelta(hours=1)),
}


def check(where: str, sections: dict[str, dict[str, Any]], accounts: list[dict[str, Any]]
          ) -> tuple[list[ConfigProblem], list[ConfigProblem]]:
    """(errors, warnings) of a config whose every key already passed the schema."""
    errors: list[ConfigProblem] = []
    warnings: list[ConfigProblem] = []
    _ranges(where, sections, accounts, errors)
    _paths(where, sections, accounts, errors, warnings)
    _owner(where, sections, accounts, warnings)
    _passwords(where, accounts, warnings)
    return errors, warnings


def in_range(dotted: str, value: timedelta) -> bool:
    """Whether a duration lies in the sane range of its key (keys without one: always)."""
    low, high = RANGES.get(dotted, DEFAULT_RANGE)
    return low <= value <= high


def _span(value: timedelta) -> str:
    if value.days:
        return f"{value.days}d"
    return f"{int(value.total_seconds())}s"


def _ranges(where: str, sections: dict[str, dict[str, Any]], accounts: list[dict[str, Any]],
            errors: list[ConfigProblem]) -> None:
    values = [(f"{s}.{k}", f"{s}.{k}", v) for s, table in sections.items() for k, v in table.items()]
    values += [(f"accounts.{k}", f"accounts[{i}].{k}", v)
               for i, acc in enumerate(accounts) for k, v in acc.items()]
    for rule, dotted, value in values:
        durations = value if isinstance(value, (tuple, list)) else [value]
        for one in durations:
            if isinstance(one, timedelta) and not in_range(rule, one):
                low, high = RANGES.get(rule, DEFAULT_RANGE)
                errors.append(ConfigProblem(where, dotted, _span(one),
                                            f"a duration from {_span(low)} to {_span(high)}"))


def _paths(where: str, sections: dict[str, dict[str, Any]], accounts: list[dict[str, Any]],
           errors: list[ConfigProblem], warnings: list[ConfigProblem]) -> None:
    folders = [("daemon.state_dir", sections["daemon"]["state_dir"], True),
               ("followup.drafts_dir", sections["followup"]["drafts_dir"], True)]
    folders += [(f"accounts[{i}].path", acc["path"], False)
                for i, acc in enumerate(accounts) if acc.get("type") == "local"]
    for dotted, path, creatable in folders:
        problem = _folder_problem(Path(path), creatable)
        if problem:
            errors.append(ConfigProblem(where, dotted, str(path), problem))
        elif not creatable and not Path(path).exists():
            warnings.append(ConfigProblem(where, dotted, str(path),
                                          "an existing folder: this account fails until it exists"))


def _folder_problem(path: Path, creatable: bool) -> str | None:
    """Why ``path`` cannot serve as a folder syncd uses (None when it can)."""
    if path.exists():
        if not path.is_dir():
            return "a folder, but this is a file"
        if not os.access(path, os.W_OK | os.X_OK):
            return "a folder syncd can write to"
        return None
    if not creatable:
        return None  # a calendar folder may be on a drive not mounted yet: a warning, not an error
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return f"a folder syncd can create ({parent} is not a writable folder)"
    return None


def _owner(where: str, sections: dict[str, dict[str, Any]], accounts: list[dict[str, Any]],
           warnings: list[ConfigProblem]) -> None:
    owner = [a.lower() for a in sections["interviews"]["self"]]
    example_account = any(a.get("type") == "local" and Path(a["path"]) == EXAMPLE_PATH for a in accounts)
    if EXAMPLE_OWNER in owner and example_account:
        warnings.append(ConfigProblem(where, "interviews.self", EXAMPLE_OWNER,
                                    "your own addresses: this is config.example.toml unchanged; "
                                    "edit its accounts and addresses first"))
        return
    if not owner:
        warnings.append(ConfigProblem(where, "interviews.self", None,
                                      "not set: syncd cannot tell an interview you give from one you "
                                      "take, and treats both as yours"))
    sender = sections["followup"]["from"]
    if not sender:
        warnings.append(ConfigProblem(where, "followup.from", None,
                                      "not set: drafts have no From and no signature"))


def _passwords(where: str, accounts: list[dict[str, Any]], warnings: list[ConfigProblem]) -> None:
    sources = ("password", "password_env", "password_command", "password_credential")
    for i, acc in enumerate(accounts):
        if acc.get("type") == "caldav" and not any(acc.get(k) for k in sources):
            warnings.append(ConfigProblem(
                where, f"accounts[{i}]", acc["name"],
                "a CalDAV account without password, password_env, password_command or "
                "password_credential: only a server without authentication will let it in"))
