"""The scheduling arithmetic of the daemon: intervals, jitter, fast polling, back-off."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from syncd import schedule
from syncd.schedule import Timing, backoff_delay, due_accounts, jittered, next_timing, next_wake, reschedule

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)


def fixed(value: float):
    return lambda: value


def test_account_interval_overrides_the_daemon_default():
    assert schedule.poll_interval({"poll_interval": 2 * MIN}, 5 * MIN) == 2 * MIN
    assert schedule.poll_interval({"poll_interval": None}, 5 * MIN) == 5 * MIN
    assert schedule.poll_interval({}, 5 * MIN) == 5 * MIN


@given(st.floats(min_value=0, max_value=0.999999), st.integers(min_value=1, max_value=10**6))
def test_jitter_stays_within_ten_percent(r, seconds):
    delay = timedelta(seconds=seconds)
    out = jittered(delay, fixed(r))
    assert delay * 0.9 <= out <= delay * 1.1


def test_jitter_extremes_and_middle():
    assert jittered(10 * MIN, fixed(0.0)) == 9 * MIN
    assert jittered(10 * MIN, fixed(0.5)) == 10 * MIN


def test_backoff_doubles_from_one_minute_up_to_eight_intervals():
    waits = [backoff_delay(n, 5 * MIN) for n in range(1, 9)]
    assert waits == [MIN, 2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN, 32 * MIN, 40 * MIN, 40 * MIN]


def test_backoff_cap_is_at_most_an_hour_and_never_below_the_interval():
    assert backoff_delay(20, 15 * MIN) == timedelta(hours=1)  # 15m x 8 = 2h, capped at 1h
    assert backoff_delay(20, 3 * timedelta(hours=1)) == 3 * timedelta(hours=1)
    assert backoff_delay(5, 30 * timedelta(seconds=1)) == 4 * MIN  # 30s x 8
    assert backoff_delay(10_000, 5 * MIN) == 40 * MIN  # no overflow


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=24 * 3600))
def test_backoff_never_shrinks_and_stays_capped(failures, seconds):
    interval = timedelta(seconds=seconds)
    cap = max(interval, min(interval * 8, timedelta(hours=1)))
    assert backoff_delay(failures, interval) <= backoff_delay(failures + 1, interval) <= cap


def test_fast_window_runs_from_two_hours_before_until_grace_after():
    start, end, grace = NOW + timedelta(hours=2), NOW + timedelta(hours=3), timedelta(hours=2)
    assert schedule.near_interview([(start, end)], grace, NOW)
    assert not schedule.near_interview([(start, end)], grace, NOW - timedelta(seconds=1))
    assert schedule.near_interview([(start, end)], grace, end + grace)
    assert not schedule.near_interview([(start, end)], grace, end + grace + timedelta(seconds=1))
    assert not schedule.near_interview([], grace, NOW)


def test_healthy_account_waits_its_interval_or_a_minute_near_an_interview():
    assert next_timing(None, True, 5 * MIN, False, NOW, fixed(0.5)) == Timing(NOW + 5 * MIN)
    assert next_timing(None, True, 5 * MIN, True, NOW, fixed(0.5)) == Timing(NOW + MIN)
    assert next_timing(None, True, 30 * timedelta(seconds=1), True, NOW, fixed(0.5)).due == NOW + timedelta(seconds=30)


def test_failures_count_up_and_reset_on_success():
    t = None
    for expected in (1, 2, 4):
        t = next_timing(t, False, 5 * MIN, True, NOW, fixed(0.5))
        assert t.due == NOW + expected * MIN
    assert t.failures == 3
    assert next_timing(t, True, 5 * MIN, False, NOW, fixed(0.5)) == Timing(NOW + 5 * MIN, 0)


def test_a_failing_account_does_not_hold_up_the_others():
    intervals = {"home": 5 * MIN, "work": 2 * MIN}
    timings = reschedule({}, {"home": True, "work": False}, intervals, {}, timedelta(hours=2), NOW, fixed(0.5))
    assert timings == {"home": Timing(NOW + 5 * MIN), "work": Timing(NOW + MIN, 1)}
    later = NOW + MIN
    assert due_accounts(["home", "work"], timings, later) == ["work"]
    timings = reschedule(timings, {"work": False}, intervals, {}, timedelta(hours=2), later, fixed(0.5))
    assert timings["home"] == Timing(NOW + 5 * MIN)  # untouched
    assert timings["work"] == Timing(later + 2 * MIN, 2)
    assert next_wake(["home", "work"], timings, later) == 2 * MIN


def test_interviews_speed_up_only_their_own_account():
    spans = {"work": [(NOW + MIN * 30, NOW + MIN * 90)]}
    timings = reschedule({}, {"home": True, "work": True}, {"home": 5 * MIN, "work": 5 * MIN}, spans,
                         timedelta(hours=2), NOW, fixed(0.5))
    assert timings["work"].due == NOW + MIN and timings["home"].due == NOW + 5 * MIN


def test_new_accounts_are_due_at_once():
    timings = {"home": Timing(NOW + 5 * MIN)}
    assert due_accounts(["home", "new"], timings, NOW) == ["new"]
    assert next_wake(["home", "new"], timings, NOW) == timedelta(0)
    assert next_wake(["home"], timings, NOW + 10 * MIN) == timedelta(0)
