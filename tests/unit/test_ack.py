"""``acknowledge``: the one core of `syncd ack` and every answer channel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from syncd.followup.ack import AckRefused, acknowledge
from syncd.followup.maildir import MaildirSink
from syncd.plan import Plan
from syncd.state import State
from tests.contract.drafts_suite import START, config_for, interview

BEFORE, DURING, AFTER = START - timedelta(days=3), START + timedelta(minutes=20), START + timedelta(hours=3)


@pytest.fixture
def setup(tmp_path: Path):
    config = config_for(tmp_path)
    state = State.open(config.daemon["state_dir"])
    sink = MaildirSink(tmp_path / "drafts")
    yield config, state, sink, Plan(interviews=[interview()])
    state.close()


def drafts(sink: MaildirSink) -> list[str]:
    return sorted(d.kind for d in sink.find(interview().ref))


@pytest.mark.parametrize("ack, when, words", [
    ("missed", BEFORE, "cannot be marked missed yet"),
    ("attended", BEFORE, "cannot be marked attended yet"),
    ("cannot-attend", AFTER, "too late for --cannot-attend"),
])
def test_an_ack_that_does_not_fit_the_time_changes_nothing(setup, ack, when, words) -> None:
    config, state, sink, plan = setup
    with pytest.raises(AckRefused, match=words) as refused:
        acknowledge(config, state, plan, interview().ref[:6], ack, when, sink)
    assert str(refused.value).count(".") >= 1 and "\n" not in str(refused.value)
    assert state.acks() == {} and state.followups() == {} and drafts(sink) == []


def test_attended_and_missed_fit_once_started_cannot_attend_until_the_end(setup) -> None:
    config, state, sink, plan = setup
    out = acknowledge(config, state, plan, interview().ref, "cannot-attend", DURING, sink)
    assert "reschedule was drafted" in out.sentence and drafts(sink) == ["reschedule"]
    out = acknowledge(config, state, plan, interview().ref, "attended", DURING, sink)
    assert "replaced by a thank-you" in out.sentence and drafts(sink) == ["thank-you"]


def test_unknown_and_ambiguous_refs_are_refused(setup) -> None:
    config, state, sink, plan = setup
    with pytest.raises(AckRefused, match="No interview has the REF"):
        acknowledge(config, state, plan, "zz", "missed", AFTER, sink)
    two = Plan(interviews=[interview("a"), interview("b")])
    with pytest.raises(AckRefused, match="No interview|interviews have a REF"):
        acknowledge(config, state, two, "", "missed", AFTER, sink)
    assert state.acks() == {}


def test_dismiss_then_attended_says_what_it_did(setup) -> None:
    config, state, sink, plan = setup
    ref = interview().ref
    out = acknowledge(config, state, plan, ref, "missed", AFTER, sink, reason="My train was cancelled.")
    assert "apology was drafted" in out.sentence
    assert state.ack_reasons() == {ref: "My train was cancelled."}
    out = acknowledge(config, state, plan, ref, "dismissed", AFTER, sink)
    assert "removed" in out.sentence and drafts(sink) == []
    out = acknowledge(config, state, plan, ref, "attended", AFTER, sink)
    assert "thank-you was drafted" in out.sentence and drafts(sink) == ["thank-you"]
    again = acknowledge(config, state, plan, ref, "attended", AFTER, sink)
    assert "again" in again.sentence and "drafted already" in again.sentence
    assert drafts(sink) == ["thank-you"]


def test_a_reason_only_with_missed_or_cannot_attend(setup) -> None:
    config, state, sink, plan = setup
    acknowledge(config, state, plan, interview().ref, "attended", AFTER, sink, reason="x y")
    assert state.ack_reasons() == {}
    with pytest.raises(AckRefused, match="one sentence"):
        acknowledge(config, state, plan, interview().ref, "missed", AFTER, sink, reason="x" * 600)
    assert state.acks() == {interview().ref: "attended"}


OPENER = """
import sys
from pathlib import Path
from syncd.state import State
folder, ready, go = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
ready.touch()
while not go.exists():
    pass
State.open(folder).close()
"""


def test_processes_opening_an_older_state_at_once_all_succeed(tmp_path: Path) -> None:
    """The columns added to an older state are added once, whoever opens it first (before,
    two processes could both find a column missing: "duplicate column name")."""
    import sqlite3
    import subprocess
    import sys

    from syncd.state import SCHEMA

    for round_ in range(3):
        folder, go = tmp_path / f"state-{round_}", tmp_path / f"go-{round_}"
        folder.mkdir(mode=0o700)
        older = sqlite3.connect(folder / "state.sqlite3", isolation_level=None)
        older.execute("PRAGMA journal_mode=WAL")
        older.executescript(SCHEMA)  # the tables as an older syncd left them
        older.close()
        ready = [tmp_path / f"ready-{round_}-{n}" for n in range(6)]
        procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(folder), str(r), str(go)],
                                  stderr=subprocess.PIPE) for r in ready]
        while not all(r.exists() for r in ready):  # every child imported, waiting to go
            assert all(p.poll() is None for p in procs)
        go.touch()
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert [p.returncode for p in procs] == [0] * 6, errors
    state = State.open(tmp_path / "state-0")
    try:
        state.set_followup("r", "apology", "p", "drafted", START, digest="d", kept=["k"])
        assert state.followups()["r"]["kept"] == ["k"]
    finally:
        state.close()
