"""The engine with a Google account (on the fake) next to a local folder."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from syncd.config import validate
from syncd.cycle import REDISCOVER, Engine, snapshot
from tests.system.cycles import fresh_cycle
from syncd.plan import planning_window
from syncd.state import State
from tests.contract.test_google import token_info, when
from tests.contract.test_local import user_ics
from tests.fakes.google import FakeGoogleCalendar
from tests.system.killed import cycle_dying_before_recording

ME = "alex@example.com"
WORK = "c_work@group.calendar.google.com"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
IV_START = NOW + timedelta(days=1, hours=5)  # 2 Dec 13:00 UTC


@pytest.fixture
def fake():
    server = FakeGoogleCalendar().start()
    server.add_calendar(ME, ME, primary=True, time_zone="UTC")
    server.add_calendar(WORK, "Work")
    yield server
    server.stop()


@pytest.fixture
def setup(fake, tmp_path):
    """A config with a local folder and the Google fake; returns (config, local folder)."""
    token = tmp_path / "token.json"
    token.write_text(json.dumps(token_info(fake)))
    token.chmod(0o600)
    folder = tmp_path / "cal" / "personal"
    folder.mkdir(parents=True)
    config = validate({
        "daemon": {"state_dir": str(tmp_path / "state"), "timezone": "UTC"},
        "accounts": [
            {"name": "home", "type": "local", "path": str(tmp_path / "cal")},
            {"name": "gmail", "type": "google", "token_file": str(token),
             "api_endpoint": fake.api_endpoint, "token_uri": fake.token_uri, "calendars": ["Work"]},
        ],
        "interviews": {"self": [ME]},
        "followup": {"drafts_dir": str(tmp_path / "drafts"), "from": f"Alex <{ME}>"},
    }, tmp_path / "config.toml")
    return config, folder


def seed_interview(fake: FakeGoogleCalendar, **extra) -> dict:
    return fake.seed_event(WORK, {
        "iCalUID": "iv-acme@acme.example", "summary": "Onsite interview – Staff Engineer (Acme)",
        "location": "Acme HQ, 1 Market St, San Francisco, CA 94105",
        "description": "Looking forward to meeting you for your onsite interview.",
        "start": when(IV_START), "end": when(IV_START + timedelta(hours=2)),
        "organizer": {"email": "recruiter@acme.example"},
        "attendees": [{"email": ME, "self": True, "responseStatus": extra.pop("response", "accepted")},
                      {"email": "recruiter@acme.example", "organizer": True, "responseStatus": "accepted"}],
        **extra})


def local_meeting(folder: Path) -> bytes:
    path = folder / "standup.ics"
    path.write_text(user_ics("standup-1", "Planning meeting", IV_START + timedelta(minutes=30),
                             IV_START + timedelta(minutes=90)))
    return path.read_bytes()


def owned_on_google(fake) -> list[dict]:
    return [e for e in fake.events_of(WORK) if e.get("status") != "cancelled"
            and "syncd-key" in e.get("extendedProperties", {}).get("private", {})]


def cycle(config, now=NOW):
    return fresh_cycle(config, now)


def test_google_interview_clashing_with_a_local_meeting_is_flagged(fake, setup):
    config, folder = setup
    user = seed_interview(fake)
    before = local_meeting(folder)
    report = cycle(config)
    assert not report.failed
    assert [c.kind for c in report.plan.conflicts if c.kind == "hard"] == ["hard"]
    kinds = sorted(e["extendedProperties"]["private"]["syncd-kind"] for e in owned_on_google(fake))
    assert kinds == ["buffer-after", "buffer-before", "conflict", "travel-back", "travel-to"]
    marker = next(e for e in owned_on_google(fake)
                  if e["extendedProperties"]["private"]["syncd-kind"] == "conflict")
    assert marker["transparency"] == "transparent"
    assert (folder / "standup.ics").read_bytes() == before
    writes = [r for r in fake.requests if r.method in ("POST", "PUT", "PATCH", "DELETE")]
    assert writes and all(r.query.get("sendUpdates", ["none"]) == ["none"] for r in writes)
    assert all(user["id"] not in r.path for r in writes)  # the user's event is never written


def test_second_cycle_is_one_list_request_per_calendar_and_changes_nothing(fake, setup):
    config, folder = setup
    seed_interview(fake)
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        engine.cycle(NOW)
        fake.requests.clear()
        report = engine.cycle(NOW)
    finally:
        engine.close()
        state.close()
    assert report.ops == []
    assert [r.method_id for r in fake.api_requests()] == ["calendar.events.list"]


def test_an_idle_once_lists_no_calendars_it_listed_lately(fake, setup):
    """A new process (``syncd once``) reuses the calendar list an earlier one made, for as long
    as a running daemon would (REDISCOVER) and while the account's config is the same."""
    config, _ = setup
    seed_interview(fake)
    cycle(config)
    cycle(config)
    fake.requests.clear()
    assert cycle(config).ops == []
    assert [r.method_id for r in fake.api_requests()] == ["calendar.events.list"]
    fake.requests.clear()
    cycle(config, NOW + REDISCOVER + timedelta(minutes=1))
    assert "calendar.calendarList.list" in [r.method_id for r in fake.api_requests()]
    config.account("gmail")["deadline"] += timedelta(seconds=1)  # another config: list again
    fake.requests.clear()
    cycle(config, NOW + REDISCOVER + timedelta(minutes=2))
    assert "calendar.calendarList.list" in [r.method_id for r in fake.api_requests()]


