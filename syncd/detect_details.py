"""Whether an interview's title names the organizer's company. Pure.

Whether a title names the organizer's company counts towards the score. The company's name
itself is :mod:`syncd.detect_company`'s, the format :mod:`syncd.detect_format`'s and the
role :mod:`syncd.detect_role`'s. Keyword tables live in :mod:`syncd.detect_words`.
"""

from __future__ import annotations

import re
import unicodedata

from syncd import detect_words as words


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
