"""The engine with an Exchange account (on the fake EWS server) beside a local folder and a Google
account, and ``syncd run`` as a process over all three."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from syncd.config import validate
from syncd.cycle import Engine
from syncd.state import State
from tests.configfile import write_config
from tests.system.killed import cycle_dying_before_recording
from tests.system.beside_google import WORK, google_account, google_beside
from tests.contract.test_google import when as google_when
from tests.contract.test_local import user_ics
from tests.fakes.exchange.soap import T
from tests.fakes.ews import FakeExchange
from tests.fakes.google import FakeGoogleCalendar
from tests.system.test_google_loop import cycle

ME = "alex@corp.example.com"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
IV_START = NOW + timedelta(days=1, hours=5)  # 2 Dec 13:00 UTC
SYNCD = str(Path(sys.executable).parent / "syncd")
KINDS = ["buffer-after", "buffer-before", "travel-back", "travel-to"]


@pytest.fixture
def ews(monkeypatch):
    server = FakeExchange(email=ME).start()
    monkeypatch.setenv("SYNCD_TEST_EWS_PASSWORD", server.password)
    yield server
    server.stop()


@pytest.fixture
def google():
    server = google_beside(ME)
    yield server
    server.stop()


def make_config(ews: FakeExchange, google: FakeGoogleCalendar, root: Path, **daemon) -> dict:
    (root / "cal" / "personal").mkdir(parents=True, exist_ok=True)
    return {
        "daemon": {"state_dir": str(root / "state"), "timezone": "UTC", **daemon},
        "accounts": [
            {"name": "home", "type": "local", "path": str(root / "cal")},
            {"name": "corp", "type": "exchange", "email": ME, "username": ews.username,
             "password_env": "SYNCD_TEST_EWS_PASSWORD", "service_endpoint": ews.service_endpoint,
             "auth_type": "basic", "version": "Exchange2016", "timeout": "10s"},
            google_account(google, root),
        ],
        "interviews": {"self": [ME]},
        "followup": {"drafts_dir": str(root / "drafts"), "from": f"Alex <{ME}>"},
    }


@pytest.fixture
def config(ews, google, tmp_path):
    return validate(make_config(ews, google, tmp_path), tmp_path / "config.toml")


def seed_interview(ews: FakeExchange, start: datetime = IV_START) -> str:
    return ews.add_event(
        "Onsite interview – Staff Engineer (Acme)", start, start + timedelta(hours=2),
        uid="iv-acme@acme.example", location="Acme HQ, 1 Market St, San Francisco, CA 94105",
        body="Looking forward to meeting you for your onsite interview.",
        organizer=("recruiter@acme.example", "Rita Recruiter"),
        attendees=((ME, "Alex", "Accept"), ("recruiter@acme.example", "Rita Recruiter", "Organizer")))


def google_meeting(google: FakeGoogleCalendar, start: datetime = IV_START) -> dict:
    return google.seed_event(WORK, {"summary": "Planning meeting", "start": google_when(start + timedelta(minutes=30)),
                                    "end": google_when(start + timedelta(minutes=90))})


def owned(ews: FakeExchange) -> dict[str, str]:
    """syncd-key -> syncd-kind of every marked item in the mailbox's calendar."""
    out = {}
    for item in ews.items():
        values = {k[1]: e.findtext(f"{{{T}}}Value") for k, e in item.extended.items()}
        if "syncd-key" in values:
            out[str(values["syncd-key"])] = str(values.get("syncd-kind"))
    return out


def user_snapshot(ews: FakeExchange) -> list[str]:
    keys = set(owned(ews))
    return sorted(ews.fingerprint(i.id) for i in ews.items()
                  if not any(e.findtext(f"{{{T}}}Value") in keys for e in i.extended.values()))


def assert_nobody_invited(ews: FakeExchange) -> None:
    assert ews.sent == []
    assert {v for d in ews.dispositions for v in d.attributes.values()} <= {"SendToNone", "SaveOnly"}


