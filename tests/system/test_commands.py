"""The command line on a demo folder: purge, one syncd per state, private files, pipes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from syncd import lock
from syncd.cli import main
from syncd.demo import seed
from syncd.state import State

BIN = Path(sys.executable).parent


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNCD_RETRY_BASE", "0.01")
    return seed(tmp_path / "demo")


def _ics(config: Path) -> dict[str, bytes]:
    folder = config.parent / "calendars" / "personal"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ics"))}


def test_purge_removes_every_owned_event_and_nothing_else(demo, capsys):
    before = _ics(demo)
    assert main(["--config", str(demo), "once"]) == 0
    owned = [n for n in _ics(demo) if n.startswith("syncd-")]
    assert owned
    capsys.readouterr()
    assert main(["purge", "--dry-run", "--config", str(demo)]) == 0
    out = capsys.readouterr().out
    assert out.count("would remove demo/Personal: ") == len(owned)
    assert len(_ics(demo)) == len(before) + len(owned)  # a dry run removes nothing
    assert main(["purge", "--config", str(demo)]) == 0
    out = capsys.readouterr().out
    assert out.count("removed demo/Personal: ") == len(owned)
    assert f"removed {len(owned)} events that syncd created" in out
    assert _ics(demo) == before  # user events byte-identical, every artifact gone


def test_a_second_syncd_on_the_same_state_says_who_holds_it(demo, capsys):
    state_dir = demo.parent / "state"
    with lock.instance(state_dir, "run"):
        for verb in ("run", "once", "purge"):
            out = subprocess.run([str(BIN / "syncd"), verb, "--config", str(demo)],
                                 capture_output=True, text=True, timeout=60)
            assert out.returncode == 1, out.stderr
            assert f"`syncd run` (pid {os.getpid()})" in out.stderr
            assert "Traceback" not in out.stderr
    assert main(["--config", str(demo), "once"]) == 0  # released: the next one goes ahead


def test_an_ack_waits_for_the_cycle_in_flight(demo, capsys):
    state_dir = demo.parent / "state"
    assert main(["--config", str(demo), "once"]) == 0
    with lock.writing(state_dir):
        proc = subprocess.Popen([str(BIN / "syncd"), "--config", str(demo), "ack", "286a7e", "--attended"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1)  # still waiting for the lock, not failed nor done
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def test_state_folder_and_files_are_private_even_when_they_existed(tmp_path):
    folder = tmp_path / "state"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    db = folder / "state.sqlite3"
    State.open(folder).close()
    db.chmod(0o644)
    state = State.open(folder)
    state.set_ack("abc", "attended", __import__("datetime").datetime.now())
    try:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for path in folder.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert (folder / "state.sqlite3-wal").exists()
    finally:
        state.close()


def test_status_into_a_closed_pipe_ends_quietly(demo):
    assert main(["--config", str(demo), "once"]) == 0
    out = subprocess.run(f"'{BIN / 'syncd'}' status --config '{demo}' | head -1", shell=True,
                         capture_output=True, text=True, timeout=60)
    assert out.stdout == "Accounts:\n" and out.stderr == ""
