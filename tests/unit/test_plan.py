"""The planner and the reconciler: placement, keys, idempotence, safety, follow-ups.

Interviews are forced with the config's ``include`` rule (titles "IV: ..."), so these tests do
not depend on the detector's scores; ordinary events are titled "Busy ..." and excluded. One
test feeds the planner an obvious interview instead, as a user's calendar would show it.
Artifacts are "observed" the way a local or CalDAV calendar shows them: rendered with the
iCalendar codec and parsed back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.ical import parse_item, render_artifact
from syncd.config import Config, validate
from syncd.model import Artifact, Attendee, Event, Item, artifact_key, made_for
from syncd.plan import Plan, make_plan, planning_window
from syncd.reconcile import MIN_GUARDED, Op, diff, guard_deletions, owned_in

OWNER = "alex@example.com"
TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
START = datetime(2026, 12, 1, 14, 0, tzinfo=TZ)  # the interview: Tuesday 14:00-15:00
STEP = timedelta(minutes=15)
CALENDARS = (("home", "Personal"), ("home", "Family"), ("work", "Work"))
IN_PERSON = ("1 Market St, San Francisco", "500 Howard Street, San Francisco",
             "Rosenthaler Straße 40, Berlin")
VIDEO = "https://zoom.us/j/123456789"
BLOCK_KINDS = ("buffer-before", "buffer-after", "travel-to", "travel-back")
KEY = re.compile(r"[0-9a-f]{26,}")
PROFILE = settings(max_examples=120, deadline=None)


# --- helpers ----------------------------------------------------------------------------------

def make_config(**sections: dict[str, Any]) -> Config:
    """A valid config; "IV: ..." events are interviews, "Busy ..." events are not."""
    data: dict[str, Any] = {
        "daemon": {"timezone": "Europe/Berlin"},
        "accounts": [{"name": "home", "type": "local", "path": "/nonexistent/home"},
                     {"name": "work", "type": "local", "path": "/nonexistent/work"}],
        "interviews": {"self": [OWNER], "include": ["^IV:"], "exclude": ["^Busy "]},
    }
    for name, table in sections.items():
        data[name] = {**data.get(name, {}), **table}
    return validate(data, Path("/nonexistent/config.toml"))


def interview(uid: str = "iv-1@acme.example", start: datetime = START, minutes: int = 60,
              location: str = IN_PERSON[0], **fields: Any) -> Event:
    """An interview the include rule catches, in home/Personal unless told otherwise."""
    fields.setdefault("summary", "IV: Acme onsite")
    fields.setdefault("account", "home")
    fields.setdefault("calendar", "Personal")
    fields.setdefault("attendees", (Attendee("recruiter@acme.example", partstat="ACCEPTED"),
                                    Attendee(OWNER, partstat="ACCEPTED")))
    return Event(uid=uid, start=start, end=start + timedelta(minutes=minutes), location=location,
                 organizer="recruiter@acme.example", href=f"{uid}.ics", **fields)


def meeting(uid: str, start: datetime, minutes: int = 60, **fields: Any) -> Event:
    """An ordinary busy event."""
    return Event(uid=uid, start=start, end=start + timedelta(minutes=minutes),
                 summary=f"Busy {uid}", account=fields.pop("account", "home"),
                 calendar=fields.pop("calendar", "Personal"), href=f"{uid}.ics", **fields)


def by_kind(artifacts: Iterable[Artifact]) -> dict[str, Artifact]:
    """Artifacts by kind; fails when a kind appears twice."""
    out: dict[str, Artifact] = {}
    for a in artifacts:
        assert a.kind not in out, f"two {a.kind} artifacts"
        out[a.kind] = a
    return out


def stored(artifacts: Iterable[Artifact], config: Config) -> list[tuple[str, str, Item]]:
    """The artifacts as a vdir or CalDAV calendar holds them: rendered, then parsed back."""
    window = planning_window(config, NOW)
    return [(a.account, a.calendar, parse_item(f"{a.uid}.ics", f"etag-{a.key}", render_artifact(a),
                                               config.tz, window))
            for a in artifacts]


def observed_events(items: Iterable[tuple[str, str, Item]]) -> list[Event]:
    """Every occurrence of stored items, located in its calendar (what the snapshot holds)."""
    return [e.located(account, calendar) for account, calendar, item in items for e in item.events]


def ops_for(desired: Sequence[Artifact], items: Sequence[tuple[str, str, Item]],
            config: Config) -> list[Op]:
    """What the reconciler would do to turn the stored items into ``desired``."""
    return diff(desired, owned_in(items), planning_window(config, NOW))


def actions(ops: Iterable[Op]) -> list[tuple[str, str]]:
    """(action, kind) of each op, sorted."""
    return sorted((op.action, op.artifact.kind if op.artifact else
                   (op.owned.event.marker.kind if op.owned and op.owned.event.marker else "?"))
                  for op in ops)


def keyed(plan: Plan) -> dict[str, Artifact]:
    """The plan's artifacts by key; fails when a key repeats."""
    out = {a.key: a for a in plan.artifacts}
    assert len(out) == len(plan.artifacts), "two artifacts share a key"
    return out


