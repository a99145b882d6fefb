"""Planning with a memo, as the daemon does between cycles, gives the plan planning without
one gives: for the same snapshot, after edits, at later times, with new acknowledgements."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.config import Config
from syncd.plan import Memo, make_plan
from tests.unit.test_plan import NOW, configs, schedules


@settings(max_examples=60, deadline=None)
@given(schedules(), configs(), st.lists(st.tuples(
    st.sampled_from(["same", "copy", "drop-one", "later", "ack"]), st.integers(0, 50)),
    min_size=1, max_size=6))
def test_a_memo_never_changes_the_plan(events: list, config: Config, steps: list) -> None:
    memo, now, acks = Memo(), NOW, {}
    snapshot = list(events)
    for action, n in steps:
        if action == "copy":
            snapshot = list(snapshot)
        elif action == "drop-one" and snapshot:
            snapshot = snapshot[:n % len(snapshot)] + snapshot[n % len(snapshot) + 1:]
        elif action == "later":
            now += timedelta(hours=n)
        elif action == "ack" and snapshot:
            acks = {**acks, snapshot[n % len(snapshot)].ref: "cannot-attend"}
        fresh = make_plan(snapshot, config, now, acks)
        remembered = make_plan(snapshot, config, now, acks, memo=memo)
        assert remembered == fresh


def test_an_unchanged_snapshot_is_not_planned_again() -> None:
    from tests.unit.test_plan import interview, make_config, meeting
    config = make_config()
    events = [interview(), *(meeting(f"m{i}", interview().start + timedelta(minutes=i))
                             for i in range(30))]
    memo = Memo()
    first = make_plan(events, config, NOW, memo=memo)
    second = make_plan(events, config, NOW, memo=memo)
    assert second == first
    assert second.conflicts[0] is first.conflicts[0]  # reused, not computed again
