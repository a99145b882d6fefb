"""Windows time zones as Exchange reports them, mapped to IANA zones.

exchangelib reads an item's ``StartTimeZone`` by its ``Id`` alone and gives up (a warning, and
no zone) on anything outside the CLDR table: the "Customized Time Zone" that iCalendar imports
and some clients write, and localized names ("Mitteleuropäische Zeit", "(UTC+01:00) Amsterdam,
Berlin, Bern, Rom, Stockholm, Wien"). Without a zone, an all-day item's date is taken in the
machine's zone and may land on the wrong day. :func:`install` makes exchangelib resolve such
zones here: the CLDR id, then the localized names below, then the UTC offset written in the
name, then the definition's own standard bias, and last the account's default zone.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from xml.etree.ElementTree import Element

from exchangelib import EWSTimeZone
from exchangelib.errors import UnknownTimeZone
from exchangelib.fields import TimeZoneField
from exchangelib.util import TNS

# Localized standard names and display-name cities (de, fr, es, it, nl, en) -> IANA.
LOCALIZED = {
    "mitteleuropäische zeit": "Europe/Berlin", "heure de l’europe centrale": "Europe/Paris",
    "heure de l'europe centrale": "Europe/Paris", "hora de europa central": "Europe/Madrid",
    "ora dell'europa centrale": "Europe/Rome", "w. europa (standaardtijd)": "Europe/Amsterdam",
    "romance (heure standard)": "Europe/Paris", "westeuropäische zeit": "Europe/London",
    "osteuropäische zeit": "Europe/Bucharest", "greenwich mean time": "Europe/London",
    "amsterdam": "Europe/Berlin", "berlin": "Europe/Berlin", "wien": "Europe/Berlin",
    "vienne": "Europe/Berlin", "viena": "Europe/Berlin", "bruxelles": "Europe/Paris",
    "brüssel": "Europe/Paris", "bruselas": "Europe/Paris", "paris": "Europe/Paris",
    "madrid": "Europe/Paris", "dublin": "Europe/London", "london": "Europe/London",
    "londres": "Europe/London", "lissabon": "Europe/London", "lisboa": "Europe/London",
    "helsinki": "Europe/Helsinki", "athen": "Europe/Athens", "athènes": "Europe/Athens",
    "moskau": "Europe/Moscow", "moscou": "Europe/Moscow",
    "ostküste": "America/New_York", "heure de l'est": "America/New_York",
    "hora del este": "America/New_York", "pazifik": "America/Los_Angeles",
    "heure du pacifique": "America/Los_Angeles", "hora del pacífico": "America/Los_Angeles",
    "tokio": "Asia/Tokyo", "tokyo": "Asia/Tokyo",
}
_OFFSET = re.compile(r"\((?:UTC|GMT)\s*([+-])(\d{1,2}):?(\d{2})?\)")
_BIAS = re.compile(r"^(-)?P(?:\d+D)?T?(?:(\d+)H)?(?:(\d+)M)?")
_installed = threading.Lock()
_done = False


def from_names(zone_id: str | None, name: str | None) -> EWSTimeZone | None:
    """The zone a Windows id or a (localized) display name stands for, or None."""
    for text in (zone_id, name):
        if not text:
            continue
        try:
            return EWSTimeZone.from_ms_id(text)
        except UnknownTimeZone:
            pass
        lowered = text.casefold()
        for needle, iana in LOCALIZED.items():
            if needle in lowered:
                return EWSTimeZone(iana)
        match = _OFFSET.search(text)
        if match:
            return fixed_offset(match.group(1) == "-", int(match.group(2)), int(match.group(3) or 0))
    return None


def from_bias(bias: str | None) -> EWSTimeZone | None:
    """A zone for an EWS ``Bias`` duration (UTC minus local time: ``-PT1H`` is UTC+01:00)."""
    match = _BIAS.match(bias or "")
    if not match or not (match.group(2) or match.group(3)):
        return None
    # A negative bias is a zone east of Greenwich.
    return fixed_offset(not match.group(1), int(match.group(2) or 0), int(match.group(3) or 0))


def fixed_offset(west: bool, hours: int, minutes: int) -> EWSTimeZone | None:
    """An Etc/GMT zone for a whole-hour offset (IANA's sign is inverted); None otherwise."""
    if minutes or hours > 14:
        return None
    if hours == 0:
        return EWSTimeZone("UTC")
    try:
        return EWSTimeZone(f"Etc/GMT{'+' if west else '-'}{hours}")
    except UnknownTimeZone:
        return None


def resolve(elem: Element, fallback: Any) -> Any:
    """The zone of a ``StartTimeZone``/``EndTimeZone``/``MeetingTimeZone`` element."""
    found = from_names(elem.get("Id"), elem.get("Name"))
    if found is None:
        period = elem.find(f"{{{TNS}}}Periods/{{{TNS}}}Period")
        found = from_bias(period.get("Bias") if period is not None else elem.findtext(f"{{{TNS}}}BaseOffset"))
    return found if found is not None else fallback


def install() -> None:
    """Make exchangelib read time-zone fields through :func:`resolve` (once per process)."""
    global _done
    with _installed:
        if _done:
            return

        def from_xml(self: TimeZoneField, elem: Element, account: Any) -> Any:
            field_elem = elem.find(self.response_tag())
            if field_elem is None:
                return self.default
            fallback = getattr(account, "default_timezone", None) if account is not None else None
            return resolve(field_elem, fallback)

        TimeZoneField.from_xml = from_xml
        _done = True
