"""Detect job interviews in which the owner is the candidate.

A scored, explainable classifier. Each cue found in an event (interview words in several
languages, hiring-process steps, wording addressed to a candidate or to an interviewer, who
sent the invite and from where) adds a signed weight; the sum, offset by a negative bias,
goes through a logistic so that the score reads like a probability. Every cue that counted
becomes a short reason, the decisive ones first. The keyword tables live in
:mod:`syncd.detect_words`, the format and company of an interview are read by
:mod:`syncd.detect_details`. Pure: no I/O, no clock; the only state is a :class:`Detector`'s
memory of the texts and addresses it has already read, which never changes an answer.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, partial
from typing import TYPE_CHECKING

from syncd import detect_words as words
from syncd.bounds import detector_fields
from syncd.detect_details import company_name, company_named_in_title, meeting_format
from syncd.literals import fold

if TYPE_CHECKING:
    from syncd.model import Event

# With no cue at all an event scores 0.12; one plain interview word in the title lifts it
# to 0.62, and a hard negative (-6) sinks it whatever else is present.
BIAS = -2.0
# How much one family of cues may add, so that a wordy invitation cannot run away.
GROUP_CAP = 3.5
MAX_REASONS = 6
# Mailboxes and services that say nothing about the owner's or anyone's employer.
_PERSONAL = words.FREE_MAIL | words.SERVICE_DOMAINS

Signal = tuple[float, str]


@dataclass(frozen=True)
class Rules:
    """How to classify: the owner's addresses, the score threshold and forcing regexes."""

    self_addresses: tuple[str, ...] = ()
    threshold: float = 0.5
    include: tuple[str, ...] = ()  # searched in summary+description+location; forces True
    exclude: tuple[str, ...] = ()  # forces False; wins over include


@dataclass(frozen=True)
class Verdict:
    """The outcome for one event."""

    interview: bool
    score: float  # 0.0-1.0, rounded to 2 decimals
    format: str  # "in_person" | "video" | "phone" | "unknown"
    company: str  # "" when unknown or not an interview
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Parties:
    """Who sent the invite and who attends, relative to the owner."""

    organizer: str  # bare lower-case address, "" when absent
    organizer_domain: str  # registrable domain of the organizer
    own_domains: frozenset[str]  # the owner's employer domains (free-mail excluded)
    by_owner: bool  # the owner sent it (or nobody did)
    internal: bool  # sent within the owner's employer, to colleagues or a personal address
    outside: tuple[str, ...]  # other companies' domains among organizer and attendees
    platform: str  # a hiring platform's domain among organizer and attendees, or ""

    @property
    def owner_side(self) -> bool:
        """True when the invite comes from the owner or from the owner's own employer."""
        return self.by_owner or self.organizer_domain in self.own_domains


def classify(summary: str, description: str, location: str, organizer: str,
             attendees: Sequence[str], rules: Rules) -> Verdict:
    """Classify one event given as plain fields.

    ``organizer`` and ``attendees`` are addresses, bare, as ``mailto:`` URIs or as
    ``Name <addr>``. Returns a :class:`Verdict`; format and company are filled in only for
    interviews. Raises ``re.error`` when an include/exclude rule is not a valid regex.
    """
    return Detector(rules).classify(summary, description, location, organizer, attendees)


def detect(event: Event, rules: Rules) -> Verdict:
    """Same as :func:`classify`, on a :class:`syncd.model.Event`."""
    return classify(event.summary, event.description, event.location, event.organizer,
                    [attendee.email for attendee in event.attendees], rules)


