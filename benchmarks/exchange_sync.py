"""Benchmark the Exchange adapter against the fake EWS server: requests and seconds per sync.

Usage: python benchmarks/exchange_sync.py [--sizes 100,1000]

For each size, a mailbox with that many calendar items in a 30-day window (one in ten a daily
series of five) is read by :class:`providers.exchange.ExchangeProvider` through exchangelib,
over HTTP on 127.0.0.1:

- ``full``: the first sync (SyncFolderItems pages, CalendarView, GetItem batches);
- ``idle``: a sync when nothing changed (the daemon's usual cycle);
- ``10 edits``: a sync after ten items were edited elsewhere;
- ``create``: writing one artifact (the key look-up and CreateItem).

The fake answers in-process, so the seconds are the client's and the fake's work together,
not a network's; the request counts are what a real server would see.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from providers.exchange import ExchangeProvider
from syncd.model import Alarm, Artifact, Window, artifact_key
from tests.fakes.ews import FakeExchange

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
WINDOW = Window(T0 - timedelta(days=1), T0 + timedelta(days=30))
SERIES = ("<t:DailyRecurrence><t:Interval>1</t:Interval></t:DailyRecurrence><t:NumberedRecurrence>"
          "<t:StartDate>{day}</t:StartDate><t:NumberOfOccurrences>5</t:NumberOfOccurrences>"
          "</t:NumberedRecurrence>")


def seed(fake: FakeExchange, size: int) -> list[str]:
    """``size`` items spread over the window; returns their ids."""
    ids = []
    step = timedelta(days=29) / size
    for i in range(size):
        start = T0 + step * i
        series = SERIES.format(day=start.date().isoformat()) if i % 10 == 0 else None
        ids.append(fake.add_event(f"Meeting {i}", start, start + timedelta(minutes=30),
                                  body=f"Agenda for meeting {i}.", location="Room 4",
                                  organizer=("boss@corp.example.com", "The Boss"),
                                  attendees=(("alex@corp.example.com", "Alex", "Accept"),),
                                  recurrence_xml=series))
    return ids


def timed(fake: FakeExchange, fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """(seconds, SOAP requests, result) of one call."""
    fake.reset_log()
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, len(fake.operations()), result


def run(size: int) -> list[tuple[str, float, int]]:
    fake = FakeExchange().start()
    try:
        ids = seed(fake, size)
        provider = ExchangeProvider({"name": "bench", "type": "exchange", "email": fake.email,
                                     "username": fake.username, "password": fake.password,
                                     "service_endpoint": fake.service_endpoint, "auth_type": "basic",
                                     "version": "Exchange2016"}, ZoneInfo("UTC"))
        [cal] = provider.calendars()
        rows = []
        seconds, requests, first = timed(fake, lambda: provider.changes(cal, None, {}, WINDOW))
        rows.append(("full", seconds, requests))
        seconds, requests, idle = timed(fake, lambda: provider.changes(cal, first.token, {}, WINDOW))
        rows.append(("idle", seconds, requests))
        for item_id in ids[1:11]:
            fake.edit_event(item_id, Subject="moved")
        seconds, requests, _ = timed(fake, lambda: provider.changes(cal, idle.token, {}, WINDOW))
        rows.append(("10 edits", seconds, requests))
        art = Artifact(key=artifact_key("buffer-before", "x", "bench", cal.id), kind="buffer-before",
                       source="x", source_ref="0123456789", account="bench", calendar=cal.id,
                       start=T0, end=T0 + timedelta(minutes=15), summary="Prep",
                       alarms=(Alarm(timedelta(hours=1), "soon"),))
        seconds, requests, _ = timed(fake, lambda: provider.create(cal, art))
        rows.append(("create", seconds, requests))
        provider.close()
        return rows
    finally:
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000")
    args = parser.parse_args()
    print(f"{'items':>6} {'sync':<9} {'seconds':>8} {'requests':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        for name, seconds, requests in run(size):
            print(f"{size:>6} {name:<9} {seconds:>8.3f} {requests:>8}")


if __name__ == "__main__":
    main()