# --- generated schedules ----------------------------------------------------------------------

@st.composite
def schedules(draw: st.DrawFn) -> list[Event]:
    """Interviews (in person, on video, cancelled, declined, recurring, mirrored) and meetings."""
    events: list[Event] = []
    day = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
    for i in range(draw(st.integers(0, 4))):
        start = day + timedelta(days=draw(st.integers(0, 3))) + STEP * draw(st.integers(0, 40))
        reply = draw(st.sampled_from(["ACCEPTED"] * 4 + ["DECLINED"]))
        rid = draw(st.sampled_from([None, f"2026120{i + 1}T070000Z"]))
        iv = interview(f"iv-{i}@acme.example", start, draw(st.sampled_from([30, 45, 60, 90])),
                       draw(st.sampled_from([*IN_PERSON, VIDEO, ""])), summary=f"IV: round {i}",
                       status=draw(st.sampled_from(["CONFIRMED"] * 4 + ["CANCELLED"])),
                       attendees=(Attendee(OWNER, partstat=reply),), recurrence_id=rid)
        where = draw(st.lists(st.sampled_from(CALENDARS), min_size=1, max_size=2, unique=True))
        events += [replace(iv.located(a, c), href=f"{c}-{iv.uid}.ics") for a, c in where]
    for i in range(draw(st.integers(0, 6))):
        start = day + timedelta(days=draw(st.integers(0, 3))) + STEP * draw(st.integers(0, 40))
        account, calendar = draw(st.sampled_from(CALENDARS))
        events.append(meeting(f"m-{i}", start, draw(st.sampled_from([15, 30, 60, 120])),
                              account=account, calendar=calendar))
    return draw(st.permutations(events))


def configs() -> st.SearchStrategy[Config]:
    """Configs with varied buffers, travel and marker settings."""
    minutes = st.integers(0, 60).map(lambda m: f"{m}m")
    return st.builds(
        lambda before, after, travel, back, flag: make_config(
            buffers={"before": before, "after": after},
            travel={"default_minutes": travel, "return_trip": back,
                    "places": {"Market St": 25}},
            conflicts={"flag_in_calendar": flag}),
        minutes, minutes, st.integers(0, 90), st.booleans(), st.booleans())


# --- determinism, idempotence, ownership ------------------------------------------------------

@PROFILE
@given(schedules(), configs(), st.randoms(use_true_random=False))
def test_planning_is_deterministic_and_idempotent(events: list[Event], config: Config,
                                                   rng: Any) -> None:
    first = make_plan(events, config, NOW)
    assert make_plan(events, config, NOW).artifacts == first.artifacts
    shuffled = list(events)
    rng.shuffle(shuffled)
    assert keyed(make_plan(shuffled, config, NOW)) == keyed(first)
    for a in first.artifacts:
        assert KEY.fullmatch(a.key), a.key
        assert a.transparent == (a.kind == "conflict")
    # Once the artifacts exist in the calendars, the next cycle plans the same and does nothing.
    items = stored(first.artifacts, config)
    again = make_plan([*events, *observed_events(items)], config, NOW)
    assert keyed(again) == keyed(first)
    assert ops_for(again.artifacts, items, config) == []


