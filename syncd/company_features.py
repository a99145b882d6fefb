"""What each candidate company name looks like: the ranker's features. Pure.

The name's own words (how many, capitalised, interview or role words, an organisation noun),
how the sender's domain spells it (fully, its start, its initials, an agency's), whether a
mailbox or a greeting says it is a person, and how it relates to the event's other
candidates (a shorter one inside it, a longer one around it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from syncd import company_words as cw
from syncd import detect_words as words
from syncd.company_spans import (ARTICLES, JOINERS, GREETINGS, capitalised, company_domains,
                                 is_agency, not_name, script, words_of)
from syncd.detect_details import squash
from syncd.detect_parties import Parties, bare_address

Features = dict[str, float]


def domain_keys(parties: Parties) -> list[tuple[str, str]]:
    """Squashed keys of the domain labels a name may spell: (key, role)."""
    keys: list[tuple[str, str]] = []
    for domain, role in company_domains(parties):
        label = domain.partition(".")[0]
        for key in dict.fromkeys((fold(label), fold(words.LABEL_AFFIXES.sub("", label)))):
            if len(key) >= 2:
                keys.append((key, role))
        if "-" in label:
            keys += [(fold(p), f"{role}-part") for p in label.split("-") if len(p) >= 3]
    for domain in parties.outside[:4]:
        if is_agency(domain):
            keys.append((fold(domain.partition(".")[0]), "agency"))
    return keys


fold = lru_cache(maxsize=16384)(squash)


def person_words(addresses: Iterable[str]) -> frozenset[str]:
    """The name parts of mailboxes ("jane.doe@x" -> jane, doe), as squashed words."""
    found: set[str] = set()
    for address in addresses:
        local, _, domain = bare_address(address).partition("@")
        if domain in _PLATFORMS:  # datadog@myworkday.com, olivia.acme@paradox.ai: no person
            continue
        parts = [p for p in re.split(r"[._\-+\d]+", local.casefold()) if len(p) >= 3]
        found.update(parts)
        if len(parts) == 1 and len(parts[0]) >= 5:
            found.add(parts[0][1:])  # an initial and a surname: "npark" -> park
    return frozenset(found - _NOT_PERSON)


_PLATFORMS = words.TENANT_PLATFORMS | words.PLATFORM_DOMAINS
_NOT_PERSON = frozenset("""recruiting recruiter recruitment careers career jobs talent hr noreply
    reply notifications interviews hiring team info admin contact people rekrutacja rh""".split())


def greeted(body: str) -> frozenset[str]:
    """Names the description greets ("Hi Fatima," -> fatima): people, not companies."""
    found: set[str] = set()
    for line in body.splitlines()[:3]:
        tokens = words_of(line, 4)
        if len(tokens) >= 2 and tokens[0].casefold() in GREETINGS:
            found.add(fold(tokens[1]))
    return frozenset(found)


def describe(name: str, features: Features, domains: list[tuple[str, str]],
              lowered: tuple[str, str, str]) -> None:
    """Add what the name itself says, where else the event spells it, and what the domain
    says of it."""
    features.update(_name_features(name))
    folded = name.casefold()
    seen = [folded in value for value in lowered]
    for field, found in zip(("title", "text", "location"), seen):
        if found:
            features[f"in:{field}"] = 1.0
    features["fields"] = sum(seen) / 3
    if not any(seen):
        features["in-no-field"] = 1.0
        if not lowered[0].isascii() and any(c.isalpha() and not c.isascii() for c in lowered[0]):
            features["in-no-field&native-title"] = 1.0
    if domains and any(seen):  # a name made from the domain spells it by itself
        features.update(_domain_features(name, tuple(domains)))


@lru_cache(maxsize=8192)
def _name_features(name: str) -> tuple[tuple[str, float], ...]:
    """What a name says by itself: its words, its script, role or agency words."""
    tokens = name.split()
    n = len(tokens)
    found: Features = {f"words:{min(n, 4)}": 1.0}
    found["vocab-words"] = sum(not_name(t) for t in tokens) / n
    if any(not_name(t) and t not in JOINERS and t not in ARTICLES for t in tokens):
        found["vocab-inside"] = 1.0
    found["capitalised"] = sum(capitalised(t) for t in tokens) / n
    found["first-lower"] = float(tokens[0][0].islower())
    lower = sum(t[0].islower() and t.casefold() not in JOINERS for t in tokens[1:])
    if lower:
        found["lower-inside"] = float(lower)
    if not name.isascii():
        latin = any("a" <= c.lower() <= "z" for c in name)
        found["non-latin"] = float(not latin)
        if latin and any(script(t) != script(tokens[0]) for t in tokens[1:]):
            found["mixed-script"] = 1.0
    if name.isupper() and len(name) <= 5:
        found["acronym"] = 1.0
    if words.ROLE_TITLE.search(name):
        found["role-words"] = 1.0
    if any(c.isdigit() for c in name):
        found["digits"] = 1.0
    if tokens[-1].casefold() in cw.ORG_WORDS:
        found["org-word-last"] = 1.0
    elif any(t.casefold() in cw.ORG_WORDS for t in tokens):
        found["org-word"] = 1.0
    if any(words.AGENCY_WORDS.fullmatch(fold(part)) for part in (name, *tokens)):
        found["agency-name"] = 1.0
    return tuple(found.items())


@lru_cache(maxsize=8192)
def _domain_features(name: str, domains: tuple[tuple[str, str], ...]) -> Features:
    """How a domain spells the name: fully, its start, its initials, or as an agency's."""
    initials = fold("".join(t[0] for t in name.split() if t.casefold() not in JOINERS))
    found: Features = {}
    for squashed in dict.fromkeys((fold(name), fold(_GERMAN.sub(_german, name)))):
        if squashed:
            found.update(_spelled(squashed, initials, domains))
    return found