def test_crash_between_insert_and_recording_converges(fake, setup, monkeypatch):
    config, _ = setup
    seed_interview(fake)
    cycle_dying_before_recording(lambda: cycle(config), monkeypatch)
    assert len(owned_on_google(fake)) == 1  # inserted on Google, never recorded
    cycle(config)
    keys = [e["id"] for e in owned_on_google(fake)]
    assert len(keys) == len(set(keys)) == 4
    assert cycle(config).ops == []


def test_lost_state_creates_no_duplicate(fake, setup):
    config, _ = setup
    seed_interview(fake)
    cycle(config)
    first = sorted(e["id"] for e in owned_on_google(fake))
    shutil.rmtree(config.daemon["state_dir"])
    cycle(config)
    assert sorted(e["id"] for e in owned_on_google(fake)) == first


def test_rate_limits_and_server_errors_are_ridden_out(fake, setup):
    config, _ = setup
    seed_interview(fake)
    fake.fail_next(1, 429, retry_after="0")
    fake.fail_next(1, 403, "userRateLimitExceeded")
    fake.fail_next(1, 503)
    report = cycle(config)
    assert not report.failed
    assert len(owned_on_google(fake)) == 4


def test_declined_interview_is_neither_conflict_nor_buffered(fake, setup):
    config, folder = setup
    seed_interview(fake, response="declined")
    local_meeting(folder)
    report = cycle(config)
    assert [c for c in report.plan.conflicts if c.kind == "hard"] == []
    assert owned_on_google(fake) == []


def test_moving_and_cancelling_on_google_follows(fake, setup):
    config, _ = setup
    user = seed_interview(fake)
    cycle(config)
    later = IV_START + timedelta(hours=3)
    fake.modify_event(WORK, user["id"], {"start": when(later), "end": when(later + timedelta(hours=2))})
    cycle(config)
    prep = next(e for e in owned_on_google(fake)
                if e["extendedProperties"]["private"]["syncd-kind"] == "buffer-before")
    assert prep["end"]["dateTime"].startswith(later.strftime("%Y-%m-%dT%H:%M"))
    assert len(owned_on_google(fake)) == 4
    fake.remove_event(WORK, user["id"])
    cycle(config)
    assert owned_on_google(fake) == []


def test_an_expired_sign_in_is_reported_with_the_command(fake, setup, tmp_path):
    config, _ = setup
    seed_interview(fake)
    token = Path(config.account("gmail")["token_file"])
    token.write_text(json.dumps(token_info(fake, expired=True)))
    fake.oauth.refresh_token = "something-else"  # the stored refresh token is no longer valid
    report = cycle(config)
    assert "syncd auth gmail" in report.failed["gmail"]
    assert "Traceback" not in report.failed["gmail"]


