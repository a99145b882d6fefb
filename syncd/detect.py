"""Detect job interviews in which the owner is the candidate.

A learned, explainable classifier. :mod:`syncd.detect_features` reads an event into cue
features (interview words in many languages, hiring steps, wording addressed to a candidate
or to an interviewer, who sent the invite and from where) and hashed character n-grams of
its title, description and location. A logistic regression fitted by ``make train``
(benchmarks/train_detect.py) weighs them; its weights ship in ``detect_model.json``, which
this module reads without scikit-learn. The features that weighed most become the reasons,
in words. The format of an interview is read by :mod:`syncd.detect_format`, its company by
:mod:`syncd.detect_company` and its role by :mod:`syncd.detect_role`; where the invitees stand
by :mod:`syncd.detect_parties`.
Pure: no I/O after the weights are loaded, no clock; the only state is a
:class:`Detector`'s memory of the texts and addresses it has already read, which never
changes an answer.
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from syncd import detect_features as features
from syncd import detect_words as words
from syncd.bounds import detector_fields
from syncd.detect_features import Cue
from syncd.detect_company import company_name
from syncd.detect_details import company_named_in_title
from syncd.detect_format import alternatives_index, format_reasons, meeting_format
from syncd.detect_role import role_name
from syncd.detect_parties import (Parties, address_and_domain, bare_address, own_domains,
                                  place_parties, read_parties, registrable)

if TYPE_CHECKING:
    from syncd.model import Event

__all__ = ["Detector", "Model", "Parties", "Rules", "Verdict", "bare_address", "classify",
           "detect", "read_parties", "registrable"]

MODEL_PATH = Path(__file__).with_name("detect_model.json")
MAX_REASONS = 6
WORDS_PER_FIELD = 2  # n-gram reasons: the heaviest words of each field

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
    role: str = ""  # the job applied for, "" when unknown or not an interview


@dataclass(frozen=True)
class Model:
    """The learned weights: a bias, one weight per named cue, one per n-gram bucket."""

    bias: float
    cues: dict[str, float]
    ngrams: tuple[float, ...]

    @property
    def buckets(self) -> int:
        """How many n-gram buckets the weights cover (a power of two)."""
        return len(self.ngrams)

    @classmethod
    def from_json(cls, data: dict) -> Model:
        """The model a weights document describes (see benchmarks/train_detect.py)."""
        ngrams = tuple(float(w) for w in data["ngrams"])
        if not ngrams or len(ngrams) & (len(ngrams) - 1):
            raise ValueError("the n-gram weights must number a power of two")
        return cls(float(data["bias"]), {str(k): float(v) for k, v in data["cues"].items()},
                   ngrams)


@cache
def shipped_model() -> Model:
    """The weights shipped beside this module, read once."""
    return Model.from_json(json.loads(MODEL_PATH.read_text("utf-8")))


def prepare() -> None:
    """Read the weights and compile the cue tables now rather than at the first event: a
    process about to classify many (a first sync, while the server answers) does it early.

    One thread does it; another that asks meanwhile (a first read's early writes, while the
    engine's thread prepares) waits for it instead of compiling the same tables again."""
    with _PREPARING:
        shipped_model()
        words.shared_index()
        alternatives_index()  # the format's, for the interviews among them


_PREPARING = threading.Lock()


def classify(summary: str, description: str, location: str, organizer: str,
             attendees: Sequence[str], rules: Rules, categories: Sequence[str] = ()) -> Verdict:
    """Classify one event given as plain fields.

    ``organizer`` and ``attendees`` are addresses, bare, as ``mailto:`` URIs or as
    ``Name <addr>``; ``categories`` the event's CATEGORIES. Returns a :class:`Verdict`;
    format, role and company are filled in only for interviews. Raises ``re.error`` when an
    include/exclude rule is not a valid regex.
    """
    return Detector(rules).classify(summary, description, location, organizer, attendees,
                                    categories)


def detect(event: Event, rules: Rules) -> Verdict:
    """Same as :func:`classify`, on a :class:`syncd.model.Event`."""
    return classify(event.summary, event.description, event.location, event.organizer,
                    [attendee.email for attendee in event.attendees], rules, event.categories)


def format_reasons_of(event: Event) -> list[str]:
    """Why an interview's format reads as it does: the features that weighed most, in words."""
    summary, description, location, _, _ = detector_fields(
        event.summary, event.description, event.location, "", ())
    return format_reasons(_clean_title(summary), _read_description(description), location)


# What one field adds up to: the n-grams' exact sum and its heaviest words, as signals.
Scored = tuple[float, tuple[Signal, ...]]


class Content(NamedTuple):
    """What an event's own text says, before anyone's address is read."""

    title: str
    text: str
    cues: tuple[Cue, ...]
    signals: tuple[Signal, ...]  # the cues weighed, and the heaviest words
    total: float  # log-odds: the bias, the cues' weights and the n-grams'
    hiring: bool  # something in it is about hiring, so the parties count too
    verdict: Verdict  # the verdict on the text alone (for an event not about hiring)


class Detector:
    """Classifies many events under one set of :class:`Rules`, working out each part once.

    Calendars repeat themselves: every occurrence of a series has the same title and agenda,
    and the same few colleagues sit on most invites. A detector remembers, for its own life
    only, what each title, description and location says and where each address stands, so
    that one planning pass works each of them out once; the next pass starts afresh.

    Only the cue patterns whose words occur in a text are searched (see
    :mod:`syncd.literals`); ``prefilter=False`` searches them all, for tests to compare.
    ``model`` replaces the shipped weights (training and tests).
    """

    def __init__(self, rules: Rules, prefilter: bool = True, model: Model | None = None) -> None:
        self.rules = rules
        self.model = model or shipped_model()
        self.prefilter = prefilter
        self._selves = frozenset(bare_address(a) for a in rules.self_addresses if a)
        self._own = own_domains(self._selves)
        self._title = cache(self._read_title)  # summary -> (title, cues, scored)
        self._text = cache(_read_description)
        self._said = cache(self._read_text)  # text -> (cues, scored)
        self._place = cache(self._read_location)
        self._content = cache(self._read_content)  # (summary, description, location)
        self._address = cache(address_and_domain)
        self._named = cache(company_named_in_title)  # (organizer's domain, title) -> name
        self._company = cache(company_name)  # one series' occurrences are named once
        self._booker = cache(features.booker)  # description -> who booked it on a booking page
        self._format = cache(meeting_format)  # (title, text, location) -> format
        self._role = cache(role_name)  # (title, text, company) -> role
        # field -> word -> its n-gram buckets, and the sum of their weights
        self._grams: dict[str, dict[str, tuple[int, ...]]] = {f: {} for f in features.FIELDS}
        self._weighed: dict[str, dict[str, float]] = {f: {} for f in features.FIELDS}

    def classify(self, summary: str, description: str, location: str, organizer: str,
                 attendees: Sequence[str], categories: Sequence[str] = (),
                 marked: str | None = None) -> Verdict:
        """Same as :func:`classify`, under this detector's rules.

        ``marked`` is the owner's override from ``syncd mark`` ("interview" or
        "not-interview"); it decides before anything else.

        Each field is read up to its cap in :mod:`syncd.bounds`, so one event costs bounded time.
        """
        summary, description, location, organizer, attendees = detector_fields(
            summary, description, location, organizer, attendees)
        content = self._content(summary, description, location)
        forced = _marked(marked) or _forced(self.rules, summary, description, location,
                                            categories)
        if forced is None and not content.hiring and not content.verdict.interview:
            return content.verdict  # who sent it does not count: nothing is about hiring
        parties = self.parties(organizer, attendees)
        party = self._party_cues(parties, content.title, content.cues, content.text)
        weights = self.model.cues
        signals = (*content.signals, *((weights.get(key, 0.0), reason) for key, reason in party))
        if forced is None:
            total = content.total + sum(weights.get(key, 0.0) for key, _ in party)
            verdict = _weigh(self.rules.threshold, total, signals)
        else:
            verdict = _overruled(forced, signals)
        if not verdict.interview:
            return verdict
        title, text = content.title, content.text
        company = self._company(title, text, location, parties, attendees)
        return replace(verdict, format=self._format(title, text, location), company=company,
                       role=self._role(title, text, company))

    def _read_content(self, summary: str, description: str, location: str) -> Content:
        """What the title, description and location say, and the verdict on that alone."""
        title, title_cues, (title_sum, title_words) = self._title(summary)
        text = self._text(description)
        text_cues, (text_sum, text_words) = self._said(text)
        place_cues, (place_sum, place_words) = self._place(location)
        cues = features.content_cues(title, title_cues, text_cues, place_cues, self.prefilter)
        weights = self.model.cues
        signals = (*((weights.get(key, 0.0), reason) for key, reason in cues),
                   *title_words, *text_words, *place_words)
        total = (self.model.bias + title_sum + text_sum + place_sum
                 + sum(weights.get(key, 0.0) for key, _ in cues))
        hiring = any(key in features.HIRING_CUES for key, _ in cues)
        verdict = _weigh(self.rules.threshold, total, signals)
        return Content(title, text, tuple(cues), signals, total, hiring, verdict)

    def features(self, summary: str, description: str, location: str, organizer: str,
                 attendees: Sequence[str]) -> tuple[list[str], dict[int, float]]:
        """What the model weighs for one event: named cue keys and n-gram bucket values.

        The training script reads events through this, so that it learns on exactly what
        :meth:`classify` computes.
        """
        summary, description, location, organizer, attendees = detector_fields(
            summary, description, location, organizer, attendees)
        title = _clean_title(summary)
        text = _read_description(description)
        location = location or ""
        title_cues = features.title_cues(title, self.prefilter)
        text_cues = features.text_cues(text, self.prefilter)
        cues = features.content_cues(title, title_cues, text_cues,
                                     features.location_cues(location), self.prefilter)
        cues += self._party_cues(self.parties(organizer, attendees), title, cues, text)
        values: dict[int, float] = {}
        for field, value in (("title", title), ("description", text), ("location", location)):
            found = features.bucket_values(features.word_grams(field, value, self.model.buckets))
            for bucket, weight in found.items():
                values[bucket] = values.get(bucket, 0.0) + weight
        return [key for key, _ in cues], values

    def parties(self, organizer: str, attendees: Sequence[str]) -> Parties:
        """Where the organizer and the attendees stand relative to the owner."""
        return place_parties(organizer, attendees, self._selves, self._own, self._address)

    def _party_cues(self, parties: Parties, title: str, cues: Sequence[Cue],
                    text: str) -> list[Cue]:
        """The parties' cues, for an event whose text is about hiring (else none)."""
        if not any(key in features.HIRING_CUES for key, _ in cues):
            return []
        org = parties.organizer_domain
        named = self._named(org, title) if org in parties.outside else ""
        interviewer = any(key == "d:to-interviewer" for key, _ in cues)
        booker = self._booker(text)
        return features.party_cues(parties, named, interviewer, title,
                                   booker in self._selves if booker else None)

    def _read_title(self, summary: str) -> tuple[str, tuple[Cue, ...], Scored]:
        title = _clean_title(summary)
        return (title, tuple(features.title_cues(title, self.prefilter)),
                self._scored("title", title))

    def _read_text(self, text: str) -> tuple[tuple[Cue, ...], Scored]:
        return tuple(features.text_cues(text, self.prefilter)), self._scored("description", text)

    def _read_location(self, location: str) -> tuple[tuple[Cue, ...], Scored]:
        return tuple(features.location_cues(location)), self._scored("location", location)

    def _scored(self, field: str, text: str) -> Scored:
        """The n-grams' share of the score for one field, and its heaviest words."""
        grams = features.word_grams(field, text, self.model.buckets, self._grams[field])
        values = features.bucket_values(grams)
        if not values:
            return 0.0, ()
        weights = self.model.ngrams
        scale = next(iter(values.values()))
        total = sum(map(weights.__getitem__, values)) * scale
        weighed = self._weighed[field]
        by_word = []
        for word, found in grams:
            weight = weighed.get(word)
            if weight is None:
                weight = sum(map(weights.__getitem__, found))
                if len(weighed) < features.MEMO_WORDS:
                    weighed[word] = weight
            by_word.append((weight * scale, word))
        by_word.sort(key=lambda s: -abs(s[0]))
        return total, tuple((weight, f"{field} word '{word}' (learned from examples)")
                            for weight, word in by_word[:WORDS_PER_FIELD])


# --- Text ----------------------------------------------------------------------------------


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
    return words.TITLE_WHEN.sub("", title)


# --- Verdicts ------------------------------------------------------------------------------


def decided_by_owner(rules: Rules, marked: str | None, summary: str, description: str,
                     location: str, categories: Sequence[str] = ()) -> bool:
    """True when the owner decides the event, not its wording: a ``syncd mark``, an include
    or exclude rule that matches, an interview category (the fields as ``detector_fields``
    cuts them)."""
    return (_marked(marked) or _forced(rules, summary, description, location, categories)
            ) is not None


def _marked(marked: str | None) -> tuple[bool, str] | None:
    """The owner's own decision for this event, from ``syncd mark``."""
    if marked == "interview":
        return True, "marked as an interview by the owner (syncd mark)"
    if marked == "not-interview":
        return False, "marked as not an interview by the owner (syncd mark)"
    return None


def _forced(rules: Rules, summary: str, description: str, location: str,
            categories: Sequence[str]) -> tuple[bool, str] | None:
    """Apply the owner's exclude and include regexes, then the event's categories."""
    if rules.exclude or rules.include:
        haystack = "\n".join((summary or "", description or "", location or ""))
        for pattern in rules.exclude:
            if re.search(pattern, haystack, re.I):
                return False, f"matches the exclude rule '{pattern}'"
        for pattern in rules.include:
            if re.search(pattern, haystack, re.I):
                return True, f"matches the include rule '{pattern}'"
    for category in categories:
        if interview_category(category):
            return True, f"the event's category is '{category.strip()[:40]}'"
    return None


def interview_category(category: str) -> bool:
    """True when a calendar category names a job interview, in any language the tables know."""
    name = category.strip()
    return 0 < len(name) <= 40 and any(pattern.fullmatch(name)
                                       for pattern, _, _ in words.INTERVIEW_WORDS.cues)


def _weigh(threshold: float, total: float, signals: tuple[Signal, ...]) -> Verdict:
    """The verdict a total log-odds adds up to; format, role and company are left to fill."""
    score = round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, total)))), 2)
    interview = score >= threshold
    return Verdict(interview, score, "unknown", "", _reasons(signals, interview))


