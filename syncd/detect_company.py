"""Which company an interview is with: candidate names, weighed by a small learned ranker. Pure.

An invitation names its company in many ways: a title segment ("Phone screen – Acme"), after
a connector ("Interview at Acme", "bei Acme"), beside a legal form ("Acme GmbH", "PT Acme",
"株式会社アクメ"), in a signature line, in the location, and in the organizer's domain. Every
such span becomes a candidate; each is described by a few explainable features (where it was
found, whether the organizer's domain spells it, whether a legal form stands beside it, how
many words it has, whether it holds interview or format words...). A logistic regression
fitted by ``make train`` (``benchmarks/train_company.py``) weighs them; its weights ship in
``company_model.json`` and are read here without scikit-learn. The domain confirms a name
found in the text; a name made from the domain alone is a last resort.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from syncd import detect_words as words
from syncd.company_cues import CLIENT, PERSON, VIA, said
from syncd.company_full import in_full
from syncd.company_features import (Features, describe, domain_keys, domain_kind,
                                    feature_names, fold, greeted, person_words, place_words,
                                    relate)
from syncd.company_respell import domain_spellings, respell
from syncd.company_spans import (JOINERS, company_domains, domain_names, first_words,
                                 location_spans, text_spans, tidy, title_spans)
from syncd.company_words import LEGAL_BEFORE_WORDS, ORG_WORDS
from syncd.detect_features import is_cover_title
from syncd.detect_parties import Parties
from syncd.detect_role import role_name

__all__ = ["CompanyModel", "Features", "MODEL_PATH", "candidates", "choose", "company_name",
           "feature_names", "names_in_full", "sender_domain", "shipped_company_model", "tidy"]

MODEL_PATH = Path(__file__).with_name("company_model.json")
TITLE_CAP, TEXT_CAP, TAIL_CAP, LOCATION_CAP = 300, 3000, 600, 300
MAX_CANDIDATES = 120  # spans weighed per event, whatever the event holds


@dataclass(frozen=True)
class CompanyModel:
    """The ranker's weights: a bias and one weight per feature name."""

    bias: float
    weights: dict[str, float]

    def score(self, features: Features) -> float:
        """The candidate's log-odds of being the company."""
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())


@cache
def shipped_company_model() -> CompanyModel:
    """The weights shipped beside this module, read once."""
    data = json.loads(MODEL_PATH.read_text("utf-8"))
    return CompanyModel(float(data["bias"]), {k: float(v) for k, v in data["weights"].items()})


def company_name(title: str, text: str, location: str, parties: Parties,
                 people: Iterable[str] = (), model: CompanyModel | None = None) -> str:
    """The hiring company's name, "" when nothing names one.

    ``people`` are the invitees' bare addresses: a name their mailboxes spell is a person's.
    """
    found = candidates(title, text, location, parties, people)
    return choose(found, model or shipped_company_model())


def choose(found: dict[str, Features], model: CompanyModel) -> str:
    """The best-scoring candidate (the longer one on a tie), "" when there is none."""
    if not found:
        return ""
    best = max(found.items(), key=lambda item: (_said_rank(item[1]), model.score(item[1]),
                                                len(item[0]), item[0]))[0]
    return in_full(best, found)


def _said_rank(features: Features) -> int:
    """What the event says of a candidate: 1 the client, -1 a go-between, a person or the
    role itself, else 0."""
    return next((rank for key, rank in PRECEDENCE.items() if key in features), 0)


