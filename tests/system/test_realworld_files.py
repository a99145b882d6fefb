"""Every .ics that icalendar and recurring-ical-events ship with their own tests (issue 8, 13).

Real-world files, in all their subfolders, on a local folder and on Radicale: the account
syncs, every readable event is planned, and each unreadable one is skipped with one warning
that names the file (or href) and the property (icalendar 7 raises on a broken value only when
it is first read, which once aborted the whole account).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from syncd.config import validate
from syncd.state import State
from tests.system.cycles import fresh_cycle
from tests.servers import request, start_server

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
BROKEN = "broken_dtstart.ics"  # icalendar's own example: DTSTART:INVALID-DATE


def shipped() -> dict[str, bytes]:
    """Unique name -> bytes of every .ics the two libraries ship, from all subfolders."""
    out = {}
    for package in (icalendar, recurring_ical_events):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.ics")):
            name = "-".join(path.relative_to(root).parts)
            out[f"{package.__name__}-{name}"] = path.read_bytes()
    return out


def config(tmp_path: Path, account: dict) -> object:
    return validate({
        "daemon": {"state_dir": str(tmp_path / "state"), "timezone": "UTC"},
        "accounts": [account], "interviews": {"self": ["alex@example.com"]},
        "followup": {"drafts_dir": str(tmp_path / "drafts")},
    }, tmp_path / "config.toml")


def one_cycle(cfg) -> object:
    return fresh_cycle(cfg, NOW)


def test_shipped_files_are_all_found():
    names = shipped()
    assert len(names) > 200 and any(n.endswith(BROKEN) for n in names)
    assert any("-calendars-" in n for n in names)  # subfolders are walked


def test_every_shipped_file_in_a_local_folder(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    folder = tmp_path / "cal" / "shipped"
    folder.mkdir(parents=True)
    files = shipped()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    report = one_cycle(config(tmp_path, {"name": "home", "type": "local", "path": str(tmp_path / "cal")}))
    assert report.failed == {}
    broken = [r.getMessage() for r in caplog.records if BROKEN in r.getMessage()]
    assert len(broken) == 1 and "DTSTART" in broken[0], broken
    assert "Traceback" not in caplog.text
    assert {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith("syncd-")} == before
    state = State.open(tmp_path / "state")
    try:
        assert state.count_events("home") > len(files) // 2  # the readable ones were all taken in
    finally:
        state.close()


@pytest.fixture(scope="module")
def radicale():
    with start_server("radicale") as dav:
        yield dav


def test_every_shipped_file_on_radicale(radicale, tmp_path, caplog, monkeypatch):
    """Radicale refuses at PUT what it cannot read (broken_dtstart.ics among them); what it
    stores, syncd reads in one cycle, and the next cycle reads nothing again."""
    caplog.set_level(logging.WARNING)
    cal_id = "shipped-" + uuid.uuid4().hex[:8]
    cal_url = radicale.make_calendar(cal_id, displayname=cal_id)
    stored = 0
    for index, data in enumerate(shipped().values()):
        status, _, _ = request("PUT", f"{cal_url}{index}.ics", data, auth=radicale.auth(),
                               headers={"Content-Type": "text/calendar"})
        stored += status in (201, 204)
    assert stored > 50
    monkeypatch.setenv("SYNCD_TEST_DAV_PASSWORD", radicale.password)
    cfg = config(tmp_path, {"name": "dav", "type": "caldav", "url": radicale.url,
                            "username": radicale.username, "password_env": "SYNCD_TEST_DAV_PASSWORD",
                            "calendars": [cal_id]})
    assert one_cycle(cfg).failed == {}
    assert "Traceback" not in caplog.text
    state = State.open(tmp_path / "state")
    try:
        assert state.count_events("dav") >= stored // 2
    finally:
        state.close()
    caplog.clear()
    assert one_cycle(cfg).failed == {}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
