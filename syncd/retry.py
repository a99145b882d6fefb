"""The one retry policy for provider calls (tenacity), and the deadline every call draws on.

Exponential back-off with jitter on timeouts, connection errors, 429 and 5xx (all raised by the
adapters as :class:`TransientError`), honouring a server's Retry-After. The arithmetic is a pure
function so it can be tested without sleeping.

Each account has a deadline per cycle (a ``time.monotonic()`` value in ``deadlines``). Every
attempt runs in a daemon thread of its own and is abandoned when the deadline passes, however
the server behaves (silent, or trickling a byte at a time under the socket's read timeout); a
back-off wait that would end past the deadline is not started. Either way the call raises
:class:`OutOfTime` (or the last error), and the account has failed for this cycle. A stop
request gives the call in flight ``STOP_GRACE`` seconds to finish, then abandons it too: a
stuck request never holds the process past systemd's ``TimeoutStopSec``.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from syncd.errors import OutOfTime, TransientError

if TYPE_CHECKING:
    from tenacity import RetryCallState, Retrying

# tenacity is imported once a call's first attempt has failed (``caller``): most calls succeed
# at once, and importing it cost a first sync about 10 ms before its first request.

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 4
BASE_SECONDS = float(os.environ.get("SYNCD_RETRY_BASE", "1.0"))  # tests shorten the waits
CAP_SECONDS = 60.0
STOP_GRACE = 5.0  # seconds a write in flight may still take once the daemon is asked to stop
SLICE = 0.2  # how often a waiting caller looks at the stop flag


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


def _sleeper(event: threading.Event) -> Callable[[float], None]:
    """A tenacity ``sleep`` that ends early when ``event`` is set."""
    def sleep(seconds: float) -> None:
        event.wait(seconds)
    return sleep


class _WouldOverrun:
    """A tenacity stop condition: the wait ahead would end at or past ``deadline``."""

    def __init__(self, deadline: float | None, clock: Callable[[], float]):
        self.deadline = deadline
        self.clock = clock

    def __call__(self, state: RetryCallState) -> bool:
        return self.deadline is not None and self.clock() + state.upcoming_sleep >= self.deadline


def run_bounded(fn: Callable[..., T], args: tuple, kwargs: dict, *, deadline: float | None,
                stop: threading.Event, what: str = "the request",
                clock: Callable[[], float] = time.monotonic) -> T:
    """``fn(*args, **kwargs)`` in a daemon thread; its result, or its exception re-raised.

    Raises :class:`OutOfTime` when ``deadline`` passes first, or ``STOP_GRACE`` seconds after
    ``stop`` is set; the thread is then left to end by itself (it holds nothing of ours, and a
    daemon thread does not keep the process alive).
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller's thread as it is
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, daemon=True, name=f"syncd-call-{what}").start()
    stopping_since: float | None = None
    while not done.wait(SLICE if deadline is None else max(0.0, min(SLICE, deadline - clock()))):
        now = clock()
        if deadline is not None and now >= deadline:
            raise OutOfTime(f"{what} was still waiting for the server; abandoned it")
        if stop.is_set():
            stopping_since = now if stopping_since is None else stopping_since
            if now - stopping_since >= STOP_GRACE:
                raise OutOfTime(f"{what} was still running when syncd was asked to stop; abandoned it")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def caller(stop: threading.Event | None = None, deadlines: Mapping[str, float] | None = None,
           clock: Callable[[], float] = time.monotonic) -> Callable[..., Any]:
    """A ``call`` bounded by each account's deadline, whose waits and retries end on ``stop``.

    A daemon asked to stop must not sit out a minute-long Retry-After, and an account whose
    server stopped answering must not hold the cycle past its deadline.
    """
    event = stop or threading.Event()
    limits = deadlines if deadlines is not None else {}

    def call(account: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` under the retry policy; re-raise the last error."""
        deadline = limits.get(account)
        what = f"{account}: {getattr(fn, '__name__', 'request')}"

        last: list[BaseException] = []

        def attempt() -> T:
            if event.is_set() or (deadline is not None and clock() >= deadline):
                raise last[-1] if last else OutOfTime(f"{account}: out of time for this cycle"
                                                      if not event.is_set() else f"{account}: syncd is stopping")
            try:
                return run_bounded(fn, args, kwargs, deadline=deadline, stop=event, what=what, clock=clock)
            except TransientError as exc:
                last.append(exc)
                raise

        try:  # the first attempt runs before the policy is made: see _policy
            return attempt()
        except TransientError as exc:
            first = [exc]

        def replayed_then_attempt() -> T:
            """The first attempt's failure, then new attempts: the policy decides from the
            first failure on, so its waits, log lines and attempt count are the same."""
            if first:
                raise first.pop()
            return attempt()

        return _policy(account, event, deadline, clock)(replayed_then_attempt)

    return call


def _policy(account: str, event: threading.Event, deadline: float | None,
            clock: Callable[[], float]) -> Retrying:
    """The retry policy of one call: tenacity's ``Retrying``, imported only when a first attempt
    has failed (see the top of this module)."""
    from tenacity import (
        Retrying, retry_if_exception_type, stop_after_attempt, stop_when_event_set,
    )

    limits = stop_after_attempt(ATTEMPTS) | stop_when_event_set(event)
    overrun = _WouldOverrun(deadline, clock)
    return Retrying(retry=retry_if_exception_type(TransientError),
                    stop=lambda state: limits(state) or overrun(state),
                    wait=_wait, sleep=_sleeper(event), reraise=True,
                    before_sleep=_before_sleep(account))


call = caller()


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date) into seconds from ``now``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils  # an HTTP date: rare, and every command loads this module

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