class Detector:
    """Classifies many events under one set of :class:`Rules`, working out each part once.

    Calendars repeat themselves: every occurrence of a series has the same title and agenda,
    and the same few colleagues sit on most invites. A detector remembers, for its own life
    only, the signals of each title and each description and where each address stands, so
    that one planning pass works each of them out once; the next pass starts afresh.

    Only the cue patterns whose words occur in a text are searched (see
    :mod:`syncd.literals`); ``prefilter=False`` searches them all, for tests to compare.
    """

    def __init__(self, rules: Rules, prefilter: bool = True) -> None:
        self.rules = rules
        self._selves = frozenset(bare_address(a) for a in rules.self_addresses if a)
        self._own = frozenset(d for d in map(_domain, self._selves) if d and d not in _PERSONAL)
        self._title = cache(partial(_read_title, prefilter))  # summary -> (title, signals)
        self._text = cache(_read_description)
        self._said = cache(partial(_description_signals, prefilter))  # (text, owner side)
        self._address = cache(_address_and_domain)
        self._named = cache(company_named_in_title)  # (organizer's domain, title) -> name
        self._weigh = cache(partial(_weigh, rules.threshold))  # signals -> verdict

    def classify(self, summary: str, description: str, location: str, organizer: str,
                 attendees: Sequence[str]) -> Verdict:
        """Same as :func:`classify`, under this detector's rules.

        Each field is read up to its cap in :mod:`syncd.bounds`, so one event costs bounded time.
        """
        summary, description, location, organizer, attendees = detector_fields(
            summary, description, location, organizer, attendees)
        title, title_signals = self._title(summary)
        text = self._text(description)
        parties = self.parties(organizer, attendees)
        signals = (*title_signals, *self._said(text, parties.owner_side),
                   *self._party_signals(parties, title))
        forced = _forced(self.rules, summary, description, location)
        verdict = self._weigh(signals) if forced is None else _overruled(forced, signals)
        if not verdict.interview:
            return verdict
        return replace(verdict, format=meeting_format(title, text, location),
                       company=company_name(title, text, parties))

    def parties(self, organizer: str, attendees: Sequence[str]) -> Parties:
        """Where the organizer and the attendees stand relative to the owner."""
        selves, own = self._selves, self._own
        org, org_domain = self._address(organizer)
        domains = [org_domain]  # the organizer's, then those of the other attendees
        for person, domain in map(self._address, attendees):
            if (person and person not in selves and person != org
                    and not person.endswith(words.RESOURCE_DOMAINS)):
                domains.append(domain)
        outside: list[str] = []
        platform = ""
        for domain in domains:
            if not domain or domain in _PERSONAL or domain in own:
                continue
            if domain in words.PLATFORM_DOMAINS:
                platform = platform or domain
            elif domain not in outside:
                outside.append(domain)
        by_owner = org in selves or not org
        # A block the owner keeps for themselves is not "internal": only an invite that
        # involves colleagues (or comes from one) says the owner's employer is hiring.
        internal = (org_domain in own and not outside and not platform
                    and (len(domains) > 1 or not by_owner))
        return Parties(org, org_domain, own, by_owner, internal, tuple(outside), platform)

    def _party_signals(self, parties: Parties, title: str) -> list[Signal]:
        """What the organizer's and attendees' domains say about who is the candidate."""
        signals: list[Signal] = []
        org = parties.organizer_domain
        if org in parties.outside:
            signals.append((1.0, f"organizer is at {org}, an outside company"))
            named = self._named(org, title)
            if named:
                signals.append((0.5, f"title names the organizer's company ({named})"))
        elif parties.outside:
            signals.append((0.5, f"an attendee is at {parties.outside[0]}, an outside company"))
        if parties.platform:
            signals.append((1.0, f"sent through a hiring platform ({parties.platform})"))
        if parties.internal:
            signals.append((-2.0, f"the invite is internal to {org}, the owner's own organisation"))
        return signals


# --- Signals -------------------------------------------------------------------------------


def _read_title(prefilter: bool, summary: str) -> tuple[str, tuple[Signal, ...]]:
    """The cleaned title of ``summary`` and what it says."""
    title = _clean_title(summary)
    return title, tuple(_title_signals(title, fold(title) if prefilter else None))


def _read_description(description: str) -> str:
    """The description as plain text: tags dropped, entities decoded, apostrophes straight."""
    text = description or ""
    end = text.rfind(">") + 1  # no tag closes after the last ">": not searching there keeps it linear
    return html.unescape(words.HTML_TAG.sub(" ", text[:end]) + text[end:]).replace("\u2019", "'")


def _clean_title(summary: str) -> str:
    """The summary without "Updated invitation:"-style prefixes, apostrophes made straight."""
    title = (summary or "").replace("\u2019", "'").strip()
    while words.TITLE_PREFIX.match(title):
        title = words.TITLE_PREFIX.sub("", title, count=1)
    return title


def _matches(table: words.CueTable, text: str, folded: str | None, where: str) -> list[Signal]:
    """One signal per cue found in ``text``, quoting what matched.

    ``folded`` is ``text`` through :func:`syncd.literals.fold`: only the cues whose words it
    holds are searched. None searches them all.
    """
    found: list[Signal] = []
    cues = table.cues
    for i in table.index.candidates(folded) if folded is not None else range(len(cues)):
        pattern, weight, note = cues[i]
        match = pattern.search(text)
        if match:
            said = " ".join(match.group(0).split())
            found.append((weight, f"{where} says '{said}'" + (f" ({note})" if note else "")))
    return found


def _strongest(signals: list[Signal]) -> list[Signal]:
    """Keep only the heaviest signal of a family: one such word suffices, two add nothing."""
    return [max(signals, key=lambda s: abs(s[0]))] if signals else []


def _capped(signals: list[Signal]) -> list[Signal]:
    """Let distinct cues of one family add up, but to no more than GROUP_CAP."""
    kept: list[Signal] = []
    total = 0.0
    for weight, reason in sorted(signals, key=lambda s: -s[0]):
        weight = min(weight, GROUP_CAP - total)
        if weight <= 0:
            break
        kept.append((weight, reason))
        total += weight
    return kept