def test_exchange_interview_clashing_with_google_and_local_meetings_is_flagged(ews, google, config, tmp_path):
    interview = seed_interview(ews)
    meeting = google_meeting(google)
    local = tmp_path / "cal" / "personal" / "standup.ics"
    local.write_text(user_ics("standup-1", "Team sync", IV_START + timedelta(minutes=95),
                              IV_START + timedelta(minutes=115)))
    before, local_before = user_snapshot(ews), local.read_bytes()
    report = cycle(config)
    assert not report.failed
    hard = [c for c in report.plan.conflicts if c.kind == "hard"]
    assert len(hard) == 2 and all("iv-acme@acme.example" in (c.a.uid, c.b.uid) for c in hard)
    assert sorted(owned(ews).values()) == sorted(KINDS + ["conflict", "conflict"])
    markers = [i for i in ews.items() if any(e.findtext(f"{{{T}}}Value") == "conflict" for e in i.extended.values())]
    assert {m.text("LegacyFreeBusyStatus") for m in markers} == {"Free"}
    assert user_snapshot(ews) == before and local.read_bytes() == local_before
    assert [e for e in google.events_of(WORK) if e["id"] == meeting["id"]] == [meeting]
    assert interview not in {d.item_id for d in ews.dispositions}
    assert_nobody_invited(ews)


def test_idle_cycle_is_one_sync_request_for_the_calendar(ews, google, config):
    seed_interview(ews)
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        engine.cycle(NOW)
        assert engine.cycle(NOW).ops == []  # sees its own items come back, changes nothing
        ews.reset_log()
        report = engine.cycle(NOW)
    finally:
        engine.close()
        state.close()
    assert report.ops == []
    assert [r.operation for r in ews.operations()] == ["SyncFolderItems"]


def test_invalid_sync_state_recovers_without_duplicates(ews, google, config):
    seed_interview(ews)
    cycle(config)
    first = owned(ews)
    ews.invalidate_sync_states()
    report = cycle(config)
    assert not report.failed and report.ops == []
    assert owned(ews) == first and len(first) == 4


def test_crash_between_create_and_recording_converges(ews, google, config, monkeypatch):
    seed_interview(ews)
    cycle_dying_before_recording(lambda: cycle(config), monkeypatch)
    assert len(owned(ews)) == 1  # created on Exchange, never recorded
    cycle(config)
    assert sorted(owned(ews).values()) == KINDS
    assert len(ews.find(Subject=ews.items()[0].text("Subject"))) == 1
    assert cycle(config).ops == []


def test_lost_state_creates_no_duplicate(ews, google, config):
    seed_interview(ews)
    cycle(config)
    first = owned(ews)
    shutil.rmtree(config.daemon["state_dir"])
    cycle(config)
    assert owned(ews) == first


def test_throttling_is_ridden_out(ews, google, config):
    seed_interview(ews)
    ews.throttle_next(2, back_off_ms=30)
    ews.fail_next(1, 503)
    report = cycle(config)
    assert not report.failed
    assert sorted(owned(ews).values()) == KINDS
    assert [r.status for r in ews.requests][:3] == [500, 500, 503]


