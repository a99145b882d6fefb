"""The one retry policy for provider calls (tenacity).

Exponential back-off with jitter on timeouts, connection errors, 429 and 5xx (all raised by the
adapters as :class:`TransientError`), honouring a server's Retry-After. The arithmetic is a pure
function so it can be tested without sleeping.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_when_event_set,
)

from syncd.errors import TransientError

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 4
BASE_SECONDS = float(os.environ.get("SYNCD_RETRY_BASE", "1.0"))  # tests shorten the waits
CAP_SECONDS = 60.0


def backoff(attempt: int, retry_after: float | None, base: float | None = None,
            cap: float | None = None, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before attempt ``attempt + 1``: the server's word, else capped jitter."""
    base = BASE_SECONDS if base is None else base
    cap = CAP_SECONDS if cap is None else cap
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    return min(cap, base * 2 ** (attempt - 1)) * (0.5 + rand() / 2)


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    retry_after = getattr(exc, "retry_after", None)
    return backoff(state.attempt_number, retry_after)


def _before_sleep(account: str) -> Callable[[RetryCallState], None]:
    def report(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info("%s: %s; retrying in %.1fs", account, exc, state.next_action.sleep if state.next_action else 0)
    return report


def caller(stop: threading.Event | None = None) -> Callable[..., Any]:
    """A ``call`` whose waits end early, and whose retries stop, once ``stop`` is set.

    A daemon asked to stop must not sit out a minute-long Retry-After.
    """
    event = stop or threading.Event()

    def pause(seconds: float) -> None:
        event.wait(seconds)

    def call(account: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` under the retry policy; re-raise the last error."""
        retrying = Retrying(retry=retry_if_exception_type(TransientError),
                            stop=stop_after_attempt(ATTEMPTS) | stop_when_event_set(event),
                            wait=_wait, sleep=pause, reraise=True,
                            before_sleep=_before_sleep(account))
        return retrying(fn, *args, **kwargs)

    return call


call = caller()


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date) into seconds from ``now``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
