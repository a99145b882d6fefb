"""The state keeps decoded items between cycles, and they are always what SQLite holds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from syncd.model import Attendee, Calendar, Changes, Event, Item, Marker
from syncd.state import State

T = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def item(href: str, etag: str = '"1"', summary: str = "x") -> Item:
    event = Event(uid=href, start=T, end=T + timedelta(hours=1), summary=summary, href=href,
                  etag=etag, attendees=(Attendee("a@b.example", "A", "ACCEPTED"),),
                  marker=Marker("buffer-before", "s", "k") if href.startswith("syncd-") else None)
    return Item(href, etag, (event,))


def fresh_read(path: Path) -> list:
    other = State.open(path)
    try:
        return sorted(other.items(), key=repr)
    finally:
        other.close()


def test_the_kept_items_follow_every_write(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    state.save_calendars("a", [])
    state.apply_changes("a", "c", Changes(upserts=[item("1"), item("2"), item("syncd-3")], token="t1"))
    assert sorted(state.items(), key=repr) == fresh_read(tmp_path)
    before = state.generation()
    state.apply_changes("a", "c", Changes(token="t2"))  # an idle sync changes no item
    assert state.generation() == before
    state.apply_changes("a", "c", Changes(upserts=[item("2", '"2"', "y")], deletions=["1"], token="t3"))
    assert state.generation() != before
    assert sorted(state.items(), key=repr) == fresh_read(tmp_path)
    assert state.etags("a", "c") == {"2": '"2"', "syncd-3": '"1"'}
    assert state.count_events("a") == 2
    fresh = State.open(tmp_path)  # holds no decoded items: reads the same with SQL
    assert (fresh.etags("a", "c"), fresh.count_events("a")) == (state.etags("a", "c"), 2)
    fresh.close()
    state.apply_changes("a", "c", Changes(upserts=[item("9")], token="t4", full=True))
    assert [i.href for _, _, i in state.items()] == ["9"] == [i.href for _, _, i in fresh_read(tmp_path)]
    state.close()


def test_a_write_by_another_process_is_seen(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    assert list(state.items()) == []
    other = State.open(tmp_path)
    other.apply_changes("a", "c", Changes(upserts=[item("1")], token="t"))
    other.close()
    assert [i.href for _, _, i in state.items()] == ["1"]
    assert state.etags("a", "c") == {"1": '"1"'}
    other = State.open(tmp_path)  # a second write the decoded items have not seen yet
    other.apply_changes("a", "c", Changes(upserts=[item("2", '"5"')], token="t2"))
    other.close()
    assert state.etags("a", "c") == {"1": '"1"', "2": '"5"'}
    assert state.count_events("a") == 2
    state.close()


def test_a_full_read_writes_only_what_changed(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    state.save_calendars("a", [Calendar("a", "c", "C")])
    state.apply_changes("a", "c", Changes(upserts=[item("1"), item("2"), item("3")], token="t1", full=True))
    before = state.revision()
    state.apply_changes("a", "c", Changes(upserts=[item("1"), item("2"), item("3")], token="t2", full=True))
    assert state.revision() == before  # the same items: no row written, the token kept
    assert state.token("a", "c") == "t2"
    state.apply_changes("a", "c", Changes(upserts=[item("1"), item("2", '"2"', "y")], token="t3", full=True))
    assert state.revision() == before + 2  # one row replaced, one deleted
    assert sorted(state.items(), key=repr) == fresh_read(tmp_path)
    assert [i.events[0].summary for _, _, i in fresh_read(tmp_path)] == ["x", "y"]
    state.close()