def candidates(title: str, text: str, location: str, parties: Parties,
               people: Iterable[str] = ()) -> dict[str, Features]:
    """Every name the event might mean, each with the features the ranker weighs."""
    title, location = title[:TITLE_CAP], location[:LOCATION_CAP]
    body = text[:TEXT_CAP] + ("\n" + text[-TAIL_CAP:] if len(text) > TEXT_CAP else "")
    found: dict[str, Features] = {}

    def add(raw: str, source: str, value: float = 1.0) -> None:
        name = tidy(raw)
        if name and (name in found or len(found) < MAX_CANDIDATES):
            features = found.setdefault(name, {})
            features[source] = max(features.get(source, 0.0), value)

    if not (body.strip() and is_cover_title(title)):  # "Dentist": the description says
        for raw, source in title_spans(title):
            add(raw, source)
    for raw, source in text_spans(body):
        add(raw, source)
    for raw, source in location_spans(location):
        add(raw, source)
    for raw, source in domain_spellings(found, domain_names(parties)):
        add(raw, source)
    for pattern, source in ((words.CLIENT, "src:client"), (words.COMPANY_FIELD, "src:field")):
        match = pattern.search(title) or pattern.search(body)
        if match:
            add(first_words(match.group("name")), source)
    told = {tidy(name): kind for name, kind in said(title, body).items()}
    for name, kind in told.items():
        if kind == CLIENT:
            add(name, "src:client")
    places = place_words(location, parties.organizer)
    domains = domain_keys(parties)
    respell(found, title, location, places,
            frozenset(key for key, role in domains if role in ("organizer", "attendee")), body)
    lowered = (title.casefold(), body.casefold(), location.casefold())
    persons = person_words((parties.organizer, *list(people)[:20])) | greeted(body)
    invitees: list[str] = []
    for name, features in found.items():
        describe(name, features, domains, lowered)
        if persons and any(fold(t) in persons for t in name.split()):
            features["person"] = 1.0
            if _full_name(name, persons) and not any(k.startswith("dom:") for k in features):
                invitees.append(name)
    relate(found, places)
    _mark_said(found, told, invitees)
    _mark_role(found, role_name(title, body))
    for features in found.values():
        kind = domain_kind(features)
        if "in-no-field" in features:
            continue  # made from a domain: no domain kind of its own to cross with
        for key in [k for k in features if k[:4] in _CROSSED]:
            features[f"{key}&dom-{kind}"] = 1.0
    return found


def _full_name(name: str, persons: frozenset[str]) -> bool:
    """A given name and a surname, the given name an invitee's ("Jane Roe" of jane.roe@)."""
    tokens = name.split()
    return (2 <= len(tokens) <= 3 and fold(tokens[0]) in persons
            and all(t[:1].isupper() and t.casefold() not in ORG_WORDS for t in tokens))


def _mark_role(found: dict[str, Features], role: str) -> None:
    """Mark the names that are the role, or part of it ("Creator Community" of "Creator
    Community Manager"): a department or a programme, seldom the company."""
    if not role:
        return
    padded = f" {role.casefold()} "
    for name, features in found.items():
        folded = name.casefold()
        if f" {folded} " not in padded:
            if len(role) > 3 and padded in f" {folded} ":
                features["role:held"] = 1.0  # "Senior Data Analyst" of "Data Analyst"
            continue
        if folded == role.casefold():
            features["role:equal"] = 1.0
        elif padded.startswith(f" {folded} "):
            rest = role[len(name):].split()
            features["role:starts&bare-job" if len(rest) == 1 else "role:starts"] = 1.0
        else:
            features["role:inside"] = 1.0


def _mark_said(found: dict[str, Features], told: dict[str, str], invitees: list[str]) -> None:
    """Mark what the event says of each candidate (:data:`PRECEDENCE`): the client it names
    or a go-between (and a longer spelling of either name: "Acme" of "Acme Group"), a person
    (and any part of the name the text gives that person), an invitee's full name;
    and an agency's name as a go-between when the title names the place of the interview
    beside it ("at Employer")."""
    placed = any(("conn:at" in f or "conn:with" in f) and not _AGENCY & f.keys()
                 and f.get("capitalised") == 1.0 and "person" not in f and told.get(n) is None
                 for n, f in found.items())
    if placed:
        told = {**{n: VIA for n, f in found.items() if _AGENCY & f.keys()}, **told}
    people = [f" {name} " for name, kind in told.items() if kind == PERSON and " " in name]
    begun = {f"{name} ": kind for name, kind in told.items() if kind != PERSON}
    told = {**told, **dict.fromkeys(invitees, PERSON)}
    for name, features in found.items():
        kind = told.get(name) or next(
            (kind for start, kind in begun.items() if name.startswith(start)), "") or (
            PERSON if any(f" {name} " in person for person in people) else "")
        if kind:
            features[kind] = 1.0


