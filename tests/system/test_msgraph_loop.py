"""The engine with a Microsoft 365 account (on the fake Graph) next to a Google account, and
``syncd run`` as a process over both."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from syncd.config import validate
from syncd.cycle import Engine
from syncd.state import State
from tests.system.cycles import fresh_cycle
from tests.configfile import write_config
from tests.system.killed import cycle_dying_before_recording
from tests.system.beside_google import WORK, google_account, google_beside
from tests.contract.test_google import when as google_when
from tests.contract.test_msgraph import graph_account, when
from tests.fakes.google import FakeGoogleCalendar
from tests.fakes.msgraph import FakeGraph
from tests.fakes.msgraph.store import utc_text
from tests.system.test_google_loop import cycle

ME = "alex@contoso.example"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
IV_START = NOW + timedelta(days=1, hours=5)  # 2 Dec 13:00 UTC
KEY_ID = "String {00020329-0000-0000-C000-000000000046} Name syncd-key"
KIND_ID = "String {00020329-0000-0000-C000-000000000046} Name syncd-kind"
SYNCD = str(Path(sys.executable).parent / "syncd")


@pytest.fixture
def graph(monkeypatch):
    server = FakeGraph(ME).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
    server.add_calendar("Calendar", default=True)
    server.add_calendar("Interviews")
    yield server
    server.stop()


@pytest.fixture
def google():
    server = google_beside(ME)
    yield server
    server.stop()


def calendar_id(graph: FakeGraph, name: str) -> str:
    return next(c["id"] for c in graph.mailbox.calendars.values() if c["name"] == name)


def make_config(graph: FakeGraph, google: FakeGoogleCalendar, root: Path, draft_sink: bool = False,
                **daemon) -> dict:
    account = graph_account(graph, root, draft_sink=draft_sink)
    account.pop("type")
    return {
        "daemon": {"state_dir": str(root / "state"), "timezone": "UTC", **daemon},
        "accounts": [
            {"type": "msgraph", **account},
            google_account(google, root),
        ],
        "interviews": {"self": [ME]},
        "followup": {"drafts_dir": str(root / "drafts"), "from": f"Alex <{ME}>"},
    }


@pytest.fixture
def config(graph, google, tmp_path):
    return validate(make_config(graph, google, tmp_path), tmp_path / "config.toml")


def seed_interview(graph: FakeGraph, start: datetime = IV_START, **extra) -> dict:
    return graph.seed_event(calendar_id(graph, "Interviews"), {
        "subject": "Onsite interview – Staff Engineer (Acme)",
        "location": {"displayName": "Acme HQ, 1 Market St, San Francisco, CA 94105"},
        "body": {"contentType": "text", "content": "Looking forward to meeting you for your onsite interview."},
        "start": when(start), "end": when(start + timedelta(hours=2)),
        "organizer": {"emailAddress": {"name": "Rita Recruiter", "address": "recruiter@acme.example"}},
        "responseStatus": {"response": extra.pop("response", "accepted")},
        "attendees": [{"type": "required", "status": {"response": "accepted"},
                       "emailAddress": {"name": "Alex", "address": ME}}], **extra}, uid="iv-acme@acme.example")


def google_meeting(google: FakeGoogleCalendar, start: datetime = IV_START) -> dict:
    return google.seed_event(WORK, {"summary": "Planning meeting", "start": google_when(start + timedelta(minutes=30)),
                                    "end": google_when(start + timedelta(minutes=90))})


def owned(graph: FakeGraph, name: str = "Interviews") -> list[dict]:
    return [e for e in graph.events_of(calendar_id(graph, name))
            if any(p["id"] == KEY_ID for p in e.get("singleValueExtendedProperties", []))]


def kind_of(event: dict) -> str:
    return next(p["value"] for p in event["singleValueExtendedProperties"] if p["id"] == KIND_ID)


def user_snapshot(graph: FakeGraph) -> list[str]:
    """Every user event of the mailbox, byte for byte."""
    return sorted(json.dumps(e, sort_keys=True) for name in ("Calendar", "Interviews")
                   for e in graph.events_of(calendar_id(graph, name))
                   if not any(p["id"] == KEY_ID for p in e.get("singleValueExtendedProperties", [])))


def test_graph_interview_clashing_with_a_google_meeting_is_flagged(graph, google, config):
    user = seed_interview(graph)
    meeting = google_meeting(google)
    before = user_snapshot(graph)
    report = cycle(config)
    assert not report.failed
    assert [c.kind for c in report.plan.conflicts if c.kind == "hard"] == ["hard"]
    assert sorted(kind_of(e) for e in owned(graph)) == [
        "buffer-after", "buffer-before", "conflict", "travel-back", "travel-to"]
    marker = next(e for e in owned(graph) if kind_of(e) == "conflict")
    assert marker["showAs"] == "free" and marker["attendees"] == []
    assert user_snapshot(graph) == before
    assert all(user["id"] not in r.path for r in graph.writes())
    assert [e for e in google.events_of(WORK) if e["id"] == meeting["id"]] == [meeting]


def test_an_idle_once_is_one_delta_request_per_calendar(graph, google, config):
    """A new process each time (``syncd once``): the calendars listed by the one before are reused."""
    seed_interview(graph)
    for _ in range(2):
        fresh_cycle(config, NOW)
    graph.requests.clear()
    assert fresh_cycle(config, NOW).ops == []
    paths = sorted(r.path for r in graph.api_requests())
    assert paths == sorted(["/v1.0/me/calendarView/delta",
                            f"/v1.0/me/calendars/{calendar_id(graph, 'Interviews')}/calendarView/delta"])


def test_idle_cycle_is_one_delta_request_per_calendar(graph, google, config):
    seed_interview(graph)
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        engine.cycle(NOW)
        assert engine.cycle(NOW).ops == []  # sees its own events come back, changes nothing
        graph.requests.clear()
        report = engine.cycle(NOW)
    finally:
        engine.close()
        state.close()
    assert report.ops == []
    paths = sorted(r.path for r in graph.api_requests())
    assert paths == sorted(["/v1.0/me/calendarView/delta",
                            f"/v1.0/me/calendars/{calendar_id(graph, 'Interviews')}/calendarView/delta"])
    assert all(list(r.query) == ["$deltatoken"] for r in graph.api_requests())


def test_expired_delta_recovers_without_duplicates(graph, google, config):
    seed_interview(graph)
    cycle(config)
    first = sorted(e["id"] for e in owned(graph))
    graph.expire_delta_tokens()
    report = cycle(config)
    assert not report.failed and report.ops == []
    assert sorted(e["id"] for e in owned(graph)) == first
    assert 410 in [r.status for r in graph.api_requests()]


def test_crash_between_create_and_recording_converges(graph, google, config, monkeypatch):
    seed_interview(graph)
    cycle_dying_before_recording(lambda: cycle(config), monkeypatch)
    assert len(owned(graph)) == 1  # created on Graph, never recorded
    cycle(config)
    keys = [e["id"] for e in owned(graph)]
    assert len(keys) == len(set(keys)) == 4
    assert cycle(config).ops == []


def test_lost_state_creates_no_duplicate(graph, google, config):
    seed_interview(graph)
    cycle(config)
    first = sorted(e["id"] for e in owned(graph))
    shutil.rmtree(config.daemon["state_dir"])
    cycle(config)
    assert sorted(e["id"] for e in owned(graph)) == first


def test_throttling_is_ridden_out(graph, google, config):
    seed_interview(graph)
    graph.fail_next(2, 429, retry_after="0")
    graph.fail_next(1, 503, retry_after="0")
    report = cycle(config)
    assert not report.failed
    assert len(owned(graph)) == 4
    assert [r.status for r in graph.api_requests()][:3] == [429, 429, 503]


def test_moving_and_cancelling_follow_and_user_events_never_change(graph, google, config):
    user = seed_interview(graph)
    cycle(config)
    later = IV_START + timedelta(hours=3)
    graph.modify_event(user["id"], {"start": when(later), "end": when(later + timedelta(hours=2))})
    moved = user_snapshot(graph)
    cycle(config)
    prep = next(e for e in owned(graph) if kind_of(e) == "buffer-before")
    assert prep["end"]["dateTime"] == utc_text(later)
    assert len(owned(graph)) == 4 and user_snapshot(graph) == moved
    graph.remove_event(user["id"])
    cycle(config)
    assert owned(graph) == []
    assert all(r.method != "PATCH" or r.path.rsplit("/", 1)[-1] != user["id"] for r in graph.writes())


def test_an_expired_sign_in_is_reported_with_the_command(graph, google, config):
    seed_interview(graph)
    graph.identity.access_tokens.clear()
    graph.identity.invalid_grant = True
    report = cycle(config)
    assert report.failed["m365"] == "sign-in expired: run `syncd auth m365`"
    state = State.open(config.daemon["state_dir"])
    try:
        [row] = [a for a in state.accounts() if a["name"] == "m365"]
    finally:
        state.close()
    assert "syncd auth m365" in row["last_error"]


def test_a_missed_interview_is_drafted_once_in_the_graph_mailbox(graph, google, tmp_path):
    data = make_config(graph, google, tmp_path, draft_sink=True)
    data["followup"]["sink"] = "account:m365"
    config = validate(data, tmp_path / "config.toml")
    seed_interview(graph, NOW - timedelta(hours=5))  # ended three hours ago, not acknowledged
    cycle(config)
    cycle(config, NOW + timedelta(minutes=5))
    [draft] = graph.drafts()
    assert draft["isDraft"] and draft["toRecipients"][0]["emailAddress"]["address"] == "recruiter@acme.example"
    assert not [r for r in graph.requests if r.path.endswith("/send")]
    assert not (tmp_path / "drafts").exists()  # the Maildir is not used


def wait_until(predicate, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_daemon_flags_a_graph_interview_clashing_with_a_google_meeting(graph, google, tmp_path):
    start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    seed_interview(graph, start)
    meeting = google_meeting(google, start)
    data = make_config(graph, google, tmp_path, poll_interval="1s")
    path = write_config(tmp_path / "config.toml", {
        "daemon": data["daemon"], "interviews": {"self": [ME]}, "followup": data["followup"],
        "accounts": data["accounts"]})
    before = user_snapshot(graph)
    env = {**os.environ, "SYNCD_RETRY_BASE": "0.01", "REQUESTS_CA_BUNDLE": graph.ca_file}
    env.pop("NOTIFY_SOCKET", None)
    with open(tmp_path / "daemon.log", "w") as log:
        proc = subprocess.Popen([SYNCD, "--config", str(path), "run"], env=env, stdout=subprocess.DEVNULL,
                                stderr=log)
    try:
        wait_until(lambda: any(kind_of(e) == "conflict" for e in owned(graph)) or proc.poll() is not None,
                   "the conflict marker")
        assert proc.poll() is None, (tmp_path / "daemon.log").read_text()
        status = subprocess.run([SYNCD, "--config", str(path), "status", "--json"], env=env,
                                capture_output=True, text=True, timeout=60, check=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    assert code == 0
    report = json.loads(status.stdout)
    assert [c["kind"] for c in report["conflicts"]] == ["hard"]
    assert {a["name"]: a["last_error"] for a in report["accounts"]} == {"m365": None, "gmail": None}
    assert user_snapshot(graph) == before
    assert [e for e in google.events_of(WORK) if e["id"] == meeting["id"]] == [meeting]
    log_text = (tmp_path / "daemon.log").read_text()
    assert not [t for t in [*graph.identity.access_tokens, *graph.identity.refresh_tokens] if t in log_text]


def test_hostile_invitations_cost_bounded_time_and_change_nothing(graph, google, config, caplog):
    """What a stranger can put in a Graph calendar: a megabyte subject and body, 20,000
    attendees, terminal escapes and newlines, a crowd of 300 events at one time."""
    interviews = calendar_id(graph, "Interviews")
    start = IV_START + timedelta(days=2)
    graph.seed_event(interviews, {
        "subject": "Interview \x1b[31mred\x1b[0m\nInjected: line " + "x" * 1_000_000,
        "body": {"contentType": "text", "content": "interview " * 100_000},
        "start": when(start), "end": when(start + timedelta(hours=1)),
        "attendees": [{"type": "required", "status": {"response": "none"},
                       "emailAddress": {"name": f"P{i}", "address": f"p{i}@many.example"}}
                      for i in range(5_000)]}, uid="hostile-huge@evil.example")
    crowd = IV_START + timedelta(days=3)
    for i in range(300):
        graph.seed_event(interviews, {"subject": f"Crowd {i}", "start": when(crowd),
                                      "end": when(crowd + timedelta(hours=1))})
    seed_interview(graph)
    before = user_snapshot(graph)
    report = cycle(config)
    assert not report.failed
    source = "String {00020329-0000-0000-C000-000000000046} Name syncd-source"
    planned = [kind_of(e) for e in owned(graph) if {"id": source, "value": "iv-acme@acme.example"}
               in e["singleValueExtendedProperties"]]
    assert sorted(planned) == ["buffer-after", "buffer-before", "travel-back", "travel-to"]
    assert user_snapshot(graph) == before
    assert "\x1b[31m" not in caplog.text and len(caplog.text) < 1_000_000


def test_purge_removes_only_syncd_events_from_the_graph_mailbox(graph, google, config):
    from syncd.purge import purge

    seed_interview(graph)
    google_meeting(google)
    cycle(config)
    assert owned(graph)
    before = user_snapshot(graph)
    assert purge(config, NOW, dry_run=False) == 0
    assert owned(graph) == [] and user_snapshot(graph) == before
    assert {r.method for r in graph.writes()} == {"POST", "DELETE"}


def test_kill_9_between_graph_create_and_record_leaves_one_draft(graph, tmp_path):
    from syncd.cli import main
    from tests.system.killed import once_killed_before_recording

    account = graph_account(graph, tmp_path, draft_sink=True)
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=5)
    seed_interview(graph, start)
    config = write_config(tmp_path / "config.toml", {
        "daemon": {"state_dir": str(tmp_path / "state"), "timezone": "UTC"},
        "interviews": {"self": [ME]}, "followup": {"sink": "account:m365", "from": f"Alex <{ME}>"},
        "accounts": [account]})
    once_killed_before_recording(config)
    assert len(graph.drafts()) == 1  # created, not recorded
    for _ in range(2):
        assert main(["--config", str(config), "once"]) == 0
    assert len(graph.drafts()) == 1
    assert not [r for r in graph.requests if r.path.endswith("/send")]