_GERMAN = re.compile("[äöüÄÖÜß]")


def _german(match: re.Match[str]) -> str:
    """How German domains spell an umlaut: "ü" -> "ue"."""
    return {"ß": "ss"}.get(match.group(0), unicodedata.normalize("NFKD", match.group(0))[0] + "e")


def _spelled(squashed: str, initials: str, domains: tuple[tuple[str, str], ...]) -> Features:
    """The domain features of one spelling of a name."""
    found: Features = {}
    for key, role in domains:
        if squashed == key:
            found[f"dom:{role}:equal"] = 1.0
        elif len(squashed) >= 3 and key.startswith(squashed):
            found[f"dom:{role}:name-starts"] = len(squashed) / len(key)
        elif len(key) >= 4 and squashed.startswith(key):
            found[f"dom:{role}:name-extends"] = len(key) / len(squashed)
        elif len(initials) >= 2 and initials == key:
            found[f"dom:{role}:initials"] = 1.0
        elif len(key) >= 4 and key in squashed:
            found[f"dom:{role}:inside"] = 1.0
        elif len(squashed) >= 4 and squashed in key:  # "Peloton" of onepeloton
            found[f"dom:{role}:name-inside"] = len(squashed) / len(key)
    return found


def place_words(location: str, organizer: str) -> frozenset[str]:
    """Words that name where, not who: the location's address (all but its first part, which
    may be the company) and the organizer's mailbox ("lomme.hiring@" is a store's)."""
    local = re.split(r"[._\-+\d]+", bare_address(organizer).partition("@")[0])
    return address_words(location) | ({p.casefold() for p in local if len(p) >= 4} - _NOT_PERSON)


def address_words(location: str) -> frozenset[str]:
    """The capitalised words of the location's address: all but its first part."""
    parts = re.split(r"[,;\n]", location, maxsplit=1)
    address = words_of(parts[1], 40) if len(parts) > 1 else []
    return frozenset(t.casefold() for t in address if capitalised(t) or not t.isascii())