@st.composite
def calendar_contents(draw: st.DrawFn, desired: Sequence[Artifact], config: Config
                      ) -> list[tuple[str, str, Item]]:
    """What calendars might hold: user events (some dressed up as ours) and our artifacts.

    Our artifacts may be current, stale (moved, retitled), duplicated under another file
    name, left over from interviews that are gone, or older than the planning window.
    """
    window = planning_window(config, NOW)
    items: list[tuple[str, str, Item]] = []
    for i in range(draw(st.integers(0, 4))):  # user events, some with a copied marker
        account, calendar = draw(st.sampled_from(CALENDARS))
        key = draw(st.sampled_from([a.key for a in desired] or ["f" * 32]))
        fake = Artifact(key=key, kind="buffer-before", source="x", source_ref="x", account=account,
                        calendar=calendar, start=START, end=START + STEP, summary=f"Busy {i}")
        text = render_artifact(fake).replace(f"UID:syncd-{key}", f"UID:user-{i}@corp.example")
        items.append((account, calendar, parse_item(f"user-{i}.ics", "e", text, TZ, window)))
    for a in desired:
        for copy in range(draw(st.integers(0, 2))):
            stale = draw(st.sampled_from(["", "moved", "retitled", "relocated"]))
            if stale == "moved":
                a = replace(a, start=a.start + STEP, end=a.end + STEP)
            elif stale == "retitled":
                a = replace(a, summary=a.summary + "!", description="old")
            elif stale == "relocated":
                a = replace(a, location=a.location + " (old)")
            items.append((a.account, a.calendar,
                          parse_item(f"{a.uid}-{copy}.ics", "e", render_artifact(a), TZ, window)))
    for i in range(draw(st.integers(0, 3))):  # leftovers, inside the window or before it
        account, calendar = draw(st.sampled_from(CALENDARS))
        start = draw(st.sampled_from([START, window.start - timedelta(days=2)]))
        gone = Artifact(key=artifact_key("buffer-after", f"gone-{i}", account, calendar),
                        kind="buffer-after", source=f"gone-{i}", source_ref="x",
                        account=account, calendar=calendar, start=start, end=start + STEP,
                        summary="Decompress")
        items.append((account, calendar, parse_item(f"gone-{i}.ics", "e", render_artifact(gone),
                                                    TZ, window)))
    for a in draw(st.lists(st.sampled_from(desired), max_size=2, unique_by=lambda a: a.key)) if desired else []:
        account, calendar = draw(st.sampled_from(CALENDARS))  # the owner copied it elsewhere
        if (account, calendar) != (a.account, a.calendar):
            items.append((account, calendar, parse_item(f"copy-{a.uid}.ics", "e", render_artifact(a),
                                                        TZ, window)))
    return draw(st.permutations(items))


@PROFILE
@given(st.data(), schedules(), configs())
def test_no_operation_ever_targets_an_event_without_a_marker(data: st.DataObject,
                                                             events: list[Event],
                                                             config: Config) -> None:
    desired = make_plan(events, config, NOW).artifacts
    items = data.draw(calendar_contents(desired, config))
    ours = {(acc, cal, item.href) for acc, cal, item in items
            if item.events and item.events[0].uid.startswith("syncd-")}
    owned = owned_in(items)
    ops = diff(desired, owned, planning_window(config, NOW))
    kept, _ = guard_deletions(ops, owned, lambda account, calendar: set())
    window = planning_window(config, NOW)
    for op in [*ops, *kept]:
        if op.action != "create":
            assert op.owned is not None and op.owned.event.marker is not None
            assert made_for(op.owned.event.marker, op.owned.account, op.owned.calendar)  # no copy
            assert (op.owned.account, op.owned.calendar, op.owned.item.href) in ours
        if op.action == "delete":  # history before the window is left alone
            assert op.owned and window.start <= op.owned.event.start < window.end
    # Applying the ops converges on exactly the desired artifacts, and then nothing is left to do.
    after = apply_in_memory(items, ops)
    assert_holds_exactly(after, desired, config)
    assert ops_for(desired, after, config) == []


