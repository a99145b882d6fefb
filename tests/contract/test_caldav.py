"""The CalDAV adapter against real Radicale and Xandikos servers.

The shared contract suite runs on both servers; the tests below prove what is particular to
CalDAV: one request per calendar when idle, multiget instead of GETs, recovery from an
expired sync token, conditional writes, the ctag fallback, error mapping, secrets.
"""

from __future__ import annotations

import base64
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

import providers.caldav.connection as connection_module
import providers.caldav.sync as caldav_sync
from providers.caldav import CACHE_CALENDARS, CalDAVProvider
from providers.ical import render_artifact
from syncd.errors import (
    AuthError, Gone, NotOwned, PreconditionFailed, ProviderError, RateLimited, TransientError,
)
from syncd.model import Item, Marker, Window
from tests.contract.conftest import (
    UTC, CalDAVEnv, corpus_resources, good_uids, ical_event, make_account, new_calendar_env,
)
from tests.contract.suite import (
    T0, WINDOW, ProviderContract, cache_after, events_of, make_artifact, sync,
)
from tests.proxy import DROP
from tests.servers import DavServer, request, start_radicale, start_server


class TestCalDAVContract(ProviderContract):
    """The shared suite, on Radicale and on Xandikos (``env`` comes from conftest.py)."""


def known_of(cache: dict[str, Item]) -> dict[str, str]:
    """The href -> etag mapping the core passes to ``changes``."""
    return {href: item.etag for href, item in cache.items()}


# -- efficiency ----------------------------------------------------------------------------

def test_idle_cycle_is_one_report_per_calendar(dav_server: DavServer):
    first, second = new_calendar_env(dav_server), new_calendar_env(dav_server)
    provider = first.provider  # one provider reading two calendars through one proxy
    provider.rediscover()  # it listed the calendars before the second one existed
    calendars = [first.calendar, next(c for c in provider.calendars() if c.id == second.calendar.id)]
    for env in (first, second):
        env.add_user_event("meet", "Meeting", T0, T0 + timedelta(hours=1))
    tokens = {c.id: provider.changes(c, None, {}, Window(T0, T0 + timedelta(days=1)))
              for c in calendars}
    first.proxy.reset()
    for cal in calendars:
        again = provider.changes(cal, tokens[cal.id].token,
                                 known_of(cache_after(tokens[cal.id], {})), Window(T0, T0))
        assert again.upserts == [] and again.deletions == [] and not again.full
    assert [m for m, _ in first.proxy.log] == ["REPORT", "REPORT"]
    assert {p for _, p in first.proxy.log} == {first.cal_path, second.cal_path}
    second.provider.close()
    second.proxy.stop()


def test_first_read_is_a_token_and_one_query(env: CalDAVEnv, monkeypatch):
    monkeypatch.setattr(caldav_sync, "CHUNK", 3)
    for i in range(7):
        env.add_user_event(f"ev-{i}", f"Event {i}", T0 + timedelta(hours=i), T0 + timedelta(hours=i + 1))
    first = sync(env)
    assert sorted(e.uid for e in events_of(cache_after(first, {}))) == [f"ev-{i}" for i in range(7)]
    assert first.full and first.token and first.deletions == []
    assert [m for m, _ in env.proxy.log] == ["PROPFIND", "REPORT"]  # sync-token, calendar-query
    env.proxy.reset()
    idle = sync(env, first.token, known_of(cache_after(first, {})))
    assert (idle.upserts, idle.deletions, env.proxy.counts) == ([], [], Counter({"REPORT": 1}))


