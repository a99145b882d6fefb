"""Make each interview's draft what the plan says, in whatever sink the owner chose.

One live draft per interview, after any crash: the sink is asked for the interview's drafts
before anything is written, a leftover of the wanted kind is adopted, stale ones are removed.
An edited draft is the owner's: never replaced or removed; the new one is written beside it and
the state says ``kept-edited``. A draft that cannot be made because of what the invitation says
is skipped with one warning naming the event; it never stops the cycle.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from syncd.config import Config
from syncd.errors import ProviderError
from syncd.followup import render as rendering
from syncd.followup.sink import DraftSink, StoredDraft, digest, stamp
from syncd.plan import FollowupDue
from syncd.state import State
from syncd.text import article, draft_note

log = logging.getLogger(__name__)
# One process may draft from the cycle and from an answer channel (web, ntfy) at once.
_lock = threading.RLock()


@dataclass
class DraftOutcome:
    """What happened to one interview's draft; ``sentence`` says it to the owner."""

    ref: str
    state: str  # "unchanged", "drafted", "replaced", "removed", "kept-edited", "failed"
    sentence: str
    handle: str = ""
    kept: list[str] = field(default_factory=list)


def apply_followups(due: list[FollowupDue], state: State, config: Config, now: datetime,
                    sink: DraftSink) -> list[DraftOutcome]:
    """Bring every interview in ``due`` to its wanted draft; return what changed.

    Never raises for one interview's trouble: a sink error or bad invitation data is logged
    (one warning naming the event) and that interview is tried again next cycle.
    """
    out = []
    for item in due:
        outcome = draft_one(item, state, config, now, sink)
        if outcome.state != "unchanged":
            out.append(outcome)
    return out


def draft_one(item: FollowupDue, state: State, config: Config, now: datetime,
              sink: DraftSink, refresh: bool = False) -> DraftOutcome:
    """Bring one interview to its wanted draft. Returns the outcome; never raises for data.

    With ``refresh`` (an ``ack`` that brings a reason), an unedited draft of the wanted kind
    that syncd wrote before is written again when its text would now differ.
    """
    summary = rendering.one_line(item.interview.event.summary)[:120]
    try:
        with _lock:
            return _reconcile(item, state, config, now, sink, summary, refresh)
    except ProviderError as exc:
        log.warning("Could not update the follow-up draft of '%s' in %s: %s; trying again next "
                    "cycle", summary, sink.name, exc)
        return DraftOutcome(item.interview.ref, "failed", f"the draft could not be written to "
                            f"{sink.name} yet ({exc}); syncd tries again each cycle")
    except Exception as exc:  # what an invitation causes must not stop the daemon
        log.warning("Skipping the follow-up draft of '%s' (%s): %s: %s", summary,
                    item.interview.ref, type(exc).__name__, rendering.one_line(str(exc))[:200])
        return DraftOutcome(item.interview.ref, "failed", f"the draft could not be made "
                            f"({type(exc).__name__}); see the log")


def _reconcile(item: FollowupDue, state: State, config: Config, now: datetime, sink: DraftSink,
               summary: str, refresh: bool) -> DraftOutcome:
    ref, wanted = item.interview.ref, item.kind
    record = state.followups().get(ref)
    same = record is not None and record["kind"] == wanted and live(record)
    if record is not None and same and not refresh:
        return DraftOutcome(ref, "unchanged", f"its {wanted} was drafted already "
                            f"({record['path']}); syncd writes it only once", record["path"])
    if wanted is None and (record is None or not live(record)):
        return DraftOutcome(ref, "unchanged", "there was no draft to remove")
    found = sink.find(ref)
    recorded = record.get("digest") if record else None
    keep = next((d for d in found if d.kind == wanted and not d.edited(recorded)), None)
    edited = [d for d in found if d.edited(recorded)]
    stale = [d for d in found if d is not keep and d not in edited]
    if wanted is None:
        # A draft removed because the owner marked the event not an interview is not "drafted
        # once": should they take the mark back, the draft is written again.
        forget = getattr(item.interview, "override", None) == "not-interview"
        return _removed(ref, record, stale, edited, state, sink, now, summary, forget)
    if keep is None:
        message = _message(item, state, config, now)
        keep = sink.replace(stale.pop(0), message) if stale and not edited else sink.write(message)
    elif same:  # refresh: the owner's reason changes the text of syncd's unedited draft
        message = _message(item, state, config, now)
        if digest(message) == keep.digest:
            return DraftOutcome(ref, "unchanged", f"its {wanted} draft says so already "
                                f"({keep.handle})", keep.handle)
        keep = sink.replace(keep, message)
        record = None  # recorded as written anew
    for draft in stale:
        sink.remove(draft)
    return _recorded(ref, wanted, keep, record, edited, state, now, summary, sink)


