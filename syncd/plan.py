"""The planner: snapshot + acknowledgements + config + now -> Plan. Pure.

It decides which events are interviews, which artifacts should exist (buffers, travel blocks,
conflict markers), which double bookings there are, and which follow-up draft each past
interview should have. It does no I/O and reads no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone, tzinfo
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from syncd import detect, text
from syncd.bounds import MAX_INTERVIEWS_PER_SERIES, MAX_MARKERS_PER_INTERVIEW, MAX_NOTES, clip
from syncd.conflicts import Conflict, Crowd, Report, bounded_conflicts, is_busy
from syncd.detect_company import names_in_full, sender_domain
from syncd.config import Config
from syncd.learn import Learning
from syncd.model import Alarm, Artifact, Event, artifact_key
from syncd.verdicts import VerdictStore
from syncd.window import planning_window as planning_window  # its home; callers know it from here

BLOCK_KINDS = ("buffer-before", "buffer-after", "travel-to", "travel-back")


@dataclass(frozen=True)
class Interview:
    """An event the detector judged to be an interview of the owner."""

    event: Event
    verdict: detect.Verdict
    override: str | None = None  # the owner's `syncd mark`: "interview", or None

    @property
    def ref(self) -> str:
        """The reference users pass to ``syncd ack``."""
        return self.event.ref


@dataclass(frozen=True)
class FollowupDue:
    """The draft an interview should have now: ``kind`` None means none at all."""

    interview: Interview
    kind: str | None


@dataclass
class Plan:
    """Everything the reconciler and status need from one planning pass."""

    interviews: list[Interview] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    followups: list[FollowupDue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    learning: Learning | None = None


class Memo:
    """What the costly steps of planning gave last time, kept by a long-running process.

    Each step is pure; its result is reused only when its inputs equal the last ones (a
    snapshot, a list of thousands of events, compares by identity first, so an unchanged
    snapshot costs next to nothing to recognise). Planning with a memo gives exactly the plan
    that planning without one gives.
    """

    def __init__(self, verdicts: VerdictStore | None = None) -> None:
        self._steps: dict[str, tuple[tuple[object, ...], Any]] = {}
        self.verdicts = verdicts
        self.given: dict[tuple, detect.Verdict] = {}  # for the next pass only (see syncd.early)

    def verdict_cache(self) -> MutableMapping[tuple, detect.Verdict]:
        """The detector's verdict cache for one pass: kept verdicts where there is a store,
        and the verdicts :attr:`given` since the last pass (by :func:`verdict_fields`)."""
        cache = self.verdicts.new_pass() if self.verdicts is not None else {}
        cache.update(self.given)
        self.given = {}
        return cache

    def get(self, step: str, inputs: tuple[object, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, or its last result for ``step`` when ``inputs`` are the same."""
        known = self._steps.get(step)
        if known is None or known[0] != inputs:
            known = self._steps[step] = (inputs, compute())
        return known[1]


