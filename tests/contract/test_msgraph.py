"""The Microsoft Graph adapter on the fake Graph (and the real msal against its identity side)."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from providers.msgraph import GraphProvider, auth
from providers.msgraph.client import MAX_IN_FLIGHT
from providers.msgraph.convert import PROPERTY_IDS, transaction_id, uid_of
from syncd.errors import AuthError, NotOwned, PreconditionFailed, ProviderError, RateLimited, TransientError
from syncd.model import Calendar
from tests.contract.suite import (
    T0, WINDOW, ProviderContract, cache_after, events_of, make_artifact, sync,
)
from tests.fakes.msgraph import CLIENT_ID, FakeGraph
from tests.fakes.msgraph.store import goid_hex, utc_text

UTC = ZoneInfo("UTC")
ME = "alex@contoso.example"
RRULE = {"DAILY": "daily", "WEEKLY": "weekly"}


@pytest.fixture
def fake(monkeypatch):
    """A running fake with a default calendar, trusted by requests (and so by msal)."""
    server = FakeGraph(ME).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
    server.add_calendar("Calendar", default=True)
    yield server
    server.stop()


def graph_account(fake: FakeGraph, folder: Path, name: str = "m365", draft_sink: bool = False,
                  **extra: Any) -> dict[str, Any]:
    """An account table for the fake, signed in through the real device-code flow (asking
    for mail access too with ``draft_sink``)."""
    account = {"name": name, "type": "msgraph", "client_id": CLIENT_ID,
               "authority": fake.authority, "token_file": str(folder / f"{name}-token.json"),
               "api_endpoint": fake.api_endpoint, **extra}
    if "token_command" not in extra:
        auth.authorize(account, draft_sink=draft_sink, say=lambda text: None)
    return account


def when(moment: datetime) -> dict[str, str]:
    """A dateTimeTimeZone in UTC."""
    return {"dateTime": utc_text(moment), "timeZone": "UTC"}


def recurrence(rule: str, start: datetime) -> dict[str, Any]:
    """A patternedRecurrence for the suite's simple RRULEs (FREQ=DAILY|WEEKLY;COUNT=n)."""
    parts = dict(p.split("=") for p in rule.split(";"))
    return {"pattern": {"type": RRULE[parts["FREQ"]], "interval": 1,
                        **({"daysOfWeek": [start.strftime("%A").lower()]} if parts["FREQ"] == "WEEKLY" else {})},
            "range": {"type": "numbered", "numberOfOccurrences": int(parts["COUNT"]),
                      "startDate": start.date().isoformat()}}


@dataclass
class GraphEnv:
    """The ``env`` of the shared suite on a fresh "Work" calendar of the fake."""

    fake: FakeGraph
    account: dict[str, Any]
    provider: GraphProvider
    calendar: Calendar
    ids: dict[str, str] = field(default_factory=dict)

    def add_user_event(self, uid: str, summary: str, start: datetime, end: datetime,
                       rrule: str | None = None, **extra: Any) -> dict:
        body = {"subject": summary, "start": when(start), "end": when(end), **extra}
        if rrule:
            body["recurrence"] = recurrence(rrule, start)
        stored = self.fake.seed_event(self.calendar.id, body, uid=uid)
        self.ids[uid] = stored["id"]
        return stored

    def edit_user_event(self, uid: str, summary: str) -> None:
        self.fake.modify_event(self.ids[uid], {"subject": summary})

    def remove_user_event(self, uid: str) -> None:
        self.fake.remove_event(self.ids[uid])

    def fingerprint(self, uid: str) -> str:
        [stored] = [e for e in self.fake.events_of(self.calendar.id) if e["id"] == self.ids[uid]]
        return json.dumps(stored, sort_keys=True)


@pytest.fixture
def env(fake, tmp_path) -> GraphEnv:
    fake.add_calendar("Work")
    account = graph_account(fake, tmp_path)
    provider = GraphProvider(account, UTC)
    calendar = next(c for c in provider.calendars() if c.name == "Work")
    yield GraphEnv(fake, account, provider, calendar)
    provider.close()


