"""What ``syncd status`` shows: the state's records plus a fresh plan over the cache.

Nothing here talks to a calendar; it reads the state, plans from the cached events (the pure
planner, with the clock passed in) and renders JSON or a readable summary.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from syncd.bounds import MAX_STATUS_CONFLICTS
from syncd.config import Config
from syncd.cycle import MARGIN, Engine, snapshot
from syncd.escape import escape_controls
from syncd.learn import learning_from
from syncd.model import Window, make_ref
from syncd.plan import Memo, Plan, make_plan, planning_window, rules_of
from syncd.reconcile import owned_in
from syncd.state import State
from syncd.verdicts import VerdictStore


def current_plan(config: Config, state: State, now: datetime) -> Plan:
    """Plan over what the cache holds now."""
    window = planning_window(config, now)
    outer = Window(window.start - MARGIN, window.end + MARGIN)
    events = snapshot(state, config, outer)
    kept = VerdictStore(state.verdict_rows(), rules_of(config))  # read only: status writes nothing
    return make_plan(events, config, now, state.acks(), Engine(config, state).write_calendars(),
                     learning_from(state.ack_times(), config.learn, now), state.marks(), Memo(kept))


def status_data(config: Config, state: State, now: datetime) -> dict[str, Any]:
    """The ``status --json`` document (SPEC.md)."""
    from syncd.ask import questions
    from syncd.ask.web import page_url

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
        "location": iv.event.location,
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


def _ref_of(event) -> str:
    """A conflict's other side: a user event's ref, or for a syncd block its source's ref."""
    if event.marker is not None:
        return _source_ref(event.marker.source)
    return event.ref


def _source_ref(source: str) -> str:
    uid, _, rid = source.partition(";RECURRENCE-ID=")
    return make_ref(uid, rid or None) if uid else ""


def render_text(data: dict[str, Any], now: datetime, tz) -> str:
    """A readable summary of the status document."""
    lines = ["Accounts:"]
    for a in data["accounts"]:
        state = f"error: {a['last_error']}" if a["last_error"] else f"ok, {a['events'] or 0} events"
        lines.append(f"  {a['name']} ({a['type']}): last sync {_short(a['last_sync'], tz)}, {state}")
    upcoming = [i for i in data["interviews"] if datetime.fromisoformat(i["end"]) >= now]
    recent = [i for i in data["interviews"] if datetime.fromisoformat(i["end"]) < now]
    for title, group in (("Upcoming interviews:", upcoming), ("Recent interviews:", recent)):
        lines.append(title if group else f"{title} none")
        for i in group:
            extra = f", ack: {i['ack']}" if i["ack"] else ""
            if i["followup"]:
                extra += _draft_text(i["followup"])
            if i.get("question"):
                q = i["question"]
                extra += f", answered {q['answer']} via {q['channel']}" if q["answer"] else f", question {q['state']}"
            lines.append(f"  [{i['ref']}] {_short(i['start'], tz)} {i['summary']} "
                         f"({i['format'].replace('_', ' ')}, {i['company'] or 'company unknown'}{extra})")
    if any(i["ack"] is None for i in recent):
        lines.append("  (tell syncd how it went: syncd ack REF --attended | --missed | --dismiss)")
    lines.append("Conflicts:" if data["conflicts"] else "Conflicts: none")
    for c in data["conflicts"]:
        lines.append(f"  {c['kind']}: {_short(c['start'], tz)}-{_short(c['end'], tz, clock=True)} "
                     f"'{c['a_summary']}' [{c['a']}] overlaps '{c['b_summary']}' [{c['b']}]")
    lines.append(f"Artifacts: {len(data['artifacts'])} events owned by syncd")
    if data.get("learning"):
        lines.append(strengthened(data["learning"], tz))
    if data.get("page"):
        lines.append(f"Status page (while `syncd run` runs): {data['page']}")
    for h in data["held_changes"]:
        lines.append(f"  holding the changes of {h['account']}/{h['calendar']} since {h['since']}: "
                     "most of its events vanished at once")
    for note in data.get("capped", []):
        lines.append(f"  capped: {note}")
    for h in data["held_deletions"]:
        lines.append(f"  holding {len(h['keys'])} deletions in {h['account']}/{h['calendar']} since {h['since']}")
    return "\n".join(escape_controls(line) for line in lines)  # calendar text never drives the terminal


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
    moment = datetime.fromisoformat(iso).astimezone(tz)
    return moment.strftime("%H:%M") if clock else moment.strftime("%a %d %b %H:%M")
