"""The engine's thread works while the servers answer a first read, and only then."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from syncd import sync
from syncd.model import Calendar, Changes, Window

T0 = datetime(2026, 12, 1, tzinfo=timezone.utc)


class WaitingServer:
    """A provider whose read answers only once ``answer`` is set."""

    cache: dict[str, str] = {}

    def __init__(self) -> None:
        self.answer = threading.Event()
        self.asked = threading.Event()

    def changes(self, calendar: Calendar, token: str | None, known: dict, window: Window) -> Changes:
        self.asked.set()
        assert self.answer.wait(30), "never answered"
        return Changes(token="t1", full=token is None)


def job(provider: WaitingServer, since: dict) -> sync.Job:
    return sync.Job(account={"name": "a", "type": "caldav"}, provider=provider,  # type: ignore[arg-type]
                    window=Window(T0, T0), deadline=time.monotonic() + 60,
                    cached=[Calendar("a", "cal", "Cal")], since=since)


def call(account: str, fn, *args):
    return fn(*args)


def test_meanwhile_runs_while_a_whole_read_waits_for_its_server():
    server = WaitingServer()
    first = job(server, since={})
    seen = []

    def meanwhile() -> None:
        seen.append(server.asked.is_set() and not first.done.is_set())
        server.answer.set()  # the read can end only after this work was done

    sync.run_all([first], call, threading.Event(), lambda: None, meanwhile=meanwhile)
    assert seen == [True] and first.finished and first.fetched[0][1].full


def test_only_a_read_without_a_token_is_whole():
    assert job(WaitingServer(), since={}).reads_whole
    assert job(WaitingServer(), since={"cal": (None, {})}).reads_whole
    assert not job(WaitingServer(), since={"cal": ("t0", {"/a.ics": '"1"'})}).reads_whole


def test_the_wait_imports_what_the_answer_is_read_with_then_the_detector_then_the_planner(monkeypatch):
    from types import SimpleNamespace

    from providers.caldav.adapter import CalDAVProvider
    from syncd import cycle

    done: list[str] = []

    def import_module(name: str) -> SimpleNamespace:
        done.append(name)
        return SimpleNamespace(prepare=lambda: done.append("tables compiled"))

    monkeypatch.setattr(cycle.importlib, "import_module", import_module)
    cycle.prepare_planning(CalDAVProvider.read_modules * 2)
    assert done == ["providers.ical", "syncd.detect", "tables compiled", *cycle.PLANNING_MODULES]
