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



def test_status_loads_no_http_client_nor_the_daemon(demo):
    """``status`` talks to no server: it prints the page's address without loading the page's
    server, the HTTP client under it, the mail modules, the daemon's loop or the retry library."""
    import json

    assert main(["--config", str(demo), "once"]) == 0
    kept_out = ("http.client", "http.server", "email.message", "syncd.ask.web", "syncd.daemon",
                "tenacity")
    script = ("import json, sys\nfrom syncd.cli import main\ncode = main(sys.argv[1:])\n"
              f"print(json.dumps([m for m in {kept_out!r} if m in sys.modules]))\nsys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script, "status", "--config", str(demo)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Status page (while `syncd run` runs): http://" in done.stdout
    assert json.loads(done.stdout.splitlines()[-1]) == []

def _event(uid: str, summary: str, start: str, end: str) -> str:
    return (f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20250101T000000Z\n"
            f"DTSTART:{start}\nDTEND:{end}\nSUMMARY:{summary}\nEND:VEVENT\nEND:VCALENDAR\n")


def test_the_log_tells_interviews_at_info_and_ordinary_overlaps_at_debug(demo, caplog):
    from datetime import datetime, timedelta, timezone

    folder = demo.parent / "calendars" / "personal"
    day = (datetime.now(timezone.utc) + timedelta(days=5)).strftime("%Y%m%d")
    (folder / "a.ics").write_text(_event("a", "Book club", f"{day}T100000Z", f"{day}T110000Z"))
    (folder / "b.ics").write_text(_event("b", "Gym", f"{day}T103000Z", f"{day}T113000Z"))
    assert main(["--config", str(demo), "once", "-v"]) == 0
    overlap = [r for r in caplog.records if "'Book club'" in r.getMessage()]
    assert overlap and all(r.levelname == "DEBUG" for r in overlap)
    interview = [r for r in caplog.records if "Double booking" in r.getMessage() and "Team sync" in r.getMessage()]
    assert interview and interview[0].levelname == "INFO"
    assert not any("created" in r.getMessage() and r.name.startswith("providers") and r.levelname == "INFO"
                   for r in caplog.records)  # each write is said once, by the engine


def test_a_cancelled_interview_is_not_told_as_one_and_its_blocks_say_why_they_go(demo, caplog):
    assert main(["--config", str(demo), "once"]) == 0
    path = demo.parent / "calendars" / "personal" / "acme-onsite.ics"
    path.write_text(path.read_text().replace("BEGIN:VEVENT\n", "BEGIN:VEVENT\nSTATUS:CANCELLED\n", 1)
                    .replace("BEGIN:VEVENT\r\n", "BEGIN:VEVENT\r\nSTATUS:CANCELLED\r\n", 1))
    caplog.clear()
    caplog.set_level("INFO")
    assert main(["--config", str(demo), "once"]) == 0
    lines = [r.getMessage() for r in caplog.records]
    assert any("'Onsite interview" in m and "was cancelled: no blocks, no follow-up" in m for m in lines)
    assert not any("Interview [" in m and "Onsite" in m for m in lines)
    removed = [m for m in lines if m.startswith("demo: remove ")]
    assert removed and all(m.endswith(": the interview was cancelled in Personal") for m in removed)


def test_an_artifact_is_stamped_with_the_time_it_was_written(demo):
    from datetime import datetime, timezone

    before = datetime.now(timezone.utc).replace(microsecond=0)
    assert main(["--config", str(demo), "once"]) == 0
    for name, text in _ics(demo).items():
        if name.startswith("syncd-"):
            stamp = next(x for x in text.decode().splitlines() if x.startswith("DTSTAMP:")).split(":")[1]
            assert datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc) >= before


def test_status_says_how_far_ahead_where_and_with_whom_and_what_hard_and_soft_mean(demo, capsys):
    assert main(["--config", str(demo), "once"]) == 0
    capsys.readouterr()
    assert main(["--config", str(demo), "status"]) == 0
    out = capsys.readouterr().out
    detail = out.split("[eec6bab7b4]", 1)[1].splitlines()[1]
    assert detail.strip().startswith("in ") and "at Acme Robotics, 1 Market St" in detail
    assert "with Jordan Lee, Priya Shah" in detail and "Alex Doe" not in detail
    assert "syncd ack REF --cannot-attend" in out
    assert "hard: two busy events at once" in out and "soft: an event overlaps a syncd buffer" in out
    assert "1 events" not in out and "1 accounts" not in out


def test_two_onces_at_the_same_time_leave_one_draft(demo):
    for _ in range(3):
        runs = [subprocess.Popen([str(BIN / "syncd"), "once", "--config", str(demo)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in runs]
        for p in runs:
            p.stdout.close()
            p.stderr.close()
        assert sorted(code for code, _ in results) in ([0, 0], [0, 1]), results
        assert all("Traceback" not in err for _, err in results)
        assert all("already looks after the state" in err for code, err in results if code == 1)
        assert len(list((demo.parent / "drafts" / "cur").glob("*"))) == 1


def test_ack_says_what_it_drafted_once(demo):
    assert main(["--config", str(demo), "once"]) == 0
    done = subprocess.run([str(BIN / "syncd"), "ack", "286a7e", "--attended", "--config", str(demo)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    [draft] = (demo.parent / "drafts" / "cur").glob("*")
    assert said.count(draft.name) == 1 and "thank-you" in done.stdout
