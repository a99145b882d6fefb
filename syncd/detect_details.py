"""The details of an interview: how it happens, the role, and whether the title names the
organizer's company. Pure.

:mod:`syncd.detect` decides whether an event is a job interview; for those that are, these
functions read the format from the location, title and description, and the role from the
title and text; whether a title names the organizer's company counts towards the score. The
company's name itself is :mod:`syncd.detect_company`'s. Keyword tables live in
:mod:`syncd.detect_words`.
"""

from __future__ import annotations

import re
import unicodedata

from syncd import detect_words as words


# --- Format --------------------------------------------------------------------------------


def meeting_format(title: str, text: str, location: str) -> str:
    """Say how an interview happens: "in_person", "video", "phone" or "unknown".

    The location is the most deliberate field, so it decides first; then the title; then
    links and phrases in the description; last, any named place counts as somewhere to go.
    """
    place = location.strip()
    decided = _format_from_location(title, text, place) if place else ""
    if decided:
        return decided
    if words.VIDEO.search(title) or words.VIDEO_ONLY_TOOLS.search(text):
        return "video"
    if words.PHONE_TITLE.search(title):
        return "phone"
    if words.VIDEO_LINK.search(text):
        return "video"
    if words.PHONE_CALL.search(title) or words.PHONE_DESCRIPTION.search(text):
        return "phone"
    if words.IN_PERSON.search(title) or (words.IN_PERSON.search(text) and _is_address(text)):
        return "in_person"
    return "in_person" if place and not words.NO_PLACE.match(place) else "unknown"


def _format_from_location(title: str, text: str, location: str) -> str:
    """The format the location implies, or "" when it implies none."""
    if words.VIDEO.search(location) or words.URL.search(location):
        return "video"
    if _is_phone(location):
        return "phone"
    if _is_address(location):
        return "in_person"
    if words.IN_PERSON.search(title) or words.IN_PERSON.search(location):
        return "in_person"
    if words.OFFICE_WORDS.search(location) and words.IN_PERSON.search(text):
        return "in_person"
    return ""


def _is_phone(location: str) -> bool:
    """A location that is a phone number, or says it is a call."""
    number = words.PHONE_NUMBER.search(location)
    if number and sum(c.isdigit() for c in number.group(0)) >= 7:
        rest = location.replace(number.group(0), "")
        return not re.search(r"[^\W\d_]{4,}", rest) or bool(words.PHONE_WORDS.search(rest))
    if words.PHONE_WORDS.match(location):
        return True
    return len(location.split()) <= 4 and bool(words.PHONE_WORDS.search(location))


def _is_address(text: str) -> bool:
    """True when the text contains something shaped like a street address or postcode."""
    return any(pattern.search(text) for pattern in words.STREET_ADDRESS)


# --- Role ----------------------------------------------------------------------------------


def role_name(title: str, text: str) -> str:
    """The job applied for ("Product Analyst"), from the title or else the description."""
    for source in (title, text[:3000]):
        named = words.ROLE_FIELD.search(source)
        if named:
            role = _clean_role(named.group("role"))
            if role:
                return role
        for match in words.ROLE_TITLE.finditer(source):
            role = _clean_role(match.group(0))
            if role:
                return role
    return ""


def _clean_role(raw: str) -> str:
    """A role as a short phrase, "" when it reads like something else."""
    role = " ".join(re.sub(r"[^\w\s/&+.,()'-]", " ", raw).split()).strip(" .,-(")
    parts = role.split()
    if not 1 <= len(parts) <= 8 or parts[0].lower() in ("hiring", "the", "a", "an", "our"):
        return ""
    return role


# --- Company -------------------------------------------------------------------------------


def company_named_in_title(domain: str, title: str) -> str:
    """The name of the company at ``domain`` when the title spells it, else ""."""
    named = _name_from_domain(domain, title, "")
    return named if _spelled_in(squash(named), title) else ""


def _name_from_domain(domain: str, title: str, text: str) -> str:
    """A company's name from its domain, spelled the way the invite spells it if it does."""
    if domain in words.KNOWN_COMPANIES:
        return words.KNOWN_COMPANIES[domain]
    label = squash(domain.partition(".")[0])
    for key in dict.fromkeys((label, words.LABEL_AFFIXES.sub("", label))):
        spelled = len(key) >= 3 and (_spelled_in(key, title) or _spelled_in(key, text[:5000]))
        if spelled:
            return words.LEGAL_SUFFIX.sub("", spelled)
    # Short labels are nearly always initials (sap, ibm, ey).
    return label.upper() if len(label) <= 3 else label.capitalize()


def squash(word: str) -> str:
    """Lower-case ASCII letters and digits only: "Itaú" -> "itau", as domains spell it."""
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def _spelled_in(key: str, text: str) -> str:
    """The capitalised run of up to three words in ``text`` that squashes to ``key``."""
    tokens = list(words.WORD_TOKEN.finditer(text))
    for i, first in enumerate(tokens):
        if not first.group(0)[0].isupper():
            continue
        joined = ""
        for last in tokens[i:i + 3]:
            joined += squash(last.group(0))
            if joined == key:
                return text[first.start():last.end()]
            if not key.startswith(joined):
                break
    return ""
