"""Resting: an idle ``syncd once`` ends once the sync tokens say nothing changed.

A cycle's outcome (the plan, the writes it makes, the drafts it touches) is a function of the
cached items, the config, the owner's decisions kept in the state, the code, and the clock. A
full cycle that ends *settled* (every account synced, nothing suspected or held back, no write
left to make, no draft left to touch) records a digest of everything but the clock, the time
it ended, and the earliest instant after it at which the clock alone can change that outcome:
the snapshot's hour-rounded edges moving, an interview ending (it gets no new blocks), its
follow-up falling due or ageing out, a miss's learning period starting or ending, one of
syncd's own events entering or leaving the window in which it may be removed.

The next ``syncd once`` syncs as always. When the digest is the same and the clock is between
the two instants, a full cycle would plan the same plan, find nothing to write and leave every
draft alone, so it ends there: no item is decoded, nothing planned, nothing written but each
account's sync record. ``tests/unit/test_rest.py`` checks that against full cycles.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import providers
import syncd
from syncd.state import State
from syncd.window import next_hour_edge, planning_window

if TYPE_CHECKING:
    from syncd.config import Config
    from syncd.plan import Interview
    from syncd.reconcile import Owned

SETTING = "rest"
TICK = timedelta(microseconds=1)  # the resolution of datetime: "after x" is "at x + TICK"
# The tables whose rows the cycle reads besides the items (tokens and sync times excluded).
DECISIONS = {"acks": "ref", "marks": "uid", "followups": "ref", "held": "account, calendar",
             "suspect": "account, calendar", "questions": "ref",
             "calendars": "account, id", "accounts": "name"}
COLUMNS = {"calendars": "account, id, name, url, writable", "accounts": "name, type, last_error"}
SECRET_KEYS = ("password", "secret", "token")


def fingerprint(state: State, config: Config) -> str:
    """A digest of every input of a cycle's outcome but the clock and the servers' tokens."""
    digest = hashlib.sha256()
    for part in (_code(), _config(config), str(state.revision())):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    for table, order in DECISIONS.items():
        rows = state.db.execute(f"SELECT {COLUMNS.get(table, '*')} FROM {table} ORDER BY {order}")
        digest.update(repr((table, rows.fetchall())).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _config(config: Config) -> str:
    """The config as the cycle reads it, without the accounts' secrets."""
    accounts = [_without_secrets(a) for a in config.accounts]
    sections = (config.daemon, config.interviews, config.buffers, config.travel,
                config.conflicts, config.followup, config.ask, config.web, config.learn)
    return repr((str(config.path), str(config.tz), sections, accounts))


def _without_secrets(account: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in account.items() if not any(s in k for s in SECRET_KEYS)}


def account_digest(account: Mapping[str, Any]) -> str:
    """A digest of one account's config (its secrets left out)."""
    return hashlib.sha256(repr(_without_secrets(account)).encode("utf-8", "surrogatepass")).hexdigest()


def _code() -> str:
    """syncd's version and the size and time of each of its files: another build plans anew."""
    parts = [syncd.__version__]
    for package in (syncd, providers):
        root = Path(package.__file__ or "").parent
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".json", ".html", ".txt", ".j2") and "__pycache__" not in path.parts:
                stat = path.stat()
                parts.append(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def may_rest(state: State, key: str, now: datetime) -> bool:
    """True when the last settled cycle recorded ``key`` and ``now`` is before its next change
    (and not before the cycle itself: a clock set back plans again)."""
    try:
        record = json.loads(state.setting(SETTING) or "{}")
        made, due = datetime.fromisoformat(record["made"]), datetime.fromisoformat(record["due"])
    except (ValueError, KeyError, TypeError):
        return False
    return record.get("key") == key and made <= now < due


def remember(state: State, key: str, made: datetime, due: datetime) -> None:
    """Record a settled cycle: the digest of its inputs, when it ended, when time changes it."""
    state.set_setting(SETTING, json.dumps({"key": key, "made": made.isoformat(),
                                           "due": due.isoformat()}))


def forget(state: State) -> None:
    """Drop the record: the next cycle plans in full."""
    state.set_setting(SETTING, "{}")


def next_change(config: Config, now: datetime, interviews: Iterable[Interview],
                owned: Iterable[Owned], ack_times: Mapping[str, tuple[str, datetime]]) -> datetime:
    """The first instant after ``now`` at which the clock alone may change a cycle's outcome.

    Each comparison of the cycle with ``now`` flips at one instant; this is the earliest of them
    (a few may never flip, which only makes the answer earlier than it need be):

    - the snapshot (``syncd.cycle``) covers the planning window widened to whole hours;
    - ``syncd.plan``: an interview gets blocks while ``end > now``; its unacknowledged apology is
      due once ``end + grace <= now`` and while ``now - end <= max_age``;
    - ``syncd.learn``: a miss acknowledged at ``at`` strengthens plans while ``at <= now < at + period``;
    - ``syncd.reconcile.diff``: one of syncd's events may be removed while its start is in the
      planning window (``now - back <= start < now + horizon``) and its ``end > now``.
    """
    window = planning_window(config, now)
    back, ahead = now - window.start, window.end - now
    grace, max_age = config.followup["grace"], config.followup["max_age"]
    times = [next_hour_edge(config, now)]
    for iv in interviews:
        end = iv.event.end
        times += [end, end + grace, end + max_age + TICK]
    for ack, at in ack_times.values():
        if ack == "missed":
            times += [at, at + config.learn["period"]]
    for o in owned:
        times += [o.event.start + back + TICK, o.event.start - ahead + TICK, o.event.end]
    return min(t for t in times if t > now)
