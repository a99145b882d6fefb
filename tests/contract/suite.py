"""The shared provider test suite: every adapter must pass it.

A backend's test module subclasses :class:`ProviderContract` and supplies an ``env`` fixture
returning an object with:

- ``provider``: the adapter under test (a :class:`providers.base.Provider`);
- ``calendar``: a writable, initially empty :class:`syncd.model.Calendar` of that provider;
- ``add_user_event(uid, summary, start, end, rrule=None) -> None``: store a user's event directly
  on the backend, bypassing the adapter (as another client such as khal or Thunderbird would);
- ``edit_user_event(uid, summary) -> None``: change that event's title directly on the backend;
- ``remove_user_event(uid) -> None``: delete it directly on the backend;
- ``fingerprint(uid) -> str``: the stored bytes or ETag of the user event, read from the backend.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from syncd.errors import NotOwned
from syncd.model import Alarm, Artifact, Changes, Item, Window, artifact_key

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc)
WINDOW = Window(T0 - timedelta(days=7), T0 + timedelta(days=30))


def sync(env, token=None, known=None) -> Changes:
    """One ``changes`` call with the suite's window."""
    return env.provider.changes(env.calendar, token, known or {}, WINDOW)


def cache_after(changes: Changes, cache: dict[str, Item]) -> dict[str, Item]:
    """Apply a Changes value to a href->Item cache the way the core does."""
    new = {} if changes.full else dict(cache)
    for href in changes.deletions:
        new.pop(href, None)
    for item in changes.upserts:
        new[item.href] = item
    return new


def make_artifact(env, kind="buffer-before", source="user-1", minutes=15, summary="Prep") -> Artifact:
    cal = env.calendar
    return Artifact(
        key=artifact_key(kind, source, cal.account, cal.id), kind=kind, source=source,
        source_ref="0123456789", account=cal.account, calendar=cal.id,
        start=T0 - timedelta(minutes=minutes), end=T0, summary=summary,
        description="Prepare for the interview.", transparent=False,
        alarms=(Alarm(timedelta(hours=1) - timedelta(minutes=minutes), "Interview in 1 hour"),),
    )


def events_of(cache: dict[str, Item]):
    return [e for item in cache.values() for e in item.events]


class ProviderContract:
    """Behaviour every adapter must show. Subclasses provide the ``env`` fixture."""

    def test_lists_the_calendar(self, env):
        ids = [c.id for c in env.provider.calendars()]
        assert env.calendar.id in ids

    def test_full_sync_reads_user_events(self, env):
        env.add_user_event("user-1", "Interview at Acme", T0, T0 + timedelta(hours=1))
        changes = sync(env)
        events = events_of(cache_after(changes, {}))
        assert [(e.uid, e.summary, e.start, e.end) for e in events] == [
            ("user-1", "Interview at Acme", T0, T0 + timedelta(hours=1))]
        assert all(e.start.tzinfo is not None for e in events)
        assert not any(e.owned for e in events)
        assert changes.token

    def test_idle_sync_reports_nothing(self, env):
        env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
        first = sync(env)
        cache = cache_after(first, {})
        known = {h: i.etag for h, i in cache.items()}
        again = sync(env, first.token, known)
        assert not again.full
        assert again.upserts == [] and again.deletions == []

    def test_incremental_sees_edit_and_removal(self, env):
        env.add_user_event("user-1", "Meeting", T0, T0 + timedelta(hours=1))
        env.add_user_event("user-2", "Lunch", T0 + timedelta(hours=2), T0 + timedelta(hours=3))
        first = sync(env)
        cache = cache_after(first, {})
        env.edit_user_event("user-1", "Meeting (moved room)")
        env.remove_user_event("user-2")
        second = sync(env, first.token, {h: i.etag for h, i in cache.items()})
        cache = cache_after(second, cache)
        assert sorted((e.uid, e.summary) for e in events_of(cache)) == [
            ("user-1", "Meeting (moved room)")]

    def test_recurring_series_is_expanded_in_window(self, env):
        env.add_user_event("series-1", "Standup", T0, T0 + timedelta(minutes=15),
                           rrule="FREQ=DAILY;COUNT=5")
        events = events_of(cache_after(sync(env), {}))
        starts = sorted(e.start for e in events if e.uid == "series-1")
        assert starts == [T0 + timedelta(days=i) for i in range(5)]
        assert len({e.recurrence_id for e in events}) == 5

    def test_create_is_idempotent_by_key(self, env):
        art = make_artifact(env)
        env.provider.create(env.calendar, art)
        env.provider.create(env.calendar, art)
        events = events_of(cache_after(sync(env), {}))
        owned = [e for e in events if e.owned]
        assert len(owned) == 1
        assert owned[0].marker == art.marker
        assert (owned[0].start, owned[0].end, owned[0].summary) == (art.start, art.end, art.summary)
        assert not owned[0].transparent

    def test_update_and_delete_owned(self, env):
        art = make_artifact(env)
        env.provider.create(env.calendar, art)
        cache = cache_after(sync(env), {})
        item = next(i for i in cache.values() if i.owned)
        moved = make_artifact(env, minutes=30, summary="Prep (longer)")
        assert moved.key == art.key
        env.provider.update(env.calendar, item, moved)
        cache = cache_after(sync(env), {})
        owned = [e for e in events_of(cache) if e.owned]
        assert [(e.start, e.summary) for e in owned] == [(moved.start, "Prep (longer)")]
        env.provider.delete(env.calendar, next(i for i in cache.values() if i.owned))
        assert not [e for e in events_of(cache_after(sync(env), {})) if e.owned]

    def test_user_events_cannot_be_changed(self, env):
        env.add_user_event("user-1", "Dentist", T0, T0 + timedelta(hours=1))
        before = env.fingerprint("user-1")
        cache = cache_after(sync(env), {})
        item = next(iter(cache.values()))
        with pytest.raises(NotOwned):
            env.provider.delete(env.calendar, item)
        with pytest.raises(NotOwned):
            env.provider.update(env.calendar, item, make_artifact(env))
        assert env.fingerprint("user-1") == before

    def test_conflict_marker_is_transparent(self, env):
        art = make_artifact(env, kind="conflict")
        art = replace(art, transparent=True, alarms=())
        env.provider.create(env.calendar, art)
        owned = [e for e in events_of(cache_after(sync(env), {})) if e.owned]
        assert [e.transparent for e in owned] == [True]
