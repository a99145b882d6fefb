"""Learning from a miss: after a missed interview, more reminders and more time. Pure.

For ``learn.period`` after the owner said they missed an interview, every interview's prep
buffer carries the alarms ``learn.alarms`` and the prep buffer and travel time grow by
``learn.extra``. The result depends only on the acknowledgements and ``now``, so the plan stays
the same throughout the period (no churn) and reverts once, when it ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Learning:
    """In force from the miss until ``until``."""

    missed_at: datetime
    until: datetime
    alarms: tuple[timedelta, ...]
    extra: float

    def widen(self, span: timedelta) -> timedelta:
        """``span`` grown by the extra fraction, to the whole minute."""
        return timedelta(minutes=round(span.total_seconds() * (1 + self.extra) / 60))

    def as_json(self) -> dict[str, Any]:
        """As ``status --json`` shows it."""
        return {"missed_at": self.missed_at.isoformat(), "until": self.until.isoformat(),
                "alarms": [int(a.total_seconds()) for a in self.alarms], "extra": self.extra}


def learning_from(ack_times: Mapping[str, tuple[str, datetime]], learn: Mapping[str, Any],
                  now: datetime) -> Learning | None:
    """The learning in force at ``now``, from the latest miss within ``learn.period``, or None."""
    if not learn["enabled"]:
        return None
    period = learn["period"]
    misses = [at for ack, at in ack_times.values() if ack == "missed" and at <= now < at + period]
    if not misses:
        return None
    last = max(misses)
    return Learning(last, last + period, tuple(learn["alarms"]), learn["extra"])
