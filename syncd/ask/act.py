"""Carrying out an answer: exactly what `syncd ack` does, through the same function.

:func:`syncd.followup.ack.acknowledge` checks the answer fits the interview's time, records it
and acts on the draft; this module only supplies the sink and handles an interview that has
left the calendars meanwhile.
"""

from __future__ import annotations

import logging
from datetime import datetime

from syncd.config import Config
from syncd.followup.ack import AckRefused
from syncd.followup.ack import acknowledge as acknowledge_core
from syncd.plan import Interview, Plan
from syncd.state import State

log = logging.getLogger(__name__)


def acknowledge(config: Config, state: State, ref: str, ack: str, now: datetime,
                interview: Interview | None, reason: str = "") -> list[str]:
    """Record ``ack`` for ``ref`` and make its draft what that asks for; idempotent.

    Acting twice on the same answer (after a crash) writes nothing new: the draft bookkeeping
    and the sink lookup adopt what the first attempt left. An answer that does not fit the
    interview's time is refused with a warning and changes nothing. Returns the outcome's
    sentence (empty when nothing was done).
    """
    from syncd.cycle import Engine

    if interview is None:
        state.set_ack(ref, ack, now, reason)
        log.info("Answer %s for %s recorded; the interview is no longer in the calendars", ack, ref)
        return []
    engine = Engine(config, state)
    try:
        outcome = acknowledge_core(config, state, Plan(interviews=[interview]), ref, ack, now,
                                   engine.drafts, reason=reason)
    except AckRefused as exc:
        log.warning("Answer %s for %s not carried out: %s", ack, ref, exc)
        return []
    finally:
        engine.close()
    return [outcome.sentence]
