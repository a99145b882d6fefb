"""Benchmark planning and conflict detection on synthetic schedules of 1k, 10k and 100k events.

Usage: python benchmarks/plan_bench.py [--sizes 1000,10000,100000] [--profile N] [--repeat R]

Each schedule is a realistic mix spread over 30 days across three calendars of two accounts:
mostly ordinary meetings (internal organizer, a handful of colleagues, a short agenda), a
third of them occurrences of recurring series (one UID, one RECURRENCE-ID each, the same text),
about 1% interviews sent from outside companies (half in person, half on video), and a few
events that are not busy (declined, cancelled, free, all-day) or that are mirrored into a
second calendar (same UID, so one event).

A real person has a few dozen events a week, so 100k events in 30 days only fit if time is
compressed: events sit in back-to-back slots of 30 days / n, about 5% of them run over into
the next slot (the double bookings), and buffers and travel scale with the slot. Every size
therefore has the same shape, about the same number of conflicts per event, and the
events/second of the rows compare.

Phases, each timed from a cold start (every planning pass builds its own detector, so no
verdict survives from one pass to the next):

- ``plan``: :func:`syncd.plan.make_plan`, everything: detection, blocks, conflict sweeps,
  markers and follow-ups;
- ``plan (no gc)``: the same with the cyclic garbage collector paused, as the daemon runs it;
- ``detect``: :func:`syncd.plan.find_interviews` alone;
- ``detect (new)``: the same on the same events with a number in every one-off event's title
  and description ("Design review: Billing 412"), as on the calendars a first sync reads:
  the detector's memory of texts no longer helps, and each event is read on its own;
- ``conflicts``: the busy filter and the hard-conflict sweep alone.

``--profile N`` runs cProfile over one cold ``make_plan`` of N events and prints the top
functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncd import plan as planner
from syncd.config import Config, validate
from syncd.conflicts import hard_conflicts, is_busy
from syncd.cycle import collector_paused
from syncd.model import Attendee, Event, format_recurrence_id

TARGET_EVENTS = 100_000
TARGET_SECONDS = 2.0
SPAN = timedelta(days=30)
T0 = datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=3)
OWNER = "alex@example.com"
CALENDARS = (("home", "Personal"), ("home", "Family"), ("work", "Work"))

PEOPLE = [f"{name}@corp.example" for name in (
    "sam", "kim", "lee", "pat", "ana", "raj", "mia", "tom", "eva", "joe", "ida", "max", "zoe",
    "ben", "liv", "ken", "ola", "ivy", "noa", "leo", "amy", "dan", "fay", "gus", "hal", "jo")]
TOPICS = ("Roadmap", "Billing", "Search", "Onboarding", "Payments", "Mobile app", "Infra",
          "Pricing", "Data platform", "Support rota", "Q4 planning", "Hiring plan", "Budget")
MEETINGS = ("Weekly sync: {t}", "{t} standup", "1:1 {p}", "Design review: {t}", "{t} retro",
            "Lunch with {p}", "Dentist", "Gym", "{t} demo", "Coffee with {p}", "Sprint planning",
            "{t} deep dive", "Pick up kids", "Book club", "All hands", "{t} sync")
AGENDAS = ("", "Agenda: {t} status, blockers, next steps.",
           "Join: https://meet.google.com/abc-defg-hij\nNotes in the team doc.",
           "Quick check-in on {t}.")
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell",
             "Cyberdyne", "Soylent", "Vandelay", "Wonka")
ROLES = ("Senior Engineer", "Staff Engineer", "Product Manager", "Data Scientist", "Designer")
PLACES = ("1 Market St, San Francisco", "500 Howard Street, San Francisco",
          "Rosenthaler Straße 40, Berlin", "10 Downing Ave, London")


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    events: int
    phase: str
    seconds: float
    detail: str

    def render(self) -> str:
        """The row as fixed-width text."""
        rate = self.events / self.seconds if self.seconds else float("inf")
        return f"{self.events:>8,} {self.phase:<12} {self.seconds:>9.3f} {rate:>12,.0f}  {self.detail}"


def make_config(slot: timedelta) -> Config:
    """A config whose buffers scale with the slot, so each size sees the same shape."""
    minutes = max(1, round(slot.total_seconds() / 60))
    data: dict[str, Any] = {
        "daemon": {"timezone": "Europe/Berlin"},
        "accounts": [{"name": "home", "type": "local", "path": "/nonexistent/calendars"},
                     {"name": "work", "type": "local", "path": "/nonexistent/work"}],
        "interviews": {"self": [OWNER]},
        "buffers": {"before": f"{max(1, round(slot.total_seconds() * 0.4))}s",
                    "after": f"{max(1, round(slot.total_seconds() * 0.3))}s"},
        "travel": {"default_minutes": minutes, "places": {"1 Market St": minutes}},
        "followup": {"max_age": "30d"},
    }
    return validate(data, Path("/nonexistent/bench-config.toml"))


def schedule(n: int, seed: int = 1) -> list[Event]:
    """``n`` observed occurrences in the mix described in the module docstring."""
    rng = random.Random(seed)
    slot = SPAN / n
    series = [_series_text(rng, k) for k in range(max(1, n // 40))]
    events: list[Event] = []
    i = 0
    while len(events) < n:
        start = T0 + slot * i
        long = rng.random() < 0.05
        end = start + slot * (rng.uniform(1.3, 2.5) if long else rng.uniform(0.5, 0.95))
        event = _one(rng, i, start, end, series)
        events.append(event)
        if rng.random() < 0.03 and len(events) < n:  # the same event seen in another calendar
            account, calendar = rng.choice([c for c in CALENDARS if c[1] != event.calendar])
            events.append(replace(event, account=account, calendar=calendar, href=event.href + "-m"))
        i += 1
    return events


def _series_text(rng: random.Random, k: int) -> dict[str, Any]:
    """The shared text of one recurring series."""
    topic = rng.choice(TOPICS)
    people = tuple(rng.sample(PEOPLE, rng.randint(1, 5)))
    title = rng.choice(MEETINGS).format(t=topic, p=people[0].split("@")[0].title())
    return {"uid": f"series-{k}@corp.example", "summary": title, "organizer": people[0],
            "description": rng.choice(AGENDAS).format(t=topic), "attendees": people}


def _one(rng: random.Random, i: int, start: datetime, end: datetime,
         series: list[dict[str, Any]]) -> Event:
    """One event of the mix, numbered ``i``."""
    account, calendar = rng.choice(CALENDARS)
    roll = rng.random()
    if roll < 0.01:
        return _interview(rng, i, start, end, account, calendar)
    if roll < 0.34:
        text = rng.choice(series)
        event = Event(uid=text["uid"], start=start, end=end, summary=text["summary"],
                      description=text["description"], organizer=text["organizer"],
                      attendees=_attendees(text["attendees"]),
                      recurrence_id=format_recurrence_id(start), account=account,
                      calendar=calendar, href=text["uid"])
    else:
        topic = rng.choice(TOPICS)
        people = rng.sample(PEOPLE, rng.randint(0, 4))
        who = people[0].split("@")[0].title() if people else "Sam"
        event = Event(uid=f"ev-{i}@corp.example", start=start, end=end,
                      summary=rng.choice(MEETINGS).format(t=topic, p=who),
                      description=rng.choice(AGENDAS).format(t=topic),
                      location=rng.choice(("", "", "Room 4B", "Kitchen")),
                      organizer=people[0] if people else "", attendees=_attendees(people),
                      account=account, calendar=calendar, href=f"ev-{i}.ics")
    return _not_busy_sometimes(rng, event)


def _interview(rng: random.Random, i: int, start: datetime, end: datetime, account: str,
               calendar: str) -> Event:
    """An interview sent by a recruiter at an outside company; half of them in person."""
    company = rng.choice(COMPANIES)
    recruiter = f"recruiting@{company.lower()}.example"
    in_person = rng.random() < 0.5
    kind = "Onsite interview" if in_person else "Video interview"
    location = rng.choice(PLACES) if in_person else "https://zoom.us/j/123456789"
    return Event(uid=f"iv-{i}@{company.lower()}.example", start=start, end=end,
                 summary=f"{kind} – {rng.choice(ROLES)} ({company})",
                 description=f"Thanks for applying to {company}! You will meet the team.",
                 location=location, organizer=recruiter,
                 attendees=_attendees([recruiter, OWNER]), account=account, calendar=calendar,
                 href=f"iv-{i}.ics")


def _attendees(addresses: Any) -> tuple[Attendee, ...]:
    """Attendees who accepted, plus the owner."""
    people = [Attendee(a, partstat="ACCEPTED") for a in addresses if a != OWNER]
    return (*people, Attendee(OWNER, "Alex Doe", "ACCEPTED"))


def _not_busy_sometimes(rng: random.Random, event: Event) -> Event:
    """About 6% of ordinary events are declined, cancelled, free or all-day."""
    roll = rng.random()
    if roll < 0.02:
        return replace(event, attendees=(*event.attendees[:-1], Attendee(OWNER, partstat="DECLINED")))
    if roll < 0.03:
        return replace(event, status="CANCELLED")
    if roll < 0.05:
        return replace(event, transparent=True)
    if roll < 0.06:
        day = event.start.replace(hour=0, minute=0, second=0, microsecond=0)
        return replace(event, all_day=True, start=day, end=day + timedelta(days=1))
    return event


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``fn`` once; return the seconds it took and its result."""
    begin = time.perf_counter()
    result = fn()
    return time.perf_counter() - begin, result


