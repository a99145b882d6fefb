"""Carrying out an answer: exactly what `syncd ack` does, through the same functions.

TODO(followup): when ``syncd.followup`` grows its one acknowledgement function, this module
calls it instead of composing ``set_ack`` and ``apply_followups`` itself.
"""

from __future__ import annotations

import logging
from datetime import datetime

from syncd.config import Config
from syncd.cycle import apply_followups
from syncd.plan import Interview, plan_followups
from syncd.state import State

log = logging.getLogger(__name__)


def acknowledge(config: Config, state: State, ref: str, ack: str, now: datetime,
                interview: Interview | None) -> list[str]:
    """Record ``ack`` for ``ref`` and make its draft what that asks for; idempotent.

    Acting twice on the same answer (after a crash) writes nothing new: the draft bookkeeping
    and the Maildir lookup in ``apply_followups`` adopt what the first attempt left.
    Returns the sentences ``apply_followups`` reports.
    """
    state.set_ack(ref, ack, now)
    if interview is None:
        log.info("Answer %s for %s recorded; the interview is no longer in the calendars", ack, ref)
        return []
    return apply_followups(plan_followups([interview], {ref: ack}, config, now), state, config, now)