def make_plan(events: Sequence[Event], config: Config, now: datetime,
              acks: Mapping[str, str] | None = None,
              write_calendars: Mapping[tuple[str, str], str] | None = None,
              learning: Learning | None = None,
              marks: Mapping[str, str] | None = None, memo: Memo | None = None) -> Plan:
    """Plan from a snapshot of occurrences (user events and owned artifacts alike).

    ``write_calendars`` maps (account, source calendar id) to the calendar id artifacts go to;
    missing entries mean "the interview's own calendar". ``acks`` maps refs to the owner's
    acknowledgement. ``learning`` (see ``syncd.learn``) strengthens every interview's blocks
    after a miss. ``marks`` maps UIDs to the owner's override of the detector (``syncd
    mark``): a whole series at once. ``memo`` lets a long-running process skip the steps
    whose inputs did not change since its last pass. Returns a :class:`Plan`.
    """
    acks = acks or {}
    write_calendars = write_calendars or {}
    memo = memo or Memo()
    rules = rules_of(config)
    user_events = memo.get("user", (events,), lambda: [e for e in events if not e.owned])
    interviews, notes = memo.get("interviews", (user_events, rules, dict(marks or {})),
                                 lambda: per_series(find_interviews(user_events, rules, marks,
                                                                    memo.verdict_cache())))
    plan = Plan(interviews=interviews, learning=learning, notes=list(notes))
    ahead = [iv for iv in interviews if iv.event.end > now]  # one that is over gets no new blocks
    for iv in ahead:
        if _active(iv.event, config) and acks.get(iv.ref) != "cannot-attend":
            target = write_calendars.get((iv.event.account, iv.event.calendar), iv.event.calendar)
            plan.artifacts.extend(plan_blocks(iv, config, target, learning))
    all_day = config.conflicts["include_all_day"]
    blocks = [_as_event(a) for a in plan.artifacts]
    found, plan.conflicts = memo.get(
        "conflicts", (user_events, interviews, rules.self_addresses, all_day, blocks),
        lambda: _conflicts(user_events, interviews, rules.self_addresses, all_day, blocks))
    plan.notes += crowd_notes(found.crowds)
    if config.conflicts["flag_in_calendar"]:
        quote, tz = config.conflicts["quote_other_accounts"], config.tz
        markers, marker_notes = memo.get(
            "markers", (found.hard, ahead, dict(write_calendars), user_events, quote, str(tz)),
            lambda: _markers(found.hard, ahead, write_calendars, quote, tz,
                             homes_of(found.hard, user_events)))
        plan.artifacts.extend(markers)
        plan.notes += marker_notes
    if len(plan.notes) > MAX_NOTES:
        plan.notes[MAX_NOTES:] = [f"and {len(plan.notes) - MAX_NOTES} more such notes"]
    plan.followups = plan_followups(interviews, acks, config, now)
    plan.followups += unmarked_followups(user_events, marks or {})
    return plan


def per_series(interviews: list[Interview]) -> tuple[list[Interview], list[str]]:
    """At most ``MAX_INTERVIEWS_PER_SERIES`` interviews of one series, the earliest; and a note
    for each series cut short. The order of ``interviews`` is kept."""
    counts = Counter(iv.event.uid for iv in interviews)
    crowded = {uid for uid, count in counts.items() if count > MAX_INTERVIEWS_PER_SERIES}
    if not crowded:
        return interviews, []
    keep: set[int] = set()
    notes = []
    for uid in sorted(crowded):
        series = sorted((iv.event.start, index) for index, iv in enumerate(interviews)
                        if iv.event.uid == uid)
        keep.update(index for _, index in series[:MAX_INTERVIEWS_PER_SERIES])
        first = interviews[series[0][1]].event
        notes.append(f"{counts[uid]} occurrences of '{clip(first.summary, 80)}' ({first.account}) "
                     f"look like interviews; planning the first {MAX_INTERVIEWS_PER_SERIES}")
    return [iv for i, iv in enumerate(interviews) if iv.event.uid not in crowded or i in keep], notes


def crowd_notes(crowds: Sequence[Crowd]) -> list[str]:
    """A sentence for each run of overlapping events whose double bookings were not all listed."""
    return [f"{c.overlaps:,} double bookings among {c.events:,} events overlapping from "
            f"{text.when(c.start)} to {text.when(c.end)}; {c.listed:,} listed"
            for c in crowds[:MAX_NOTES]] + (
        [f"and {len(crowds) - MAX_NOTES} more crowded times"] if len(crowds) > MAX_NOTES else [])


def unmarked_followups(events: Sequence[Event], marks: Mapping[str, str]) -> list[FollowupDue]:
    """No draft for an event the owner marked as not an interview (one made before goes)."""
    if "not-interview" not in marks.values():
        return []
    verdict = detect.Verdict(False, 0.0, "unknown", "", ("marked as not an interview",))
    return [FollowupDue(Interview(events[i], verdict, "not-interview"), None)
            for i in _canonical(events) if marks.get(events[i].uid) == "not-interview"]


def _conflicts(user_events: Sequence[Event], interviews: Sequence[Interview],
               self_addresses: tuple[str, ...], all_day: bool,
               blocks: list[Event]) -> tuple[Report, list[Conflict]]:
    """The bounded double bookings of the busy events, and all of them listed (hard first)."""
    busy = [e for e in user_events if is_busy(e, self_addresses, all_day)]
    urgent = {iv.event.occurrence for iv in interviews}
    found = bounded_conflicts(busy, blocks, urgent=lambda event: event.occurrence in urgent)
    return found, found.hard + found.soft


