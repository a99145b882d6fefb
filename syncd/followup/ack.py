"""Acknowledging an interview: the one function every channel calls.

``syncd ack`` on the command line, the web page, an ntfy reply and a desktop action all call
:func:`acknowledge`, so they check the same things, change the state the same way, act on the
draft the same way and say the outcome in the same one sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from syncd.config import Config
from syncd import text
from syncd.errors import SyncdError
from syncd.followup.drafting import DraftOutcome, draft_one
from syncd.followup.render import one_line
from syncd.followup.sink import DraftSink
from syncd.plan import Interview, Plan, plan_followups

log = logging.getLogger(__name__)

ACKS = ("attended", "missed", "cannot-attend", "dismissed")
WITH_REASON = ("missed", "cannot-attend")
MAX_REASON = 500  # characters: one honest sentence, not a letter
WHY = {"attended": "attended", "missed": "missed", "cannot-attend": "cannot attend",
       "dismissed": "dismissed"}


class AckRefused(SyncdError):
    """The acknowledgement does not fit (unknown REF, wrong time, bad reason); nothing changed.

    ``str(exc)`` is the one sentence to show the owner; the CLI exits 1 with it.
    """


@dataclass(frozen=True)
class AckOutcome:
    """What an acknowledgement did: ``sentence`` says it in one sentence."""

    ref: str
    ack: str
    sentence: str
    draft: DraftOutcome | None


def find_interview(plan: Plan, ref: str) -> Interview:
    """The one interview whose REF starts with ``ref`` (case-insensitive). Raises AckRefused."""
    wanted = ref.strip().lower()
    matches = [iv for iv in plan.interviews if wanted and iv.ref.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    shown = one_line(ref)[:40]
    if not matches:
        raise AckRefused(f"No interview has the REF {shown!r}; `syncd status` lists them.")
    raise AckRefused(f"{len(matches)} interviews have a REF starting with {shown!r}; give more "
                     "of it, as `syncd status` prints it.")


def check_fit(iv: Interview, ack: str, reason: str, now: datetime, tz: ZoneInfo) -> None:
    """Raise AckRefused unless ``ack`` (and ``reason``) fit the interview's time (README.md, "Commands")."""
    if ack not in ACKS:
        raise AckRefused(f"Unknown acknowledgement {ack!r}; expected one of {', '.join(ACKS)}.")
    title, ev = _title(iv), iv.event
    if ack in ("attended", "missed") and now < ev.start:
        raise AckRefused(f"{title} starts {_when(ev.start, tz)}, so it cannot be marked {ack} "
                         "yet; use --cannot-attend to ask for a new time.")
    if ack == "cannot-attend" and now >= ev.end:
        raise AckRefused(f"{title} ended {_when(ev.end, tz)}, so it is too late for "
                         "--cannot-attend; use --missed or --attended.")
    if len(reason) > MAX_REASON:
        raise AckRefused(f"The reason is {len(reason)} characters long; keep it to one sentence "
                         f"of at most {MAX_REASON}.")


def acknowledge(config: Config, state, plan: Plan, ref: str, ack: str, now: datetime,
                sink: DraftSink | Callable[[], DraftSink], reason: str = "") -> AckOutcome:
    """Record the owner's answer about an interview and act on its draft, as ``syncd ack`` does.

    Takes the config, the open :class:`syncd.state.State`, a plan over the current cache
    (``syncd.status.current_plan``), the REF (or a unique prefix), the acknowledgement (one of
    :data:`ACKS`), the time, the draft sink (or a function that opens it, called only when a
    draft must change) and an optional one-sentence reason (kept
    only with missed and cannot-attend). Returns an :class:`AckOutcome`.
    Raises :class:`AckRefused`, with nothing changed, when the REF matches no single
    interview or the acknowledgement does not fit its time. A draft that cannot be written now
    (the mail server is down) does not undo the acknowledgement: the outcome says so and the
    daemon drafts it in a later cycle.
    """
    reason = one_line(reason) if ack in WITH_REASON else ""  # the CLI refuses it elsewhere
    iv = find_interview(plan, ref)
    check_fit(iv, ack, reason, now, config.tz)
    previous = state.acks().get(iv.ref)
    state.set_ack(iv.ref, ack, now, reason)
    opened = sink if isinstance(sink, DraftSink) else None
    try:
        draft = None
        for due in plan_followups([iv], {iv.ref: ack}, config, now):
            if opened is None:
                opened = sink()  # type: ignore[operator]
            draft = draft_one(due, state, config, now, opened, refresh=bool(reason))
    finally:
        if opened is not None and opened is not sink:
            opened.close()
    sentence = _sentence(iv, ack, previous, draft)
    log.info("%s", sentence)
    return AckOutcome(iv.ref, ack, sentence, draft)


def _sentence(iv: Interview, ack: str, previous: str | None, draft: DraftOutcome | None) -> str:
    again = " again" if previous == ack else ""
    head = f"{_title(iv)} [{iv.ref}] is marked {WHY[ack]}{again}"
    if draft is None:
        return head + "."
    return f"{head}: {draft.sentence}."


def _title(iv: Interview) -> str:
    return "'" + one_line(iv.event.summary)[:80] + "'"


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return "on " + text.when(moment, tz)