def _title_signals(title: str, folded: str | None) -> list[Signal]:
    """Interview words, hiring steps, a job title and hard negatives in the title."""
    signals = _strongest(_matches(words.INTERVIEW_WORDS, title, folded, "title"))
    signals += _capped(_matches(words.HIRING_STEPS, title, folded, "title"))
    role = words.ROLE_TITLE.search(title)
    if role:
        signals.append((1.0, f"title names a job title ('{role.group(0)}')"))
    negatives = _matches(words.TITLE_NEGATIVES, title, folded, "title")
    if negatives:
        signals.append(min(negatives))  # the most negative only; they do not stack
    return signals


def _description_signals(prefilter: bool, text: str, owner_side: bool) -> tuple[Signal, ...]:
    """Wording addressed to a candidate or to an interviewer, and non-hiring contexts."""
    folded = fold(text) if prefilter else None
    signals = _capped(_matches(words.CANDIDATE_SIDE, text, folded, "description"))
    signals += _matches(words.PLATFORM_LINKS, text, folded, "description")
    signals += _matches(words.DESCRIPTION_STEPS, text, folded, "description")
    for weight, reason in _strongest(_matches(words.INTERVIEWER_SIDE, text, folded,
                                              "description")):
        if owner_side:
            # Sent from within the owner's own organisation, this wording settles it: the
            # owner is on the hiring side. From outside it may be boilerplate.
            signals.append((weight, f"{reason}, on an invite from the owner's own side"))
        else:
            signals.append((weight / 2, reason))
    signals += _strongest(_matches(words.DESCRIPTION_NEGATIVES, text, folded, "description"))
    return tuple(signals)


def _forced(rules: Rules, summary: str, description: str, location: str) -> tuple[bool, str] | None:
    """Apply the owner's include/exclude regexes; exclude wins."""
    if not (rules.exclude or rules.include):
        return None
    haystack = "\n".join((summary or "", description or "", location or ""))
    for pattern in rules.exclude:
        if re.search(pattern, haystack, re.I):
            return False, f"matches the exclude rule '{pattern}'"
    for pattern in rules.include:
        if re.search(pattern, haystack, re.I):
            return True, f"matches the include rule '{pattern}'"
    return None


def _weigh(threshold: float, signals: tuple[Signal, ...]) -> Verdict:
    """The verdict the signals add up to; format and company are left for the caller."""
    score = round(1.0 / (1.0 + math.exp(-(BIAS + sum(w for w, _ in signals)))), 2)
    interview = score >= threshold
    return Verdict(interview, score, "unknown", "", _reasons(signals, interview))


def _overruled(forced: tuple[bool, str], signals: tuple[Signal, ...]) -> Verdict:
    """The verdict an include/exclude rule imposes, its reason first."""
    interview, reason = forced
    signals = ((math.inf if interview else -math.inf, reason), *signals)
    return Verdict(interview, 1.0 if interview else 0.0, "unknown", "",
                   _reasons(signals, interview))


def _reasons(signals: Sequence[Signal], interview: bool) -> tuple[str, ...]:
    """Reasons that support the verdict, heaviest first, then the strongest dissent."""
    ranked = sorted((s for s in signals if s[0]), key=lambda s: -abs(s[0]))
    agree = [reason for weight, reason in ranked if (weight > 0) == interview]
    dissent = [f"despite: {reason}" for weight, reason in ranked if (weight > 0) != interview]
    reasons = agree[:MAX_REASONS - 1] + dissent[:1]
    return tuple(reasons or ["no sign of a job interview in the title, description or invitees"])


# --- Parties -------------------------------------------------------------------------------


def bare_address(raw: str) -> str:
    """The lower-case address in ``raw`` (``mailto:x@y``, ``Name <x@y>``), or ""."""
    value = (raw or "").strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:"):]
    match = words.ADDRESS.search(value)
    return match.group(0).lower() if match else value.lower()


def registrable(domain: str) -> str:
    """The registrable part of a host name: ``mail.acme.co.uk`` -> ``acme.co.uk``."""
    labels = domain.lower().strip(".").split(".")
    size = 3 if ".".join(labels[-2:]) in words.TWO_PART_SUFFIXES else 2
    return ".".join(labels[-size:])


def _domain(address: str) -> str:
    return registrable(address.rpartition("@")[2]) if "@" in address else ""


def _address_and_domain(raw: str) -> tuple[str, str]:
    address = bare_address(raw)
    return address, _domain(address)


def read_parties(organizer: str, attendees: Sequence[str],
                 self_addresses: Sequence[str]) -> Parties:
    """Work out where the organizer and the attendees stand relative to the owner."""
    return Detector(Rules(self_addresses=tuple(self_addresses))).parties(organizer, attendees)
