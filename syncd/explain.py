"""Why an artifact is removed, in the owner's words: pure, from the plan and the snapshot.

``diff`` only knows that an owned event is no longer wanted; the log, ``--dry-run`` and
``purge`` should say why ("the interview was cancelled", "you declined the interview").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from syncd.config import Config
from syncd.model import Event, Marker, make_ref
from syncd.plan import Interview, Plan, why_inactive
from syncd.reconcile import Op

GONE = "the interview was deleted, or moved beyond the planning horizon"


def explain_removals(ops: Sequence[Op], plan: Plan, events: Sequence[Event],
                     acks: Mapping[str, str], config: Config) -> list[Op]:
    """``ops`` with a ``reason`` on every removal that has none yet."""
    interviews = {iv.event.occurrence: iv for iv in plan.interviews}
    seen = {e.occurrence for e in events if not e.owned}
    out = []
    for op in ops:
        marker = op.owned.event.marker if op.owned is not None else None
        if op.action == "delete" and not op.reason and marker is not None:
            op = replace(op, reason=why_removed(marker, interviews, seen, acks, config))
        out.append(op)
    return out


def why_removed(marker: Marker, interviews: Mapping[str, Interview], seen: set[str],
                acks: Mapping[str, str], config: Config) -> str:
    """One short clause: why the artifact ``marker`` names is no longer wanted."""
    iv = interviews.get(marker.source)
    if iv is None:
        return "it no longer looks like an interview" if marker.source in seen else GONE
    inactive = why_inactive(iv.event, config)
    if inactive == "cancelled":
        return "the interview was cancelled"
    if inactive == "declined":
        return "you declined the interview"
    uid, _, rid = marker.source.partition(";RECURRENCE-ID=")
    if acks.get(make_ref(uid, rid or None)) == "cannot-attend":
        return "you cannot attend (syncd ack --cannot-attend)"
    if marker.kind == "conflict":
        return "the double booking is gone"
    return "the interview changed (its time, place or format)"