def assert_holds_exactly(items: Sequence[tuple[str, str, Item]], desired: Sequence[Artifact],
                         config: Config) -> None:
    """One stored copy per desired artifact, with its content; no other of ours in the window."""
    window = planning_window(config, NOW)
    ours = [(acc, cal, item.events[0]) for acc, cal, item in items
            if item.events and item.events[0].marker is not None
            and made_for(item.events[0].marker, acc, cal)]  # copies elsewhere are the owner's
    inside = sorted((acc, cal, e.marker.key) for acc, cal, e in ours if e.marker
                    and window.start <= e.start < window.end)
    assert inside == sorted((a.account, a.calendar, a.key) for a in desired)
    content = {(acc, cal, e.marker.key): (e.start, e.end, e.summary, e.description, e.location,
                                         e.transparent) for acc, cal, e in ours if e.marker}
    for a in desired:
        assert content[(a.account, a.calendar, a.key)] == (
            a.start, a.end, a.summary, a.description, a.location, a.transparent)


def test_a_resource_that_also_holds_a_user_event_is_never_touched() -> None:
    config = make_config()
    ours = render_artifact(make_plan([interview()], config, NOW).artifacts[0])
    user = "\r\n".join(["BEGIN:VEVENT", "UID:mine@corp.example", "DTSTAMP:20261101T000000Z",
                         "DTSTART:20261201T090000Z", "DTEND:20261201T100000Z", "SUMMARY:Mine",
                         "END:VEVENT", ""])
    text = ours.replace("BEGIN:VEVENT", user + "BEGIN:VEVENT", 1)
    item = parse_item("mixed.ics", "e", text, TZ, planning_window(config, NOW))
    assert [e.owned for e in item.events] == [False, True]
    assert ops_for([], [("home", "Personal", item)], config) == []


def apply_in_memory(items: Sequence[tuple[str, str, Item]], ops: Iterable[Op]
                    ) -> list[tuple[str, str, Item]]:
    """Run ops against a list of stored items, as a provider would."""
    store = {(acc, cal, item.href): (acc, cal, item) for acc, cal, item in items}
    window = planning_window(make_config(), NOW)
    for op in ops:
        if op.action == "delete" and op.owned:
            del store[(op.account, op.calendar, op.owned.item.href)]
            continue
        assert op.artifact is not None
        href = op.owned.item.href if op.owned else f"{op.artifact.uid}.ics"
        item = parse_item(href, "new", render_artifact(op.artifact), TZ, window)
        store[(op.account, op.calendar, href)] = (op.account, op.calendar, item)
    return list(store.values())


# --- placement (docs/architecture.md, "The rules") ---------------------------------------------

@PROFILE
@given(before=st.integers(0, 60), after=st.integers(0, 60), default=st.integers(0, 90),
       place=st.integers(1, 90), remind=st.integers(0, 30), back=st.booleans(),
       location=st.sampled_from([*IN_PERSON, VIDEO]), offset=st.integers(0, 200),
       length=st.integers(1, 16))
