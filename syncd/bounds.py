"""Every cap that keeps one stranger's invitation from costing unbounded time or memory.

An invitation is written by whoever sends it. Whatever it says, one event may cost only a
bounded share of a cycle: its text is read up to a length, its recurrence expanded up to a
number of occurrences, its overlaps reported up to a number (README.md, "Invitations written
by strangers"). The numbers sit far above anything a real calendar holds (the detector's corpus
has titles of at most 138 characters and descriptions of at most 4,250) and far below what
would slow a cycle down.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

# What the detector reads of each field. A title or place longer than this says nothing
# more about an interview; an address longer than RFC 5321's 254 characters is not one.
MAX_TITLE = 300
MAX_LOCATION = 300
MAX_ADDRESS = 320
MAX_DESCRIPTION = 10_000
MAX_ATTENDEES = 100  # invitees read per event; a panel is a handful, a town hall is no interview

# Occurrences of one recurring series kept within the planning window (the earliest ones):
# a daily series over a year of window is 366, a weekday-hourly one over a month about 500.
MAX_OCCURRENCES = 1000


def clip(text: str | None, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters ("" for None)."""
    if not text:
        return ""
    return text if len(text) <= limit else text[:limit]


def detector_fields(summary: str | None, description: str | None, location: str | None,
                    organizer: str | None, attendees: Iterable[str] | None
                    ) -> tuple[str, str, str, str, tuple[str, ...]]:
    """The fields of an event as far as the detector reads them: each cut to its cap.

    Returns (summary, description, location, organizer, attendees) with every text at most
    its ``MAX_*`` length and at most :data:`MAX_ATTENDEES` attendees, in their order.
    """
    people = tuple(islice(attendees or (), MAX_ATTENDEES))
    try:  # the usual case, checked at C speed: every attendee a string within the cap
        fits = max(map(len, people), default=0) <= MAX_ADDRESS
    except TypeError:  # a None among them
        fits = False
    if not fits:
        people = tuple(clip(a, MAX_ADDRESS) for a in people)
    return (clip(summary, MAX_TITLE), clip(description, MAX_DESCRIPTION),
            clip(location, MAX_LOCATION), clip(organizer, MAX_ADDRESS), people)

# Double bookings listed: each event in at most this many, and at most MAX_CONFLICTS pairs of
# two ordinary events in one report (an interview's conflicts are listed beyond that). 3,000
# events at one time overlap in 4.5 million pairs; the report lists a bounded few and counts
# the rest.
MAX_OVERLAPS_PER_EVENT = 20
MAX_CONFLICTS = 500
MAX_MARKERS_PER_INTERVIEW = 5  # conflict markers written for one interview; the rest are counted

# Interviews planned per recurring series (the earliest in the window): a series that looks
# like an interview a thousand times is not a thousand interviews.
MAX_INTERVIEWS_PER_SERIES = 10

# Lines of news one cycle logs about conflicts; `syncd status` lists the rest.
MAX_CONFLICT_LINES = 20
MAX_NOTES = 10  # sentences about what was capped, per plan
MAX_STATUS_CONFLICTS = 100  # double bookings `syncd status` lists, the earliest first