def _markers(hard: Sequence[Conflict], interviews: Sequence[Interview],
             write_calendars: Mapping[tuple[str, str], str], quote: bool, tz: tzinfo,
             homes: Mapping[str, set[str]]) -> tuple[list[Artifact], list[str]]:
    notes: list[str] = []
    return plan_markers(hard, interviews, write_calendars, notes, quote, tz, homes), notes


def rules_of(config: Config) -> detect.Rules:
    """The detector's rules from the ``[interviews]`` section."""
    section = config.interviews
    return detect.Rules(self_addresses=tuple(a.lower() for a in section["self"]),
                        threshold=section["threshold"], include=section["include"],
                        exclude=section["exclude"])


def find_interviews(events: Sequence[Event], rules: detect.Rules,
                    marks: Mapping[str, str] | None = None,
                    verdicts: MutableMapping[tuple, detect.Verdict] | None = None
                    ) -> list[Interview]:
    """Detect interviews, one per occurrence even when it is seen in several calendars.

    ``marks`` (UID -> "interview" | "not-interview") overrule the detector for a series.
    ``verdicts`` caches the detector's verdict by what it reads (see :mod:`syncd.verdicts`).

    Returns them in the order of their events' (account, calendar, href).
    """
    detector = detect.Detector(rules)  # a fresh one: what it learns lasts this pass only
    # Recurring series and mirrored calendars repeat the same text many times.
    verdicts = {} if verdicts is None else verdicts
    marks = marks or {}
    found = []
    for index in _canonical(events):
        event = events[index]
        mark = marks.get(event.uid) if marks else None
        fields = verdict_fields(event, mark)
        verdict = verdicts.get(fields)
        if verdict is None:
            verdict = verdicts[fields] = detector.classify(*fields)
        if verdict.interview:
            found.append(((*_place(event), index), Interview(event, verdict, mark)))
    found.sort(key=itemgetter(0))  # interviews are few: sort them, not every event
    return named_in_full([iv for _, iv in found], detector)


def verdict_fields(event: Event, mark: str | None) -> tuple:
    """What the detector reads of an event (the arguments of ``Detector.classify``), which
    is also what its verdict is remembered by."""
    return (event.summary, event.description, event.location, event.organizer,
            tuple([a.email for a in event.attendees]), event.categories, mark)


def named_in_full(interviews: list[Interview], detector: detect.Detector) -> list[Interview]:
    """Each interview's company as the owner's other interviews spell it in full: "Sunrise"
    becomes "Sunrise Home Healthcare" when another invite of the same sender says so."""
    senders = [sender_domain(detector.parties(iv.event.organizer,
                                              [a.email for a in iv.event.attendees]))
               for iv in interviews]
    names = names_in_full([(iv.verdict.company, sender)
                           for iv, sender in zip(interviews, senders)])
    return [iv if name == iv.verdict.company else
            replace(iv, verdict=replace(iv.verdict, company=name))
            for iv, name in zip(interviews, names)]


def _canonical(events: Sequence[Event]) -> Iterable[int]:
    """One event per occurrence, as indexes into ``events``.

    Of the copies of an occurrence seen in several calendars, the first by (account, calendar,
    href) is kept, and of equal ones the first in ``events``.
    """
    chosen: dict[str, int] = {}
    for index, event in enumerate(events):
        held = chosen.setdefault(event.occurrence, index)
        if held != index and _place(event) < _place(events[held]):
            chosen[event.occurrence] = index
    return chosen.values()


def _place(event: Event) -> tuple[str, str, str]:
    return event.account, event.calendar, event.href


def _active(event: Event, config: Config) -> bool:
    return not event.all_day and why_inactive(event, config) is None


def why_inactive(event: Event, config: Config) -> str | None:
    """"cancelled" or "declined" (by the owner) for an interview that will not take place."""
    if event.status == "CANCELLED":
        return "cancelled"
    own = {a.lower() for a in config.interviews["self"]}
    if any(a.email.lower() in own and a.partstat == "DECLINED" for a in event.attendees):
        return "declined"
    return None