class TestGraphContract(ProviderContract):
    """The shared suite on a non-default calendar."""


def owned_bodies(env: GraphEnv) -> list[dict]:
    key = PROPERTY_IDS["syncd-key"]
    return [e for e in env.fake.events_of(env.calendar.id)
            if any(p["id"] == key for p in e.get("singleValueExtendedProperties", []))]


# -- reading ------------------------------------------------------------------------------------

def test_default_calendar_uses_me_calendar_view(env, fake):
    default = next(c for c in env.provider.calendars() if c.url == "default")
    fake.seed_event(default.id, {"subject": "Dentist", "start": when(T0), "end": when(T0 + timedelta(hours=1))})
    changes = env.provider.changes(default, None, {}, WINDOW)
    assert [e.summary for e in events_of(cache_after(changes, {}))] == ["Dentist"]
    deltas = [r for r in fake.api_requests() if r.path.endswith("/delta")]
    assert [r.path for r in deltas] == ["/v1.0/me/calendarView/delta"]
    assert set(deltas[0].query) == {"startDateTime", "endDateTime"}


def test_idle_round_is_one_request_and_sends_the_prefer_header(env, fake):
    env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
    first = sync(env)
    fake.requests.clear()
    again = sync(env, first.token)
    assert again.upserts == [] and again.deletions == [] and not again.full
    [request] = fake.api_requests()
    assert request.path == f"/v1.0/me/calendars/{env.calendar.id}/calendarView/delta"
    assert list(request.query) == ["$deltatoken"]
    assert 'outlook.timezone="UTC"' in request.prefer and "odata.maxpagesize" in request.prefer


def test_pages_are_followed_to_the_delta_link(env, fake):
    fake.set_page_size(2)
    for i in range(5):
        env.add_user_event(f"user-{i}", f"Meeting {i}", T0 + timedelta(hours=i), T0 + timedelta(hours=i, minutes=30))
    changes = sync(env)
    assert len(changes.upserts) == 5
    deltas = [r for r in fake.api_requests() if r.path.endswith("/delta")]
    assert [sorted(r.query) for r in deltas] == [["endDateTime", "startDateTime"], ["$skiptoken"], ["$skiptoken"]]


def test_expired_delta_recovers_with_a_full_round_and_no_duplicate(env, fake):
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    first = sync(env)
    fake.expire_delta_tokens("resyncRequired")
    again = sync(env, first.token)
    assert again.full and again.token != first.token
    env.provider.create(env.calendar, art)  # the core re-applying its plan
    assert len(owned_bodies(env)) == 1
    assert [r.status for r in fake.api_requests()].count(410) == 1
    owned = [e for e in events_of(cache_after(again, {})) if e.owned]
    assert [e.marker.key for e in owned] == [art.key]


