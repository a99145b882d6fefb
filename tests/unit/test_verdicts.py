"""Kept verdicts: a plan made with them is the plan made without, in this process or the
next; only what the last pass read is kept; a change of rules or a foreign row detects again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from syncd import detect
from syncd.plan import Memo, find_interviews, make_plan, rules_of
from syncd.state import State
from syncd.verdicts import VerdictStore
from tests.unit.test_plan import NOW, interview, make_config, meeting


def events() -> list:
    start = interview().start
    return [interview(), interview(uid="iv-2@x", summary="Interview with Globex – Analyst"),
            *(meeting(f"m{i}", start + timedelta(hours=i)) for i in range(5))]


def test_a_second_process_plans_the_same_with_kept_verdicts(tmp_path: Path, monkeypatch) -> None:
    config = make_config()
    state = State.open(tmp_path)
    store = VerdictStore(state.verdict_rows(), rules_of(config))
    first = make_plan(events(), config, NOW, memo=Memo(store))
    state.replace_verdicts(store.changes() or {})
    assert make_plan(events(), config, NOW) == first
    calls = []
    real = detect.Detector.classify
    monkeypatch.setattr(detect.Detector, "classify", lambda self, *a, **k: (calls.append(a), real(self, *a, **k))[1])
    again = make_plan(events(), config, NOW, memo=Memo(VerdictStore(state.verdict_rows(), rules_of(config))))
    assert again == first and calls == []  # nothing classified again
    state.close()


def test_only_what_the_last_pass_read_is_kept() -> None:
    config = make_config()
    store = VerdictStore({}, rules_of(config))
    find_interviews(events(), rules_of(config), None, store.new_pass())
    assert len(store.changes() or {}) == len(events())
    find_interviews(events()[:2], rules_of(config), None, store.new_pass())
    assert len(store.changes() or {}) == 2
    find_interviews(events()[:2], rules_of(config), None, store.new_pass())
    assert store.changes() is None  # nothing new, nothing gone: nothing to write


def test_other_rules_or_unreadable_rows_are_detected_again() -> None:
    config = make_config()
    store = VerdictStore({}, rules_of(config))
    find_interviews(events(), rules_of(config), None, store.new_pass())
    rows = store.changes() or {}
    other = make_config(interviews={"self": ["someone@else.example"]})
    assert VerdictStore(rows, rules_of(other)).new_pass().get(("x",)) is None
    fresh = VerdictStore(rows, rules_of(other))
    seen = fresh.new_pass()
    find_interviews(events(), rules_of(other), None, seen)
    assert seen.added == len(events())  # no verdict of the old rules was reused
    broken = VerdictStore({digest: "not json" for digest in rows}, rules_of(config))
    assert broken.known == {}
