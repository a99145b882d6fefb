"""A candidate name as the event writes it, and as a brand rather than a branch. Pure.

Normalising a name to compare it (case folded, spaces and punctuation dropped) must not leak
into what the owner reads: a name made from a domain guesses its letter case ("Bol", "STC"),
a title written in capitals says nothing of case ("FEDEX GROUND"), and a store's location
names a branch ("<brand> Lager", "<brand> <the town the address names>"). Each step here
keeps the event's own spelling of the name, and gives the brand the spans of its branches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice

from syncd import company_words as cw
from syncd.company_features import Features, address_words, branch_tail, fold
from syncd.company_script import foreign_skeleton, latin_skeletons
from syncd.company_spans import ARTICLES, JOINERS


def domain_spellings(found: dict[str, Features], made: Iterable[tuple[str, str, str]],
                     ) -> Iterator[tuple[str, str]]:
    """The names made from each domain, (name, source), unless the event spells one of them:
    then the spans that spell it (in the event's own letter case and spacing: "bol",
    "Template Haus", also in another script: "카카오" for kakaocorp; or the first words of a
    longer span: "State Farm" of "State Farm Claims"; or a word with inner capitals holding
    it: "NordHavn" for havn.no) take the domain's source instead, and the domain's other
    guesses are left out."""
    spelled: dict[str, list[str]] = {}
    begun: dict[str, list[str]] = {}
    # One word with inner capitals that holds the domain's label ("EssilorLuxottica").
    compounds = [n for n in found if " " not in n and any(c.isupper() for c in n[1:])]
    for name in found:
        for key in (fold(name), "skel:" + foreign_skeleton(name)):
            if key != "skel:":
                spelled.setdefault(key, []).append(name)
        tokens = name.split()
        for end in range(1, len(tokens)):
            begun.setdefault(fold(" ".join(tokens[:end])), []).append(" ".join(tokens[:end]))
    by_domain: dict[str, list[tuple[str, str]]] = {}
    for name, source, domain in made:
        by_domain.setdefault(domain, []).append((name, source))
    for guesses in by_domain.values():
        keys = [(fold(name), source) for name, source in guesses]
        spans = [(span, source) for key, source in keys for span in spelled.get(key, ())]
        spans = spans or [(span, source) for name, source in guesses
                          for key in latin_skeletons(fold(name))
                          for span in spelled.get("skel:" + key, ())]
        spans = spans or [(span, source) for key, source in keys if len(key) >= 4
                          for span in begun.get(key, ())]
        spans = spans or [(span, source) for key, source in keys if len(key) >= 5
                          for span in compounds if key in fold(span)]
        yield from spans or guesses


def respell(found: dict[str, Features], title: str, location: str, places: frozenset[str],
            domains: frozenset[str] = frozenset(), body: str = "") -> None:
    """Give a title's capitals and a branch's spans to the names they stand for, and mark the
    names the location opens with, the names that are places and those the title spells.

    ``domains`` are the squashed labels of the hiring company's domains."""
    if _shouted(title):
        _unshout(found)
    _trim_branches(found, places, domains, (title, body))
    _trim_to_domain(found, domains)
    for name in [n for n in found if _common_noun(n)]:
        del found[name]  # "pharmacy", "district office": what, not who
    for name in [n for n in found if n[-1:].isalnum()]:
        if _exclaimed(name, title, body):
            _merge(found, name, name + "!", "exclaimed")
    folded_title = " ".join(title.casefold().split())
    address = address_words(location)
    for name, features in found.items():
        if _begins(location, name):
            features["loc:first"] = 1.0  # "<name>, 5th & Pine", "<name> jobsite trailer"
        if address and all(w.casefold() in address for w in name.split()):
            features["place"] = 1.0  # the town the address ends with
        words = name.split()
        if len(words) > 1 and " ".join(words[1:] if words[0] in ARTICLES else words
                                       ).casefold() in folded_title:
            features["title-spells"] = 1.0  # "The Home Depot" of "INTERVIEW HOME DEPOT"


def _shouted(title: str) -> bool:
    """A title in capitals throughout ("INTERVIEW HOME DEPOT 9AM"): its case tells nothing."""
    letters = [c for c in title if c.isalpha() and c.isascii()]
    return len(letters) >= 8 and all(c.isupper() for c in letters)


def _unshout(found: dict[str, Features]) -> None:
    """A name in capitals that the event also writes in mixed case ("FEDEX GROUND" and
    "FedEx Ground"), or whose first words it writes so ("FEDEX GROUND PKG"), counts as the
    mixed-case spelling: capitals hide where a name ends as well as its case."""
    mixed: dict[str, str] = {}
    for name in found:
        if not name.isupper():
            mixed.setdefault(name.casefold(), name)
    for name in [n for n in found if n.isupper()]:
        words = name.casefold().split()
        for end in range(len(words), 0, -1):
            spelled = mixed.get(" ".join(words[:end]))
            if spelled and (end > 1 or len(words) == 1):
                _merge(found, name, spelled, "unshouted")
                break


