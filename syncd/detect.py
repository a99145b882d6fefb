"""Detect job interviews in which the owner is the candidate.

A scored, explainable classifier. Each cue found in an event (interview words in several
languages, hiring-process steps, wording addressed to a candidate or to an interviewer, who
sent the invite and from where) adds a signed weight; the sum, offset by a negative bias,
goes through a logistic so that the score reads like a probability. Every cue that counted
becomes a short reason, the decisive ones first. The keyword tables live in
:mod:`syncd.detect_words`. Pure: no I/O, no clock, no state beyond compiled patterns.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syncd import detect_words as words

if TYPE_CHECKING:
    from syncd.model import Event

# With no cue at all an event scores 0.12; one plain interview word in the title lifts it
# to 0.62, and a hard negative (-6) sinks it whatever else is present.
BIAS = -2.0
# How much one family of cues may add, so that a wordy invitation cannot run away.
GROUP_CAP = 3.5
MAX_REASONS = 6

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


@dataclass(frozen=True)
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
    location = location or ""
    title = _clean_title(summary)
    text = html.unescape(words.HTML_TAG.sub(" ", description or "")).replace("\u2019", "'")
    parties = read_parties(organizer, attendees, rules.self_addresses)
    signals = _title_signals(title) + _description_signals(text, parties)
    signals += _party_signals(parties, title)
    score = round(1.0 / (1.0 + math.exp(-(BIAS + sum(w for w, _ in signals)))), 2)
    interview = score >= rules.threshold
    forced = _forced(rules, summary, description, location)
    if forced is not None:
        interview, reason = forced
        score = 1.0 if interview else 0.0
        signals = [(math.inf if interview else -math.inf, reason), *signals]
    if not interview:
        return Verdict(False, score, "unknown", "", _reasons(signals, False))
    return Verdict(True, score, meeting_format(title, text, location),
                   company_name(title, text, parties), _reasons(signals, True))


def detect(event: Event, rules: Rules) -> Verdict:
    """Same as :func:`classify`, on a :class:`syncd.model.Event`."""
    return classify(event.summary, event.description, event.location, event.organizer,
                    [attendee.email for attendee in event.attendees], rules)


# --- Signals -------------------------------------------------------------------------------


def _clean_title(summary: str) -> str:
    """The summary without "Updated invitation:"-style prefixes, apostrophes made straight."""
    title = (summary or "").replace("\u2019", "'").strip()
    while words.TITLE_PREFIX.match(title):
        title = words.TITLE_PREFIX.sub("", title, count=1)
    return title


def _matches(cues: tuple[words.Cue, ...], text: str, where: str) -> list[Signal]:
    """One signal per cue found in ``text``, quoting what matched."""
    found: list[Signal] = []
    for pattern, weight, note in cues:
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


def _title_signals(title: str) -> list[Signal]:
    """Interview words, hiring steps, a job title and hard negatives in the title."""
    signals = _strongest(_matches(words.INTERVIEW_WORDS, title, "title"))
    signals += _capped(_matches(words.HIRING_STEPS, title, "title"))
    role = words.ROLE_TITLE.search(title)
    if role:
        signals.append((1.0, f"title names a job title ('{role.group(0)}')"))
    negatives = _matches(words.TITLE_NEGATIVES, title, "title")
    if negatives:
        signals.append(min(negatives))  # the most negative only; they do not stack
    return signals


def _description_signals(text: str, parties: Parties) -> list[Signal]:
    """Wording addressed to a candidate or to an interviewer, and non-hiring contexts."""
    signals = _capped(_matches(words.CANDIDATE_SIDE, text, "description"))
    signals += _matches(words.PLATFORM_LINKS, text, "description")
    signals += _matches(words.DESCRIPTION_STEPS, text, "description")
    for weight, reason in _strongest(_matches(words.INTERVIEWER_SIDE, text, "description")):
        if parties.owner_side:
            # Sent from within the owner's own organisation, this wording settles it: the
            # owner is on the hiring side. From outside it may be boilerplate.
            signals.append((weight, f"{reason}, on an invite from the owner's own side"))
        else:
            signals.append((weight / 2, reason))
    signals += _strongest(_matches(words.DESCRIPTION_NEGATIVES, text, "description"))
    return signals


def _party_signals(parties: Parties, title: str) -> list[Signal]:
    """What the organizer's and attendees' domains say about who is the candidate."""
    signals: list[Signal] = []
    org = parties.organizer_domain
    if org in parties.outside:
        signals.append((1.0, f"organizer is at {org}, an outside company"))
        named = _name_from_domain(org, title, "")
        if _spelled_in(_squash(named), title):
            signals.append((0.5, f"title names the organizer's company ({named})"))
    elif parties.outside:
        signals.append((0.5, f"an attendee is at {parties.outside[0]}, an outside company"))
    if parties.platform:
        signals.append((1.0, f"sent through a hiring platform ({parties.platform})"))
    if parties.internal:
        signals.append((-2.0, f"the invite is internal to {org}, the owner's own organisation"))
    return signals


def _forced(rules: Rules, summary: str, description: str, location: str) -> tuple[bool, str] | None:
    """Apply the owner's include/exclude regexes; exclude wins."""
    haystack = "\n".join((summary or "", description or "", location or ""))
    for pattern in rules.exclude:
        if re.search(pattern, haystack, re.I):
            return False, f"matches the exclude rule '{pattern}'"
    for pattern in rules.include:
        if re.search(pattern, haystack, re.I):
            return True, f"matches the include rule '{pattern}'"
    return None