def plan_blocks(iv: Interview, config: Config, calendar: str,
                learning: Learning | None = None) -> list[Artifact]:
    """Buffers around an interview and, in person, travel blocks (README.md, "How it works").

    With ``learning`` the prep buffer and travel grow and the prep buffer gets more alarms.
    """
    ev, name = iv.event, _label(iv)
    before, after = prep_time(config, learning), config.buffers["after"]
    tz = config.tz
    when = _when(ev.start, tz)
    out = []
    if before:
        # Measured from the buffer's start; negative (after it starts) when the buffer is long.
        alarms = tuple(Alarm(lead - before, f"{name} {text}")
                       for lead, text in _leads(ev.start, tz, learning))
        out.append(_artifact(iv, "buffer-before", calendar, ev.start - before, ev.start,
                             f"Prep: {name}", f"Prepare for {ev.summary} ({when}).", alarms=alarms))
    if after:
        out.append(_artifact(iv, "buffer-after", calendar, ev.end, ev.end + after,
                             f"Decompress: {name}", f"Time to note how {ev.summary} went."))
    if iv.verdict.format == "in_person":
        out.extend(_travel(iv, config, calendar, name, learning))
    return out


def prep_time(config: Config, learning: Learning | None) -> timedelta:
    """The prep buffer's length: ``buffers.before``, widened while learning from a miss."""
    before = config.buffers["before"]
    return learning.widen(before) if learning else before


def _leads(start: datetime, tz: ZoneInfo, learning: Learning | None) -> list[tuple[timedelta, str]]:
    """(time before the interview, text) of each prep alarm, earliest first."""
    leads = {timedelta(days=1): "tomorrow at " + _clock(start, tz), timedelta(hours=1): "in one hour"}
    for lead in learning.alarms if learning else ():
        leads.setdefault(lead, "in " + _span(lead))
    return sorted(leads.items(), reverse=True)