def no_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any use of the CalDAV library fail the test."""
    def refuse(*args: object) -> None:
        raise AssertionError("the CalDAV library was used")
    monkeypatch.setattr(connection_module, "make_client", refuse)


def test_a_first_sync_and_its_writes_need_no_caldav_library(dav_server: DavServer, monkeypatch):
    env = new_calendar_env(dav_server)
    for i in range(3):
        env.add_user_event(f"ev-{i}", f"Event {i}", T0 + timedelta(hours=i), T0 + timedelta(hours=i + 1))
    no_library(monkeypatch)
    with closing(CalDAVProvider(env.provider.account, UTC, {})) as fresh:
        calendar = next(c for c in fresh.calendars() if c.id == env.calendar.id)
        assert calendar == env.calendar
        env.proxy.reset()
        first = fresh.changes(calendar, None, {}, WINDOW)
        assert sorted(e.uid for e in events_of(cache_after(first, {}))) == ["ev-0", "ev-1", "ev-2"]
        assert first.full and first.token and [m for m, _ in env.proxy.log] == ["PROPFIND", "REPORT"]
        env.proxy.reset()
        idle = fresh.changes(calendar, first.token, known_of(cache_after(first, {})), WINDOW)
        assert (idle.upserts, env.proxy.counts) == ([], Counter({"REPORT": 1}))
        made = fresh.create(calendar, make_artifact(env))  # and so are the artifacts' writes
        assert made.etag and made.events[0].marker is not None
        moved = fresh.update(calendar, made, make_artifact(env, summary="Prep, moved"))
        assert moved.etag != made.etag and moved.events[0].summary == "Prep, moved"
        with pytest.raises(PreconditionFailed):
            fresh.update(calendar, made, make_artifact(env, summary="stale"))
        fresh.delete(calendar, moved)
        fresh.delete(calendar, moved)  # already gone: fine
        assert not [h for h in env.server_hrefs() if "syncd-" in h]
    env.proxy.stop()


@pytest.mark.parametrize("method", ["PROPFIND", "REPORT"])
@pytest.mark.parametrize("answer", [
    (500, {}, b"busy"), (301, {"Location": "/elsewhere/"}, b""), (207, {}, b"<D:multistatus"),
    (401, {"WWW-Authenticate": 'Digest realm="x", nonce="1"'}, b""),
])
def test_anything_unusual_is_read_again_by_the_library(env: CalDAVEnv, method, answer):
    env.add_user_event("ev", "Event", T0, T0 + timedelta(hours=1))
    once = []

    def rule(verb: str, path: str, body: bytes):
        if verb == method and not once:
            once.append(path)
            return answer
        return None
    env.proxy.rules.append(rule)
    with closing(CalDAVProvider(env.provider.account, UTC, {})) as fresh:
        calendar = next(c for c in fresh.calendars() if c.id == env.calendar.id)
        first = fresh.changes(calendar, None, {}, WINDOW)
        assert [e.uid for e in events_of(cache_after(first, {}))] == ["ev"] and first.token
        assert once and fresh._client is not None  # the library took over after the odd answer
        assert fresh._link() is not None  # and, having read the calendar, hands back


def test_changes_are_fetched_by_chunked_multiget(env: CalDAVEnv, monkeypatch):
    monkeypatch.setattr(caldav_sync, "CHUNK", 3)
    env.add_user_event("ev-0", "Event 0", T0, T0 + timedelta(hours=1))
    first = sync(env)
    cache = cache_after(first, {})
    for i in range(1, 8):
        env.add_user_event(f"ev-{i}", f"Event {i}", T0 + timedelta(hours=i), T0 + timedelta(hours=i + 1))
    env.proxy.reset()
    second = sync(env, first.token, known_of(cache))
    assert len(second.upserts) == 7 and not second.full
    assert env.proxy.counts == Counter({"REPORT": 1 + 3})  # sync-collection + 3 multigets
    cache = cache_after(second, cache)
    env.edit_user_event("ev-3", "Event 3 (moved)")
    env.proxy.reset()
    third = sync(env, second.token, known_of(cache))
    assert [(e.uid, e.summary) for e in events_of(cache_after(third, {}))] == [("ev-3", "Event 3 (moved)")]
    assert env.proxy.counts == Counter({"REPORT": 2})


def test_own_writes_are_not_fetched_again(env: CalDAVEnv):
    first = sync(env)
    cache = cache_after(first, {})
    item = env.provider.create(env.calendar, make_artifact(env))
    cache[item.href] = item  # what the core records after a create
    env.proxy.reset()
    again = sync(env, first.token, known_of(cache))
    assert again.upserts == [] and env.proxy.counts == Counter({"REPORT": 1})


def test_discovery_is_cached_until_config_changes(env: CalDAVEnv):
    cache = env.provider.cache
    assert CACHE_CALENDARS in cache
    with closing(CalDAVProvider(env.provider.account, UTC, cache)) as twin:
        assert env.calendar in twin.calendars()
    assert env.proxy.total() == 0
    account = env.account(write_calendar=env.calendar.name)
    with closing(CalDAVProvider(account, UTC, cache)) as moved:
        assert env.calendar in moved.calendars()
    assert env.proxy.counts["PROPFIND"] >= 1


def test_gone_calendar_forgets_the_cached_calendars(env: CalDAVEnv):
    request("DELETE", env.cal_url, auth=env.server.auth())
    with pytest.raises(Gone, match="404"):
        sync(env)
    assert CACHE_CALENDARS not in env.provider.cache
    assert env.calendar.id not in [c.id for c in env.provider.calendars()]


# -- sync tokens ---------------------------------------------------------------------------

def assert_cache_matches_server(env: CalDAVEnv, cache: dict[str, Item]) -> None:
    """No duplicate and no orphan: the cache holds exactly what the server holds."""
    assert set(cache) == env.server_hrefs()
    uids = [e.uid for e in events_of(cache) if e.recurrence_id is None]
    assert len(uids) == len(set(uids))


def test_invalid_token_recovers_with_a_full_listing(env: CalDAVEnv):
    env.add_user_event("keep", "Keep", T0, T0 + timedelta(hours=1))
    env.add_user_event("drop", "Drop", T0, T0 + timedelta(hours=1))
    env.provider.create(env.calendar, make_artifact(env))
    cache = cache_after(sync(env), {})
    env.remove_user_event("drop")
    env.add_user_event("new", "New", T0, T0 + timedelta(hours=2))
    bogus = ("http://radicale.org/ns/sync/" + "0" * 64 if env.server.kind == "radicale"
             else "0" * 40)
    changes = sync(env, bogus, known_of(cache))
    assert changes.full and changes.token and changes.deletions == []
    cache = cache_after(changes, cache)
    assert sorted(e.uid for e in events_of(cache) if not e.owned) == ["keep", "new"]
    assert len([e for e in events_of(cache) if e.owned]) == 1
    assert_cache_matches_server(env, cache)


@pytest.fixture(scope="module")
def short_token_radicale() -> Iterator[DavServer]:
    with start_radicale(max_sync_token_age=1) as server:
        yield server


def test_expired_token_recovers_with_a_full_listing(short_token_radicale: DavServer):
    env = new_calendar_env(short_token_radicale)
    env.add_user_event("a", "A", T0, T0 + timedelta(hours=1))
    first = sync(env)
    cache = cache_after(first, {})
    time.sleep(1.2)
    env.add_user_event("b", "B", T0, T0 + timedelta(hours=1))
    later = sync(env, first.token, known_of(cache))  # still valid; makes Radicale drop it
    assert not later.full
    env.remove_user_event("a")
    changes = sync(env, first.token, known_of(cache))  # a client that missed ``later``
    assert changes.full
    cache = cache_after(changes, cache)
    assert [e.uid for e in events_of(cache)] == ["b"]
    assert_cache_matches_server(env, cache)
    env.proxy.stop()


def test_first_sync_ignores_removals_it_never_held(env: CalDAVEnv):
    env.add_user_event("gone-before", "Gone", T0, T0 + timedelta(hours=1))
    env.remove_user_event("gone-before")
    env.add_user_event("here", "Here", T0, T0 + timedelta(hours=1))
    changes = sync(env)
    assert changes.full and changes.deletions == []
    assert [e.uid for e in events_of(cache_after(changes, {}))] == ["here"]


def test_hrefs_agree_between_sync_and_multiget(env: CalDAVEnv):
    uid = "odd uid@example.com"
    env.add_user_event(uid, "Odd", T0, T0 + timedelta(hours=1))
    first = sync(env)
    assert [i.href for i in first.upserts] == [env.href(uid)]
    env.edit_user_event(uid, "Odd, edited")
    cache = cache_after(first, {})
    second = sync(env, first.token, known_of(cache))
    cache = cache_after(second, cache)
    assert [(h, [e.summary for e in i.events]) for h, i in cache.items()] == [
        (env.href(uid), ["Odd, edited"])]
    env.remove_user_event(uid)
    third = sync(env, second.token, known_of(cache))
    assert third.deletions == [env.href(uid)]


# -- the ctag fallback for servers without sync-collection ----------------------------------

NO_SYNC = {
    "501": (501, {"Content-Type": "text/plain"}, b"Not Implemented"),
    "supported-report": (403, {"Content-Type": "application/xml"},
                         b'<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:supported-report/>'
                         b"</D:error>"),
}


# A server without sync-collection has no DAV:sync-token property either (RFC 6578 4).
NO_TOKEN = (207, {"Content-Type": "application/xml"},
            b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>%s</D:href>'
            b"<D:propstat><D:prop><D:sync-token/></D:prop><D:status>HTTP/1.1 404 Not Found"
            b"</D:status></D:propstat></D:response></D:multistatus>")


def without_sync_collection(env: CalDAVEnv, refusal: str) -> None:
    """Make the proxy answer as a server without sync-collection would."""
    def rule(method: str, path: str, body: bytes):
        if method == "REPORT" and b"sync-collection" in body:
            return NO_SYNC[refusal]
        if method == "PROPFIND" and b"sync-token" in body:
            status, headers, answer = NO_TOKEN
            return status, headers, answer % path.encode()
        return None
    env.proxy.rules.append(rule)


@pytest.mark.parametrize("refusal", sorted(NO_SYNC))
def test_fallback_to_ctag_and_etag_listing(env: CalDAVEnv, refusal: str):
    without_sync_collection(env, refusal)
    env.add_user_event("a", "A", T0, T0 + timedelta(hours=1))
    env.add_user_event("b", "B", T0, T0 + timedelta(hours=1))
    first = sync(env)
    assert first.full and first.token.startswith("ctag:")
    cache = cache_after(first, {})
    env.proxy.reset()
    idle = sync(env, first.token, known_of(cache))
    assert (idle.upserts, idle.deletions, env.proxy.counts) == ([], [], Counter({"PROPFIND": 1}))
    env.edit_user_event("a", "A, edited")
    env.remove_user_event("b")
    changes = sync(env, idle.token, known_of(cache))
    assert not changes.full and changes.deletions == [env.href("b")]
    assert [(e.uid, e.summary) for e in events_of(cache_after(changes, cache))] == [("a", "A, edited")]


def test_token_without_sync_collection_falls_back_to_ctag_later(env: CalDAVEnv):
    """A server that names a sync token but refuses sync-collection: the first read is the
    query, later ones compare the ctag and list ETags."""
    env.proxy.rules.append(lambda method, path, body: NO_SYNC["501"]
                           if method == "REPORT" and b"sync-collection" in body else None)
    env.add_user_event("a", "A", T0, T0 + timedelta(hours=1))
    first = sync(env)
    cache = cache_after(first, {})
    env.add_user_event("b", "B", T0, T0 + timedelta(hours=1))
    later = sync(env, first.token, known_of(cache))
    assert later.token.startswith("ctag:")
    cache = cache_after(later, cache)
    assert sorted(e.uid for e in events_of(cache)) == ["a", "b"]
    env.proxy.reset()
    idle = sync(env, later.token, known_of(cache))
    assert (idle.upserts, idle.deletions, env.proxy.counts) == ([], [], Counter({"PROPFIND": 1}))


TRUNCATED = (207, {"Content-Type": "application/xml"},
             b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>%s'
             b"</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response>"
             b"</D:multistatus>")
REFUSED_QUERY = {"501": (501, {"Content-Type": "text/plain"}, b"Not Implemented"),
                 "507": (507, {"Content-Type": "text/plain"}, b"Too many results"),
                 "truncated": TRUNCATED}


@pytest.mark.parametrize("refusal", sorted(REFUSED_QUERY))
def test_refused_or_truncated_query_falls_back_to_sync_collection(env: CalDAVEnv, refusal: str):
    def rule(method: str, path: str, body: bytes):
        if method == "REPORT" and b"calendar-query" in body:
            status, headers, answer = REFUSED_QUERY[refusal]
            return status, headers, answer.replace(b"%s", path.encode())
        return None
    env.proxy.rules.append(rule)
    for uid in ("a", "b"):
        env.add_user_event(uid, uid.upper(), T0, T0 + timedelta(hours=1))
    first = sync(env)
    assert first.full and first.token and first.deletions == []
    assert sorted(e.uid for e in events_of(cache_after(first, {}))) == ["a", "b"]
    assert [m for m, _ in env.proxy.log] == ["PROPFIND", "REPORT", "REPORT", "REPORT"]


# -- writes --------------------------------------------------------------------------------

def test_user_event_is_never_touched_by_artifact_writes(env: CalDAVEnv):
    env.add_user_event("user-1", "Interview", T0, T0 + timedelta(hours=1))
    before = env.fingerprint("user-1")
    art = make_artifact(env, source="user-1")
    created = env.provider.create(env.calendar, art)
    assert created.owned and created.etag
    updated = env.provider.update(env.calendar, created, replace(art, summary="Prep, longer"))
    env.provider.delete(env.calendar, updated)
    assert env.fingerprint("user-1") == before


def test_create_of_an_existing_artifact_returns_it(env: CalDAVEnv):
    art = make_artifact(env)
    first = env.provider.create(env.calendar, art)
    env.proxy.reset()
    again = env.provider.create(env.calendar, art)
    assert (again.href, again.etag) == (first.href, first.etag)
    assert again.events[0].marker == art.marker
    assert first.href == env.href(f"syncd-{art.key}")
    assert env.proxy.log[0][0] == "PUT" and "GET" not in env.proxy.counts


def test_create_finds_an_artifact_stored_under_another_name(env: CalDAVEnv):
    art = make_artifact(env)
    assert env.put_raw("copied-by-a-client.ics", render_artifact(art)) == 201
    found = env.provider.create(env.calendar, art)
    assert found.href == env.href("copied-by-a-client") and found.events[0].marker == art.marker
    assert len(env.server_hrefs()) == 1


def test_stale_etag_raises_precondition_failed(env: CalDAVEnv):
    art = make_artifact(env)
    stale = env.provider.create(env.calendar, art)
    fresh = env.provider.update(env.calendar, stale, replace(art, summary="Changed elsewhere"))
    with pytest.raises(PreconditionFailed, match="412"):
        env.provider.update(env.calendar, stale, replace(art, summary="Lost update"))
    with pytest.raises(PreconditionFailed, match="412"):
        env.provider.delete(env.calendar, stale)
    env.provider.delete(env.calendar, fresh)
    env.provider.delete(env.calendar, fresh)  # already gone: not an error


def test_body_is_checked_again_when_the_etag_is_unknown(env: CalDAVEnv):
    env.add_user_event("user-1", "Dentist", T0, T0 + timedelta(hours=1))
    before = env.fingerprint("user-1")
    real = cache_after(sync(env), {})[env.href("user-1")]
    forged_marker = Marker("buffer-before", "x", "0" * 32)
    forged = Item(real.href, "", tuple(replace(e, marker=forged_marker) for e in real.events))
    with pytest.raises(NotOwned):
        env.provider.delete(env.calendar, forged)
    assert env.fingerprint("user-1") == before


def test_writes_stay_inside_the_calendar(env: CalDAVEnv):
    art = make_artifact(env)
    item = env.provider.create(env.calendar, art)
    elsewhere = replace(item, href=item.href.replace(env.calendar.id, "other-calendar"))
    with pytest.raises(ProviderError, match="not in calendar"):
        env.provider.delete(env.calendar, elsewhere)


# -- real-world data -----------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::UserWarning")  # icalendar's notes on odd TZIDs
def test_robustness_corpus_syncs_and_reads_every_good_event(dav_server: DavServer, caplog):
    """icalendar's and recurring-ical-events' real-world test calendars (no DTSTART, broken
    RRULEs, odd time zones...) as stored by a server: the sync completes, every event an
    independent oracle can read is read, and every resource skipped is named in a warning.
    """
    env = new_calendar_env(dav_server)
    stored = {}
    for name, text in corpus_resources():
        if env.put_raw(name, text) in (200, 201, 204):  # what a server refuses it never holds
            stored[env.href(name[:-4])] = text
    control = datetime(2020, 6, 1, 9, tzinfo=timezone.utc)
    env.add_user_event("control-single", "Control", control, control + timedelta(hours=1))
    env.add_user_event("control-series", "Series", control, control + timedelta(hours=1),
                       rrule="FREQ=WEEKLY")
    assert len(stored) > 100
    window = Window(datetime(2018, 1, 1, tzinfo=timezone.utc), datetime(2021, 1, 1, tzinfo=timezone.utc))
    caplog.set_level(logging.WARNING)
    changes = env.provider.changes(env.calendar, None, {}, window)
    read = {e.uid for e in events_of(cache_after(changes, {}))}
    assert {"control-single", "control-series"} <= read
    expected = set().union(*(good_uids(text, window) for text in stored.values()))
    assert expected - read == set()
    for href in set(stored) - {i.href for i in changes.upserts}:
        assert href in caplog.text  # every skipped resource is named in a warning
    env.proxy.stop()


BROKEN_SERIES = ["RRULE:FREQ=NONSENSE", "RRULE:FREQ=DAILY;UNTIL=garbage",
                 "RDATE;VALUE=PERIOD:20261202T100000Z/garbage", "RRULE:FREQ=DAILY\r\nEXDATE:x"]


def test_broken_series_are_skipped_and_named(xandikos_server: DavServer, caplog):
    # Radicale refuses these at PUT; Xandikos stores them, as a lenient server would.
    env = new_calendar_env(xandikos_server)
    env.add_user_event("good", "Good", T0, T0 + timedelta(hours=1))
    env.add_user_event("good-series", "Standup", T0, T0 + timedelta(hours=1), rrule="FREQ=DAILY")
    for i, broken in enumerate(BROKEN_SERIES):
        text = ical_event(f"broken-{i}", "Broken", T0, T0 + timedelta(hours=1), extra=broken)
        assert env.put_raw(f"broken-{i}.ics", text) == 201
    changes = sync(env)
    events = events_of(cache_after(changes, {}))
    assert {"good", "good-series"} <= {e.uid for e in events}
    assert not [e for e in events if e.uid.startswith("broken")]
    for i in range(len(BROKEN_SERIES)):
        assert f"broken-{i}" in caplog.text
    env.proxy.stop()


# -- errors and secrets ----------------------------------------------------------------------

@pytest.mark.parametrize("status,headers,error,retry_after", [
    (429, {"Retry-After": "7"}, RateLimited, 7.0),
    (503, {"Retry-After": "3"}, RateLimited, 3.0),
    (503, {}, TransientError, None),
    (500, {}, TransientError, None),
    (404, {}, Gone, None),
    (410, {}, Gone, None),
    (401, {}, AuthError, None),
])
def test_http_errors_are_mapped(env: CalDAVEnv, status, headers, error, retry_after):
    env.proxy.rules.append(lambda method, path, body: (status, headers, b"nope"))
    with pytest.raises(error) as caught:
        sync(env)
    assert type(caught.value) is error and caught.value.status == status
    assert str(status) in str(caught.value)
    assert getattr(caught.value, "retry_after", None) == retry_after


@pytest.mark.parametrize("kind", ["radicale", "xandikos"])
def test_server_going_away_is_transient(kind: str):
    with start_server(kind) as server:
        env = new_calendar_env(server)
        first = sync(env)
        env.proxy.rules.append(lambda *request: DROP)  # the connection dies mid-request
        with pytest.raises(TransientError, match="cannot reach the server"):
            sync(env, first.token)
        env.proxy.rules.clear()
    env.proxy.stop()
    # and now the server is gone for good: connection refused
    for call in (lambda: sync(env, first.token),
                 lambda: env.provider.create(env.calendar, make_artifact(env))):
        with pytest.raises(TransientError, match="cannot reach the server") as caught:
            call()
        assert "Traceback" not in str(caught.value) and "\n" not in str(caught.value)


SECRET = "s3cr3t-Pa55word"


@pytest.fixture(scope="module")
def auth_radicale() -> Iterator[DavServer]:
    with start_radicale(users={"bob": SECRET}) as server:
        yield server


def assert_no_secret(text: str, username: str = "bob") -> None:
    assert SECRET not in text
    assert base64.b64encode(f"{username}:{SECRET}".encode()).decode() not in text


def test_wrong_password_is_an_auth_error(auth_radicale: DavServer, caplog):
    caplog.set_level(logging.DEBUG)
    account = make_account(auth_radicale, auth_radicale.url, password=SECRET + "-wrong")
    with closing(CalDAVProvider(account, UTC, {})) as wrong, pytest.raises(
            AuthError, match="check username and password.*401") as caught:
        wrong.calendars()
    assert_no_secret(str(caught.value))
    assert SECRET + "-wrong" not in str(caught.value) + caplog.text


def test_password_never_reaches_logs_or_messages(auth_radicale: DavServer, caplog):
    caplog.set_level(logging.DEBUG)
    auth_radicale.make_calendar("work", "Work")
    provider = CalDAVProvider(make_account(auth_radicale, auth_radicale.url,
                                           password=SECRET), UTC, {})
    cal = next(c for c in provider.calendars() if c.id == "work")
    art = make_artifact(SimpleNamespace(calendar=cal))
    stale = provider.create(cal, art)
    provider.update(cal, stale, replace(art, summary="Moved"))
    provider.changes(cal, None, {}, Window(T0 - timedelta(days=1), T0 + timedelta(days=1)))
    with pytest.raises(PreconditionFailed) as caught:  # an error path, too
        provider.delete(cal, stale)
    provider.close()
    messages = [r.getMessage() for r in caplog.records] + [str(caught.value)]
    assert len(messages) > 3 and all(SECRET not in m for m in messages)
    assert_no_secret(caplog.text)


@pytest.mark.parametrize("source", ["password_env", "password_command"])
def test_password_sources(auth_radicale: DavServer, monkeypatch, source):
    monkeypatch.setenv("SYNCD_TEST_PW", SECRET)
    value = ("SYNCD_TEST_PW" if source == "password_env" else
             [sys.executable, "-c", f"print({SECRET!r}); print('second line')"])
    account = make_account(auth_radicale, auth_radicale.url, password=None, **{source: value})
    with closing(CalDAVProvider(account, UTC, {})) as provider:
        assert provider.calendars()


def test_password_command_runs_once_for_both_clients(auth_radicale: DavServer, tmp_path):
    """The quick client and the library's share one reading: a keyring is asked once."""
    runs = tmp_path / "runs"
    command = [sys.executable, "-c",
               f"open({str(runs)!r}, 'a').write('x'); print({SECRET!r})"]
    account = make_account(auth_radicale, auth_radicale.url, password=None,
                           password_command=command)
    with closing(CalDAVProvider(account, UTC, {})) as provider:
        provider.calendars()  # discovery, through the quick client
        assert provider.client.principal()  # the library's client, made after the quick one
    assert runs.read_text() == "x"


