"""A short name and the full name the same event spells. Pure.

An invitation's title often shortens its company ("Phone screen – Harlow Regional",
"<brand> – onsite") while its location, a signature line or another title segment writes it in
full ("Harlow Regional Hospital, 12 Mill Rd", "Talent team – Harlow Regional Hospital"). When
the chosen name is whole words of such a longer name, and what the longer one adds is
organisation nouns (Hospital, University, Group, Construction...) or a legal form before it,
the longer one is meant. What the longer name adds must not be a team, a role, a programme, a branch or a
person: "<brand> Staff Software", "<brand> Regional Office" are not the company's full name.
"""

from __future__ import annotations

from syncd import company_words as cw
from syncd.company_features import Features
from syncd.company_spans import ARTICLES, JOINERS, capitalised

# Where a longer candidate stands on its own: a whole title piece, a whole line part of the
# description, the location's first part or its first words.
UNITS = frozenset(("span:whole", "text:line-part", "loc:span:whole", "loc:first"))
# A longer candidate with these is no full name: a person, an agency, a role, a branch, a
# go-between, a name made from a domain.
FLAWS = frozenset(("person", "agency-name", "role-words", "trimmed-branch", "said:via",
                   "said:person", "in-no-field", "digits"))


def in_full(name: str, found: dict[str, Features]) -> str:
    """The longest name of ``found`` that spells ``name`` in full, else ``name`` itself."""
    if not name:
        return name
    best = name
    for longer, features in found.items():
        if len(longer) <= len(best) or not UNITS & features.keys() or FLAWS & features.keys():
            continue
        if completes(name, longer) or ("title-spells" in features and _inside(name, longer)) or (
                _initials_of(name, longer)):
            best = longer
    return best


def completes(short: str, longer: str) -> bool:
    """Whether ``longer`` is ``short`` with organisation words around it: "Harlow Regional"
    in "Harlow Regional Hospital", "Sinar Laut" in "PT Sinar Laut", "Quell" in "Quell Tech".
    Other words a longer name adds are as often a store, a team or a programme ("<brand>
    Supercenter", "<brand> İnsan Kaynakları"), which the company's name is not."""
    before, found, after = f" {longer} ".partition(f" {short} ")
    if not found:
        return False
    head, tail = before.split(), after.split()
    return all(w in cw.LEGAL_BEFORE_WORDS or w in ARTICLES or _org_word(w) for w in head) and all(
        _org_word(w) or w.casefold() in JOINERS or w == "&" for w in tail)


def _org_word(word: str) -> bool:
    folded = word.casefold()
    return capitalised(word) and (folded in cw.ORG_WORDS or folded in cw.NAME_NOUNS)


def _inside(short: str, longer: str) -> bool:
    """``short`` is whole words of ``longer``, and the other words of ``longer`` are words of
    a name, not of an interview ("Home" of "The Home Depot", not "Interview w/")."""
    before, found, after = f" {longer} ".partition(f" {short} ")
    return bool(found) and all(
        w in ARTICLES or w.casefold() in JOINERS or (capitalised(w) and w.casefold() not in
                                                     cw.NOT_NAME)
        for w in (before + " " + after).split())


def _initials_of(short: str, longer: str) -> bool:
    """``short`` is an acronym of ``longer``'s capitalised words ("ACB" of "Alta Costa Bank")."""
    if not (short.isupper() and short.isalpha() and 2 <= len(short) <= 5):
        return False
    words = [w for w in longer.split() if w.casefold() not in JOINERS and w not in ARTICLES]
    return len(words) == len(short) and all(capitalised(w) for w in words) and "".join(
        w[0] for w in words) == short
