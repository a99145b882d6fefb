"""Fault injection: the daemon as a process, against flaky servers, killed at random moments.

``syncd run`` runs as a subprocess against a local folder, Radicale, Xandikos, the Google fake
and the Exchange fake; each network account reaches its server through a :class:`FaultProxy` that fails a share
of the requests (5xx, 429, resets before and after the server acted, half-written answers,
requests accepted and never answered, answers trickled a byte every 2 s), and once per run
fails every request for a few seconds. Meanwhile the test moves, cancels and restores
interviews and kills the daemon with SIGKILL (half the time right after it sent a write),
restarting it each time. Then the faults stop, one clean ``syncd once`` runs, and the calendars
must hold exactly the desired artifacts: each key once per calendar, no orphan, no user event
touched, every acknowledgement kept, and ``status`` must have shown the errors while they
lasted and none at the end. Every cycle must end within its bound.

The network accounts keep the default request ``timeout`` (60 s), so only the per-cycle
``deadline`` (:data:`tests.system.faultworld.DEADLINE`) ends a silent or trickling request. A
cycle is counted when the daemon sends its STATUS= line on the NOTIFY_SOCKET, once per finished
cycle (each syncs the accounts that are due; all poll every second). ``SYNCD_FAULT_CYCLES``
(200), ``SYNCD_FAULT_KILLS`` (20) and ``SYNCD_FAULT_SEED`` shape the long run; its summary is
printed (see it with ``-s``) and written to ``fault-summary.json`` in the test's tmp folder.

The scaffolding lives beside this file: :mod:`tests.system.faultworld` (seeded events, servers,
proxies, config), :mod:`tests.system.faultdaemon` (the daemon process, its notifications, the
command line, what the run does) and :mod:`tests.system.faultcheck` (desired against actual).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from syncd.config import load
from syncd.cycle import Engine
from syncd.state import State
from tests.servers import start_radicale
from tests.system.faultcheck import (
    actual, compare, dav_sources, desired, errors_by_account, google_sources, live_drafts,
    local_sources, prep_start, report, touched_user_events, verify, writes_to_user_events,
)
from tests.system.faultdaemon import (
    acknowledge, burst, cli, DaemonProcess, FAULT_RATE, kill_and_restart, move_one,
    Notifications, Run, StatusPoller, wait_until,
)
from tests.system.faultworld import CLEAN_DEADLINE, DEADLINE, interview, MOVERS, open_world, SEEDS, World, ZOOM

CYCLES = int(os.environ.get("SYNCD_FAULT_CYCLES", "200"))
KILLS = int(os.environ.get("SYNCD_FAULT_KILLS", "20"))
SEED = int(os.environ.get("SYNCD_FAULT_SEED", "20261125"))
RUN_LIMIT = 600.0  # seconds: a run that has not reached its cycles by then fails
PATIENCE = 240.0  # seconds: a wait for an event gives up (and fails) only after this long


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The servers, proxies, calendars and config of one test (see faultworld.open_world)."""
    with open_world(tmp_path, SEED) as env:
        yield env


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[Notifications]:
    """The NOTIFY_SOCKET listener."""
    listener = Notifications(tmp_path / "notify.sock")
    yield listener
    listener.close()


@pytest.fixture
def daemon(world: World, notify: Notifications) -> Iterator[DaemonProcess]:
    """The daemon (not started yet)."""
    process = DaemonProcess(world.config, notify)
    yield process
    process.close()