def _reasons(signals: list[Signal], interview: bool) -> tuple[str, ...]:
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


def read_parties(organizer: str, attendees: Sequence[str],
                 self_addresses: Sequence[str]) -> Parties:
    """Work out where the organizer and the attendees stand relative to the owner."""
    selves = {bare_address(a) for a in self_addresses if a}
    personal = words.FREE_MAIL | words.SERVICE_DOMAINS
    own = frozenset(d for d in map(_domain, selves) if d and d not in personal)
    org = bare_address(organizer)
    people = (bare_address(a) for a in attendees)
    others = [p for p in people if p and p not in selves and p != org
              and not p.endswith(words.RESOURCE_DOMAINS)]
    outside: list[str] = []
    platform = ""
    for domain in map(_domain, [org, *others]):
        if not domain or domain in personal or domain in own:
            continue
        if domain in words.PLATFORM_DOMAINS:
            platform = platform or domain
        elif domain not in outside:
            outside.append(domain)
    org_domain = _domain(org)
    by_owner = org in selves or not org
    # A block the owner keeps for themselves is not "internal": only an invite that
    # involves colleagues (or comes from one) says the owner's employer is hiring.
    internal = (org_domain in own and not outside and not platform
                and (bool(others) or not by_owner))
    return Parties(org, org_domain, own, by_owner, internal, tuple(outside), platform)


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


# --- Company -------------------------------------------------------------------------------


def company_name(title: str, text: str, parties: Parties) -> str:
    """Name the hiring company, "" when nothing says which it is.

    In order: an agency's client named in the text; the organizer's company (unless the
    owner, a platform or an agency sent the invite); a name in the title; a "Company:"
    line; an attendee's company; a platform tenant's sender name (datadog@myworkday.com).
    """
    client = words.CLIENT.search(title) or words.CLIENT.search(text)
    name = _clean_company(client.group("name")) if client else ""
    org = parties.organizer_domain
    sent_by_company = org in parties.outside or org in parties.own_domains
    if not name and sent_by_company and not parties.by_owner and not _is_agency(org):
        name = _name_from_domain(org, title, text)
    name = name or _company_from_title(title)
    field = words.COMPANY_FIELD.search(text)
    name = name or (_clean_company(field.group("name")) if field else "")
    if not name and parties.outside:
        name = _name_from_domain(parties.outside[0], title, text)
    local = parties.organizer.partition("@")[0]
    if not name and parties.platform in words.TENANT_PLATFORMS and local.isalpha():
        name = "" if local in words.GENERIC_LOCAL_PARTS else local.capitalize()
    return name


def _is_agency(domain: str) -> bool:
    return bool(words.AGENCY_WORDS.search(domain.partition(".")[0]))


def _name_from_domain(domain: str, title: str, text: str) -> str:
    """A company's name from its domain, spelled the way the invite spells it if it does."""
    if domain in words.KNOWN_COMPANIES:
        return words.KNOWN_COMPANIES[domain]
    label = _squash(domain.partition(".")[0])
    for key in dict.fromkeys((label, words.LABEL_AFFIXES.sub("", label))):
        spelled = len(key) >= 3 and (_spelled_in(key, title) or _spelled_in(key, text[:5000]))
        if spelled:
            return words.LEGAL_SUFFIX.sub("", spelled)
    # Short labels are nearly always initials (sap, ibm, ey).
    return label.upper() if len(label) <= 3 else label.capitalize()


def _squash(word: str) -> str:
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
            joined += _squash(last.group(0))
            if joined == key:
                return text[first.start():last.end()]
            if not key.startswith(joined):
                break
    return ""


def _company_from_title(title: str) -> str:
    """A company named in the title: "株式会社X", "@ X", "X interview", "[X]", "(X)", "– X"."""
    for pattern in words.TITLE_COMPANY:
        for match in pattern.finditer(title):
            found = match.groupdict()
            name = _clean_company(found.get("name") or found.get("name2") or "")
            if name:
                return name
    for segment in words.SEGMENT_SPLIT.split(title):
        name = _clean_company(re.sub(r"\([^)]*\)", "", segment))
        if name:
            return name
    return ""


def _clean_company(raw: str) -> str:
    """Trim a candidate company name; "" when what is left does not look like one."""
    tokens = re.sub(r"[^\w\s&.'-]", " ", raw.replace("株式会社", " ")).split()
    for i, token in enumerate(tokens):
        if words.ROLE_TITLE.fullmatch(token) or token.lower() in ("role", "position", "team"):
            tokens = tokens[:i]  # "Figma Developer Advocate" -> "Figma"
            break
    while tokens and tokens[-1].lower() in words.ROLE_MODIFIERS:
        tokens.pop()
    name = words.LEGAL_SUFFIX.sub("", " ".join(tokens)).strip(" .-'&")
    parts = name.split()
    if not parts or len(parts) > 4 or any(c.isdigit() for c in name):
        return ""
    if parts[0][0].isascii() and not parts[0][0].isupper():
        return ""
    return "" if any(p.lower() in words.NOT_COMPANY for p in parts) else name
