"""A fast reader for the common event, beside the full iCalendar parser.

Most resources a calendar holds are one plain meeting: a VEVENT without recurrence, with UTC
or well-known zoned times and a dozen short properties. icalendar's parser builds a typed
object for every property of such a file, which made parsing most of a first sync's CPU
time. :func:`read_plain` reads only the properties syncd uses, straight from the content lines
(RFC 5545 3.1), and gives up, returning None, on anything it is not sure of: recurrence
other than one RRULE (RDATE, EXDATE, a moved occurrence), a
component other than VEVENT/VALARM/VTIMEZONE, an unknown zone, a parameter or an escape it
does not handle, a repeated property, a property it does not know. The caller then uses the
full parser, so the two paths give the same events by construction of this rule, and the
tests check it on every real-world file of the robustness corpus and on random events.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# icalendar's own unfolding rule, so that both paths see the same logical lines.
_UNFOLD = re.compile(r"(?:(?<!\n)\r\n|(?<![\r\n])\n)(?:\r?\n)*[ \t]")
_LINE = re.compile(r"([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:\"[^\"]*\"|[^\";:,]*))*):(.*)",
                   re.DOTALL)
# Every line of a text: (name, ":" or ";" after it, the rest), or ("", "", line) for a line
# that does not start with a name (empty, or no content line).
_LINES = re.compile(r"^(?:([A-Za-z0-9-]+)([;:]))?(.*)$", re.MULTILINE)
_PARAM = re.compile(r";([A-Za-z0-9-]+)=(\"[^\"]*\"|[^\";:,]*)")
_DATETIME = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")
_DURATION = re.compile(r"P(?:(\d{1,5})W|(?:(\d{1,5})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,5})M)?"
                       r"(?:(\d{1,5})S)?)?)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXT_ESCAPES = {"\\": "\\", ";": ";", ",": ",", "n": "\n", "N": "\n", ":": ":"}
_BAD_ESCAPE = re.compile(r"\\(?:[^\\;,nN:]|$)")

TEXT = ("SUMMARY", "DESCRIPTION", "LOCATION", "STATUS", "TRANSP",
        "X-SYNCD-KIND", "X-SYNCD-SOURCE", "X-SYNCD-KEY")
_TEXT = frozenset(TEXT)
SINGLE = {"UID", "DTSTART", "DTEND", "DURATION", "ORGANIZER", "RRULE", *TEXT}
# Properties a plain event may carry that syncd never reads.
IGNORED = {"DTSTAMP", "SEQUENCE", "CREATED", "LAST-MODIFIED", "CLASS", "PRIORITY", "URL",
           "GEO", "COMMENT", "CONTACT", "RELATED-TO", "RESOURCES", "ATTACH", "REQUEST-STATUS"}
SKIPPED_COMPONENTS = {"VALARM", "VTIMEZONE", "STANDARD", "DAYLIGHT"}


_CHILDREN: dict[str | None, tuple[str, ...]] = {
    None: ("VCALENDAR",), "VCALENDAR": ("VEVENT", "VTIMEZONE"), "VEVENT": ("VALARM",),
    "VTIMEZONE": ("STANDARD", "DAYLIGHT")}


class _Odd(Exception):
    """Something this reader does not handle: leave the resource to the full parser."""


def read_plain(text: str) -> list[dict[str, Any]] | None:
    """The VEVENTs of ``text`` as property maps, or None when the full parser is needed.

    Each map holds the raw values syncd reads: ``UID`` and the TEXT properties as unescaped
    strings, ``DTSTART``/``DTEND`` as date or datetime (aware unless floating),
    ``DURATION`` as a timedelta, ``ORGANIZER`` as its raw value (its CN as ``ORGANIZER-CN``),
    ``ATTENDEE`` as a list of (value, CN, PARTSTAT) triples, CN and PARTSTAT None where
    absent, and ``RRULE`` as its raw value (:mod:`providers.ical_series` decides whether it
    can expand it).
    """
    if _CONTROL.search(text):
        return None  # RFC 5545 forbids them in values; icalendar has its own ways with them
    try:
        folded = "\n " in text or "\n\t" in text
        return _read(_UNFOLD.sub("", text) if folded else text)
    except _Odd:
        return None


def _read(text: str) -> list[dict[str, Any]]:
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        raise _Odd  # a bare CR: icalendar decides what that means
    stack: list[str] = []
    events: list[dict[str, Any]] = []
    event: dict[str, Any] | None = None  # the VEVENT whose properties come now, if any
    for name, sep, value in _LINES.findall(text):
        if sep == ":":  # most lines have no parameters
            name, params = name.upper(), ""
        elif sep:
            name, params, value = _split(f"{name};{value}")
        elif value:
            raise _Odd  # a line that is no content line
        else:
            continue  # an empty line
        if name == "BEGIN" or name == "END":
            _nest(stack, name, value.upper(), events)
            event = events[-1] if stack and stack[-1] == "VEVENT" else None
        elif event is not None:
            if name in IGNORED:
                continue
            if not params and name in _TEXT and name not in event:
                event[name] = _text(value)  # the usual SUMMARY, LOCATION, ...
            else:
                _property(event, name, params, value)
        elif not stack:
            raise _Odd
    if stack or not events:
        raise _Odd
    return events


def glance(text: str) -> tuple[str, str] | None:
    """(SUMMARY, LOCATION) of the one component of ``text`` that has them, unfolded and
    unescaped, found without reading the rest ("" for one that is absent); None when either
    is there twice (a series with a moved occurrence, an alarm with a title) or its value
    has an escape this reader does not handle. A look, not a reading: :func:`read_plain` and
    the full parser decide what the resource holds."""
    found: dict[str, str] = {}
    for match in _GLANCE.finditer(text):
        name = match.group(1).upper()
        if name in found:
            return None
        found[name] = match.group(2)
    try:
        return (_text(_UNFOLD.sub("", found.get("SUMMARY", ""))).rstrip("\r"),
                _text(_UNFOLD.sub("", found.get("LOCATION", ""))).rstrip("\r"))
    except _Odd:
        return None


_GLANCE = re.compile(r"^(SUMMARY|LOCATION)(?:;[A-Za-z0-9-]+=(?:\"[^\"]*\"|[^\";:,]*)"
                     r"(?:,(?:\"[^\"]*\"|[^\";:,]*))*)*:([^\n]*(?:\n[ \t][^\n]*)*)",
                     re.MULTILINE | re.IGNORECASE)


def _split(line: str) -> tuple[str, str, str]:
    """(NAME, ";params", value) of one content line, by the full content-line pattern."""
    match = _LINE.fullmatch(line)
    if match is None:
        raise _Odd
    return match.group(1).upper(), match.group(2), match.group(3)


def _nest(stack: list[str], verb: str, component: str, events: list[dict[str, Any]]) -> None:
    if verb == "END":
        if not stack or stack.pop() != component:
            raise _Odd
        return
    parent = stack[-1] if stack else None
    if parent is None and events:
        raise _Odd  # a second VCALENDAR in one resource
    if component not in _CHILDREN.get(parent, ()):
        raise _Odd
    stack.append(component)
    if component == "VEVENT":
        events.append({})


def _property(event: dict[str, Any], name: str, params: str, value: str) -> None:
    if name in IGNORED or (name.startswith("X-") and not name.startswith("X-SYNCD-")):
        return
    if name in SINGLE and name in event:
        raise _Odd  # icalendar keeps a list then; let it decide what that means
    found = _params(params)
    if name == "ATTENDEE":
        event.setdefault("ATTENDEE", []).append(
            (value, found.get("CN"), found.get("PARTSTAT")))
    elif name == "ORGANIZER":
        event[name], event["ORGANIZER-CN"] = value, found.get("CN")
    elif name in ("DTSTART", "DTEND"):
        event[name] = _date_value(value, found)
    elif name == "DURATION" and not found:
        event[name] = _duration(value)
    elif name in ("UID", "RRULE") and not found:
        event[name] = value
    elif name in TEXT and not set(found) - {"LANGUAGE", "ALTREP"}:
        event[name] = _text(value)
    else:
        raise _Odd  # RRULE, RECURRENCE-ID, CATEGORIES, ... or a parameter we do not know


def _params(params: str) -> dict[str, str]:
    if not params:
        return {}
    out = {}
    for key, value in _PARAM.findall(params):
        key = key.upper()
        if key in out or "\\" in value or "^" in value:
            raise _Odd
        out[key] = value[1:-1] if value.startswith('"') else value
    return out


def _text(value: str) -> str:
    if "\\" not in value:
        return value
    if _BAD_ESCAPE.search(value):
        raise _Odd
    return re.sub(r"\\(.)", lambda m: _TEXT_ESCAPES[m.group(1)], value)


def _date_value(value: str, params: dict[str, str]) -> date | datetime:
    if set(params) - {"TZID", "VALUE"}:
        raise _Odd
    kind = params.get("VALUE", "").upper()
    match = _DATETIME.fullmatch(value)
    if match is None or kind not in ("", "DATE", "DATE-TIME"):
        raise _Odd
    y, mo, d, h, mi, s, utc = match.groups()
    if (kind == "DATE") != (h is None) or (h is None and "TZID" in params):
        raise _Odd
    try:
        if h is None:
            return date(int(y), int(mo), int(d))
        if utc and "TZID" in params:
            raise _Odd
        zone = _zone("UTC" if utc else params["TZID"]) if utc or "TZID" in params else None
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=zone)
    except ValueError as exc:  # February 30th and friends: the full parser explains them
        raise _Odd from exc


@lru_cache(maxsize=256)
def _known_zone(tzid: str) -> ZoneInfo | None:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*", tzid):
        return None  # Windows names, "Customized Time Zone", paths: icalendar maps those
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zone(tzid: str) -> ZoneInfo:
    zone = _known_zone(tzid)
    if zone is None:
        raise _Odd
    return zone


def _duration(value: str) -> timedelta:
    match = _DURATION.fullmatch(value.lstrip("+"))
    if match is None or value == "P" or value.endswith("T"):
        raise _Odd
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
