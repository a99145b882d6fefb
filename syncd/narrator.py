"""Cycle reports in plain sentences: each interview and double booking is said once.

Used by ``syncd run`` and ``syncd once`` alike; kept apart from :mod:`syncd.daemon`, so that
``syncd once`` does not load the daemon's loop, schedule and signals to say what it found.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from syncd.bounds import MAX_CONFLICT_LINES
from syncd.text import plural, when

if TYPE_CHECKING:
    from syncd.config import Config
    from syncd.cycle import Report
    from syncd.plan import Interview

log = logging.getLogger("syncd")


class Narrator:
    """Turns cycle reports into sentences, saying each interview and conflict once."""

    def __init__(self, tz: tzinfo, config: Config | None = None) -> None:
        self.tz = tz
        self.config = config
        self.interviews: set[str] = set()
        self.conflicts: set[tuple[str, str, str]] = set()
        self.notes: set[str] = set()

    def tell(self, report: Report) -> None:
        """Log what is new in ``report`` (failed accounts are logged where they fail).

        Interviews and the overlaps that touch one go to INFO; overlaps between ordinary
        meetings only to DEBUG (``status --json`` lists them all).
        """
        for iv in report.plan.interviews:
            if iv.ref not in self.interviews:
                self.interviews.add(iv.ref)
                self._tell_interview(iv)
        concern = {iv.event.occurrence for iv in report.plan.interviews}
        told = untold = 0
        for c in report.plan.conflicts:
            key = (c.kind, c.a.occurrence, c.b.occurrence)
            if key in self.conflicts:
                continue
            self.conflicts.add(key)
            ours = c.a.marker is not None or c.b.marker is not None
            level = logging.INFO if ours or {c.a.occurrence, c.b.occurrence} & concern else logging.DEBUG
            if level == logging.INFO and told == MAX_CONFLICT_LINES:
                untold += 1
                continue
            told += level == logging.INFO
            what = "Double booking" if c.kind == "hard" else "Tight squeeze"
            log.log(level, "%s on %s: '%s' (%s) overlaps '%s' (%s)", what, when(c.start, self.tz),
                    c.a.summary, c.a.account, c.b.summary, c.b.account)
        if untold:
            log.info("%s more; `syncd status` lists them", plural(untold, "double booking"))
        for note in report.plan.notes:
            if note not in self.notes:
                self.notes.add(note)
                log.warning("%s", note)

    def _tell_interview(self, iv: Interview) -> None:
        from syncd.plan import why_inactive  # loaded by the planning pass that made ``iv``

        inactive = why_inactive(iv.event, self.config) if self.config else None
        if inactive:
            log.info("%s: [%s] '%s' on %s was %s: no blocks, no follow-up", iv.event.account, iv.ref,
                     iv.event.summary, when(iv.event.start, self.tz), inactive)
            return
        log.info("%s: Interview [%s] '%s' on %s (%s, score %.2f): %s", iv.event.account,
                 iv.ref, iv.event.summary, when(iv.event.start, self.tz), iv.verdict.format.replace("_", " "),
                 iv.verdict.score, "; ".join(iv.verdict.reasons))
        if log.isEnabledFor(logging.DEBUG):  # -v: why it is (not) in person, so (not) travelled to
            from syncd.detect import format_reasons_of

            log.debug("[%s] %s: %s", iv.ref, iv.verdict.format.replace("_", " "),
                      "; ".join(format_reasons_of(iv.event)) or "nothing says how or where")

    @staticmethod
    def summary(report: Report, accounts: Sequence[str], failing: Sequence[str], now: datetime) -> str:
        """One line for systemd's STATUS=, e.g. "3 accounts ok, 2 interviews ahead, 1 conflict"."""
        parts = [plural(len(accounts) - len(failing), "account") + " ok"]
        if failing:
            parts.append(f"{len(failing)} failing ({', '.join(failing)})")
        ahead = sum(1 for iv in report.plan.interviews if iv.event.start > now)
        hard = sum(1 for c in report.plan.conflicts if c.kind == "hard")
        parts += [plural(ahead, "interview") + " ahead", plural(hard, "conflict")]
        return ", ".join(parts)