def branch_tail(name: str, places: frozenset[str]) -> str:
    """The brand of a name that ends in a branch, office or site, names one after a word for
    it, or begins with a word for a building; "" for any other: "<brand> Regional Office",
    "<brand> <a place the address names>", "<brand> 渋谷店", "<brand> Filiale Altstadt",
    "Gedung <brand>"."""
    tokens = name.split()
    start, end = 0, len(tokens)
    while start < end - 1 and tokens[start].casefold() in cw.BUILDING_BEFORE:
        start += 1  # "Tòa nhà <name>", "Gedung <name>"
    while end > start + 1 and _branch_word(tokens[end - 1], places):
        end -= 1
    for i in range(start + 1, end - 1):  # "<brand> Agence Lyon Bellecour": the branch's name
        rest = tokens[i + 1:end]
        if tokens[i].casefold() in cw.BRANCH_WORDS and rest[0][:1].isupper() and \
                rest[0].isalpha() and not any(t.casefold() in cw.ORG_WORDS
                                              or t.casefold() in cw.NAME_NOUNS for t in rest):
            end = i  # ... but "<name> Regional Hospital" is one name
            break
    head = tokens[start:end]
    if len(head) == len(tokens) or not any(capitalised(t) and not not_name(t)
                                     and t.casefold() not in cw.ORG_WORDS for t in head):
        return ""  # "district office", "Gemeente Utrecht": the place is the name
    return " ".join(head)


def _branch_word(token: str, places: frozenset[str]) -> bool:
    """A word for a branch or site, or a place the address or mailbox names (a country is
    not one: many companies keep it in their name)."""
    folded = token.casefold()
    return (folded in cw.BRANCH_WORDS or folded in places
            or any(folded.endswith(end) and len(folded) > len(end) for end in cw.BRANCH_ENDINGS))


def extension(extra: list[str], places: frozenset[str]) -> str:
    """What the words that make a longer name of a shorter one are: "branch" (a store's,
    office's or country's words, or a place the address or mailbox names), "org" (an
    organisation noun), "vocab" (interview, role or format words), or "name"."""
    folded = [w.casefold() for w in extra]
    joined = " ".join(folded)
    if any(_branch_word(w, places) or w.casefold() in cw.COUNTRIES for w in extra) or (
            joined in cw.COUNTRIES):
        return "branch"
    if any(w in cw.ORG_WORDS for w in folded):
        return "org"
    if any(not_name(w) for w in extra if w.casefold() not in JOINERS and w not in ARTICLES):
        return "vocab"
    return "name"


def relate(found: dict[str, Features], places: frozenset[str] = frozenset()) -> None:
    """Mark names that a longer candidate contains, and the longer ones that contain them,
    by what the longer one adds."""
    names = sorted(found, key=len)
    kinds = {name: domain_kind(found[name]) for name in names}
    padded = {name: f" {name} " for name in names}
    for i, short in enumerate(names):
        for longer in names[i + 1:]:
            if padded[short] in padded[longer]:
                found[short]["inside-longer"] = 1.0
                found[longer]["holds-shorter"] = 1.0
                found[longer][f"holds-dom-{kinds[short]}"] = 1.0
                extra = longer.replace(short, " ", 1).split()
                kind = extension(extra, places)
                found[short][f"inside-longer:{kind}"] = 1.0
                found[longer][f"holds-shorter:{kind}"] = 1.0
                if any(w.casefold() in cw.ORG_WORDS for w in extra):
                    found[short]["inside-org-name"] = 1.0  # "Carver State" of "... University"
                    found[longer][f"holds-dom-{kinds[short]}&org-words"] = 1.0
                elif kinds[short] == "equal":
                    found[longer]["holds-dom-equal&other-words"] = 1.0
                found[short][f"inside-dom-{kinds[longer]}"] = 1.0
                if _completes(found[short], found[longer], short, longer):
                    found[longer]["completes-title-name"] = 1.0  # "Kaiser" -> "Kaiser Permanente"
                    found[short]["completed-elsewhere"] = 1.0


def _completes(short_features: Features, long_features: Features, short: str,
               longer: str) -> bool:
    """The title's short name, begun or ended in full in the description or location."""
    if "in:title" not in short_features or "in:title" in long_features:
        return False
    return longer.startswith(short + " ") or longer.endswith(" " + short)


def domain_kind(features: Features) -> str:
    """How the domain spells a candidate, in one word: equal, partly, or none."""
    kinds = {key.rsplit(":", 1)[1] for key in features if key.startswith("dom:")
             and not key.startswith("dom:agency")}
    return "equal" if "equal" in kinds else "partly" if kinds else "none"


def feature_names(found: Iterable[Features]) -> list[str]:
    """Every feature name used by some candidate, sorted (for training). What the event says
    outright ("said:client") is not weighed: it decides before the weights."""
    return sorted({key for features in found for key in features if not key.startswith("said:")})
