"""What ``syncd status`` shows: the state's records plus a fresh plan over the cache.

Nothing here talks to a calendar; it reads the state, plans from the cached events (the pure
planner, with the clock passed in) and renders JSON or a readable summary.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from syncd.bounds import MAX_STATUS_CONFLICTS
from syncd.config import Config
from syncd.cycle import MARGIN, Engine, snapshot
from syncd.escape import escape_controls
from syncd.learn import learning_from
from syncd.model import Event, Window, make_ref
from syncd.plan import Memo, Plan, make_plan, planning_window, rules_of
from syncd.reconcile import owned_in
from syncd.state import State
from syncd.verdicts import VerdictStore
from syncd.text import ahead, plural, when
from syncd.text import clock as text_clock


def current_plan(config: Config, state: State, now: datetime) -> Plan:
    """Plan over what the cache holds now."""
    window = planning_window(config, now)
    outer = Window(window.start - MARGIN, window.end + MARGIN)
    events = snapshot(state, config, outer)
    kept = VerdictStore(state.verdict_rows(), rules_of(config))  # read only: status writes nothing
    return make_plan(events, config, now, state.acks(), Engine(config, state).write_calendars(),
                     learning_from(state.ack_times(), config.learn, now), state.marks(), Memo(kept))


def status_data(config: Config, state: State, now: datetime) -> dict[str, Any]:
    """The ``status --json`` document (README.md, "Commands")."""
    from syncd.ask import questions
    from syncd.ask.address import page_url

    plan = current_plan(config, state, now)
    acks, drafts = state.acks(), state.followups()
    asked = questions.load(state)
    names = {(c.account, c.id): c.name for c in state.calendars()}
    interviews = [{
        "ref": iv.ref, "account": iv.event.account,
        "calendar": names.get((iv.event.account, iv.event.calendar), iv.event.calendar),
        "summary": iv.event.summary, "start": iv.event.start.isoformat(),
        "end": iv.event.end.isoformat(), "score": iv.verdict.score,
        "reasons": list(iv.verdict.reasons), "format": iv.verdict.format,
        "company": iv.verdict.company, "role": iv.verdict.role,
        "override": iv.override, "ack": acks.get(iv.ref), "followup": _followup(drafts.get(iv.ref)),
        "location": iv.event.location, "where": where(iv.event), "with": people(iv.event, config),
        "question": asked[iv.ref].as_json() if iv.ref in asked else None,
    } for iv in sorted(plan.interviews, key=lambda iv: iv.event.start)]
    conflicts = [{"kind": c.kind, "a": c.a.ref, "b": _ref_of(c.b), "start": c.start.isoformat(),
                  "end": c.end.isoformat(), "a_summary": c.a.summary, "b_summary": c.b.summary}
                 for c in sorted(plan.conflicts, key=lambda c: c.start)[:MAX_STATUS_CONFLICTS]]
    if len(plan.conflicts) > MAX_STATUS_CONFLICTS:
        plan.notes.append(f"{len(plan.conflicts)} double bookings; status lists the first "
                          f"{MAX_STATUS_CONFLICTS}")
    artifacts = [{
        "kind": o.event.marker.kind if o.event.marker else "", "key": o.key,
        "source": _source_ref(o.event.marker.source if o.event.marker else ""),
        "account": o.account, "calendar": names.get((o.account, o.calendar), o.calendar),
        "start": o.event.start.isoformat(), "end": o.event.end.isoformat(),
    } for o in sorted(owned_in(state.items()), key=lambda o: o.event.start)]
    known = {a["name"] for a in config.accounts}
    accounts = [a for a in state.accounts() if a["name"] in known]
    accounts += [{"name": a["name"], "type": a["type"], "last_sync": None, "last_error": None,
                  "events": 0} for a in config.accounts if a["name"] not in {x["name"] for x in accounts}]
    return {"accounts": accounts, "interviews": interviews, "conflicts": conflicts,
            "artifacts": artifacts, "held_deletions": state.all_held(),
            "held_changes": state.all_suspected(), "capped": plan.notes,
            "learning": plan.learning.as_json() if plan.learning else None,
            "page": page_url(config, state) if config.web["enabled"] else None}


def _followup(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``followup`` of an interview in status: state, kind, path, and any kept drafts."""
    if record is None:
        return None
    return {"state": record["state"], "kind": record["kind"], "path": record["path"],
            "kept": record.get("kept") or []}


MEETING_LINK = re.compile(r"https?://[^\s<>\"']*(?:zoom\.us|meet\.google|teams\.microsoft|teams\.live|"
                          r"webex|whereby|jit\.si|chime\.aws|gotomeet)[^\s<>\"']*", re.IGNORECASE)
MAX_SHOWN = 4


def where(event: Event) -> str:
    """The location, else the first meeting link in the description ("" when neither)."""
    if event.location.strip():
        return event.location.strip()[:200]
    found = MEETING_LINK.search(event.description[:20_000])
    return found.group(0)[:200] if found else ""


def people(event: Event, config: Config) -> list[str]:
    """Who the owner meets: attendees and organizer by name (else address), the owner left out."""
    own = {a.lower() for a in config.interviews["self"]}
    out: list[str] = []
    for a in event.attendees:
        if a.email.lower() not in own and (a.name or a.email) not in out:
            out.append(a.name or a.email)
    organizer = event.organizer.removeprefix("mailto:")
    if organizer and organizer.lower() not in own and not any(organizer.lower() == a.email.lower()
                                                             for a in event.attendees):
        out.insert(0, organizer)
    return out[:MAX_SHOWN * 3]


