"""The status page and the answer path, measured: render time by number of interviews, and
how many answers per second the state records (each one its own transaction, as in the daemon).

Usage: python benchmarks/page_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncd.ask import questions
from syncd.ask.page import render_page
from syncd.cli import main
from syncd.config import load
from syncd.demo import OWNER, _ics, seed
from syncd.state import State


def folder_with(interviews: int, root: Path) -> Path:
    """A demo folder with ``interviews`` extra interviews over the next weeks; returns the config."""
    config = seed(root)
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    calendars = root / "calendars" / "personal"
    for n in range(interviews):
        start = now + timedelta(hours=5 * n - 48)
        (calendars / f"bench-{n}.ics").write_text(_ics(
            f"bench-{n}", f"Interview – Engineer {n} (Company {n})", start, 45,
            organizer=f"hr{n}@company{n}.example", attendees=(("HR", f"hr{n}@company{n}.example"),
                                                                 ("Alex Doe", OWNER)),
            description="Your interview for the Engineer role."))
    return config


def render_times(config: Path, repeat: int = 5) -> float:
    cfg = load(config)
    state = State.open(cfg.daemon["state_dir"])
    now = datetime.now(timezone.utc)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        html = render_page(cfg, state, now)
        best = min(best, time.perf_counter() - started)
    state.close()
    assert "Upcoming interviews" in html
    return best


def answers_per_second(root: Path, count: int = 500) -> float:
    state = State.open(root / "answers")
    now = datetime.now(timezone.utc)
    codes = [questions.ask(state, f"ref{n}", "IV", now).code for n in range(count)]
    started = time.perf_counter()
    for code in codes:
        assert questions.record_answer(state, "attended", "ntfy", now, code=code) == "recorded"
    elapsed = time.perf_counter() - started
    state.close()
    return count / elapsed


def main_bench() -> None:
    print(f"{'interviews':>10} {'render (ms, best of 5)':>24}")
    for n in (10, 100, 300):
        with tempfile.TemporaryDirectory() as tmp:
            config = folder_with(n, Path(tmp) / "demo")
            assert main(["--config", str(config), "once"]) in (0, 75)
            print(f"{n:>10} {render_times(config) * 1000:>24.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"answers recorded per second (one transaction each): {answers_per_second(Path(tmp)):.0f}")


if __name__ == "__main__":
    main_bench()
