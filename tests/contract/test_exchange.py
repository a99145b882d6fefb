"""The shared provider suite on the fake Exchange server, and Exchange-specific tests.

The adapter talks to :mod:`tests.fakes.exchange` through the real exchangelib; user items are
stored straight into the fake (``add_event``), bypassing the adapter, as Outlook would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from providers.exchange import ExchangeProvider, zones
from syncd import retry
from syncd.errors import AuthError, PreconditionFailed, RateLimited, TransientError
from syncd.model import Calendar, Window, format_recurrence_id
from tests.contract.suite import (
    T0, WINDOW, ProviderContract, cache_after, events_of, make_artifact, sync,
)
from tests.fakes.exchange.soap import T
from tests.fakes.ews import FakeExchange

ACCOUNT = "work-exchange"
BERLIN = ZoneInfo("Europe/Berlin")


def rrule_xml(rrule: str, start) -> str:
    """The EWS Recurrence of the simple RRULEs the suite uses (FREQ=DAILY;COUNT=n)."""
    parts = dict(p.split("=") for p in rrule.split(";"))
    assert parts["FREQ"] == "DAILY", rrule
    return ("<t:DailyRecurrence><t:Interval>1</t:Interval></t:DailyRecurrence>"
            f"<t:NumberedRecurrence><t:StartDate>{start.date().isoformat()}</t:StartDate>"
            f"<t:NumberOfOccurrences>{parts['COUNT']}</t:NumberOfOccurrences></t:NumberedRecurrence>")


class ExchangeEnv:
    """The ``env`` of the shared suite, on the fake."""

    def __init__(self, fake: FakeExchange, **overrides: Any):
        self.fake = fake
        self.account = {"name": ACCOUNT, "type": "exchange", "email": fake.email,
                        "username": fake.username, "password": fake.password,
                        "service_endpoint": fake.service_endpoint, "auth_type": "basic",
                        "version": "Exchange2016", "autodiscover": False,
                        "timeout": timedelta(seconds=5), **overrides}
        self.provider = self.new_provider()
        self.calendar = self.provider.calendars()[0]
        self.ids: dict[str, str] = {}

    def new_provider(self, cache: dict[str, str] | None = None) -> ExchangeProvider:
        return ExchangeProvider(self.account, BERLIN, cache)

    def add_user_event(self, uid, summary, start, end, rrule=None, **extra):
        xml = rrule_xml(rrule, start) if rrule else None
        self.ids[uid] = self.fake.add_event(summary, start, end, uid=uid, recurrence_xml=xml,
                                            organizer=("recruiter@acme.example", "Rita Recruiter"),
                                            **extra)
        return self.ids[uid]

    def edit_user_event(self, uid, summary):
        self.fake.edit_event(self.ids[uid], Subject=summary)

    def remove_user_event(self, uid):
        self.fake.remove_event(self.ids[uid])

    def fingerprint(self, uid):
        return self.fake.fingerprint(self.ids[uid])


@pytest.fixture
def fake() -> Iterator[FakeExchange]:
    server = FakeExchange().start()
    yield server
    server.stop()


@pytest.fixture
def env(fake) -> Iterator[ExchangeEnv]:
    environment = ExchangeEnv(fake)
    fake.reset_log()
    yield environment
    environment.provider.close()


class TestExchangeContract(ProviderContract):
    """The shared suite: the ``env`` fixture above provides the fake."""


def test_the_calendar_is_the_distinguished_folder(env, fake):
    [cal] = env.provider.calendars()
    assert cal == Calendar(ACCOUNT, fake.box.distinguished("calendar").id, "Calendar", True, "")


def owned_in(fake: FakeExchange, key: str) -> list:
    """Stored items whose syncd-key extended property is ``key``."""
    return [i for i in fake.items() for k, e in i.extended.items()
            if k[1] == "syncd-key" and e.findtext(f"{{{T}}}Value") == key]


# -- reading ------------------------------------------------------------------------------------

def test_idle_cycle_is_one_sync_request_per_calendar(env, fake):
    env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
    env.provider.create(env.calendar, make_artifact(env))
    first = sync(env)
    known = {h: i.etag for h, i in cache_after(first, {}).items()}
    fake.reset_log()
    for _ in range(3):
        again = sync(env, first.token, known)
        assert (again.full, again.upserts, again.deletions) == (False, [], [])
        first = again
    assert [r.operation for r in fake.operations()] == ["SyncFolderItems"] * 3


def test_sync_pages_until_the_last_change_is_in_range(env, fake):
    env.provider.sync_page = 50
    for i in range(105):
        fake.add_event(f"Meeting {i}", T0 + timedelta(hours=i), T0 + timedelta(hours=i, minutes=30))
    changes = sync(env)
    assert len(changes.upserts) == 105
    pages = fake.operations("SyncFolderItems")
    assert len(pages) == 3 and {r.status for r in pages} == {200}


def test_a_changed_occurrence_updates_its_series(env, fake):
    master = env.add_user_event("series-1", "Standup", T0, T0 + timedelta(minutes=15),
                                rrule="FREQ=DAILY;COUNT=5")
    first = sync(env)
    cache = cache_after(first, {})
    fake.modify_occurrence(master, T0 + timedelta(days=1), Start=T0 + timedelta(days=1, hours=2),
                           End=T0 + timedelta(days=1, hours=2, minutes=15), Subject="Standup (moved)")
    fake.delete_occurrence(master, T0 + timedelta(days=2))
    second = sync(env, first.token, {h: i.etag for h, i in cache.items()})
    assert not second.full and [i.href for i in second.upserts] == [master]
    events = sorted(events_of(cache_after(second, cache)), key=lambda e: e.start)
    assert [(e.start - T0, e.summary) for e in events] == [
        (timedelta(0), "Standup"), (timedelta(days=1, hours=2), "Standup (moved)"),
        (timedelta(days=3), "Standup"), (timedelta(days=4), "Standup")]
    assert events[1].recurrence_id == format_recurrence_id(T0 + timedelta(days=1))


def test_invalid_sync_state_recovers_with_a_full_listing_and_no_duplicate(env, fake):
    env.add_user_event("user-1", "Interview at Acme", T0, T0 + timedelta(hours=1))
    art = make_artifact(env)
    env.provider.create(env.calendar, art)
    first = sync(env)
    fake.invalidate_sync_states()
    env.remove_user_event("user-1")
    again = sync(env, first.token)
    assert again.full and again.token != first.token
    cache = cache_after(again, {})
    env.provider.create(env.calendar, art)  # the core re-applying its plan
    assert [(e.owned, e.marker.key) for e in events_of(cache)] == [(True, art.key)]
    assert len(owned_in(fake, art.key)) == 1
    refused = [r for r in fake.operations("SyncFolderItems") if r.status == 200]
    assert refused  # the refusal is a response message, not an HTTP error
    idle = sync(env, again.token)
    assert not idle.full and idle.upserts == []


def test_window_moving_past_the_token_lists_the_window_again(env):
    first = sync(env)
    later = replace(WINDOW, end=WINDOW.end + timedelta(days=30))
    assert env.provider.changes(env.calendar, first.token, {}, later).full
    assert not env.provider.changes(env.calendar, first.token, {}, WINDOW).full


def test_a_window_over_two_years_is_read_in_views_exchange_accepts(env, fake):
    far = T0 + timedelta(days=900)
    env.add_user_event("far-1", "Far away", far, far + timedelta(hours=1))
    env.add_user_event("near-1", "Near", T0, T0 + timedelta(hours=1))
    long_window = Window(WINDOW.start, far + timedelta(days=1))
    changes = env.provider.changes(env.calendar, None, {}, long_window)
    assert sorted(e.uid for e in events_of(cache_after(changes, {}))) == ["far-1", "near-1"]
    views = fake.operations("FindItem")
    assert len(views) == 2 and all(r.status == 200 for r in views)


def test_declined_free_and_tentative_are_not_busy(env, fake):
    organizer = ("recruiter@acme.example", "Rita Recruiter")
    declined = fake.add_event("Declined", T0, T0 + timedelta(hours=1), organizer=organizer,
                              my_response="Decline")
    free = fake.add_event("Free", T0, T0 + timedelta(hours=1), free_busy="Free")
    tentative = fake.add_event("Maybe", T0, T0 + timedelta(hours=1), free_busy="Tentative")
    busy = fake.add_event("Busy", T0, T0 + timedelta(hours=1), organizer=organizer,
                          attendees=((fake.email, "Alex", "Accept"), ("cto@acme.example", "CTO", "Unknown")))
    by_href = {e.href: e for e in events_of(cache_after(sync(env), {}))}
    assert [by_href[h].transparent for h in (declined, free, tentative, busy)] == [True, True, False, False]
    assert {a.email: a.partstat for a in by_href[declined].attendees} == {fake.email: "DECLINED"}
    assert {a.email: a.partstat for a in by_href[busy].attendees} == {
        fake.email: "ACCEPTED", "cto@acme.example": "NEEDS-ACTION"}
    assert by_href[busy].organizer == "recruiter@acme.example"
    strict = ExchangeEnv(fake, tentative_busy=False)
    by_href = {e.href: e for e in events_of(cache_after(sync(strict), {}))}
    assert by_href[tentative].transparent
    strict.provider.close()


def test_all_day_items_in_a_localized_customized_zone_keep_their_date(env, fake):
    # Created in UTC+01:00 by a client that wrote its own zone with a German name.
    fake.add_event("Urlaub", date(2026, 12, 2), date(2026, 12, 3), timezone_id="Customized Time Zone",
                   timezone_name="Mitteleuropäische Zeit", bias="-PT1H")
    fake.add_event("Feiertag", date(2026, 12, 4), date(2026, 12, 5),
                   timezone_name="(UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien", bias="-PT1H")
    events = sorted(events_of(cache_after(sync(env), {})), key=lambda e: e.start)
    assert [(e.summary, e.all_day, e.start, e.end) for e in events] == [
        ("Urlaub", True, datetime(2026, 12, 2, tzinfo=BERLIN), datetime(2026, 12, 3, tzinfo=BERLIN)),
        ("Feiertag", True, datetime(2026, 12, 4, tzinfo=BERLIN), datetime(2026, 12, 5, tzinfo=BERLIN))]


def test_organizer_name_and_the_invitations_zone_are_read(env, fake):
    fake.add_event("Interview", T0, T0 + timedelta(hours=1), organizer=("rita@acme.example", "Rita Recruiter"),
                   timezone_id="W. Europe Standard Time")
    fake.add_event("Call", T0, T0 + timedelta(hours=1), timezone_id="UTC")
    events = {e.summary: e for e in events_of(cache_after(sync(env), {}))}
    assert (events["Interview"].organizer_name, events["Interview"].tzid) == ("Rita Recruiter", "Europe/Berlin")
    assert events["Call"].tzid == ""


def test_windows_zone_names_map_to_iana():
    assert zones.from_names("W. Europe Standard Time", None).key == "Europe/Berlin"
    assert zones.from_names("Customized Time Zone", "Mitteleuropäische Zeit").key == "Europe/Berlin"
    assert zones.from_names(None, "(UTC-05:00) Ostküste (USA und Kanada)").key == "America/New_York"
    assert zones.from_names(None, "(UTC+09:00) Somewhere new").key == "Etc/GMT-9"
    assert zones.from_bias("-PT1H").key == "Etc/GMT-1" and zones.from_bias("PT5H").key == "Etc/GMT+5"
    assert zones.from_names("Customized Time Zone", None) is None


# -- writing ------------------------------------------------------------------------------------

def test_artifacts_are_busy_marked_reminded_and_invite_nobody(env, fake):
    art = make_artifact(env)
    item = env.provider.create(env.calendar, art)
    [stored] = owned_in(fake, art.key)
    assert item.href == stored.id and item.etag == stored.changekey
    assert stored.text("LegacyFreeBusyStatus") == "Busy" and stored.text("ReminderIsSet") == "true"
    assert stored.text("ReminderMinutesBeforeStart") == "45"
    assert "RequiredAttendees" not in stored.props and "OptionalAttendees" not in stored.props
    assert {k[1] for k in stored.extended} == {"syncd-kind", "syncd-source", "syncd-key"}
    assert {k[0] for k in stored.extended} == {"PublicStrings"}
    env.provider.update(env.calendar, item, make_artifact(env, minutes=30))
    env.provider.delete(env.calendar, cache_after(sync(env), {})[item.href])
    assert [(d.operation, d.attributes) for d in fake.dispositions] == [
        ("CreateItem", {"SendMeetingInvitations": "SendToNone"}),
        ("UpdateItem", {"SendMeetingInvitationsOrCancellations": "SendToNone"}),
        ("DeleteItem", {"SendMeetingCancellations": "SendToNone"})]
    assert fake.sent == [] and owned_in(fake, art.key) == []


def test_a_crash_between_create_and_recording_converges(env, fake):
    art = make_artifact(env)
    env.provider.create(env.calendar, art)  # ... and the process dies before recording it
    restarted = env.new_provider()
    [cal] = restarted.calendars()
    found = restarted.create(cal, art)
    assert found.owned and found.events[0].marker == art.marker
    assert len(owned_in(fake, art.key)) == 1
    assert len(fake.operations("CreateItem")) == 1
    restarted.close()


def test_an_update_of_an_item_changed_meanwhile_is_refused(env, fake):
    item = env.provider.create(env.calendar, make_artifact(env))
    fake.edit_event(item.href, Subject="moved by hand")
    with pytest.raises(PreconditionFailed):
        env.provider.update(env.calendar, item, make_artifact(env, minutes=30))
    assert fake.box.get(item.href).text("Subject") == "moved by hand"


def test_user_items_stay_untouched_through_cycles_and_writes(env, fake):
    ids = [env.add_user_event("user-1", "Dentist", T0, T0 + timedelta(hours=1)),
           env.add_user_event("series-1", "Standup", T0, T0 + timedelta(minutes=15),
                              rrule="FREQ=DAILY;COUNT=3")]
    before = [fake.fingerprint(i) for i in ids]
    token = None
    for minutes in (15, 30, 15):
        changes = sync(env, token)
        token = changes.token
        for item in cache_after(changes, {}).values():
            if item.owned:
                env.provider.update(env.calendar, item, make_artifact(env, minutes=minutes))
        env.provider.create(env.calendar, make_artifact(env, minutes=minutes))
    assert [fake.fingerprint(i) for i in ids] == before
    touched = {d.item_id for d in fake.dispositions if d.operation != "CreateItem"}
    assert not touched & set(ids)


# -- faults -------------------------------------------------------------------------------------

def test_throttling_is_honoured_and_ridden_out(env, fake):
    fake.throttle_next(1, back_off_ms=3_600_000)
    with pytest.raises(RateLimited) as refused:
        sync(env)  # fails fast: exchangelib does not sit out the hour itself
    assert refused.value.retry_after == 3600.0
    fake.throttle_next(2, back_off_ms=20)
    changes = retry.call(ACCOUNT, sync, env)
    assert changes.full and changes.token
    assert len([r for r in fake.requests if r.operation == "fault"]) == 3


@pytest.mark.parametrize("fault", ["fail", "drop"])
def test_server_errors_and_dropped_connections_are_transient(env, fake, fault):
    getattr(fake, f"{fault}_next")(1)
    with pytest.raises(TransientError):
        sync(env)
    assert sync(env).full


def test_wrong_credentials_are_an_auth_error_and_nothing_leaks(fake, caplog):
    caplog.set_level(logging.DEBUG)
    account = {"name": ACCOUNT, "type": "exchange", "email": fake.email, "username": fake.username,
               "password": "wrong-" + fake.password, "service_endpoint": fake.service_endpoint,
               "auth_type": "basic", "version": "Exchange2016", "timeout": timedelta(seconds=5)}
    provider = ExchangeProvider(account, BERLIN)
    with pytest.raises(AuthError):
        provider.calendars()
    assert [r.status for r in fake.requests] == [401]
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert fake.password not in text and "Basic " not in text
    provider.close()


def test_autodiscovered_endpoint_is_reused_from_the_cache(fake):
    cache = {"ews_endpoint": fake.service_endpoint, "ews_auth_type": "basic", "ews_version": "Exchange2016"}
    account = {"name": ACCOUNT, "type": "exchange", "email": fake.email, "username": fake.username,
               "password": fake.password, "autodiscover": True, "timeout": timedelta(seconds=5)}
    provider = ExchangeProvider(account, BERLIN, cache)
    assert provider.calendars()[0].name == "Calendar"
    assert [r.operation for r in fake.operations()] == ["GetFolder", "GetFolder"]
    provider.close()


def test_autodiscovery_runs_once_and_its_answer_is_cached(fake, monkeypatch):
    from exchangelib import FailFast
    from exchangelib.version import Build, Version

    from providers.exchange import connect as ews_connect

    discovered: list[str] = []
    real_account = ews_connect.Account

    def account(email, **kwargs):
        if kwargs.get("autodiscover"):
            discovered.append(email)  # stands for the POX/SOAP autodiscovery round trips
            assert isinstance(kwargs["config"].retry_policy, FailFast)  # no hour-long waits here either
            protocol = type("P", (), {"service_endpoint": fake.service_endpoint, "auth_type": "basic",
                                      "version": Version(build=Build(15, 1, 2507))})()
            return type("A", (), {"protocol": protocol})()
        return real_account(email, **kwargs)

    monkeypatch.setattr(ews_connect, "Account", account)
    cache: dict[str, str] = {}
    settings = {"name": ACCOUNT, "type": "exchange", "email": fake.email, "username": fake.username,
                "password": fake.password, "autodiscover": True, "timeout": timedelta(seconds=5)}
    first = ExchangeProvider(settings, BERLIN, cache)
    assert first.calendars()[0].name == "Calendar"
    first.close()
    assert cache == {"ews_endpoint": fake.service_endpoint, "ews_auth_type": "basic",
                     "ews_version": "Exchange2016"}
    second = ExchangeProvider(settings, BERLIN, cache)
    assert second.calendars()[0].name == "Calendar"
    second.close()
    assert discovered == [fake.email]


def test_a_request_stuck_in_the_server_blocks_no_other_request(fake):
    """The core abandons a call at the account's deadline; the next must get a connection."""
    env = ExchangeEnv(fake, timeout=timedelta(seconds=60))  # the stuck one outlasts the test
    first = sync(env)
    release, held = fake.hold_next()
    stuck = threading.Thread(target=lambda: sync(env, first.token), daemon=True)
    stuck.start()
    assert held.wait(30)
    done = threading.Event()
    art = make_artifact(env)
    helper = threading.Thread(target=lambda: (env.provider.create(env.calendar, art), done.set()),
                              daemon=True)
    helper.start()
    finished = done.wait(20)
    release.set()
    stuck.join(30)
    env.provider.close()
    assert finished, "a second request waited for the stuck one's connection"