def test_blocks_sit_where_the_spec_puts_them(before: int, after: int, default: int, place: int,
                                             remind: int, back: bool, location: str, offset: int,
                                             length: int) -> None:
    """``before`` stops at an hour: see the report on alarms of longer prep buffers."""
    config = make_config(buffers={"before": f"{before}m", "after": f"{after}m"},
                         travel={"default_minutes": default, "remind_before": f"{remind}m",
                                 "return_trip": back, "places": {"Howard Street": place}})
    start = START + STEP * offset
    end = start + STEP * length
    plan = make_plan([interview(start=start, minutes=15 * length, location=location)], config, NOW)
    got = by_kind(plan.artifacts)
    b, a = timedelta(minutes=before), timedelta(minutes=after)
    expected: dict[str, tuple[datetime, datetime]] = {}
    if before:
        expected["buffer-before"] = (start - b, start)
    if after:
        expected["buffer-after"] = (end, end + a)
    trip = timedelta(minutes=place if "Howard Street" in location else default)
    if location != VIDEO and trip:
        expected["travel-to"] = (start - b - trip, start - b)
        if back:
            expected["travel-back"] = (end + a, end + a + trip)
    assert {k: (v.start, v.end) for k, v in got.items()} == expected
    if before:
        prep = got["buffer-before"]
        # Alarms one day and one hour before the interview, counted from the buffer's start.
        assert sorted(al.before for al in prep.alarms) == [timedelta(hours=1) - b, timedelta(days=1) - b]
    if "travel-to" in got:
        assert timedelta(minutes=remind) in {al.before for al in got["travel-to"].alarms}
    for artifact in got.values():
        assert not artifact.transparent and KEY.fullmatch(artifact.key)
        assert (artifact.account, artifact.calendar) == ("home", "Personal")


def test_places_substring_wins_over_the_default() -> None:
    config = make_config(travel={"default_minutes": 30, "places": {"1 Market St": 25}})
    blocks = by_kind(make_plan([interview(location="Acme HQ, 1 Market St, SF")], config, NOW).artifacts)
    assert blocks["travel-to"].end - blocks["travel-to"].start == timedelta(minutes=25)
    assert blocks["travel-back"].end - blocks["travel-back"].start == timedelta(minutes=25)
    blocks = by_kind(make_plan([interview(location=IN_PERSON[2])], config, NOW).artifacts)
    assert blocks["travel-to"].end - blocks["travel-to"].start == timedelta(minutes=30)


def test_travel_only_for_in_person_interviews() -> None:
    config = make_config()
    kinds = sorted(a.kind for a in make_plan([interview(location=VIDEO)], config, NOW).artifacts)
    assert kinds == ["buffer-after", "buffer-before"]


def test_prep_and_travel_alarms_with_the_example_config() -> None:
    plan = make_plan([interview()], make_config(), NOW)  # before 15m, remind 10m
    blocks = by_kind(plan.artifacts)
    prep = blocks["buffer-before"]
    fires = sorted(prep.start - al.before for al in prep.alarms)
    assert fires == [START - timedelta(days=1), START - timedelta(hours=1)]
    travel = blocks["travel-to"]
    assert travel.start - timedelta(minutes=10) in {travel.start - al.before for al in travel.alarms}
    assert travel.end == prep.start


def test_an_obvious_interview_is_planned_without_an_include_rule() -> None:
    config = make_config(interviews={"include": [], "exclude": []})
    event = interview(summary="Onsite interview – Senior Engineer (Acme)", location="")
    plan = make_plan([event], config, NOW)
    assert [iv.event.uid for iv in plan.interviews] == [event.uid]
    assert sorted(a.kind for a in plan.artifacts) == sorted(BLOCK_KINDS)


# --- keys -------------------------------------------------------------------------------------

@PROFILE
# The summary varies in digits and marks only: words may change the format ("WILL CALL" is a
# phone call, which needs no travel), and with it which blocks exist, not their keys.
@given(summary=st.text(alphabet="0123456789 #-_.,!?", max_size=20), shift=st.integers(-40, 40),
       minutes=st.integers(1, 180),
       location=st.sampled_from(IN_PERSON), source_calendar=st.sampled_from(["Personal", "Family"]))
