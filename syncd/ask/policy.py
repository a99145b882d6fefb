"""What is due now for each interview's question. Pure: no I/O, ``now`` is a parameter.

An interview is asked about once it has ended plus ``ask.after``, reminded once halfway between
asking and the end of ``followup.grace``, and its question expires at the end of the grace
(when the planner drafts the apology). An acknowledgement given by `syncd ack` closes an open
question, so the channels withdraw theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syncd.ask.questions import OPEN, Question
from syncd.config import Config
from syncd.plan import Interview


@dataclass(frozen=True)
class Due:
    """One step for one interview's question: ask, remind, expire, or close (answered elsewhere)."""

    step: str
    interview: Interview


def due_steps(interviews: Sequence[Interview], acks: Mapping[str, str],
              questions: Mapping[str, Question], config: Config, now: datetime) -> list[Due]:
    """The steps due now, one at most per interview, in the interviews' order."""
    out = []
    for iv in interviews:
        step = _step(iv, acks.get(iv.ref), questions.get(iv.ref), config, now)
        if step:
            out.append(Due(step, iv))
    return out


def _step(iv: Interview, ack: str | None, question: Question | None, config: Config,
          now: datetime) -> str | None:
    deadline = iv.event.end + config.followup["grace"]
    if question is None:
        if ack is not None or iv.event.status == "CANCELLED" or now < iv.event.end + config.ask["after"]:
            return None
        if now < deadline:
            return "ask"
        return "expire" if now - iv.event.end <= config.followup["max_age"] else None
    if question.state not in OPEN:
        return None
    if ack is not None:
        return "close"
    if now >= deadline:
        return "expire"
    asked = question.asked_at or now
    if question.state == "asked" and now >= asked + (deadline - asked) / 2:
        return "remind"
    return None