def test_the_hostile_corpus_on_google(fake, setup, caplog):
    """tests/hostile as Google events: the cycle ends, the interview beside it is planned,
    no user event is written, a series keeps at most MAX_OCCURRENCES instances, and the next
    cycle has nothing to warn about."""
    from syncd.bounds import MAX_OCCURRENCES
    from tests.hostile import google_events

    config, _ = setup
    user = seed_interview(fake)
    seeded = []
    for body in google_events(NOW, small=True):
        try:
            seeded.append(fake.seed_event(WORK, body))
        except Exception:  # what Google itself refuses (a rule it cannot read) never reaches syncd
            continue
    assert len(seeded) > 100
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    caplog.set_level("WARNING")
    try:
        first = engine.cycle(NOW)
        capped = [r.getMessage() for r in caplog.records if "instances in the window" in r.getMessage()]
        caplog.clear()
        second = engine.cycle(NOW)
        per_series = Counter(e.uid for e in snapshot(state, config, planning_window(config, NOW)))
    finally:
        engine.close()
        state.close()
    assert not first.failed and not second.failed and second.ops == []
    assert [r.getMessage() for r in caplog.records] == []
    kinds = {e["extendedProperties"]["private"]["syncd-kind"] for e in owned_on_google(fake)}
    assert {"buffer-before", "travel-to"} <= kinds
    assert max(per_series.values()) == MAX_OCCURRENCES and len(capped) == 1  # the RDATE flood
    writes = [r for r in fake.requests if r.method in ("PUT", "PATCH", "DELETE")]
    assert all(b["id"] not in r.path for b in [user, *seeded] for r in writes)


def test_gmail_keeps_the_drafts_of_a_google_account(fake, setup, tmp_path):
    """followup.sink = "account:gmail": the apology lands in the account's Gmail drafts, in
    the invitation's language and zone, greeting the organizer by name; once, whatever the
    cycles; nothing in the local Maildir."""
    import base64
    import email
    import email.policy
    from dataclasses import replace

    config, _ = setup
    config = replace(config, followup={**config.followup, "sink": "account:gmail"})
    seed_interview(fake, summary="Entretien – Analyste (Acme)",
                   description="Nous avons le plaisir de vous inviter à un entretien pour le poste.",
                   start={"dateTime": "2026-12-02T13:00:00Z", "timeZone": "Europe/Paris"},
                   organizer={"email": "recruiter@acme.example", "displayName": "Zoë Martin"})
    after = IV_START + timedelta(hours=5)
    for _ in range(2):
        cycle(config, now=after)
    assert len(fake.gmail.drafts) == 1
    [message_id] = fake.gmail.drafts.values()
    message = email.message_from_bytes(fake.gmail.messages[message_id], policy=email.policy.default)
    text = " ".join(message.get_content().split())
    assert text.startswith("Bonjour Zoë Martin,") and "mercredi 2 décembre à 14h00" in text
    assert message["To"].addresses[0].display_name == "Zoë Martin"
    assert not (tmp_path / "drafts").exists()
    create = fake.api_requests("gmail.users.drafts.create")[0]
    assert base64.urlsafe_b64decode(create.body["message"]["raw"]).count(b"\r\n") > 5


def test_kill_9_between_gmail_create_and_record_leaves_one_draft(fake, tmp_path):
    from syncd.cli import main
    from tests.system.killed import once_killed_before_recording

    token = tmp_path / "token.json"
    token.write_text(json.dumps(token_info(fake)))
    token.chmod(0o600)
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=5)
    seed_interview(fake, start=when(start), end=when(start + timedelta(hours=1)))
    config = tmp_path / "config.toml"
    config.write_text(f"""
[daemon]
state_dir = "{tmp_path / 'state'}"
timezone = "UTC"
[interviews]
self = ["{ME}"]
[followup]
sink = "account:gmail"
from = "Alex <{ME}>"
[[accounts]]
name = "gmail"
type = "google"
token_file = "{token}"
api_endpoint = "{fake.api_endpoint}"
token_uri = "{fake.token_uri}"
calendars = ["Work"]
""")
    once_killed_before_recording(config)
    assert len(fake.gmail.drafts) == 1  # created, not recorded
    for _ in range(2):
        assert main(["--config", str(config), "once"]) == 0
    assert len(fake.gmail.drafts) == 1