def test_removed_entries_and_events_leaving_the_window(env, fake):
    env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
    env.add_user_event("user-2", "Lunch", T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    first = sync(env)
    far = T0 + timedelta(days=200)
    fake.modify_event(env.ids["user-2"], {"start": when(far), "end": when(far + timedelta(hours=1))})
    env.remove_user_event("user-1")
    changes = sync(env, first.token)
    assert sorted(changes.deletions) == sorted([env.ids["user-1"], env.ids["user-2"]])
    assert changes.upserts == []


def test_replayed_round_changes_nothing(env, fake):
    env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
    first = sync(env)
    cache = cache_after(first, {})
    fake.replay_next_round()
    again = sync(env, first.token)
    assert [i.href for i in again.upserts] == [env.ids["user-1"]]
    assert cache_after(again, cache) == cache


def test_window_moving_past_the_link_starts_a_new_round(env):
    first = sync(env)
    later = replace(WINDOW, end=WINDOW.end + timedelta(days=30))
    assert env.provider.changes(env.calendar, first.token, {}, later).full
    assert not env.provider.changes(env.calendar, first.token, {}, WINDOW).full


def test_owner_response_invitation_uid_and_free_events(env, fake):
    env.add_user_event("iv@acme.example", "Interview", T0, T0 + timedelta(hours=1),
                       responseStatus={"response": "declined"}, showAs="free",
                       organizer={"emailAddress": {"name": "Rita", "address": "rita@acme.example"}},
                       attendees=[{"type": "required", "status": {"response": "none"},
                                   "emailAddress": {"name": "Alex", "address": ME}}])
    [event] = events_of(cache_after(sync(env), {}))
    assert event.uid == "iv@acme.example" and event.organizer == "rita@acme.example"
    assert [(a.email, a.partstat) for a in event.attendees] == [(ME, "DECLINED")]
    assert event.transparent


def test_series_occurrence_uid_and_cancelled_occurrence(env, fake):
    env.add_user_event("series-1", "Standup", T0, T0 + timedelta(minutes=15), rrule="FREQ=WEEKLY;COUNT=3")
    first = sync(env)
    rids = sorted(e.recurrence_id for e in events_of(cache_after(first, {})))
    assert rids == ["20261201T140000Z", "20261208T140000Z", "20261215T140000Z"]
    second = next(i.href for i in first.upserts if i.events[0].recurrence_id == rids[1])
    fake.remove_event(second)
    changes = sync(env, first.token)
    assert changes.deletions == [second]


def test_a_moved_occurrence_becomes_an_exception_with_its_recurrence_id(env, fake):
    env.add_user_event("series-1", "Standup", T0, T0 + timedelta(minutes=15), rrule="FREQ=DAILY;COUNT=3")
    first = sync(env)
    second = sorted(first.upserts, key=lambda i: i.events[0].start)[1]
    later = second.events[0].start + timedelta(hours=2)
    fake.modify_event(second.href, {"start": when(later), "end": when(later + timedelta(minutes=15))})
    changes = sync(env, first.token)
    [moved] = [e for i in changes.upserts for e in i.events]
    assert (moved.uid, moved.recurrence_id, moved.start) == ("series-1", "20261202T140000Z", later)
    assert changes.deletions == []


def test_uid_of_decodes_exchange_global_object_ids():
    assert uid_of(goid_hex("abc@example.com")) == "abc@example.com"
    made = goid_hex(None)
    occurrence = made[:32] + "07EA0C01" + made[40:]
    assert uid_of(occurrence) == uid_of(made) == made
    assert uid_of("not-hex") == "not-hex"


def test_all_day_event_is_read_as_its_date(env, fake):
    start = datetime(2026, 12, 1, 23, 0, tzinfo=timezone.utc)  # midnight in Berlin, in UTC
    env.add_user_event("holiday", "Holiday", start, start + timedelta(days=1), isAllDay=True)
    provider = GraphProvider(env.account, ZoneInfo("Europe/Berlin"))
    [event] = events_of(cache_after(provider.changes(env.calendar, None, {}, WINDOW), {}))
    assert event.all_day and event.start == datetime(2026, 12, 2, tzinfo=ZoneInfo("Europe/Berlin"))


# -- writing ------------------------------------------------------------------------------------

def test_artifact_carries_marker_reminder_transaction_id_and_no_attendees(env, fake):
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    [stored] = owned_bodies(env)
    props = {p["id"]: p["value"] for p in stored["singleValueExtendedProperties"]}
    assert props == {PROPERTY_IDS["syncd-kind"]: art.kind, PROPERTY_IDS["syncd-source"]: art.source,
                     PROPERTY_IDS["syncd-key"]: art.key}
    assert stored["attendees"] == [] and stored["showAs"] == "busy"
    assert stored["isReminderOn"] and stored["reminderMinutesBeforeStart"] == 45
    assert stored["transactionId"] == transaction_id(art.key)


def test_crash_after_create_is_found_by_marker_not_duplicated(env, fake):
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    fake.requests.clear()
    again = env.provider.create(env.calendar, art)
    assert again.owned and len(owned_bodies(env)) == 1
    assert [r.method for r in fake.api_requests()] == ["GET"]
    assert "$filter" in fake.api_requests()[0].query


def test_retried_post_with_the_same_transaction_id_makes_one_event(env, fake):
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    env.provider.client.request("POST", f"me/calendars/{env.calendar.id}/events",
                                body={"subject": "retry", "start": when(T0), "end": when(T0),
                                      "transactionId": transaction_id(art.key)})
    assert len(fake.events_of(env.calendar.id)) == 1


def test_stale_etag_is_a_precondition_failure(env, fake):
    item = env.provider.create(env.calendar, make_artifact(env))
    fake.modify_event(item.href, {"subject": "moved by hand"})
    with pytest.raises(PreconditionFailed):
        env.provider.update(env.calendar, item, make_artifact(env, minutes=30))
    with pytest.raises(PreconditionFailed):
        env.provider.delete(env.calendar, item)


def test_user_events_are_never_written(env, fake):
    env.add_user_event("user-1", "Dentist", T0, T0 + timedelta(hours=1))
    env.add_user_event("series-1", "Standup", T0, T0 + timedelta(minutes=15), rrule="FREQ=DAILY;COUNT=3")
    before = {uid: env.fingerprint(uid) for uid in env.ids}
    cache = cache_after(sync(env), {})
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    for item in cache.values():
        with pytest.raises(NotOwned):
            env.provider.update(env.calendar, item, art)
        with pytest.raises(NotOwned):
            env.provider.delete(env.calendar, item)
    assert {uid: env.fingerprint(uid) for uid in env.ids} == before
    assert [r.method for r in fake.writes()] == ["POST"]


# -- faults -------------------------------------------------------------------------------------

def test_throttling_maps_to_retryable_errors_with_retry_after(env, fake):
    fake.fail_next(1, 429, retry_after="7")
    with pytest.raises(RateLimited) as caught:
        sync(env)
    assert caught.value.retry_after == 7 and caught.value.status == 429
    fake.fail_next(1, 503, retry_after="2")
    with pytest.raises(TransientError) as caught:
        sync(env)
    assert caught.value.retry_after == 2 and not isinstance(caught.value, RateLimited)
    fake.drop_next(1)
    with pytest.raises(TransientError):
        env.provider.calendars()


def test_other_errors_say_what_graph_said(env, fake):
    fake.fail_next(1, 400, "ErrorInvalidRequest")
    with pytest.raises(ProviderError, match="ErrorInvalidRequest"):
        sync(env)
    fake.fail_next(1, 403, "ErrorAccessDenied")
    with pytest.raises(ProviderError, match="consent"):
        sync(env)


def test_at_most_four_requests_in_flight_per_mailbox(env, fake):
    second = GraphProvider(env.account, UTC)  # the same mailbox, another provider object
    fake.gate.open.clear()
    threads = [threading.Thread(target=p.calendars) for p in [env.provider, second] * 4]
    for t in threads:
        t.start()
    assert fake.gate.wait_for(MAX_IN_FLIGHT)
    fake.gate.open.set()
    for t in threads:
        t.join(timeout=30)
    assert fake.gate.most == MAX_IN_FLIGHT
    second.close()


def test_a_mailbox_with_four_stuck_requests_fails_fast_instead_of_waiting(env, fake):
    fake.gate.open.clear()
    stuck = [threading.Thread(target=env.provider.calendars) for _ in range(MAX_IN_FLIGHT)]
    for t in stuck:
        t.start()
    assert fake.gate.wait_for(MAX_IN_FLIGHT)
    quick = GraphProvider({**env.account, "timeout": timedelta(seconds=0.2)}, UTC)
    try:
        with pytest.raises(TransientError, match="in flight"):
            quick.calendars()
    finally:
        fake.gate.open.set()
        for t in stuck:
            t.join(timeout=30)
        quick.close()


def test_links_to_other_hosts_are_not_followed(env):
    with pytest.raises(ProviderError, match="another host"):
        env.provider.client.request("GET", "https://elsewhere.example/v1.0/me")


# -- auth ---------------------------------------------------------------------------------------

def test_sign_in_stores_a_private_cache_and_refreshes_silently(fake, tmp_path):
    fake.identity.expires_in = 60  # msal refreshes tokens this close to expiry
    account = graph_account(fake, tmp_path)
    path = Path(account["token_file"])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    grants = [r["grant_type"] for r in fake.identity.token_requests]
    assert grants == ["urn:ietf:params:oauth:grant-type:device_code"]
    assert "Calendars.ReadWrite" in fake.identity.device_requests[0]["scope"]
    assert "Mail.ReadWrite" not in fake.identity.device_requests[0]["scope"]
    before = path.read_text()
    GraphProvider(account, UTC).calendars()
    refreshes = [r["grant_type"] for r in fake.identity.token_requests][1:]
    assert refreshes and set(refreshes) == {"refresh_token"}
    assert path.read_text() != before and stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_draft_sink_sign_in_asks_for_mail_access(fake, tmp_path):
    account = {"name": "m", "client_id": CLIENT_ID, "authority": fake.authority,
               "token_file": str(tmp_path / "t.json")}
    auth.authorize(account, draft_sink=True, say=lambda text: None)
    assert "Mail.ReadWrite" in fake.identity.device_requests[0]["scope"]


def test_a_refused_refresh_token_asks_for_sign_in_without_leaking(fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    account = graph_account(fake, tmp_path)
    fake.identity.access_tokens.clear()  # the access token was revoked: 401, then refresh
    fake.identity.invalid_grant = True
    with pytest.raises(AuthError) as caught:
        GraphProvider(account, UTC).calendars()
    assert str(caught.value) == "sign-in expired: run `syncd auth m365`"
    secrets = [*fake.identity.refresh_tokens, fake.access_token]
    assert not [s for s in secrets if s in caplog.text or s in str(caught.value)]


def test_a_revoked_access_token_is_refreshed_once_on_401(fake, tmp_path):
    account = graph_account(fake, tmp_path)
    fake.identity.access_tokens.clear()
    assert GraphProvider(account, UTC).calendars()
    statuses = [r.status for r in fake.api_requests()]
    assert statuses[:2] == [401, 200]


def test_missing_token_file_asks_for_sign_in(fake, tmp_path):
    account = graph_account(fake, tmp_path)
    Path(account["token_file"]).unlink()
    with pytest.raises(AuthError, match="syncd auth m365"):
        GraphProvider(account, UTC).calendars()


def test_token_command_is_the_alternative(fake, tmp_path):
    script = tmp_path / "token.sh"
    script.write_text(f"#!/bin/sh\necho {fake.access_token}\n")
    script.chmod(0o700)
    account = graph_account(fake, tmp_path, token_command=[str(script)])
    assert [c.name for c in GraphProvider(account, UTC).calendars()] == ["Calendar"]
    assert fake.identity.token_requests == []
    fake.identity.access_tokens.clear()
    with pytest.raises(AuthError, match="refused the token printed by token_command"):
        GraphProvider(account, UTC).calendars()


def test_no_bearer_token_is_refused_by_the_fake(fake):
    import requests

    resp = requests.get(fake.api_endpoint + "me/calendars", timeout=10)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_syncd_auth_runs_the_device_code_flow(fake, tmp_path, capsys):
    from syncd.cli import main

    config = tmp_path / "config.toml"
    config.write_text(f'[[accounts]]\nname = "m365"\ntype = "msgraph"\nclient_id = "{CLIENT_ID}"\n'
                      f'token_file = "token.json"\nauthority = "{fake.authority}"\n'
                      f'api_endpoint = "{fake.api_endpoint}"\n')
    assert main(["--config", str(config), "auth", "m365"]) == 0
    out = capsys.readouterr().out
    assert "/devicelogin" in out and "enter the code" in out
    assert stat.S_IMODE(os.stat(tmp_path / "token.json").st_mode) == 0o600
    assert fake.identity.refresh_tokens and not [t for t in fake.identity.refresh_tokens if t in out]


def test_syncd_auth_refuses_a_token_command_account(tmp_path, capsys):
    from syncd.cli import main

    config = tmp_path / "config.toml"
    config.write_text('[[accounts]]\nname = "m365"\ntype = "msgraph"\ntoken_command = ["az"]\n')
    assert main(["--config", str(config), "auth", "m365"]) == 1
    assert "token_command" in capsys.readouterr().err