def test_moving_and_removing_follow_and_user_items_never_change(ews, google, config):
    interview = seed_interview(ews)
    cycle(config)
    later = IV_START + timedelta(hours=3)
    ews.edit_event(interview, Start=later.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   End=(later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    moved = user_snapshot(ews)
    cycle(config)
    prep = next(i for i in ews.items() if "buffer-before" in
                {e.findtext(f"{{{T}}}Value") for e in i.extended.values()})
    assert prep.when("End") == later
    assert len(owned(ews)) == 4 and user_snapshot(ews) == moved
    ews.remove_event(interview)
    cycle(config)
    assert owned(ews) == {}
    assert interview not in {d.item_id for d in ews.dispositions}
    assert_nobody_invited(ews)


def test_the_daemon_flags_an_exchange_interview_clashing_with_a_google_meeting(ews, google, tmp_path):
    start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    seed_interview(ews, start)
    meeting = google_meeting(google, start)
    data = make_config(ews, google, tmp_path, poll_interval="1s")
    path = write_config(tmp_path / "config.toml", {
        "daemon": data["daemon"], "interviews": {"self": [ME]}, "followup": data["followup"],
        "accounts": data["accounts"]})
    before = user_snapshot(ews)
    env = {**os.environ, "SYNCD_RETRY_BASE": "0.01"}
    env.pop("NOTIFY_SOCKET", None)
    with open(tmp_path / "daemon.log", "w") as log:
        proc = subprocess.Popen([SYNCD, "--config", str(path), "--verbose", "run"], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_until(lambda: "conflict" in owned(ews).values() or proc.poll() is not None)
        assert proc.poll() is None, (tmp_path / "daemon.log").read_text()
        status = subprocess.run([SYNCD, "--config", str(path), "status", "--json"], env=env,
                                capture_output=True, text=True, timeout=60, check=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    assert code == 0
    report = json.loads(status.stdout)
    assert [c["kind"] for c in report["conflicts"]] == ["hard"]
    assert {a["name"]: a["last_error"] for a in report["accounts"]} == {"home": None, "corp": None, "gmail": None}
    assert user_snapshot(ews) == before
    assert [e for e in google.events_of(WORK) if e["id"] == meeting["id"]] == [meeting]
    assert_nobody_invited(ews)
    log_text = (tmp_path / "daemon.log").read_text()
    assert ews.password not in log_text and "Authorization" not in log_text


def wait_until(predicate, timeout: float = 60) -> None:
    """Poll ``predicate`` (a cheap in-memory check of the fake) until true or ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the conflict marker")


def test_a_missed_exchange_interview_gets_one_draft_in_the_exchange_drafts_folder(ews, google, tmp_path):
    seed_interview(ews)
    data = make_config(ews, google, tmp_path)
    data["followup"]["sink"] = "account:corp"
    config = validate(data, tmp_path / "config.toml")
    after = IV_START + timedelta(hours=6)  # ended four hours ago, past the two-hour grace
    for _ in range(3):
        assert not cycle(config, after).failed
    [draft] = ews.items("drafts")
    assert draft.text("IsDraft") == "true" and "Rita" in draft.text("Body")
    assert [m.findtext(f"{{{T}}}EmailAddress") for m in draft.props["ToRecipients"]] == ["recruiter@acme.example"]
    assert_nobody_invited(ews)
    assert not (tmp_path / "drafts").exists()


def test_an_exchange_meeting_clashing_with_a_google_interview_is_flagged(ews, google, config):
    meeting = ews.add_event("Budget review", IV_START + timedelta(minutes=30), IV_START + timedelta(minutes=90),
                            organizer=("cfo@corp.example.com", "CFO"), attendees=((ME, "Alex", "Accept"),))
    google.seed_event(WORK, {
        "iCalUID": "iv-globex@globex.example", "summary": "Video interview – Analyst (Globex)",
        "location": "https://meet.google.com/abc-defg-hij", "start": google_when(IV_START),
        "end": google_when(IV_START + timedelta(hours=1)), "organizer": {"email": "hr@globex.example"},
        "attendees": [{"email": ME, "self": True, "responseStatus": "accepted"}]})
    before = ews.fingerprint(meeting)
    report = cycle(config)
    assert not report.failed
    [clash] = [c for c in report.plan.conflicts if c.kind == "hard"]
    assert {clash.a.account, clash.b.account} == {"corp", "gmail"}
    google_kinds = [e["extendedProperties"]["private"]["syncd-kind"] for e in google.events_of(WORK)
                    if "syncd-kind" in e.get("extendedProperties", {}).get("private", {})]
    assert "conflict" in google_kinds
    assert ews.fingerprint(meeting) == before and owned(ews) == {}