def _message(item: FollowupDue, state: State, config: Config, now: datetime) -> EmailMessage:
    """The stamped draft for ``item``."""
    request = request_of(item, state, config)
    return stamp(rendering.render(request, config.followup.get("templates_dir"), now))


def untouched(wanted: str | None, record: dict | None) -> bool:
    """True when :func:`draft_one` (without ``refresh``) leaves an interview whose followups
    record is ``record`` alone, asking the sink nothing: its ``wanted`` draft is there, or no
    draft is wanted and none of syncd's is live."""
    if record is None:
        return wanted is None
    return record["kind"] == wanted and live(record) if wanted is not None else not live(record)


def live(record: dict) -> bool:
    """True when a followups record stands for a draft of syncd's own (not only a kept one)."""
    return record["state"] in ("drafted", "replaced") or (
        record["state"] == "kept-edited" and bool(record.get("digest")))


def _removed(ref: str, record: dict | None, stale: list[StoredDraft], edited: list[StoredDraft],
             state: State, sink: DraftSink, now: datetime, summary: str,
             forget: bool = False) -> DraftOutcome:
    for draft in stale:
        sink.remove(draft)
    kind = record["kind"] if record else (edited[0].kind if edited else "")
    if edited:
        handles = [d.handle for d in edited]
        state.set_followup(ref, kind, handles[0], "kept-edited", now, digest="", kept=handles)
        log.warning("Left your edited %s draft for '%s' in place (%s): syncd never removes a "
                    "draft you changed", kind, summary, ", ".join(handles))
        return DraftOutcome(ref, "kept-edited", f"your edited {kind} draft stays where it is "
                            f"({handles[0]}); syncd never removes a draft you changed",
                            handles[0], handles)
    path = record["path"] if record else ""
    state.set_followup(ref, "" if forget else kind, path, "removed", now, digest="")
    if not stale:
        return DraftOutcome(ref, "removed", f"its {kind} draft was no longer among the drafts "
                            "(sent or deleted already)", path)
    log.info("Removed the %s draft for '%s' from %s", kind, summary, sink.name)
    return DraftOutcome(ref, "removed", f"its {kind} draft was removed from {sink.name}", path)


def _recorded(ref: str, kind: str, draft: StoredDraft, record: dict | None,
              edited: list[StoredDraft], state: State, now: datetime, summary: str,
              sink: DraftSink) -> DraftOutcome:
    handles = [d.handle for d in edited]
    if handles:
        status = "kept-edited"
        sentence = (f"your edited {edited[0].kind} draft stays where it is ({handles[0]}); the "
                    f"{kind} was written beside it in {draft.handle}")
        log.warning("Left your edited %s draft for '%s' in place (%s) and wrote the %s beside it "
                    "in %s", edited[0].kind, summary, handles[0], kind, draft.handle)
    elif record is not None and live(record):
        status = "replaced"
        sentence = f"its {record['kind']} draft was replaced by {article(kind)} in {draft.handle}"
        log.info("Replaced the %s draft for '%s' by %s in %s", record["kind"], summary, article(kind),
                 draft.handle)
    else:
        status = "drafted"
        sentence = f"{article(kind)} was drafted in {draft.handle}"
        log.info("Drafted %s for '%s' in %s%s", article(kind), summary, draft.handle,
                 draft_note(kind, ref, state.acks().get(ref)))
    state.set_followup(ref, kind, draft.handle, status, now, digest=draft.written or draft.digest,
                       kept=handles)
    return DraftOutcome(ref, status, sentence, draft.handle, handles)


def request_of(item: FollowupDue, state: State, config: Config) -> rendering.DraftRequest:
    """The rendering request for one due follow-up (the owner's ``--reason`` included)."""
    ev, verdict = item.interview.event, item.interview.verdict
    return rendering.DraftRequest(
        ref=item.interview.ref, kind=item.kind or "", summary=ev.summary, company=verdict.company,
        start=ev.start, end=ev.end, organizer=ev.organizer, attendees=ev.attendees,
        self_addresses=tuple(a.lower() for a in config.interviews["self"]),
        sender=config.followup["from"], tz=config.tz,
        organizer_name=ev.organizer_name, event_zone=ev.tzid,
        role=verdict.role, description=ev.description,
        language=str(config.followup.get("language") or "auto"),
        reason=state.ack_reasons().get(item.interview.ref, ""))