def conflicts_only(events: list[Event], config: Config) -> list:
    """The busy filter and the hard-conflict sweep, as make_plan runs them."""
    own = config.interviews["self"]
    busy = [e for e in events if not e.owned and is_busy(e, own, config.conflicts["include_all_day"])]
    return hard_conflicts(busy)


def bench(n: int, repeat: int) -> list[Row]:
    """Time every phase on a schedule of ``n`` events; the best of ``repeat`` runs each."""
    events = schedule(n)
    config = make_config(SPAN / n)
    rules = planner.rules_of(config)
    user = [e for e in events if not e.owned]

    def cold_plan() -> planner.Plan:
        return planner.make_plan(events, config, NOW)

    def paused_plan() -> planner.Plan:
        with collector_paused():
            return planner.make_plan(events, config, NOW)

    def cold_detect() -> list:
        return planner.find_interviews(user, rules)

    numbered = distinct(user)

    def distinct_detect() -> list:
        return planner.find_interviews(numbered, rules)

    rows = []
    seconds, plan = best(cold_plan, repeat)
    hard = sum(c.kind == "hard" for c in plan.conflicts)
    rows.append(Row(n, "plan", seconds,
                    f"{len(plan.interviews)} interviews, {len(plan.artifacts)} artifacts, "
                    f"{hard} hard + {len(plan.conflicts) - hard} soft conflicts"))
    seconds, _ = best(paused_plan, repeat)
    rows.append(Row(n, "plan (no gc)", seconds, "garbage collector paused, as in the daemon"))
    seconds, found = best(cold_detect, repeat)
    rows.append(Row(n, "detect", seconds, f"{len(found)} interviews"))
    seconds, found = best(distinct_detect, repeat)
    rows.append(Row(n, "detect (new)", seconds, f"{len(found)} interviews, every text distinct"))
    seconds, hard_list = best(lambda: conflicts_only(events, config), repeat)
    rows.append(Row(n, "conflicts", seconds, f"{len(hard_list)} hard conflicts"))
    return rows


