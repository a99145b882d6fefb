"""When each account is synced next: pure arithmetic, no clock and no randomness of its own.

Each account polls at its own ``poll_interval`` (default ``daemon.poll_interval``), spread by
±10% jitter so that accounts and machines drift apart. From two hours before one of an
account's interviews until its follow-up grace has passed, the account polls every minute.
An account whose sync failed backs off exponentially, 1m, 2m, 4m and so on, up to eight times
its interval but no more than an hour (never less than the interval itself); the others keep
their own pace meanwhile.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FAST_POLL = timedelta(minutes=1)
FAST_BEFORE = timedelta(hours=2)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
BACKOFF_FACTOR = 8
JITTER = 0.10


@dataclass(frozen=True)
class Timing:
    """An account's next sync and how many syncs in a row have failed."""

    due: datetime
    failures: int = 0


def poll_interval(account: Mapping[str, Any], default: timedelta) -> timedelta:
    """The account's own ``poll_interval``, else the daemon's."""
    return account.get("poll_interval") or default


def near_interview(spans: Iterable[tuple[datetime, datetime]], grace: timedelta, now: datetime) -> bool:
    """True when ``now`` lies between two hours before a (start, end) span and end + ``grace``."""
    return any(start - FAST_BEFORE <= now <= end + grace for start, end in spans)


def backoff_delay(failures: int, interval: timedelta) -> timedelta:
    """The wait after ``failures`` (>= 1) failed syncs in a row: 1m doubling, capped.

    The cap is ``interval`` x 8, at most an hour, but never below ``interval`` itself.
    """
    cap = max(interval, min(interval * BACKOFF_FACTOR, BACKOFF_CAP))
    exponent = min(max(failures, 1) - 1, 30)  # 2**30 minutes is far past any cap
    return min(BACKOFF_FIRST * 2 ** exponent, cap)


def jittered(delay: timedelta, rand: Callable[[], float] = random.random) -> timedelta:
    """``delay`` stretched or shrunk by up to 10%; ``rand()`` returns a float in [0, 1)."""
    return delay * (1 - JITTER + 2 * JITTER * rand())


def next_timing(previous: Timing | None, ok: bool, interval: timedelta, near: bool,
                now: datetime, rand: Callable[[], float] = random.random) -> Timing:
    """An account's next sync after one that succeeded (``ok``) or failed at ``now``.

    ``near`` says whether the account has an interview coming up or just past (see
    :func:`near_interview`); that shortens a healthy account's wait to one minute.
    """
    if not ok:
        failures = (previous.failures if previous else 0) + 1
        return Timing(now + jittered(backoff_delay(failures, interval), rand), failures)
    wait = min(interval, FAST_POLL) if near else interval
    return Timing(now + jittered(wait, rand))


def due_accounts(names: Sequence[str], timings: Mapping[str, Timing], now: datetime) -> list[str]:
    """The accounts to sync now, in config order: never synced, or their time has come."""
    return [n for n in names if n not in timings or timings[n].due <= now]


def next_wake(names: Sequence[str], timings: Mapping[str, Timing], now: datetime) -> timedelta:
    """How long until the first account is due (zero if one already is)."""
    if any(n not in timings for n in names) or not names:
        return timedelta(0)
    return max(timedelta(0), min(timings[n].due for n in names) - now)


def reschedule(timings: Mapping[str, Timing], synced: Mapping[str, bool],
               intervals: Mapping[str, timedelta], spans: Mapping[str, list[tuple[datetime, datetime]]],
               grace: timedelta, now: datetime,
               rand: Callable[[], float] = random.random) -> dict[str, Timing]:
    """New timings after a cycle; ``synced`` maps each account synced now to its success.

    Accounts not synced keep their timing. ``spans`` holds each account's interviews as
    (start, end) pairs.
    """
    out = dict(timings)
    for name, ok in synced.items():
        near = near_interview(spans.get(name, ()), grace, now)
        out[name] = next_timing(timings.get(name), ok, intervals[name], near, now, rand)
    return out
