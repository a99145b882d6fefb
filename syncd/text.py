"""How user-facing text is worded: counts, articles, and every time, in the owner's zone.

The log, ``status`` and ``--dry-run`` say times through these helpers only, so that an
interview "on Mon 30 Nov 09:00" and its prep block "08:45-09:00" are read on one clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

_owner_zone: tzinfo | None = None


def set_owner_zone(tz: tzinfo) -> None:
    """Name the zone every user-facing time is said in (the config's ``daemon.timezone``)."""
    global _owner_zone
    _owner_zone = tz


def owner_zone() -> tzinfo | None:
    """The zone set by :func:`set_owner_zone`, or None (then the system's local zone is used)."""
    return _owner_zone


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    zone = tz or _owner_zone
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def when(moment: datetime, tz: tzinfo | None = None) -> str:
    """A moment as ``Mon 30 Nov 09:00`` in the owner's zone (or ``tz``)."""
    return _local(moment, tz).strftime("%a %d %b %H:%M")


def clock(moment: datetime, tz: tzinfo | None = None) -> str:
    """Only the time of day, ``09:00``, in the owner's zone (or ``tz``)."""
    return _local(moment, tz).strftime("%H:%M")


def span(start: datetime, end: datetime, tz: tzinfo | None = None) -> str:
    """``Mon 30 Nov 08:45-09:00``; the end's day is named when it differs from the start's."""
    first, last = _local(start, tz), _local(end, tz)
    tail = clock(end, tz) if first.date() == last.date() else when(end, tz)
    return f"{when(start, tz)}-{tail}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 account``, ``2 accounts``; ``many`` for irregular plurals."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def article(word: str) -> str:
    """``a thank-you``, ``an apology``: the indefinite article a word takes, with the word."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def duration(delta: timedelta) -> str:
    """A short human duration: ``45s``, ``4m``, ``1h 5m``, ``3d 2h``."""
    seconds = max(0, round(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"


def ahead(moment: datetime, now: datetime) -> str:
    """How far ahead a moment is: ``in 2h 30m``, ``in 3d 4h``; ``now`` once it has come."""
    return f"in {duration(moment - now)}" if moment > now else "now"


def draft_note(kind: str, ref: str, ack: str | None) -> str:
    """What follows "Drafted an apology for 'X' in PATH": why, and what the owner can do next."""
    if kind == "apology" and ack is None:
        return (": nobody acknowledged the interview by the end of its grace (followup.grace); "
                f"if you attended, `syncd ack {ref} --attended` turns it into a thank-you")
    if kind == "apology":
        return f"; if you did attend after all, `syncd ack {ref} --attended` turns it into a thank-you"
    return ""
