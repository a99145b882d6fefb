"""The retry policy: back-off arithmetic and what is retried."""

from __future__ import annotations

import pytest

from syncd import retry
from syncd.errors import AuthError, RateLimited, TransientError


def test_backoff_grows_and_is_capped():
    waits = [retry.backoff(n, None, base=1.0, cap=30.0, rand=lambda: 1.0) for n in range(1, 8)]
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert retry.backoff(3, None, base=1.0, cap=30.0, rand=lambda: 0.0) == 2.0  # jitter: half to full


def test_backoff_honours_retry_after_within_the_cap():
    assert retry.backoff(1, 7.0, base=1.0, cap=30.0) == 7.0
    assert retry.backoff(1, 600.0, base=1.0, cap=30.0) == 30.0


def test_transient_errors_are_retried_until_success():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise RateLimited("slow down", status=429, retry_after=0.0)
        return "ok"

    assert retry.call("acct", flaky) == "ok"
    assert len(calls) == 3


def test_gives_up_after_the_attempts_and_reraises():
    calls = []

    def down():
        calls.append(1)
        raise TransientError("503", status=503)

    with pytest.raises(TransientError):
        retry.call("acct", down)
    assert len(calls) == retry.ATTEMPTS


def test_other_errors_are_not_retried():
    calls = []

    def refused():
        calls.append(1)
        raise AuthError("check username and password", status=401)

    with pytest.raises(AuthError):
        retry.call("acct", refused)
    assert calls == [1]


def test_a_stop_request_cuts_a_long_wait_short(monkeypatch):
    import threading
    import time

    monkeypatch.setattr(retry, "CAP_SECONDS", 60.0)
    stop = threading.Event()
    calls = []

    def slow_down():
        calls.append(1)
        raise RateLimited("slow down", status=429, retry_after=30.0)

    threading.Timer(0.2, stop.set).start()
    began = time.monotonic()
    with pytest.raises(RateLimited):
        retry.caller(stop)("acct", slow_down)
    assert time.monotonic() - began < 5
    assert len(calls) <= 2  # at most the attempt after the interrupted wait


# -- the account's deadline for the cycle (ISSUE 8, item 6) ------------------------------------

def test_a_request_that_never_returns_is_abandoned_at_the_deadline():
    import threading
    import time

    from syncd.errors import OutOfTime

    never = threading.Event()
    deadline = time.monotonic() + 0.3
    call = retry.caller(threading.Event(), {"acct": deadline})
    with pytest.raises(OutOfTime):
        call("acct", never.wait)  # a server that accepted the request and went silent
    assert time.monotonic() >= deadline  # not before it either


def test_a_wait_that_would_overrun_the_deadline_is_not_started(monkeypatch):
    import threading
    import time

    monkeypatch.setattr(retry, "CAP_SECONDS", 60.0)
    calls = []

    def slow_down():
        calls.append(1)
        raise RateLimited("slow down", status=429, retry_after=30.0)

    call = retry.caller(threading.Event(), {"acct": time.monotonic() + 5.0})
    with pytest.raises(RateLimited):
        call("acct", slow_down)
    assert calls == [1]  # the 30 s wait would end past the deadline: no second attempt


def test_waits_that_fit_are_taken_and_the_last_error_is_raised_once_time_is_up(monkeypatch):
    import threading
    import time

    monkeypatch.setattr(retry, "BASE_SECONDS", 0.01)
    calls = []

    def down():
        calls.append(1)
        raise TransientError("HTTP 503", status=503)

    call = retry.caller(threading.Event(), {"acct": time.monotonic() + 60.0})
    with pytest.raises(TransientError):
        call("acct", down)
    assert len(calls) == retry.ATTEMPTS


def test_a_stop_request_abandons_a_hanging_request_after_the_grace(monkeypatch):
    import threading

    from syncd.errors import OutOfTime

    monkeypatch.setattr(retry, "STOP_GRACE", 0.2)
    stop, never = threading.Event(), threading.Event()
    threading.Timer(0.1, stop.set).start()
    with pytest.raises(OutOfTime, match="asked to stop"):
        retry.caller(stop)("acct", never.wait)  # no deadline at all: only the stop ends it


def test_a_first_failure_is_waited_for_and_logged_as_the_policy_says(monkeypatch, caplog):
    """The first attempt runs before tenacity is loaded; its failure still counts as attempt 1."""
    import logging

    waits = []
    monkeypatch.setattr(retry, "backoff", lambda attempt, retry_after: waits.append(attempt) or 0.0)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise TransientError("HTTP 503", status=503)
        return "ok"

    with caplog.at_level(logging.INFO, logger="syncd.retry"):
        assert retry.caller()("acct", flaky) == "ok"
    assert waits == [1, 2] and len(calls) == 3
    assert [r.getMessage() for r in caplog.records] == ["acct: HTTP 503; retrying in 0.0s"] * 2