def test_keys_depend_only_on_kind_source_and_target(summary: str, shift: int, minutes: int,
                                                    location: str, source_calendar: str) -> None:
    config = make_config()
    targets = {("home", "Personal"): "Interviews", ("home", "Family"): "Interviews"}
    base = make_plan([interview()], config, NOW, write_calendars=targets)
    variant = interview(start=START + STEP * shift, minutes=minutes, location=location,
                        summary="IV: " + summary, calendar=source_calendar)
    plan = make_plan([variant], config, NOW, write_calendars=targets)
    assert {a.kind: a.key for a in plan.artifacts} == {a.kind: a.key for a in base.artifacts}
    assert {a.calendar for a in plan.artifacts} == {"Interviews"}
    for a in plan.artifacts:
        assert a.key == artifact_key(a.kind, "iv-1@acme.example", "home", "Interviews")


def test_keys_change_with_the_occurrence_the_target_and_the_kind() -> None:
    config = make_config()

    def keys(event: Event, targets: Mapping[tuple[str, str], str] | None = None) -> set[str]:
        return {a.key for a in make_plan([event], config, NOW, write_calendars=targets).artifacts}

    base = keys(interview())
    assert len(base) == 4  # one per kind
    assert base.isdisjoint(keys(interview(uid="iv-2@acme.example")))
    assert base.isdisjoint(keys(interview(recurrence_id="20261201T130000Z")))
    assert base.isdisjoint(keys(interview(), {("home", "Personal"): "Elsewhere"}))
    assert base.isdisjoint(keys(interview(account="work", calendar="Personal")))


# --- changes between cycles -------------------------------------------------------------------

def test_moving_an_interview_updates_its_artifacts_in_place() -> None:
    config = make_config()
    before = make_plan([interview()], config, NOW)
    items = stored(before.artifacts, config)
    moved = make_plan([interview(start=START + timedelta(hours=2))], config, NOW)
    assert keyed(moved).keys() == keyed(before).keys()
    ops = ops_for(moved.artifacts, items, config)
    assert actions(ops) == [("update", k) for k in sorted(BLOCK_KINDS)]
    for op in ops:
        assert op.artifact is not None and op.owned is not None
        assert op.artifact.start == op.owned.event.start + timedelta(hours=2)


@pytest.mark.parametrize("change", [
    {"status": "CANCELLED"},
    {"attendees": (Attendee(OWNER, partstat="DECLINED"),)},
])
def test_cancelling_or_declining_removes_the_artifacts(change: dict[str, Any]) -> None:
    config = make_config()
    before = make_plan([interview(), meeting("m", START + timedelta(minutes=30))], config, NOW)
    assert {a.kind for a in before.artifacts} == {*BLOCK_KINDS, "conflict"}
    items = stored(before.artifacts, config)
    after = make_plan([interview(**change), meeting("m", START + timedelta(minutes=30))], config, NOW)
    assert after.artifacts == []
    assert actions(ops_for(after.artifacts, items, config)) == sorted(
        ("delete", k) for k in (*BLOCK_KINDS, "conflict"))


def test_declining_with_the_address_in_another_case_removes_the_artifacts() -> None:
    """Addresses compare case-insensitively: Google keeps the case an address was given in."""
    declined = interview(attendees=(Attendee("Alex@Example.com", partstat="DECLINED"),))
    plan = make_plan([declined], make_config(), NOW + timedelta(days=1, hours=4))
    assert plan.artifacts == [] and [f.kind for f in plan.followups] == []


def test_mass_deletion_is_held_once_then_allowed() -> None:
    config = make_config()
    count = MIN_GUARDED // len(BLOCK_KINDS) + 1  # enough interviews to trip the guard
    ivs = [interview(f"iv-{i}@acme.example", START + timedelta(days=i)) for i in range(count)]
    kept_alive = interview("iv-99@acme.example", START - timedelta(hours=5), location=VIDEO)
    items = stored(make_plan([*ivs, kept_alive], config, NOW).artifacts, config)
    owned = owned_in(items)
    assert len(owned) == len(BLOCK_KINDS) * count + 2
    gone = [replace(iv, status="CANCELLED") for iv in ivs]
    ops = diff(make_plan([*gone, kept_alive], config, NOW).artifacts, owned,
               planning_window(config, NOW))
    assert actions(ops) == sorted([("delete", k) for k in BLOCK_KINDS] * count)
    kept, held = guard_deletions(ops, owned, lambda account, calendar: set())
    assert kept == []
    assert held == {("home", "Personal"): {op.owned.key for op in ops if op.owned}}
    # The next cycle sees the same: the deletions go ahead.
    kept, again = guard_deletions(ops, owned, lambda account, calendar: held[(account, calendar)])
    assert kept == ops and again == {}