def _exclaimed(name: str, title: str, body: str) -> bool:
    """The event writes the name with an exclamation mark each time, and goes on after it on
    the same line ("Interview with Yodel! – Designer"): the mark is part of the name."""
    marks = [m.group(1) for text in (title, body)
             for m in re.finditer(rf"(?<!\w){re.escape(name)}(!?)(?!\w)", text)]
    return bool(marks) and all(marks) and any(
        re.search(rf"(?<!\w){re.escape(name)}! +[^\s!]", text) for text in (title, body))


def _common_noun(name: str) -> bool:
    """A name in lower case made only of words for a kind of place or organisation, or of
    interview words ("pharmacy", "district office"): no company's name."""
    return name.islower() and name.isascii() and all(
        w in cw.ORG_WORDS or w in cw.BRANCH_WORDS or w in cw.NOT_NAME for w in name.split())


def _trim_branches(found: dict[str, Features], places: frozenset[str],
                   domains: frozenset[str] = frozenset(), texts: tuple[str, ...] = ()) -> None:
    """A brand with a branch, office or site after it ("<brand> Lager", "<brand> Regional
    Office") names the brand: its spans count for the brand's own name. But a town after a name
    the hiring company's domain spells whole ("<name> <town>" at name-town.example), or that a
    legal form follows ("<name> <town> GmbH"), is part of the registered name."""
    for name in list(found):
        head = branch_tail(name, places)
        if not head:
            continue
        tail = name[name.find(head) + len(head):].split()
        town = not any(w.casefold() in cw.BRANCH_WORDS for w in tail)
        if not (town and (fold(name) in domains or _registered(name, texts))):
            _merge(found, name, head, "trimmed-branch")


def _registered(name: str, texts: tuple[str, ...]) -> bool:
    """A text writes a legal form right after ``name`` ("Acme Bielefeld GmbH"), among its
    first ten mentions."""
    after = re.compile(rf"(?<!\w){re.escape(name)}[ ,]+([^\s,;:)]+)")
    return any(cw.LEGAL_AFTER.match(match.group(1))
               for text in texts for match in islice(after.finditer(text), 10))


def _trim_to_domain(found: dict[str, Features], domains: frozenset[str]) -> None:
    """A name the domain spells, followed by words that are no organisation's ("<brand>
    Power Day", "<brand> Future Leaders", "<brand> <town>"), names what the domain spells:
    the domain confirms the brand, the rest is a programme, a team or a place."""
    if not domains:
        return
    for name in list(found):
        tokens = name.split()
        if any(t.casefold() in cw.ORG_WORDS for t in tokens):
            continue  # "Hotel Aurora Lisboa": an organisation noun makes it one name
        for end in range(len(tokens) - 1, 0, -1):
            if fold(" ".join(tokens[:end])) in domains:
                joined = tokens[end - 1] == "&" or tokens[end - 1].casefold() in JOINERS
                if not joined and all(_not_org(t) for t in tokens[end:]):  # "<x> A Manger"
                    _merge(found, name, " ".join(tokens[:end]), "domain-trimmed")
                break


def _not_org(token: str) -> bool:
    """A word that makes no organisation's name of a brand: not an organisation noun, a
    country, a joiner, an acronym or legal form ("Bank", "México", "&", "of", "AI", "AS")."""
    folded = token.casefold()
    return not (folded in cw.ORG_WORDS or folded in cw.NAME_NOUNS or folded in cw.COUNTRIES
                or folded in JOINERS or token in ARTICLES or len(token) <= 2
                or (token.isupper() and len(token) <= 4) or any(c.isdigit() for c in token))


def _merge(found: dict[str, Features], name: str, into: str, mark: str) -> None:
    """Move a candidate's features to another spelling, the larger value of each."""
    features = found.pop(name)
    merged = found.setdefault(into, {})
    for key, value in features.items():
        merged[key] = max(merged.get(key, 0.0), value)
    merged[mark] = 1.0


def _begins(location: str, name: str) -> bool:
    """The location opens with the name, the name whole: a comma, a bracket, a number or
    lower-case words come after it ("<name>, 5th & Pine", "<name> jobsite trailer")."""
    if not location.startswith(name):
        return False
    rest = location[len(name):]
    after = rest.lstrip()
    return not after or after[0] in ",;(–—-" or after[0].isdigit() or (
        rest[:1] == " " and after[0].islower())