def _span(lead: timedelta) -> str:
    minutes = int(lead.total_seconds() // 60)
    days, hours = minutes // (24 * 60), minutes // 60
    if minutes % (24 * 60) == 0:
        return f"{days} day" + ("s" if days != 1 else "")
    return f"{hours} hour" + ("s" if hours != 1 else "") if minutes % 60 == 0 else f"{minutes} min"


def _travel(iv: Interview, config: Config, calendar: str, name: str,
            learning: Learning | None = None) -> list[Artifact]:
    ev = iv.event
    minutes = travel_minutes(ev.location, config)
    if not minutes:
        return []
    trip = timedelta(minutes=minutes)
    trip = learning.widen(trip) if learning else trip
    leave = ev.start - prep_time(config, learning) - trip
    remind = config.travel["remind_before"]
    alarms = (Alarm(remind, f"Leave in {_minutes(remind)} for {name}"), Alarm(timedelta(0), f"Leave now for {name}"))
    where = ev.location or name
    out = [_artifact(iv, "travel-to", calendar, leave, leave + trip, f"Travel to {name}",
                     f"Leave now for {ev.summary} at {where}.", location=ev.location, alarms=alarms)]
    if config.travel["return_trip"]:
        back = ev.end + config.buffers["after"]
        out.append(_artifact(iv, "travel-back", calendar, back, back + trip, f"Travel back from {name}",
                             f"Return trip from {where}.", location=ev.location))
    return out


def travel_minutes(location: str, config: Config) -> int:
    """Minutes of travel: the first ``[travel.places]`` entry found in the location, else the default."""
    lowered = location.lower()
    for place, minutes in config.travel["places"].items():
        if place.lower() in lowered:
            return minutes
    return config.travel["default_minutes"]


def plan_markers(hard: Sequence[Conflict], interviews: Sequence[Interview],
                 write_calendars: Mapping[tuple[str, str], str],
                 notes: list[str] | None = None, quote_others: bool = False,
                 tz: tzinfo = timezone.utc, homes: Mapping[str, set[str]] | None = None
                 ) -> list[Artifact]:
    """A transparent marker event for each double booking that involves an interview.

    At most ``MAX_MARKERS_PER_INTERVIEW`` for one interview (its earliest clashes); a sentence
    for each interview with more goes to ``notes``. The marker lands in the interview's
    calendar, which may be shared: an event of another account is named by its account and
    time only, unless ``quote_others`` (the owner's ``conflicts.quote_other_accounts``) says
    its title may be quoted. ``homes`` maps an occurrence to every account it was seen in (an
    invitation may sit in several).
    """
    by_occurrence = {iv.event.occurrence: iv for iv in interviews}
    homes = homes if homes is not None else homes_of(hard, [e for c in hard for e in (c.a, c.b)])
    marked: Counter[str] = Counter()
    out = []
    for c in hard:
        iv = by_occurrence.get(c.a.occurrence) or by_occurrence.get(c.b.occurrence)
        if iv is None:
            continue
        marked[iv.ref] += 1
        if marked[iv.ref] > MAX_MARKERS_PER_INTERVIEW:
            continue
        other = c.b if iv.event.occurrence == c.a.occurrence else c.a
        calendar = write_calendars.get((iv.event.account, iv.event.calendar), iv.event.calendar)
        key = artifact_key("conflict", iv.event.occurrence, iv.event.account, calendar,
                           detail=other.occurrence)
        named = clashing(other, homes[other.occurrence], iv.event.account, quote_others, tz)
        text = f"{iv.event.summary} overlaps {named}"
        out.append(Artifact(key=key, kind="conflict", source=iv.event.occurrence, source_ref=iv.ref,
                            account=iv.event.account, calendar=calendar, start=c.start, end=c.end,
                            summary=f"Double booking: {text}",
                            description=f"syncd found a double booking: {text}. Move one of them.",
                            transparent=True))
    if notes is not None:
        summaries = {iv.ref: iv.event.summary for iv in interviews}
        notes += [f"'{clip(summaries[ref], 80)}' [{ref}] is double-booked {count} times; "
                  f"{MAX_MARKERS_PER_INTERVIEW} are marked in the calendar"
                  for ref, count in marked.items() if count > MAX_MARKERS_PER_INTERVIEW]
    return out


def homes_of(hard: Sequence[Conflict], events: Iterable[Event]) -> dict[str, set[str]]:
    """occurrence -> the accounts among ``events`` it was seen in, for the occurrences of ``hard``."""
    homes: dict[str, set[str]] = {}
    for e in (e for c in hard for e in (c.a, c.b)):
        homes.setdefault(e.occurrence, set()).add(e.account)
    for e in events:
        if e.occurrence in homes:
            homes[e.occurrence].add(e.account)
    return homes


def clashing(other: Event, homes: set[str], account: str, quote: bool, tz: tzinfo) -> str:
    """How a conflict marker in ``account`` names the clashing event ``other``, which was seen in
    the accounts ``homes``: by its title when ``account`` holds it too (or ``quote``), else by
    account and time. Whichever copy ``other`` is, the answer is the same."""
    if account in homes or quote:
        return other.summary or "another event"
    start, end = other.start.astimezone(tz), other.end.astimezone(tz)
    return f"an event in {min(homes)} ({start:%a %d %b %H:%M}-{end:%H:%M})"


def plan_followups(interviews: Sequence[Interview], acks: Mapping[str, str], config: Config,
                   now: datetime) -> list[FollowupDue]:
    """The draft each interview should have, per README.md "Follow-up drafts"."""
    wanted = {"attended": "thank-you", "missed": "apology", "cannot-attend": "reschedule",
              "dismissed": None}
    out = []
    for iv in interviews:
        ack = acks.get(iv.ref)
        if ack in wanted:
            out.append(FollowupDue(iv, wanted[ack]))
        elif _unacknowledged_and_due(iv.event, config, now):
            out.append(FollowupDue(iv, "apology"))
    return out


def _unacknowledged_and_due(event: Event, config: Config, now: datetime) -> bool:
    due = event.end + config.followup["grace"]
    return due <= now and now - event.end <= config.followup["max_age"] and _active(event, config)


def _artifact(iv: Interview, kind: str, calendar: str, start: datetime, end: datetime, summary: str,
              description: str, location: str = "", alarms: tuple[Alarm, ...] = ()) -> Artifact:
    ev = iv.event
    return Artifact(key=artifact_key(kind, ev.occurrence, ev.account, calendar), kind=kind,
                    source=ev.occurrence, source_ref=iv.ref, account=ev.account, calendar=calendar,
                    start=start, end=end, summary=summary, description=description,
                    location=location, alarms=alarms)


def _as_event(artifact: Artifact) -> Event:
    return Event(uid=artifact.uid, start=artifact.start, end=artifact.end, summary=artifact.summary,
                 account=artifact.account, calendar=artifact.calendar, marker=artifact.marker,
                 transparent=artifact.transparent)


def _label(iv: Interview) -> str:
    return f"{iv.verdict.company} interview" if iv.verdict.company else iv.event.summary


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%A %d %B at %H:%M")


def _clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def _minutes(delta: timedelta) -> str:
    return f"{int(delta.total_seconds() // 60)} min"
