"""The shared provider suite on the fake Google Calendar server, and Google-specific tests.

The adapter talks to :mod:`tests.fakes.google` through the real google-api-python-client;
user events are stored straight into the fake (``seed_event``), bypassing the adapter.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_plus
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError
from httplib2 import Response
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_none

from providers.google import auth as google_auth
from providers.google.adapter import GoogleProvider, map_http_error, retry_after_seconds
from syncd.errors import (
    AuthError, Gone, NotOwned, PreconditionFailed, ProviderError, RateLimited, TransientError,
)
from syncd.model import Calendar
from tests.contract.suite import (
    T0, WINDOW, ProviderContract, cache_after, events_of, make_artifact, sync,
)
from tests.fakes.google import CLIENT_ID, CLIENT_SECRET, FakeGoogleCalendar

ME = "alex@example.com"
WORK = "c_0a1b2c3d4e5f@group.calendar.google.com"
ACCOUNT = "work-google"
BERLIN = ZoneInfo("Europe/Berlin")


def token_info(fake: FakeGoogleCalendar, expired: bool = False) -> dict:
    """An authorized-user file as ``Credentials.to_json()`` writes it."""
    expiry = datetime.now(timezone.utc) + (timedelta(hours=-1) if expired else timedelta(hours=1))
    return {"token": fake.access_token, "refresh_token": fake.oauth.refresh_token,
            "token_uri": fake.token_uri, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scopes": list(google_auth.SCOPES), "universe_domain": "googleapis.com",
            "account": "", "expiry": expiry.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}


def when(moment: datetime) -> dict:
    return {"dateTime": moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
            "timeZone": "UTC"}


class GoogleEnv:
    """The ``env`` of the shared suite, on the fake."""

    def __init__(self, fake: FakeGoogleCalendar, root: Path, expired: bool = False):
        self.fake = fake
        self.token_file = root / "token.json"
        self.token_file.write_text(json.dumps(token_info(fake, expired)))
        self.token_file.chmod(0o600)
        self.account = {"name": ACCOUNT, "type": "google", "token_file": str(self.token_file),
                        "client_secrets": str(root / "client_secret.json"),
                        "api_endpoint": fake.api_endpoint, "token_uri": fake.token_uri,
                        "write_calendar": "Work"}
        self.provider = self.new_provider()
        self.calendar = Calendar(account=ACCOUNT, id=WORK, name="Work", writable=True)

    def new_provider(self) -> GoogleProvider:
        provider = GoogleProvider(self.account, BERLIN)
        provider.timeout = 3.0
        return provider

    def _id(self, uid: str) -> str:
        return next(e["id"] for e in self.fake.events_of(WORK)
                    if e["iCalUID"] == uid and "recurringEventId" not in e)

    def add_user_event(self, uid, summary, start, end, rrule=None, **extra):
        body = {"iCalUID": uid, "summary": summary, "start": when(start), "end": when(end),
                "organizer": {"email": "recruiter@acme.example"}, **extra}
        if rrule:
            body["recurrence"] = [f"RRULE:{rrule}"]
        return self.fake.seed_event(WORK, body)

    def edit_user_event(self, uid, summary):
        self.fake.modify_event(WORK, self._id(uid), {"summary": summary})

    def remove_user_event(self, uid):
        self.fake.remove_event(WORK, self._id(uid))

    def fingerprint(self, uid):
        return json.dumps(next(e for e in self.fake.events_of(WORK) if e["iCalUID"] == uid),
                          sort_keys=True)


@pytest.fixture
def fake() -> Iterator[FakeGoogleCalendar]:
    server = FakeGoogleCalendar().start()
    server.add_calendar(ME, ME, primary=True, time_zone="Europe/Berlin")
    server.add_calendar(WORK, "Work calendar", summary_override="Work")
    server.add_calendar("en.german#holiday@group.v.calendar.google.com", "Holidays",
                        access_role="reader")
    yield server
    server.stop()


@pytest.fixture
def env(fake, tmp_path) -> GoogleEnv:
    return GoogleEnv(fake, tmp_path)


class TestGoogleContract(ProviderContract):
    """The shared suite: the ``env`` fixture above provides the fake."""


# -- reading ------------------------------------------------------------------------------------

def test_calendars_are_named_and_writable_by_access_role(env):
    found = {c.id: c for c in env.provider.calendars()}
    assert found[WORK] == Calendar(ACCOUNT, WORK, "Work", True, "")
    assert found[ME].name == ME and found[ME].writable
    assert not found["en.german#holiday@group.v.calendar.google.com"].writable


def test_idle_cycle_is_one_request_per_calendar(env, fake):
    calendars = [c for c in env.provider.calendars() if c.id in (ME, WORK)]
    fake.seed_event(ME, {"summary": "Gym", "start": when(T0), "end": when(T0 + timedelta(hours=1))})
    env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
    tokens = {c.id: env.provider.changes(c, None, {}, WINDOW).token for c in calendars}
    fake.requests.clear()
    for cal in calendars:
        again = env.provider.changes(cal, tokens[cal.id], {}, WINDOW)
        assert (again.full, again.upserts, again.deletions) == (False, [], [])
    lists = fake.api_requests("calendar.events.list")
    assert len(fake.api_requests()) == len(lists) == len(calendars)
    assert sorted(r.path for r in lists) == sorted(
        f"/calendar/v3/calendars/{c.id.replace('@', '%40')}/events" for c in calendars)
    assert all(set(r.query) >= {"syncToken"} and "timeMin" not in r.query for r in lists)


def test_pages_are_followed_and_the_token_comes_last(env, fake):
    fake.set_page_size(2)
    for i in range(5):
        env.add_user_event(f"user-{i}", f"Meeting {i}", T0 + timedelta(hours=i),
                           T0 + timedelta(hours=i, minutes=30))
    changes = sync(env)
    assert len(changes.upserts) == 5 and changes.token
    lists = fake.api_requests("calendar.events.list")
    assert len(lists) == 3
    assert ["pageToken" in r.query for r in lists] == [False, True, True]


def test_expired_token_recovers_with_a_full_sync_and_no_duplicate(env, fake):
    env.add_user_event("user-1", "Interview at Acme", T0, T0 + timedelta(hours=1))
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    first = sync(env)
    cache = cache_after(first, {})
    fake.expire_sync_tokens()
    env.remove_user_event("user-1")
    again = sync(env, first.token, {h: i.etag for h, i in cache.items()})
    assert again.full and again.deletions == [] and again.token != first.token
    cache = cache_after(again, cache)
    env.provider.create(env.calendar, art)  # the core re-applying its plan
    cache = cache_after(sync(env, again.token), cache)
    assert [(e.owned, e.marker.key) for e in events_of(cache)] == [(True, art.key)]  # no orphan
    assert len([e for e in fake.events_of(WORK) if e["id"] == art.key]) == 1
    assert [r.status for r in fake.api_requests("calendar.events.list")].count(410) == 1


def test_window_moving_past_the_token_triggers_a_full_sync(env):
    first = sync(env)
    later = replace(WINDOW, end=WINDOW.end + timedelta(days=30))
    assert env.provider.changes(env.calendar, first.token, {}, later).full
    assert not env.provider.changes(env.calendar, first.token, {}, WINDOW).full


def test_owner_declined_event_has_declined_self_attendee(env):
    env.add_user_event("user-1", "Interview", T0, T0 + timedelta(hours=1), attendees=[
        {"email": ME, "self": True, "responseStatus": "declined"},
        {"email": "recruiter@acme.example", "organizer": True, "responseStatus": "accepted"},
        {"email": "panel@acme.example", "responseStatus": "needsAction", "displayName": "Panel"}])
    [event] = events_of(cache_after(sync(env), {}))
    assert {a.email: a.partstat for a in event.attendees} == {
        ME: "DECLINED", "recruiter@acme.example": "ACCEPTED", "panel@acme.example": "NEEDS-ACTION"}
    assert event.organizer == "recruiter@acme.example"


def test_all_day_and_transparent_events(env, fake):
    fake.seed_event(WORK, {"summary": "Holiday", "start": {"date": "2026-12-02"},
                           "end": {"date": "2026-12-03"}, "transparency": "transparent"})
    [event] = events_of(cache_after(sync(env), {}))
    assert event.all_day and event.transparent
    assert event.start == datetime(2026, 12, 2, tzinfo=BERLIN)
    assert event.end == datetime(2026, 12, 3, tzinfo=BERLIN)


def test_series_instances_and_cancelled_instance(env, fake):
    master = env.add_user_event("series-1", "Standup", T0, T0 + timedelta(minutes=15),
                                rrule="FREQ=WEEKLY;COUNT=3")
    first = sync(env)
    cache = cache_after(first, {})
    rids = sorted(e.recurrence_id for e in events_of(cache))
    assert rids == ["20261201T140000Z", "20261208T140000Z", "20261215T140000Z"]
    second_id = f"{master['id']}_20261208T140000Z"
    fake.remove_event(WORK, second_id)
    changes = sync(env, first.token)
    assert changes.deletions == [second_id] and changes.upserts == []
    cache = cache_after(changes, cache)
    assert sorted(e.recurrence_id for e in events_of(cache)) == [rids[0], rids[2]]


def test_rate_limits_and_server_errors_map_to_retryable_errors(env, fake):
    fake.fail_next(1, 403, "rateLimitExceeded")
    with pytest.raises(RateLimited):
        env.provider.calendars()
    fake.fail_next(1, 403, "userRateLimitExceeded")
    with pytest.raises(RateLimited):
        env.provider.calendars()
    fake.fail_next(1, 429, retry_after="7")
    with pytest.raises(RateLimited) as caught:
        env.provider.calendars()
    assert caught.value.retry_after == 7 and caught.value.status == 429
    for status in (500, 503):
        fake.fail_next(1, status)
        with pytest.raises(TransientError) as caught:
            sync(env)
        assert not isinstance(caught.value, RateLimited) and caught.value.status == status


def test_faults_succeed_under_a_retry_policy(env, fake):
    @retry(retry=retry_if_exception_type(TransientError), wait=wait_none(),
           stop=stop_after_attempt(6), reraise=True)
    def cycle():
        return sync(env)

    env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
    fake.fail_next(1, 403, "rateLimitExceeded")
    fake.fail_next(1, 429, retry_after="1")
    fake.fail_next(1, 503)
    fake.drop_next(2)  # httplib2 itself retries a dropped connection once
    assert [e.uid for e in events_of(cache_after(cycle(), {}))] == ["user-1"]


def test_dropped_connection_and_timeout_are_transient(env, fake):
    fake.drop_next(2)
    with pytest.raises(TransientError):
        env.provider.calendars()
    env.provider.timeout = 0.3
    env.provider.close()
    fake.slow_next(1, 1.0)
    with pytest.raises(TransientError):
        env.provider.calendars()


def test_other_client_errors_are_provider_errors(env, fake):
    fake.fail_next(1, 400, "invalid")
    with pytest.raises(ProviderError) as caught:
        env.provider.calendars()
    assert type(caught.value) is ProviderError and "invalid" in str(caught.value)


def test_retry_after_parsing():
    assert retry_after_seconds("12", 0) == 12
    assert retry_after_seconds("Thu, 01 Jan 1970 00:01:40 GMT", 40) == 60
    assert retry_after_seconds(None, 0) is None and retry_after_seconds("soon", 0) is None


def test_one_place_maps_every_status():
    def err(status, reason="x"):
        body = json.dumps({"error": {"code": status, "message": "m",
                                     "errors": [{"reason": reason}]}}).encode()
        return map_http_error(HttpError(Response({"status": status}), body), "acc")

    assert isinstance(err(401), AuthError) and "syncd auth acc" in str(err(401))
    assert isinstance(err(404), Gone) and isinstance(err(410, "deleted"), Gone)
    assert isinstance(err(412), PreconditionFailed) and isinstance(err(409), PreconditionFailed)
    assert type(err(403, "forbiddenForNonOrganizer")) is ProviderError
    assert isinstance(err(502), TransientError) and err(502).account == "acc"


# -- writing ------------------------------------------------------------------------------------

def test_create_twice_is_one_event_through_409(env, fake):
    art = make_artifact(env)
    first = env.provider.create(env.calendar, art)
    second = env.provider.create(env.calendar, art)
    assert first.href == second.href == art.key and second.owned
    assert len([e for e in fake.events_of(WORK) if e["id"] == art.key]) == 1
    statuses = [(r.method_id, r.status) for r in fake.api_requests()]
    assert statuses == [("calendar.events.insert", 200), ("calendar.events.insert", 409),
                        ("calendar.events.get", 200)]


def test_artifact_resource_carries_marker_reminders_and_no_attendees(env, fake):
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    [stored] = [e for e in fake.events_of(WORK) if e["id"] == art.key]
    assert stored["extendedProperties"]["private"] == {
        "syncd-kind": art.kind, "syncd-source": art.source, "syncd-key": art.key}
    assert stored["reminders"] == {"useDefault": False,
                                   "overrides": [{"method": "popup", "minutes": 45}]}
    assert stored["transparency"] == "opaque" and "attendees" not in stored


def test_deleted_artifact_can_be_created_again(env, fake):
    art = make_artifact(env)
    item = env.provider.create(env.calendar, art)
    env.provider.delete(env.calendar, item)
    env.provider.delete(env.calendar, item)  # 410 deleted: already gone, not an error
    again = env.provider.create(env.calendar, art)
    assert again.owned
    owned = [e for e in events_of(cache_after(sync(env), {})) if e.owned]
    assert [e.marker.key for e in owned] == [art.key]


def test_stale_etag_is_a_precondition_failure(env, fake):
    art = make_artifact(env)
    item = env.provider.create(env.calendar, art)
    fake.modify_event(WORK, art.key, {"summary": "moved by hand"})
    with pytest.raises(PreconditionFailed):
        env.provider.update(env.calendar, item, make_artifact(env, minutes=30))
    with pytest.raises(PreconditionFailed):
        env.provider.delete(env.calendar, item)


def test_event_with_marker_but_foreign_id_is_not_owned(env, fake):
    art = make_artifact(env)
    env.add_user_event("copy-1", "Copied", T0, T0 + timedelta(hours=1), extendedProperties={
        "private": {"syncd-kind": art.kind, "syncd-source": art.source, "syncd-key": art.key}})
    [event] = events_of(cache_after(sync(env), {}))
    assert not event.owned


def test_only_none_is_ever_sent_as_send_updates(env, fake):
    art = make_artifact(env)
    item = env.provider.create(env.calendar, art)
    env.provider.create(env.calendar, art)
    item = env.provider.update(env.calendar, item, make_artifact(env, minutes=30))
    env.provider.delete(env.calendar, item)
    env.provider.create(env.calendar, art)  # restores the tombstone through update
    writes = [r for r in fake.api_requests() if r.method in ("POST", "PUT", "PATCH", "DELETE")]
    assert len(writes) >= 5
    assert all(r.query.get("sendUpdates") == ["none"] for r in writes)
    assert all(r.if_match for r in writes if r.method in ("PUT", "DELETE"))
    assert all(r.query.get("sendUpdates", ["none"]) == ["none"] for r in fake.api_requests())


def test_user_events_are_never_changed(env, fake):
    env.add_user_event("user-1", "Dentist", T0, T0 + timedelta(hours=1))
    env.add_user_event("series-1", "Standup", T0, T0 + timedelta(minutes=15), rrule="FREQ=DAILY;COUNT=3")
    user_ids = {e["id"] for e in fake.events_of(WORK)}
    cache = cache_after(sync(env), {})
    user_ids |= set(cache)
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    for item in cache.values():
        with pytest.raises(NotOwned):
            env.provider.update(env.calendar, item, art)
        with pytest.raises(NotOwned):
            env.provider.delete(env.calendar, item)
    changed = [r for r in fake.api_requests() if r.method in ("PUT", "PATCH", "DELETE")
               and any(r.path.endswith("/events/" + i) for i in user_ids)]
    assert changed == []


# -- auth ---------------------------------------------------------------------------------------

def test_refresh_goes_to_the_token_endpoint_and_keeps_the_file_private(fake, tmp_path):
    env = GoogleEnv(fake, tmp_path, expired=True)
    before = json.loads(env.token_file.read_text())
    env.provider.calendars()
    assert [r["grant_type"] for r in fake.oauth.token_requests] == ["refresh_token"]
    after = json.loads(env.token_file.read_text())
    assert stat.S_IMODE(os.stat(env.token_file).st_mode) == 0o600
    assert set(after) >= set(before)
    assert after["refresh_token"] == before["refresh_token"]
    assert after["token"] != before["token"] and after["token"] in fake.oauth.access_tokens


def test_a_revoked_access_token_is_refreshed_on_401(env, fake):
    fake.revoke_access_tokens()
    assert env.provider.calendars()
    assert [r["grant_type"] for r in fake.oauth.token_requests] == ["refresh_token"]
    assert json.loads(env.token_file.read_text())["token"] in fake.oauth.access_tokens


def test_invalid_grant_asks_for_a_new_sign_in_without_leaking(fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    env = GoogleEnv(fake, tmp_path, expired=True)
    fake.oauth.invalid_grant = True
    with pytest.raises(AuthError) as caught:
        env.provider.calendars()
    text = str(caught.value)
    assert text == f"sign-in expired: run `syncd auth {ACCOUNT}`"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    for secret in (fake.oauth.refresh_token, fake.access_token, CLIENT_SECRET):
        assert secret not in text and secret not in caplog.text


def test_missing_token_file_asks_for_sign_in(fake, tmp_path):
    env = GoogleEnv(fake, tmp_path)
    env.token_file.unlink()
    with pytest.raises(AuthError, match=f"syncd auth {ACCOUNT}"):
        env.new_provider().calendars()


def test_tokens_never_reach_the_logs(env, fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.revoke_access_tokens()
    env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
    env.provider.create(env.calendar, make_artifact(env))
    sync(env)
    secrets = [fake.oauth.refresh_token, CLIENT_SECRET, *fake.oauth.access_tokens]
    assert not [s for s in secrets if s in caplog.text]


@pytest.mark.parametrize("drafts", [False, True])
def test_console_sign_in_stores_a_private_token_file(fake, tmp_path, monkeypatch, drafts):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake's token endpoint is http
    secrets_file = tmp_path / "client_secret.json"
    secrets_file.write_text(json.dumps({"installed": {
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "auth_uri": fake.url + "o/oauth2/auth", "token_uri": fake.token_uri,
        "redirect_uris": ["http://localhost"]}}))
    account = {"name": ACCOUNT, "client_secrets": str(secrets_file),
               "token_file": str(tmp_path / "sub" / "token.json")}
    shown: list[str] = []

    def paste(_prompt: str) -> str:
        state = shown[0].split("state=")[1].split("&")[0]
        consented = unquote_plus(shown[0].split("scope=")[1].split("&")[0])
        code = fake.issue_auth_code(consented)
        return f"http://127.0.0.1:1/?state={state}&code={code}&scope=x"

    path = google_auth.authorize(account, console=True, prompt=paste, say=shown.append, drafts=drafts)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored["refresh_token"] == fake.oauth.refresh_token
    wanted = {*google_auth.SCOPES, *([google_auth.DRAFTS_SCOPE] if drafts else [])}
    assert set(stored["scopes"]) == wanted  # gmail.compose only for the draft sink
    assert ("gmail.compose" in shown[0]) is drafts
    assert "code_challenge" in shown[0] and "access_type=offline" in shown[0]


def test_api_endpoint_must_end_in_calendar_v3(env):
    with pytest.raises(ProviderError, match="/calendar/v3/"):
        GoogleProvider({**env.account, "api_endpoint": "http://127.0.0.1:1/v3/"}, BERLIN)


def test_token_endpoint_outage_is_transient_not_a_sign_in():
    outage = google_auth.refresh_failed("acc", RefreshError("503", retryable=True))
    refused = google_auth.refresh_failed("acc", RefreshError("invalid_grant: revoked"))
    assert isinstance(outage, TransientError) and not isinstance(outage, AuthError)
    assert isinstance(refused, AuthError) and str(refused) == "sign-in expired: run `syncd auth acc`"
