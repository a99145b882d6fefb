"""The windows a cycle works in: the planning window and the snapshot around it.

Kept apart from :mod:`syncd.plan` so that a cycle can work out what to sync without loading
the planner (and the detector behind it): an idle ``syncd once`` may never plan at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from syncd.model import Window

if TYPE_CHECKING:
    from syncd.config import Config

MARGIN = timedelta(days=1)  # plan a little beyond the window so its edges do not churn
HOUR = timedelta(hours=1)


def planning_window(config: Config, now: datetime) -> Window:
    """The window of occurrences the planner looks at: recent past to the horizon."""
    back = max(config.followup["max_age"] + config.followup["grace"], timedelta(days=1))
    return Window(now - back, now + config.daemon["horizon"])


def outer_window(config: Config, now: datetime) -> Window:
    """The planning window widened by ``MARGIN`` on both sides: what a cycle syncs."""
    window = planning_window(config, now)
    return Window(window.start - MARGIN, window.end + MARGIN)


def whole_hours(window: Window) -> Window:
    """``window`` widened to whole hours, so that its edges move once an hour, not every
    cycle: within an hour the snapshot of an unchanged cache is the same."""
    start = window.start.replace(minute=0, second=0, microsecond=0)
    end = window.end.replace(minute=0, second=0, microsecond=0) + HOUR
    return Window(start, end)


def snapshot_window(config: Config, now: datetime) -> Window:
    """What a cycle syncs and plans over: the outer window in whole hours. The same window
    for both, so that the snapshot uses the series the sync has just expanded."""
    return whole_hours(outer_window(config, now))


def next_hour_edge(config: Config, now: datetime) -> datetime:
    """The first instant after ``now`` at which ``whole_hours(outer_window(...))`` moves."""
    outer = outer_window(config, now)
    return now + min(edge.replace(minute=0, second=0, microsecond=0) + HOUR - edge
                     for edge in (outer.start, outer.end))