def distinct(events: list[Event]) -> list[Event]:
    """The events with a number in each one-off event's title and description (a series keeps
    its one text), so that no two one-off events read the same."""
    return [event if event.recurrence_id else
            replace(event, summary=f"{event.summary} {i}", description=f"{event.description} {i}")
            for i, event in enumerate(events)]


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs of ``fn`` and the last result."""
    runs = [timed(fn) for _ in range(repeat)]
    return min(s for s, _ in runs), runs[-1][1]


def profile(n: int, top: int = 25) -> None:
    """cProfile one cold make_plan of ``n`` events; print the heaviest functions."""
    events = schedule(n)
    config = make_config(SPAN / n)
    prof = cProfile.Profile()
    prof.enable()
    planner.make_plan(events, config, NOW)
    prof.disable()
    stats = pstats.Stats(prof, stream=sys.stdout).strip_dirs()
    print(f"\ncProfile of one cold make_plan, {n:,} events, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)
    print("by own time:")
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table and whether the target is met. Returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs per phase")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile make_plan on N events")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"{'events':>8} {'phase':<12} {'seconds':>9} {'events/s':>12}  detail")
    rows = []
    for n in sizes:
        for row in bench(n, args.repeat):
            rows.append(row)
            print(row.render(), flush=True)
    verdict = next((r for r in rows if r.events == TARGET_EVENTS and r.phase == "plan"), None)
    if verdict is not None:
        met = "met" if verdict.seconds < TARGET_SECONDS else "NOT met"
        print(f"\ntarget: {TARGET_EVENTS:,} events planned (cold) in under {TARGET_SECONDS:.0f} s "
              f"on one core: {met} ({verdict.seconds:.2f} s)")
    for phase, how in (("detect", "each distinct text read once per pass"),
                       ("detect (new)", "every one-off event's text distinct, as on a first sync")):
        detect = [r for r in rows if r.phase == phase]
        if detect:
            largest = max(detect, key=lambda r: r.events)
            print(f"detector: {largest.events / largest.seconds:,.0f} events/s over "
                  f"{largest.events:,} events ({how})")
    if args.profile:
        profile(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
