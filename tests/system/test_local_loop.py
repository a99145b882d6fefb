"""The whole loop on a local calendar folder, through the command line, as a newcomer uses it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from syncd.cli import main
from syncd.demo import seed

BIN = Path(sys.executable).parent
HOSTILE_CONFIGS = Path(__file__).parents[1] / "hostile" / "configs"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """A seeded demo folder; returns its config path."""
    monkeypatch.setenv("SYNCD_RETRY_BASE", "0.01")
    return seed(tmp_path / "demo")


def calendar_dir(config: Path) -> Path:
    return config.parent / "calendars" / "personal"


def files(config: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(calendar_dir(config).glob("*.ics"))}


def user_files(config: Path) -> dict[str, bytes]:
    return {n: b for n, b in files(config).items() if not n.startswith("syncd-")}


def owned_files(config: Path) -> dict[str, bytes]:
    return {n: b for n, b in files(config).items() if n.startswith("syncd-")}


def kinds(config: Path) -> list[str]:
    out = []
    for text in owned_files(config).values():
        line = next(x for x in text.decode().splitlines() if x.startswith("X-SYNCD-KIND:"))
        out.append(line.split(":", 1)[1])
    return sorted(out)


def drafts(config: Path) -> list[Path]:
    return sorted((config.parent / "drafts" / "cur").glob("*"))


def once(config: Path, *extra: str) -> int:
    return main(["--config", str(config), "once", *extra])


def status(config: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["--config", str(config), "status", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


EXPECTED = sorted(["buffer-before", "buffer-after", "travel-to", "travel-back",  # in-person, tomorrow
                   "conflict"])  # the onsite clashes with the team sync; the video interview
                                 # earlier today is over: no blocks are made for it any more


def test_first_cycle_makes_every_artifact_and_the_draft(demo, capsys):
    assert once(demo) == 0
    assert kinds(demo) == EXPECTED
    [draft] = drafts(demo)
    assert draft.name.endswith(":2,D")
    text = draft.read_text()
    assert "X-Syncd-Event:" in text and "talent@globex.com" in text
    data = status(demo, capsys)
    assert [a["name"] for a in data["accounts"]] == ["demo"] and data["accounts"][0]["last_error"] is None
    summaries = {i["summary"]: i for i in data["interviews"]}
    assert set(summaries) == {"Onsite interview – Senior Backend Engineer (Acme Robotics)",
                              "Video interview – Product Analyst (Globex)"}
    onsite = summaries["Onsite interview – Senior Backend Engineer (Acme Robotics)"]
    assert onsite["format"] == "in_person" and onsite["reasons"]
    video = summaries["Video interview – Product Analyst (Globex)"]
    assert video["followup"]["kind"] == "apology" and video["followup"]["state"] == "drafted"
    assert {c["kind"] for c in data["conflicts"]} == {"hard", "soft"}
    assert len(data["artifacts"]) == len(EXPECTED)


def test_user_files_stay_byte_identical_and_second_cycle_changes_nothing(demo):
    before = user_files(demo)
    assert once(demo) == 0
    owned = owned_files(demo)
    stamps = {p.name: p.stat().st_mtime_ns for p in calendar_dir(demo).glob("syncd-*.ics")}
    for _ in range(5):
        assert once(demo) == 0
    assert user_files(demo) == before
    assert owned_files(demo) == owned
    assert {p.name: p.stat().st_mtime_ns for p in calendar_dir(demo).glob("syncd-*.ics")} == stamps
    assert len(drafts(demo)) == 1


def test_lost_state_creates_no_duplicate_and_no_orphan(demo):
    assert once(demo) == 0
    owned = owned_files(demo)
    shutil.rmtree(demo.parent / "state")
    assert once(demo) == 0
    assert owned_files(demo) == owned


def test_moving_an_interview_moves_its_artifacts(demo):
    assert once(demo) == 0
    names = set(owned_files(demo))
    path = calendar_dir(demo) / "acme-onsite.ics"
    text = path.read_text()
    start = next(x for x in text.splitlines() if x.startswith("DTSTART:"))
    end = next(x for x in text.splitlines() if x.startswith("DTEND:"))
    path.write_text(text.replace(start, _shift(start, 3)).replace(end, _shift(end, 3)))
    assert once(demo) == 0
    assert set(owned_files(demo)) < names  # same keys, same files: moved, not recreated
    new_start = datetime.strptime(_shift(start, 3).split(":")[1], "%Y%m%dT%H%M%SZ")
    prep = next(b.decode() for b in owned_files(demo).values() if b"X-SYNCD-KIND:buffer-before" in b
                and b"Acme" in b)
    assert f"DTEND:{new_start:%Y%m%dT%H%M%SZ}" in prep
    assert "conflict" not in kinds(demo)  # three hours later it no longer clashes


def _shift(line: str, hours: int) -> str:
    name, value = line.split(":", 1)
    moved = datetime.strptime(value, "%Y%m%dT%H%M%SZ") + timedelta(hours=hours)
    return f"{name}:{moved:%Y%m%dT%H%M%SZ}"


def test_deleting_an_interview_removes_its_artifacts(demo):
    assert once(demo) == 0
    (calendar_dir(demo) / "acme-onsite.ics").unlink()
    assert once(demo) == 0
    assert kinds(demo) == []  # the other interview is over: it never had blocks


def test_dry_run_writes_nothing(demo, capsys):
    before = files(demo)
    assert once(demo, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would add travel-to" in out and "apology" in out
    assert files(demo) == before
    assert not (demo.parent / "state").exists()
    assert not (demo.parent / "drafts").exists()


def test_ack_attended_replaces_the_apology_with_a_thank_you(demo, capsys):
    assert once(demo) == 0
    data = status(demo, capsys)
    ref = next(i["ref"] for i in data["interviews"] if i["followup"])
    [apology] = drafts(demo)
    assert main(["--config", str(demo), "ack", ref[:6], "--attended"]) == 0
    [thanks] = drafts(demo)
    assert thanks != apology and not apology.exists()
    assert "Thank you" in thanks.read_text()
    again = status(demo, capsys)
    iv = next(i for i in again["interviews"] if i["ref"] == ref)
    assert iv["ack"] == "attended" and iv["followup"]["kind"] == "thank-you"
    assert once(demo) == 0
    assert drafts(demo) == [thanks]  # one live draft per interview, whatever the cycles
    assert main(["--config", str(demo), "ack", ref, "--dismiss"]) == 0
    assert drafts(demo) == []


def test_an_ack_that_does_not_fit_the_time_exits_1_and_changes_nothing(demo, capsys):
    assert once(demo) == 0
    data = status(demo, capsys)
    upcoming = next(i["ref"] for i in data["interviews"] if i["format"] == "in_person")
    before = (drafts(demo), files(demo))
    for verb in ("--missed", "--attended"):
        assert main(["--config", str(demo), "ack", upcoming, verb]) == 1
        err = capsys.readouterr().err
        assert "cannot be marked" in err and err.count("\n") == 1  # one sentence
    past = next(i["ref"] for i in data["interviews"] if i["followup"])
    assert main(["--config", str(demo), "ack", past, "--cannot-attend"]) == 1
    assert "too late" in capsys.readouterr().err
    assert (drafts(demo), files(demo)) == before
    assert all(i["ack"] is None for i in status(demo, capsys)["interviews"])


def test_missed_with_a_reason_and_an_edited_draft_kept(demo, capsys):
    assert once(demo) == 0
    ref = next(i["ref"] for i in status(demo, capsys)["interviews"] if i["followup"])
    reason = "My train was cancelled and I could not reach you in time."
    assert main(["--config", str(demo), "ack", ref, "--missed", "--reason", reason]) == 0
    [apology] = drafts(demo)
    assert reason in " ".join(apology.read_text().split())  # the draft written at the first cycle
    edited = apology.read_text().replace("Kind regards", "All the best")
    apology.write_text(edited)  # the owner edits it in mutt
    capsys.readouterr()
    assert main(["--config", str(demo), "ack", ref, "--attended"]) == 0
    said = capsys.readouterr().out
    assert "your edited apology draft stays where it is" in said and said.count("\n") == 1
    assert apology.read_text() == edited
    assert sorted("Thank you" in p.read_text() for p in drafts(demo)) == [False, True]
    iv = next(i for i in status(demo, capsys)["interviews"] if i["ref"] == ref)
    assert iv["followup"]["state"] == "kept-edited" and str(apology) in iv["followup"]["kept"]
    capsys.readouterr()
    assert main(["--config", str(demo), "status"]) == 0
    assert "your edited draft was kept" in capsys.readouterr().out


def test_cannot_attend_drafts_a_reschedule_and_drops_the_buffers(demo, capsys):
    assert once(demo) == 0
    data = status(demo, capsys)
    ref = next(i["ref"] for i in data["interviews"] if i["format"] == "in_person")
    assert main(["--config", str(demo), "ack", ref, "--cannot-attend"]) == 0
    assert any("new time" in p.read_text() for p in drafts(demo))
    assert once(demo) == 0
    assert "travel-to" not in kinds(demo)


def test_unknown_ref_exits_1_and_changes_nothing(demo, capsys):
    assert once(demo) == 0
    assert main(["--config", str(demo), "ack", "zzzz", "--missed"]) == 1
    assert "zzzz" in capsys.readouterr().err


def test_bad_input_is_skipped_with_one_message(demo, caplog):
    folder = calendar_dir(demo)
    (folder / "garbage.ics").write_text("BEGIN:VCALENDAR\nnot really\n")
    (folder / "nostart.ics").write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                                        "SUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    (folder / "badtz.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:tz\r\n"
        "DTSTART;TZID=Mars/Olympus_Mons:20261201T100000\r\nDTEND;TZID=Mars/Olympus_Mons:20261201T110000\r\n"
        "SUMMARY:odd zone\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert once(demo) == 0
    assert kinds(demo) == EXPECTED
    assert "garbage.ics" in caplog.text and "nostart.ics" in caplog.text
    assert "badtz.ics" in caplog.text and "Mars/Olympus_Mons" in caplog.text


def test_khal_lists_the_folder_with_the_artifacts(demo, tmp_path):
    khal = BIN / "khal"
    if not khal.exists():
        pytest.skip("khal is not installed in this environment")
    assert once(demo) == 0
    conf = tmp_path / "khal.conf"
    conf.write_text(f"[calendars]\n[[personal]]\npath = {calendar_dir(demo)}\n\n"
                    "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n"
                    "longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\n"
                    "longdatetimeformat = %Y-%m-%d %H:%M\n")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    out = subprocess.run([str(khal), "-c", str(conf), "list", "today", "3d"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    for title in ("Prep: Acme Robotics interview", "Travel to Acme Robotics interview",
                  "Double booking:", "Onsite interview"):
        assert title in out.stdout


def test_run_makes_artifacts_within_one_cycle_and_stops_on_ctrl_c(demo):
    proc = subprocess.Popen([str(BIN / "syncd"), "--config", str(demo), "run"],
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240  # a safety limit: the test waits for the events below
        while time.monotonic() < deadline and not (kinds(demo) == EXPECTED and drafts(demo)):
            time.sleep(0.2)  # the cycle's last step is the draft: then everything was written
        assert kinds(demo) == EXPECTED and drafts(demo)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0  # systemd's TimeoutStopSec
    finally:
        if proc.poll() is None:
            proc.kill()
    log = proc.stderr.read()
    assert "Interview [" in log and "Double booking" in log and "Drafted an apology" in log
    assert "Traceback" not in log


def test_an_unreadable_account_is_reported_and_the_others_go_on(demo, capsys):
    text = demo.read_text()
    demo.write_text(text + '\n[[accounts]]\nname = "gone"\ntype = "local"\npath = "/nonexistent/syncd"\n')
    assert once(demo) == 75
    assert kinds(demo) == EXPECTED
    data = status(demo, capsys)
    gone = next(a for a in data["accounts"] if a["name"] == "gone")
    assert "/nonexistent/syncd" in gone["last_error"]


def test_a_calendar_that_suddenly_looks_empty_is_held_back_for_one_cycle(demo, capsys, tmp_path):
    assert once(demo) == 0
    owned = owned_files(demo)
    folder = calendar_dir(demo)
    aside = tmp_path / "aside"
    aside.mkdir()
    for path in folder.glob("*.ics"):
        if not path.name.startswith("syncd-"):
            path.rename(aside / path.name)  # as if the sync tool had emptied the folder
    assert once(demo) == 0
    assert owned_files(demo) == owned  # nothing torn down on the first sight of it
    data = status(demo, capsys)
    assert [h["calendar"] for h in data["held_changes"]] == ["personal"]
    for path in aside.iterdir():
        path.rename(folder / path.name)  # it was a glitch: everything is back
    assert once(demo) == 0
    assert owned_files(demo) == owned
    assert status(demo, capsys)["held_changes"] == []


def test_a_real_mass_removal_goes_ahead_on_the_second_cycle(demo):
    assert once(demo) == 0
    for path in calendar_dir(demo).glob("*.ics"):
        if not path.name.startswith("syncd-"):
            path.unlink()
    assert once(demo) == 0
    assert len(owned_files(demo)) == len(EXPECTED)
    assert once(demo) == 0
    assert owned_files(demo) == {}


def test_an_account_without_its_password_is_reported_not_crashed(demo, capsys):
    demo.write_text(demo.read_text() + '\n[[accounts]]\nname = "corp"\ntype = "exchange"\n'
                    'email = "alex@corp.example"\npassword_env = "NOPE"\n'
                    'service_endpoint = "https://127.0.0.1:9/EWS/Exchange.asmx"\n')
    assert once(demo) == 75
    assert kinds(demo) == EXPECTED
    corp = next(a for a in status(demo, capsys)["accounts"] if a["name"] == "corp")
    assert "$NOPE" in corp["last_error"] and "not set" in corp["last_error"]


def test_mark_overrules_the_detector_for_the_next_cycle(demo, capsys):
    assert once(demo) == 0
    assert kinds(demo) == EXPECTED and len(drafts(demo)) == 1
    video = next(i for i in status(demo, capsys)["interviews"] if i["format"] == "video")
    # A false positive: no blocks and no draft from the next cycle on.
    assert main(["--config", str(demo), "mark", video["ref"][:6], "--not-interview"]) == 0
    assert once(demo) == 0
    assert sorted(kinds(demo)) == sorted(["buffer-before", "buffer-after", "travel-to",
                                          "travel-back", "conflict"])
    assert drafts(demo) == []
    assert video["ref"] not in {i["ref"] for i in status(demo, capsys)["interviews"]}
    # A missed interview, named by its UID: it gains blocks, and says why.
    assert main(["--config", str(demo), "mark", "demo-dentist", "--interview"]) == 0
    assert once(demo) == 0
    dentist = next(i for i in status(demo, capsys)["interviews"] if i["summary"] == "Dentist")
    assert dentist["override"] == "interview" and dentist["location"] == "Bright Smile Dental"
    assert "marked as an interview" in dentist["reasons"][0]
    assert kinds(demo).count("buffer-before") == 2
    # --auto hands both back to the detector.
    assert main(["--config", str(demo), "mark", "demo-dentist", "--auto"]) == 0
    assert main(["--config", str(demo), "mark", video["ref"], "--auto"]) == 0
    assert once(demo) == 0
    assert kinds(demo) == EXPECTED and len(drafts(demo)) == 1


def test_mark_of_an_unknown_ref_exits_1(demo, capsys):
    assert once(demo) == 0
    assert main(["--config", str(demo), "mark", "zzzz", "--interview"]) == 1
    assert "zzzz" in capsys.readouterr().err


def test_the_hostile_corpus_is_planned_around_bounded_and_escaped(demo, caplog):
    """Every entry of tests/hostile at once: the cycle ends, the demo is planned as ever, user
    files stay byte-identical, output is bounded and escaped, and warnings are said once."""
    from syncd.config import load
    from syncd.cycle import Engine
    from syncd.state import State
    from syncd.bounds import MAX_INTERVIEWS_PER_SERIES, MAX_MARKERS_PER_INTERVIEW
    from tests.hostile import assert_safe_output, cases, write_folder

    write_folder(calendar_dir(demo), datetime.now().astimezone())
    before = user_files(demo)
    syncd = [str(BIN / "syncd"), "--config", str(demo)]
    done = subprocess.run([*syncd, "once"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_safe_output(done.stderr, max_lines=600)  # mostly one line per artifact written
    assert user_files(demo) == before
    per_entry = MAX_INTERVIEWS_PER_SERIES * (4 + MAX_MARKERS_PER_INTERVIEW)  # blocks and markers
    assert len(owned_files(demo)) <= 7 + per_entry * len(cases(datetime.now().astimezone()))
    assert {"travel-to", "travel-back"} <= set(kinds(demo))  # the demo's onsite interview
    for extra in ([], ["--json"]):
        shown = subprocess.run([*syncd, "status", *extra], capture_output=True, text=True, timeout=300)
        assert shown.returncode == 0, shown.stderr
        assert_safe_output(shown.stdout, max_lines=5000)
    data = json.loads(shown.stdout)
    assert any("\x1b[2J" in i["summary"] for i in data["interviews"])  # kept, as data
    assert data["capped"]  # what was left out is said
    config = load(demo)
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        engine.cycle(datetime.now().astimezone())
        caplog.clear()
        caplog.set_level("WARNING")
        assert not engine.cycle(datetime.now().astimezone()).failed
    finally:
        engine.close()
        state.close()
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []
    assert user_files(demo) == before


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE_CONFIGS.glob("*.toml")))
def test_a_hostile_config_gets_escaped_output_and_no_traceback(name, tmp_path):
    """Each config of tests/hostile/configs through check-config, once and status."""
    from tests.hostile import assert_safe_output, configs

    (tmp_path / "calendars" / "personal").mkdir(parents=True)
    config = tmp_path / "config.toml"
    config.write_text(configs(tmp_path)[name], encoding="utf-8")
    config.chmod(0o600)
    for verb in (["check-config"], ["once"], ["status"], ["status", "--json"]):
        done = subprocess.run([str(BIN / "syncd"), "--config", str(config), *verb],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 75, 78), (verb, done.stderr)
        assert_safe_output(done.stdout, max_lines=200)
        assert_safe_output(done.stderr, max_lines=200)


def test_kill_9_between_writing_a_draft_and_recording_it_leaves_one(demo):
    from tests.system.killed import once_killed_before_recording

    once_killed_before_recording(demo)
    assert len(drafts(demo)) == 1  # written, not recorded
    for _ in range(2):
        assert once(demo) == 0
    assert len(drafts(demo)) == 1
