"""Early writes (syncd.early): an interview's blocks are sent while its calendar is still read,
only where the planning pass is sure to want them, and the pass then has nothing to add."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from providers.base import Provider
from providers.ical import parse_item, render_artifact
from syncd.config import Config, validate
from syncd.cycle import Engine
from syncd.early import EarlyWrites
from syncd.model import Artifact, Calendar, Changes, Item, Window
from syncd.state import State

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
WINDOW = Window(NOW - timedelta(days=30), NOW + timedelta(days=90))
CALENDAR = Calendar("a", "cal", "Cal", writable=True)
OTHER = Calendar("a", "zcal", "Zcal", writable=True)


def ics(uid: str, summary: str, start: datetime, *extra: str) -> str:
    end = start + timedelta(hours=1)
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", f"UID:{uid}",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}", f"DTEND:{end:%Y%m%dT%H%M%SZ}", f"SUMMARY:{summary}",
        *extra, "END:VEVENT", "END:VCALENDAR", ""])


INTERVIEW = ("LOCATION:Globex HQ, 1 Market St, Springfield",
             "DESCRIPTION:Onsite interview with the hiring manager.",
             "ORGANIZER;CN=Rita Recruiter:mailto:rita@globex.example",
             "ATTENDEE;PARTSTAT=ACCEPTED;CN=Alex:mailto:alex@example.com")


def item(uid: str = "iv-1@globex.example", summary: str = "Interview – Product Analyst (Globex)",
         start: datetime = NOW + timedelta(days=2), *extra: str) -> Item:
    return parse_item(f"/cal/{uid}.ics", f'"{uid}"', ics(uid, summary, start, *(extra or INTERVIEW)),
                      timezone.utc, WINDOW)


def meetings(n: int) -> list[Item]:
    return [item(f"m{i}@example.com", f"Sync {i} with the data team", NOW + timedelta(days=1, hours=i),
                 "LOCATION:Room 3") for i in range(n)]


def make_config(tmp_path: Path, **interviews: Any) -> Config:
    return validate({"daemon": {"timezone": "UTC", "state_dir": str(tmp_path / "state")},
                     "accounts": [{"name": "a", "type": "local", "path": str(tmp_path / "a")},
                                  {"name": "b", "type": "local", "path": str(tmp_path / "b")}],
                     "interviews": {"self": ["alex@example.com"], **interviews}},
                    tmp_path / "config.toml")


class Calendars(Provider):
    """A provider whose first read hands its items to ``watch`` one by one; after the
    interview it waits (up to a generous bound) until a block has been sent."""

    def __init__(self, items: list[Item], calendars: list[Calendar] | None = None,
                 wait_for_a_block: bool = False) -> None:
        super().__init__({"name": "a"}, timezone.utc)
        self.items, self.wait_for_a_block = items, wait_for_a_block
        self.cals = calendars or [CALENDAR]
        self.created: list[Artifact] = []
        self.written = threading.Event()
        self.sent_during_read: bool | None = None
        self.writes_in_flight = 4

    def calendars(self) -> list[Calendar]:
        return self.cals

    def changes(self, calendar: Calendar, token: str | None, known: Any, window: Window) -> Changes:
        if token is not None:
            return Changes(token=token)
        mine = self.items if calendar == self.cals[0] else []
        for one in mine:
            if self.watch is not None:
                self.watch(one)
            if self.wait_for_a_block and "Interview" in one.events[0].summary:
                self.sent_during_read = self.written.wait(60)
        return Changes(upserts=list(mine), token="t1", full=True)

    def create(self, calendar: Calendar, artifact: Artifact) -> Item:
        self.created.append(artifact)
        self.written.set()
        href = f"/{calendar.id}/syncd-{artifact.key}.ics"
        return parse_item(href, '"1"', render_artifact(artifact), timezone.utc, WINDOW)

    def _update(self, calendar: Calendar, item: Item, artifact: Artifact) -> Item:
        raise AssertionError("nothing is updated")

    def _delete(self, calendar: Calendar, item: Item) -> None:
        raise AssertionError("nothing is deleted")


def engine_with(tmp_path: Path, provider: Provider, config: Config | None = None,
                dry_run: bool = False) -> Engine:
    config = config or make_config(tmp_path)
    engine = Engine(config, State.open(tmp_path / "state"), dry_run=dry_run)
    engine.providers["a"] = provider
    engine.providers["b"] = Calendars([], [Calendar("b", "cal", "Cal", writable=True)])
    return engine


def test_the_blocks_go_while_the_calendar_is_read_and_the_plan_adds_nothing(tmp_path):
    provider = Calendars([*meetings(5), item(), *meetings(3)], wait_for_a_block=True)
    engine = engine_with(tmp_path, provider)
    report = engine.cycle(NOW)
    assert provider.sent_during_read is True
    kinds = sorted(a.kind for a in provider.created)
    assert kinds == ["buffer-after", "buffer-before", "travel-back", "travel-to"]
    assert len(report.ops) == 4 and all("add " in op for op in report.ops)
    assert sorted(a.key for a in report.plan.artifacts) == sorted(a.key for a in provider.created)
    again = engine.cycle(NOW + timedelta(minutes=5))
    assert again.ops == [] and len(provider.created) == 4
    engine.state.close()


def test_a_dry_run_sends_nothing_early(tmp_path):
    provider = Calendars([item()])
    report = engine_with(tmp_path, provider, dry_run=True).cycle(NOW)
    assert provider.created == [] and len(report.ops) == 4


def early_for(tmp_path: Path, **changes: Any) -> tuple[EarlyWrites, Calendars]:
    options = {"acks": {}, "marks": {}, "learning": None, "owned": set(), "skip": set(),
               "call": lambda account, fn, *args: fn(*args), "stopping": lambda: False}
    options.update(changes)
    config = options.pop("config", None) or make_config(tmp_path)
    return EarlyWrites(config, NOW, WINDOW, **options), Calendars([])


def sent(early: EarlyWrites, provider: Calendars, one: Item, calendar: Calendar = CALENDAR,
         account: str = "a") -> list[str]:
    watch = early.watcher({"name": account, "write_calendar": ""}, provider)
    reading = watch(calendar, [CALENDAR, OTHER]) if watch is not None else None
    if reading is not None:
        reading(one)
    return sorted(op.artifact.kind for op, _, _ in early.pending if op.artifact)


def test_an_interview_read_sends_its_blocks(tmp_path):
    early, provider = early_for(tmp_path)
    assert sent(early, provider, item()) == ["buffer-after", "buffer-before", "travel-back", "travel-to"]


def owned_key(tmp_path: Path) -> set[str]:
    early, provider = early_for(tmp_path)
    sent(early, provider, item())
    return {op.artifact.key for op, _, _ in early.pending if op.artifact and op.artifact.kind == "buffer-before"}


@pytest.mark.parametrize("case", [
    "another calendar", "another account", "an account in trouble", "a series", "held already",
    "marked not an interview", "cannot attend", "over", "all day", "declined", "cancelled",
    "a plain meeting"])
def test_nothing_goes_early_unless_the_plan_is_sure_of_it(tmp_path, case):
    changes: dict[str, Any] = {}
    one, calendar, account = item(), CALENDAR, "a"
    if case == "another calendar":
        calendar = OTHER
    elif case == "another account":
        account = "b"
    elif case == "an account in trouble":
        changes["skip"] = {"a"}
    elif case == "a series":
        one = item("iv-2@globex.example", "Interview – Product Analyst (Globex)", NOW + timedelta(days=2),
                   *INTERVIEW, "RRULE:FREQ=WEEKLY;COUNT=3")
    elif case == "marked not an interview":
        changes["marks"] = {one.events[0].uid: "not-interview"}
    elif case == "cannot attend":
        changes["acks"] = {one.events[0].ref: "cannot-attend"}
    elif case == "over":
        one = item(start=NOW - timedelta(hours=3))
    elif case == "all day":
        one = replace(one, events=(replace(one.events[0], all_day=True),))
    elif case == "declined":
        one = item("iv-3@globex.example", "Interview – Product Analyst (Globex)", NOW + timedelta(days=2),
                   *INTERVIEW[:3], "ATTENDEE;PARTSTAT=DECLINED:mailto:alex@example.com")
    elif case == "cancelled":
        one = item("iv-4@globex.example", "Interview – Product Analyst (Globex)", NOW + timedelta(days=2),
                   *INTERVIEW, "STATUS:CANCELLED")
    elif case == "a plain meeting":
        one = meetings(1)[0]
    early, provider = early_for(tmp_path, **changes)
    if case == "held already":
        early.owned = owned_key(tmp_path)
        assert sent(early, provider, one) == ["buffer-after", "travel-back", "travel-to"]
        return
    assert sent(early, provider, one, calendar, account) == []
    if case == "a plain meeting":
        assert early.detector is None  # told apart without the detector


def test_the_owners_include_rule_sends_an_interview_without_interview_words(tmp_path):
    config = make_config(tmp_path, include=["^IV:"])
    early, provider = early_for(tmp_path, config=config)
    one = item("x@example.com", "IV: Globex", NOW + timedelta(days=2), "LOCATION:https://zoom.us/j/123456789")
    assert sent(early, provider, one) == ["buffer-after", "buffer-before"]


def test_what_a_broken_item_makes_the_writer_raise_never_reaches_the_read(tmp_path):
    early, provider = early_for(tmp_path)
    broken = replace(item(), events=(replace(item().events[0], start=None),))  # type: ignore[arg-type]
    assert sent(early, provider, broken) == []


def test_a_closed_writer_takes_no_more_items(tmp_path):
    early, provider = early_for(tmp_path)
    early.close()
    assert sent(early, provider, item()) == []


def test_the_tables_are_compiled_once_while_two_threads_want_them(monkeypatch):
    """The engine's thread prepares the detector while a read's first event asks for it:
    the second waits for the first instead of compiling the same tables again."""
    import functools

    from syncd import detect

    class Watched:
        """detect's lock, saying when the second thread has come to it."""

        def __init__(self) -> None:
            self.lock, self.comers, self.second = threading.Lock(), 0, threading.Event()

        def __enter__(self) -> None:
            self.comers += 1
            if self.comers == 2:
                self.second.set()
            self.lock.acquire()

        def __exit__(self, *exc: object) -> None:
            self.lock.release()

    watched = Watched()
    compiled: list[str] = []

    @functools.cache
    def shared_index() -> None:
        compiled.append(threading.current_thread().name)
        assert watched.second.wait(60)  # the other thread is at the lock meanwhile

    monkeypatch.setattr(detect, "_PREPARING", watched)
    monkeypatch.setattr(detect.words, "shared_index", shared_index)
    threads = [threading.Thread(target=detect.prepare, name=name) for name in ("engine", "reader")]
    threads[0].start()
    threads[1].start()
    for thread in threads:
        thread.join(60)
    assert len(compiled) == 1 and watched.comers == 2
