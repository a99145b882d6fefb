"""Double bookings are reported in bounded memory, and what was left out is said (issue 8, 4).

3,000 events at one time (0.4 MB of invitations) overlap in 4.5 million pairs; once every
pair became a Conflict and the cycle took over 1 GB and minutes.
"""

from __future__ import annotations

import tracemalloc
from collections import Counter
from datetime import timedelta

from syncd.bounds import (
    MAX_CONFLICTS,
    MAX_INTERVIEWS_PER_SERIES,
    MAX_MARKERS_PER_INTERVIEW,
    MAX_OVERLAPS_PER_EVENT,
)
from syncd.conflicts import bounded_conflicts, sweep
from syncd.plan import make_plan
from tests.unit.test_plan import NOW, START, interview, make_config, meeting

CROWD = 3000


def crowd(size: int = CROWD) -> list:
    return [meeting(f"m{i}", START) for i in range(size)]


def test_a_crowd_at_one_time_is_listed_up_to_the_caps_and_counted_in_full():
    found = bounded_conflicts(crowd(), [])
    assert len(found.hard) <= MAX_CONFLICTS
    listed = Counter(e.uid for c in found.hard for e in (c.a, c.b))
    assert max(listed.values()) <= MAX_OVERLAPS_PER_EVENT
    [spot] = found.crowds
    assert (spot.events, spot.overlaps, spot.listed) == (CROWD, CROWD * (CROWD - 1) // 2, len(found.hard))


def test_an_interview_in_the_crowd_keeps_its_conflicts_and_gets_a_few_markers():
    events = [*crowd(), interview(start=START)]
    tracemalloc.start()
    try:
        plan = make_plan(events, make_config(), NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20  # once gigabytes
    hard = [c for c in plan.conflicts if c.kind == "hard"]
    mine = [c for c in hard if "iv-1@acme.example" in (c.a.uid, c.b.uid)]
    assert len(mine) == MAX_OVERLAPS_PER_EVENT  # listed although the report was full
    markers = [a for a in plan.artifacts if a.kind == "conflict"]
    assert len(markers) == MAX_MARKERS_PER_INTERVIEW
    assert any("double-booked 20 times" in n for n in plan.notes)
    assert any(f"among {CROWD + 1:,} events" in n for n in plan.notes)
    again = make_plan(list(reversed(events)), make_config(), NOW)  # the same plan, whatever order
    assert sorted(a.key for a in again.artifacts) == sorted(a.key for a in plan.artifacts)


def test_below_the_caps_every_pair_is_listed_and_nothing_is_said():
    events = [meeting(f"m{i}", START + timedelta(minutes=5 * i)) for i in range(12)]
    found = sweep(sorted(events, key=lambda e: (e.start, e.end, e.occurrence)))
    expected = sum(1 for i, a in enumerate(events) for b in events[i + 1:]
                   if a.start < b.end and b.start < a.end)
    assert len(found.pairs) == expected and found.crowds == []


def test_a_series_that_is_all_interviews_is_planned_for_its_first_occurrences():
    series = [interview(start=START + timedelta(minutes=7 * i), recurrence_id=f"2026120{i}",
                        summary="IV: flood") for i in range(200)]
    plan = make_plan(series, make_config(), NOW)
    assert len(plan.interviews) == MAX_INTERVIEWS_PER_SERIES
    assert min(iv.event.start for iv in plan.interviews) == START
    assert any("200 occurrences of 'IV: flood'" in n for n in plan.notes)
    assert len(plan.artifacts) <= MAX_INTERVIEWS_PER_SERIES * (4 + MAX_MARKERS_PER_INTERVIEW)