def _overruled(forced: tuple[bool, str], signals: tuple[Signal, ...]) -> Verdict:
    """The verdict an include/exclude rule or a category imposes, its reason first."""
    interview, reason = forced
    signals = ((math.inf if interview else -math.inf, reason), *signals)
    return Verdict(interview, 1.0 if interview else 0.0, "unknown", "",
                   _reasons(signals, interview))


def _reasons(signals: Sequence[Signal], interview: bool) -> tuple[str, ...]:
    """Reasons that support the verdict, heaviest first, then the strongest dissent."""
    ranked = sorted((s for s in signals if abs(s[0]) >= 0.05), key=lambda s: -abs(s[0]))
    agree = _said_once([reason for weight, reason in ranked if (weight > 0) == interview])
    dissent = [f"despite: {reason}" for weight, reason in ranked if (weight > 0) != interview]
    reasons = agree[:MAX_REASONS - 1] + dissent[:1]
    return tuple(reasons or ["no sign of a job interview in the title, description or invitees"])


def _said_once(reasons: list[str]) -> list[str]:
    """The reasons without those another one already says (a combined cue quotes its parts)."""
    kept: list[str] = []
    for reason in reasons:
        if any(reason in other for other in kept):
            continue
        said = [i for i, other in enumerate(kept) if other in reason]
        if said:  # the longer one takes the place of the first it says, heaviest first
            kept[said[0]] = reason
            kept = [other for i, other in enumerate(kept) if i not in said[1:]]
        else:
            kept.append(reason)
    return kept