@pytest.mark.parametrize("source,value,match", [
    ("password_env", "SYNCD_TEST_UNSET_VARIABLE", "SYNCD_TEST_UNSET_VARIABLE.*not set"),
    ("password_command", [sys.executable, "-c",
                          f"import sys; print({SECRET!r}, file=sys.stderr); sys.exit(3)"],
     "exited with status 3"),
    ("password_command", ["/nonexistent/pass-helper"], "pass-helper could not be run"),
])
def test_password_source_failures(auth_radicale: DavServer, source, value, match):
    account = make_account(auth_radicale, auth_radicale.url, password=None, **{source: value})
    with closing(CalDAVProvider(account, UTC, {})) as provider, pytest.raises(
            AuthError, match=match) as caught:
        provider.calendars()
    assert_no_secret(str(caught.value))


@pytest.fixture(scope="module")
def tls_radicale() -> Iterator[DavServer]:
    try:
        server = start_radicale(tls=True)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    with server:
        yield server


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")
def test_untrusted_certificate(tls_radicale: DavServer):
    strict = CalDAVProvider(make_account(tls_radicale, tls_radicale.url), UTC, {})
    with pytest.raises(ProviderError, match="certificate is not trusted") as caught:
        strict.calendars()
    assert not isinstance(caught.value, TransientError)  # retrying will not help
    relaxed = CalDAVProvider(make_account(tls_radicale, tls_radicale.url, verify_tls=False), UTC, {})
    assert isinstance(relaxed.calendars(), list)
    assert relaxed._client is None  # the quick client spoke TLS, without checking, as told
    strict.close()
    relaxed.close()