_CROSSED = frozenset(("span", "loc:", "src:"))  # these sources are also weighed by domain kind
# A name an agency's domain spells, or that holds a word for an agency, passes invitations on.
_AGENCY = frozenset(("dom:agency:equal", "dom:agency:name-starts", "dom:agency:name-extends",
                     "agency-name"))
# What the event says outright decides before the weights: the client it names wins, a
# go-between or a person loses (see :mod:`syncd.company_cues`).
PRECEDENCE = {CLIENT: 1, VIA: -1, PERSON: -1, "role:equal": -1}


def names_in_full(entries: Sequence[tuple[str, str]]) -> list[str]:
    """The companies of one owner's interviews, each short form replaced by its full name.

    ``entries`` are (company, the organizer's company domain or "") per interview. A process
    spells its company in full once ("Sunrise Home Healthcare LLC – Recruitment") and short
    after ("Sunrise – online assessment"); a name that is the first words (after a legal form
    too), the last words or the initials of another interview's name becomes that name, when
    their domains agree, and the longest when one of the longer names holds the others.
    """
    domains: dict[str, set[str]] = {}
    for name, domain in entries:
        if name:
            domains.setdefault(name, set()).add(domain)
    # Each name is looked up under its first word, its last word and its initials, so that a
    # pass with many interviews compares only names that might be one another's short form.
    index: dict[str, list[str]] = {}
    for name in domains:
        for key in _keys(name):
            index.setdefault(key, []).append(name)
    full = {}
    for short in domains:
        small = short.casefold().split()
        keys = [f"first:{small[0]}", f"last:{small[-1]}"] + (
            [f"initials:{small[0]}"] if len(small) == 1 else [])
        near = [name for key in keys for name in index.get(key, [])[:MAX_CANDIDATES]]
        longer = {name for name in near if _shortens(short, name)
                  and _same_sender(domains[short], domains[name])}
        widest = max(longer, key=len, default="")
        if all(f" {name} " in f" {widest} " for name in longer):  # else which one is meant?
            if widest:
                full[short] = widest
    return [full.get(name, name) for name, _ in entries]


def _keys(name: str) -> tuple[str, ...]:
    """Where :func:`names_in_full` files a name: its first and last word (the one after a
    legal form too: "PT Sinar Laut" under "sinar"), its initials."""
    words_ = name.casefold().split()
    initials = "".join(w[0] for w in words_ if w not in JOINERS)
    keys = (f"first:{words_[0]}", f"last:{words_[-1]}", f"initials:{initials}")
    return (*keys, f"first:{words_[1]}") if _legal_first(name.split()) else keys


def _legal_first(tokens: list[str]) -> bool:
    """A legal form or group word before the name ("PT", "Gruppo"), and a name after it."""
    return len(tokens) > 2 and tokens[0] in LEGAL_BEFORE_WORDS


def sender_domain(parties: Parties) -> str:
    """The domain of the company that sent the invite, "" for a person, platform or agency."""
    found = company_domains(parties)
    return found[0][0] if found and found[0][1] == "organizer" else ""


def _shortens(short: str, name: str) -> bool:
    """"Sunrise" of "Sunrise Home Healthcare", "Meridian Post" of "The Meridian Post", "ALN"
    of "Agencia Latina de Noticias"."""
    small, big = short.casefold().split(), name.casefold().split()
    if len(small) >= len(big):
        return False
    if big[:len(small)] == small or big[-len(small):] == small:
        return True
    if _legal_first(name.split()) and big[1:1 + len(small)] == small:
        return True  # "Sinar" of "PT Sinar Laut"
    initials = "".join(w[0] for w in big if w not in JOINERS)
    return short.isupper() and len(short) >= 2 and initials == small[0] and len(small) == 1


def _same_sender(one: set[str], other: set[str]) -> bool:
    """Both sent from one company's domain, or at least one of them from none."""
    one, other = one - {""}, other - {""}
    return not one or not other or bool(one & other)