def _ref_of(event) -> str:
    """A conflict's other side: a user event's ref, or for a syncd block its source's ref."""
    if event.marker is not None:
        return _source_ref(event.marker.source)
    return event.ref


def _source_ref(source: str) -> str:
    uid, _, rid = source.partition(";RECURRENCE-ID=")
    return make_ref(uid, rid or None) if uid else ""


def render_text(data: dict[str, Any], now: datetime, tz) -> str:
    """A readable summary of the status document, every time in the owner's zone ``tz``."""
    lines = ["Accounts:"]
    for a in data["accounts"]:
        state = f"error: {a['last_error']}" if a["last_error"] else f"ok, {plural(a['events'] or 0, 'event')}"
        lines.append(f"  {a['name']} ({a['type']}): last sync {_short(a['last_sync'], tz)}, {state}")
    upcoming = [i for i in data["interviews"] if datetime.fromisoformat(i["end"]) >= now]
    recent = [i for i in data["interviews"] if datetime.fromisoformat(i["end"]) < now]
    lines.append("Upcoming interviews:" if upcoming else "Upcoming interviews: none")
    for i in upcoming:
        lines += _interview_lines(i, tz) + [f"      {_upcoming_detail(i, now)}"]
    if any(i["ack"] is None for i in upcoming):
        lines.append("  (cannot go? syncd ack REF --cannot-attend drafts a note asking for a new time)")
    lines.append("Recent interviews:" if recent else "Recent interviews: none")
    for i in recent:
        lines += _interview_lines(i, tz)
    if any(i["ack"] is None for i in recent):
        lines.append("  (tell syncd how it went: syncd ack REF --attended | --missed | --dismiss)")
    lines += _conflict_lines(data["conflicts"], tz)
    lines.append(f"Artifacts: {plural(len(data['artifacts']), 'event')} owned by syncd")
    if data.get("learning"):
        lines.append(strengthened(data["learning"], tz))
    if data.get("page"):
        lines.append(f"Status page (while `syncd run` runs): {data['page']}")
    for h in data["held_changes"]:
        lines.append(f"  holding the changes of {h['account']}/{h['calendar']} since {_short(h['since'], tz)}: "
                     "most of its events vanished at once")
    for note in data.get("capped", []):
        lines.append(f"  capped: {note}")
    for h in data["held_deletions"]:
        lines.append(f"  holding {plural(len(h['keys']), 'deletion')} in {h['account']}/{h['calendar']} "
                     f"since {_short(h['since'], tz)}")
    return "\n".join(escape_controls(line) for line in lines)  # calendar text never drives the terminal


def _interview_lines(i: dict[str, Any], tz) -> list[str]:
    extra = f", ack: {i['ack']}" if i["ack"] else ""
    if i["followup"]:
        extra += _draft_text(i["followup"])
    if i.get("question"):
        q = i["question"]
        extra += f", answered {q['answer']} via {q['channel']}" if q["answer"] else f", question {q['state']}"
    return [f"  [{i['ref']}] {_short(i['start'], tz)} {i['summary']} "
            f"({i['format'].replace('_', ' ')}, {i['company'] or 'company unknown'}{extra})"]


def _upcoming_detail(i: dict[str, Any], now: datetime) -> str:
    start = datetime.fromisoformat(i["start"])
    parts = [f"{ahead(start, now)}" if start > now else "under way"]
    parts.append(f"at {i['where']}" if i.get("where") else "place not given")
    met = i.get("with") or []
    if met:
        more = f" and {len(met) - MAX_SHOWN} more" if len(met) > MAX_SHOWN else ""
        parts.append("with " + ", ".join(met[:MAX_SHOWN]) + more)
    return "; ".join(parts)


def _conflict_lines(conflicts: list[dict[str, Any]], tz) -> list[str]:
    if not conflicts:
        return ["Conflicts: none"]
    lines = ["Conflicts:"]
    for c in conflicts:
        lines.append(f"  {c['kind']}: {_short(c['start'], tz)}-{_short(c['end'], tz, clock=True)} "
                     f"'{c['a_summary']}' [{c['a']}] overlaps '{c['b_summary']}' [{c['b']}]")
    lines.append("  (hard: two busy events at once, also flagged in the calendar; "
                 "soft: an event overlaps a syncd buffer or travel block, only reported here)")
    return lines


def strengthened(learning: dict[str, Any], tz) -> str:
    """The sentence that says more reminders and more time are in force, and until when."""
    return (f"Every interview strengthened after the miss on {_short(learning['missed_at'], tz)}, "
            f"until {_short(learning['until'], tz)}: more alarms, "
            f"{round(learning['extra'] * 100)}% more prep and travel time")


def _draft_text(draft: dict[str, Any]) -> str:
    """How status describes an interview's draft, the owner's edited ones included."""
    text = f", {draft['kind']} {draft['state']}: {draft['path']}"
    kept = [k for k in draft.get("kept") or [] if k != draft["path"]]
    if draft["state"] == "kept-edited":
        text += f" (your edited draft was kept{': ' + ', '.join(kept) if kept else ''})"
    return text


def _short(iso: str | None, tz, clock: bool = False) -> str:
    if not iso:
        return "never"
    moment = datetime.fromisoformat(iso)
    return text_clock(moment, tz) if clock else when(moment, tz)
