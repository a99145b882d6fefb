"""Benchmark the Microsoft Graph adapter on the fake Graph: full rounds, idle rounds, writes.

Usage: python benchmarks/graph_sync.py [--events 2000] [--artifacts 50]

One calendar holds EVENTS user events over 30 days (a tenth of them daily series) and
ARTIFACTS syncd events. Timed, each with the number of HTTP requests it took (the fake serves
on 127.0.0.1, so the times are the adapter's and the fake's CPU, not a network):

- ``full round``: ``changes`` without a token (calendarView/delta pages of 100, plus one
  listing of the marked events);
- ``idle round``: ``changes`` with the stored delta link when nothing changed;
- ``one edit``: the round after a user changed one event (delta plus the marker listing);
- ``create``: creating ARTIFACTS artifacts (a marker look-up and a POST each).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from providers.msgraph import GraphProvider, auth
from syncd.model import Artifact, Window, artifact_key
from tests.fakes.msgraph import CLIENT_ID, FakeGraph
from tests.fakes.msgraph.store import utc_text

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
WINDOW = Window(T0 - timedelta(days=1), T0 + timedelta(days=30))


def when(moment: datetime) -> dict[str, str]:
    return {"dateTime": utc_text(moment), "timeZone": "UTC"}


def seed(fake: FakeGraph, cal: str, count: int) -> None:
    for i in range(count):
        start = T0 + timedelta(minutes=(30 * 24 * 60 // count) * i)
        body = {"subject": f"Meeting {i}", "start": when(start), "end": when(start + timedelta(minutes=30)),
                "body": {"contentType": "text", "content": "Agenda: numbers. " * 10}}
        if i % 10 == 0:
            body["recurrence"] = {"pattern": {"type": "daily", "interval": 1},
                                  "range": {"type": "numbered", "numberOfOccurrences": 5,
                                            "startDate": start.date().isoformat()}}
        fake.seed_event(cal, body, uid=f"bench-{i}@example.com")


def timed(fake: FakeGraph, label: str, action) -> object:
    before = len(fake.api_requests())
    started = time.perf_counter()
    result = action()
    took = time.perf_counter() - started
    print(f"{label:<12} {took * 1000:9.1f} ms  {len(fake.api_requests()) - before:5d} requests")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--artifacts", type=int, default=50)
    args = parser.parse_args()
    fake = FakeGraph().start()
    try:
        os.environ["REQUESTS_CA_BUNDLE"] = fake.ca_file
        fake.add_calendar("Calendar", default=True)
        cal_id = fake.add_calendar("Work")
        seed(fake, cal_id, args.events)
        with tempfile.TemporaryDirectory() as folder:
            account = {"name": "bench", "client_id": CLIENT_ID, "authority": fake.authority,
                       "token_file": str(Path(folder) / "t.json"), "api_endpoint": fake.api_endpoint}
            auth.authorize(account, say=lambda text: None)
            provider = GraphProvider(account, ZoneInfo("UTC"))
            calendar = next(c for c in provider.calendars() if c.id == cal_id)
            print(f"{args.events} user events ({args.events // 10} of them daily series of 5) "
                  f"in one calendar, {args.artifacts} artifacts")
            arts = [Artifact(key=artifact_key("buffer-before", f"iv-{i}", "bench", cal_id),
                             kind="buffer-before", source=f"iv-{i}", source_ref="0" * 10,
                             account="bench", calendar=cal_id, start=T0 + timedelta(hours=i),
                             end=T0 + timedelta(hours=i, minutes=15), summary="Prep")
                    for i in range(args.artifacts)]
            timed(fake, "create", lambda: [provider.create(calendar, a) for a in arts])
            full = timed(fake, "full round", lambda: provider.changes(calendar, None, {}, WINDOW))
            print(f"{'':<12} {len(full.upserts)} events read")
            idle = timed(fake, "idle round", lambda: provider.changes(calendar, full.token, {}, WINDOW))
            fake.modify_event(next(iter(fake.mailbox.items)), {"subject": "Moved"})
            timed(fake, "one edit", lambda: provider.changes(calendar, idle.token, {}, WINDOW))
            provider.close()
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