def test_faults_and_kills_end_with_exactly_the_desired_artifacts(world, daemon, notify, tmp_path):
    env, run = world, Run(random.Random(SEED))
    started = time.monotonic()
    env.write_config(deadline=DEADLINE)
    env.set_faults(FAULT_RATE)
    daemon.start()
    with StatusPoller(env.config) as poller:
        acknowledge(env, daemon)
        kill_at = [round((i + 1) * CYCLES / (KILLS + 1)) for i in range(KILLS)]
        move_at = sorted(run.rng.sample(range(5, max(CYCLES, 6)), min(CYCLES // 5, max(CYCLES - 5, 1))))
        burst_at = CYCLES // 3
        while notify.cycles < CYCLES or kill_at:
            assert time.monotonic() - started < RUN_LIMIT, f"only {notify.cycles} cycles in time"
            if kill_at and notify.cycles >= kill_at[0]:
                kill_at.pop(0)
                kill_and_restart(env, daemon, run)
            elif burst_at and notify.cycles >= burst_at:
                burst_at = 0
                burst(env, daemon)
            elif move_at and notify.cycles >= move_at[0]:
                move_at.pop(0)
                move_one(env, run, run.rng.choice(tuple(MOVERS)))
            assert daemon.alive(), f"the daemon exited by itself:\n{daemon.log()[-4000:]}"
            time.sleep(0.02)
        faulty_seconds = time.monotonic() - started
        # A daemon restarted moments ago may not have its signal handlers yet.
        wait_until(lambda: daemon.pid in notify.ready, PATIENCE, "the daemon to be ready", daemon)
        assert daemon.stop() == 0, daemon.log()[-4000:]
    env.set_faults(0.0)
    env.write_config(deadline=CLEAN_DEADLINE)
    clean = cli(env.config, "once")
    assert clean.returncode == 0, clean.stderr[-4000:]
    summary = verify(env, daemon, notify, run, poller, faulty_seconds)
    summary["runtime_seconds"] = round(time.monotonic() - started, 1)
    report(summary, tmp_path / "fault-summary.json")
    assert summary["duplicates"] == summary["orphans"] == summary["missing"] == 0, summary
    assert summary["user_events_touched"] == summary["writes_to_user_events"] == 0, summary
    assert summary["acks_kept"] == 2 and summary["drafts_ok"], summary
    assert summary["status_errors_seen"], "status never showed a network account's error"
    assert summary["status_errors_at_end"] == [], summary
    assert summary["unexpected_errors_in_log"] == 0, "the daemon logged an unexpected error"
    assert summary["kills"] == KILLS and summary["cycles"] >= CYCLES
    assert summary["longest_cycle_seconds"] <= summary["cycle_bound_seconds"], summary
    assert summary["faults_by_kind"].get("stall", 0) + summary["faults_by_kind"].get("trickle", 0) > 0


# -- a server that goes away ------------------------------------------------------------------

NEW_HOME = interview("home", "home-newco", "Onsite interview – Engineer (Newco)", 9, 10, 60,
               "Newco, 1 Market St, San Francisco", "newco", "onsite")
NEW_WORK = interview("work", "work-later", "Video interview – Architect (Later Inc)", 10, 15, 60, ZOOM,
               "later", "video")
STARK = next(s for s in SEEDS if s.uid == "g-stark@stark.example")


def test_a_caldav_server_going_away_does_not_stop_the_others(world, daemon, notify):
    env = world
    daemon.start()
    wait_until(lambda: notify.cycles >= 3 and not any(errors_by_account(env).values())
               and dav_sources(env, "work"), PATIENCE, "a first clean sync", daemon)
    acme = "g-acme@acme.example"
    assert google_sources(env, "conflict")[acme] == 1  # it clashes with a CalDAV meeting
    env.radicale.stop()  # the CalDAV server is gone: the proxy resets every connection
    env.put(NEW_HOME)
    moved = env.start_of(STARK, 2.0)
    env.put(STARK, 2.0)
    want_prep = (moved - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M")
    wait_until(lambda: local_sources(env)[NEW_HOME.uid] == 4, PATIENCE,
               "the local account to sync while CalDAV is down", daemon)
    wait_until(lambda: (prep_start(env, STARK.uid) or "").startswith(want_prep), PATIENCE,
               "the Google account to sync while CalDAV is down", daemon)
    wait_until(lambda: errors_by_account(env)["work"] is not None
               and any("failing (work)" in s for s in notify.statuses), PATIENCE,
               "status and the daemon's STATUS= to name the CalDAV account's error", daemon)
    errors = errors_by_account(env)
    assert {name for name, error in errors.items() if error} == {"work"}, errors
    assert google_sources(env, "conflict")[acme] == 1, "the cached CalDAV meeting still clashes"

    env.radicale = start_radicale(env.root / "radicale")  # back, on a new port
    env.proxies["work"].upstream = env.radicale.url.rstrip("/")
    env.calendars["work"] = env.radicale.calendar_url("work")
    env.put(NEW_WORK)
    wait_until(lambda: dav_sources(env, "work")[NEW_WORK.uid] == 2, PATIENCE,
               "the CalDAV account to catch up once its server is back", daemon)
    wait_until(lambda: not any(errors_by_account(env).values()), PATIENCE,
               "every account to be healthy again", daemon)
    assert daemon.stop() == 0
    clean = cli(env.config, "once")
    assert clean.returncode == 0, clean.stderr[-4000:]
    want, ops, failed = desired(env.config)
    assert (ops, failed) == ([], {})
    assert compare(want, actual(env)) == {"duplicates": 0, "orphans": 0, "missing": 0}
    assert touched_user_events(env) == [] and writes_to_user_events(env) == []
    assert env.proxies["work"].unreachable > 0
    assert "Traceback" not in daemon.log()


def test_a_block_stripped_of_its_marker_is_left_alone_and_stops_nothing(world, daemon, notify):
    """Some clients drop unknown X- properties when the owner edits an event. The block that
    keeps syncd's UID but lost its marker is the user's from then on: syncd must neither
    change it nor die on it (it once did: NotOwned escaped the cycle and ended the daemon)."""
    env = world
    daemon.start()
    initech = "home-initech"

    def prep_file() -> Path | None:
        return next((p for p in env.folder.glob("syncd-*.ics")
                     if f"X-SYNCD-SOURCE:{initech}" in p.read_text()
                     and "X-SYNCD-KIND:buffer-before" in p.read_text()), None)

    wait_until(lambda: notify.cycles >= 2 and prep_file() is not None, PATIENCE, "a first clean sync",
               daemon)
    prep = prep_file()
    assert prep is not None
    stripped = "".join(line for line in prep.read_text().splitlines(keepends=True)
                       if not line.startswith("X-SYNCD-"))
    prep.write_text(stripped.replace("Prep:", "Prep (moved by me):"))
    env.local_files[prep.name] = prep.read_bytes()
    seen = notify.cycles
    env.put(STARK, 2.0)  # the other accounts keep going
    want_prep = (env.start_of(STARK, 2.0) - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M")
    wait_until(lambda: notify.cycles >= seen + 3
               and (prep_start(env, STARK.uid) or "").startswith(want_prep)
               and "does not carry the syncd marker" in daemon.log(), PATIENCE,
               "more cycles, and the refusal to touch the block in the log", daemon)
    assert daemon.stop() == 0
    assert touched_user_events(env) == []


def test_a_crash_between_writing_a_draft_and_recording_it_leaves_one_draft(tmp_path, monkeypatch):
    """kill -9 lands after the draft is in the Maildir but before the state records it: the
    next cycle adopts that draft instead of writing a second one for the same interview."""
    from syncd.demo import seed as seed_demo

    config = load(seed_demo(tmp_path / "demo"))

    def cycle() -> None:
        state = State.open(config.daemon["state_dir"])
        engine = Engine(config, state)
        try:
            engine.cycle(datetime.now(timezone.utc))
        finally:
            engine.close()
            state.close()

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("kill -9")  # nothing catches it: like the process dying

    with monkeypatch.context() as patch:
        patch.setattr(State, "set_followup", killed)
        with pytest.raises(KeyboardInterrupt):
            cycle()
    assert sum(live_drafts(config.followup["drafts_dir"]).values()) == 1  # written, not recorded
    cycle()
    cycle()
    drafts = live_drafts(config.followup["drafts_dir"])
    assert list(drafts.values()) == [1], drafts
    state = State.open(config.daemon["state_dir"])
    try:
        [record] = state.followups().values()
    finally:
        state.close()
    assert record["state"] == "drafted" and Path(record["path"]).exists()
