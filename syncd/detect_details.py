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