def test_a_few_deletions_are_never_held() -> None:
    config = make_config()
    count = -(-MIN_GUARDED // len(BLOCK_KINDS))
    ivs = [interview(f"iv-{i}@acme.example", START + timedelta(days=i)) for i in range(count)]
    items = stored(make_plan(ivs, config, NOW).artifacts, config)
    ops = ops_for([], items, config)[:MIN_GUARDED]  # most of the calendar, but only so many
    assert len(ops) * 2 > len(items)
    assert guard_deletions(ops, owned_in(items), lambda account, calendar: set()) == (ops, {})


# --- follow-ups (README.md, "Follow-up drafts") --------------------------------------------------------

END = START + timedelta(hours=1)


def followup_of(event: Event, now: datetime, ack: str | None = None) -> str | None:
    """The draft kind planned for ``event`` at ``now``; "-" when none is planned at all."""
    acks = {event.ref: ack} if ack else {}
    due = make_plan([event], make_config(), now, acks=acks).followups
    assert len(due) <= 1
    return due[0].kind if due else "-"


@pytest.mark.parametrize(("now", "ack", "kind"), [
    (START - timedelta(days=1), None, "-"),
    (END + timedelta(hours=2) - timedelta(seconds=1), None, "-"),  # within the grace
    (END + timedelta(hours=2), None, "apology"),
    (END + timedelta(days=2), None, "apology"),
    (END + timedelta(days=3, minutes=1), None, "-"),  # older than max_age
    (END + timedelta(minutes=5), "attended", "thank-you"),
    (END + timedelta(days=1), "attended", "thank-you"),
    (END + timedelta(minutes=5), "missed", "apology"),
    (START - timedelta(days=1), "cannot-attend", "reschedule"),
    (END + timedelta(days=1), "dismissed", None),
])
def test_followup_kind(now: datetime, ack: str | None, kind: str | None) -> None:
    assert followup_of(interview(), now, ack) == kind


@pytest.mark.parametrize("change", [{"status": "CANCELLED"},
                                    {"attendees": (Attendee(OWNER, partstat="DECLINED"),)}])
def test_no_apology_for_a_cancelled_or_declined_interview(change: dict[str, Any]) -> None:
    assert followup_of(interview(**change), END + timedelta(hours=3)) == "-"


def test_cannot_attend_drops_the_buffers() -> None:
    event = interview()
    plan = make_plan([event], make_config(), NOW, acks={event.ref: "cannot-attend"})
    assert plan.artifacts == []
    assert [f.kind for f in plan.followups] == ["reschedule"]


def test_an_interview_category_counts_and_a_mark_overrules_the_detector() -> None:
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
            "UID:cover@x\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261201T150000Z\r\n"
            "DTEND:20261201T160000Z\r\nSUMMARY:Hold\r\nCATEGORIES:Work,Entretien\r\n"
            "CATEGORIES:Personal\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    tz = ZoneInfo("Europe/Berlin")
    window = planning_window(make_config(), NOW)
    [event] = parse_item("cover.ics", "1", text, tz, window).events
    assert event.categories == ("Work", "Entretien", "Personal")
    config = make_config()
    [found] = make_plan([event], config, NOW).interviews
    assert "category" in found.verdict.reasons[0]
    assert make_plan([event], config, NOW, marks={"cover@x": "not-interview"}).interviews == []
    plain = replace(event, categories=())
    assert make_plan([plain], config, NOW).interviews == []
    [marked] = make_plan([plain], config, NOW, marks={"cover@x": "interview"}).interviews
    assert marked.override == "interview" and marked.verdict.score == 1.0
