"""What the detector reads from an event: named cue features and hashed character n-grams.

Pure, and shared by the daemon and by ``make train`` (benchmarks/train_detect.py), so that
the weights are learned on exactly what the daemon computes. Two kinds of feature:

- **cues**: one feature per family of the keyword tables in :mod:`syncd.detect_words`
  ("the title has an interview word", "the description is addressed to an interviewer"), and
  what the organizer's and attendees' domains say. Each carries a reason in words that quotes
  what matched;
- **n-grams**: the character 2- to 4-grams of each word of the title, description and
  location, hashed (CRC-32) into a fixed number of buckets per field. They carry what no
  table lists (other languages, terse notes), and explain themselves by the word they came
  from.

A feature is a key and a value. Named keys are strings (``"t:interview-word"``); n-gram
keys are bucket numbers. Values are 1.0 for cues, and for n-grams 1/sqrt(number of distinct
n-grams of the field), so that a long description weighs no more than a short title.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Iterator, Sequence

from syncd import detect_words as words
from syncd.detect_parties import Parties

# A cue feature found in a text: (key, reason).
Cue = tuple[str, str]

# Fields whose words are hashed, and the prefix that keeps their buckets apart.
FIELDS = {"title": "t", "description": "d", "location": "l"}
NGRAM_SIZES = (2, 3, 4)
# Only this much of a field is read for n-grams: what identifies an interview comes early,
# and a stranger's megabyte of text must not cost a megabyte of hashing.
NGRAM_CHARS = {"title": 300, "description": 1500, "location": 200}
MAX_WORD = 24  # longer "words" (URLs, tokens, CJK sentences) are cut to this many letters
WORD = re.compile(r"[^\W_]+")
MEMO_WORDS = 50_000  # a memo of words' buckets stops growing here (a few MB), whatever it reads


# --- Cue features --------------------------------------------------------------------------


def _found(table: words.CueTable, text: str, seen: int | None) -> Iterator[tuple[int, str]]:
    """(index, quoted match) of each cue of ``table`` found in ``text``.

    ``seen`` is :func:`syncd.detect_words.scan` of ``text``: only the cues whose words it
    holds are searched. None searches them all.
    """
    cues = table.cues
    for i in table.candidates(seen) if seen is not None else range(len(cues)):
        match = cues[i][0].search(text)
        if match:
            yield i, " ".join(match.group(0).split())[:60]


def _family(table: words.CueTable, key: str, text: str, seen: int | None, where: str,
            what: str) -> list[Cue]:
    """One cue feature for the whole family: present when any of its cues matches."""
    for _, said in _found(table, text, seen):
        return [(key, f"{where} says '{said}' ({what})")]
    return []


def _by_note(table: words.CueTable, prefix: str, text: str, seen: int | None,
             where: str) -> list[Cue]:
    """One cue feature per note of the table (``"research, not hiring"``), first match each."""
    cues: dict[str, Cue] = {}
    for i, said in _found(table, text, seen):
        note = table.cues[i][2] or "cue"
        key = f"{prefix}:{note}"
        if key not in cues:
            cues[key] = (key, f"{where} says '{said}' ({note})")
    return list(cues.values())


def title_cues(title: str, prefilter: bool = True) -> list[Cue]:
    """Interview words, hiring steps, a job title and the kinds of negative in a title."""
    seen = words.scan(title) if prefilter else None
    cues = _family(words.INTERVIEW_WORDS, "t:interview-word", title, seen, "title",
                   "a word for a job interview")
    steps = list(_found(words.HIRING_STEPS, title, seen))
    if steps:
        cues.append(("t:hiring-step", f"title says '{steps[0][1]}' (a step of hiring)"))
    cues += _family(words.JOB_WORDS, "t:job-words", title, seen, "title",
                    "what a job application involves")
    cues += _family(words.ASSESSMENT_WORDS, "t:assessment", title, seen, "title",
                    "a test a selection sets")
    internal = words.INTERNAL_APPLICATION.search(title)
    if internal:
        cues.append(("t:internal-application",
                     f"title says '{internal.group(0)}' (the owner applying inside their employer)"))
    role = words.ROLE_TITLE.search(title) if words.may_match(words.ROLE_TITLE, seen) else None
    if role:
        cues.append(("t:job-title", f"title names a job title ('{role.group(0)}')"))
    for table in (words.TITLE_NEGATIVES, words.TITLE_NEGATIVES_WORLD):
        cues += [cue for cue in _by_note(table, "t:not", title, seen, "title")
                 if cue[0] not in {key for key, _ in cues}]
    return cues


def text_cues(text: str, prefilter: bool = True) -> list[Cue]:
    """Wording addressed to a candidate or to an interviewer, and non-hiring contexts."""
    seen = words.scan(text) if prefilter else None
    where = "description"
    return [
        *_family(words.INTERVIEW_WORDS, "d:interview-word", text, seen, where,
                 "a word for a job interview"),
        *_family(words.CANDIDATE_SIDE, "d:to-candidate", text, seen, where,
                 "addressed to a candidate"),
        *(_family(words.DESCRIPTION_STEPS, "d:hiring-step", text, seen, where,
                  "a step of hiring")
          or _family(words.HIRING_STEPS, "d:hiring-step", text, seen, where,
                     "a step of hiring")),
        *_family(words.JOB_WORDS, "d:job-words", text, seen, where,
                 "what a job application involves"),
        *_family(words.PLATFORM_LINKS, "d:hiring-system", text, seen, where,
                 "a hiring system"),
        *_family(words.INTERVIEWER_SIDE, "d:to-interviewer", text, seen, where,
                 "addressed to an interviewer"),
        *_family(words.DESCRIPTION_NEGATIVES, "d:not-hiring", text, seen, where,
                 "not a hiring interview"),
        *_family(words.CANCELLED, "d:not-hiring", text, seen, where,
                 "the interview is called off"),
    ]


def says_hiring(text: str, title: bool = False) -> bool:
    """True when ``text`` holds a word for an interview, a step of hiring, a test a selection
    sets, what applying involves, wording to a candidate or a hiring system's link, or, for a
    ``title``, a job title: what most interviews say in their title, description or location.
    An event judged an interview on the rest of its wording says none of them, so this only
    tells which events may go first (see :mod:`syncd.early`), never what one is."""
    seen = words.scan(text) if text else 0
    if not seen:
        return False
    if any(next(_found(table, text, seen), None) for table in _SAY_HIRING):
        return True
    return title and words.may_match(words.ROLE_TITLE, seen) and bool(words.ROLE_TITLE.search(text))


_SAY_HIRING = (words.INTERVIEW_WORDS, words.HIRING_STEPS, words.DESCRIPTION_STEPS,
               words.CANDIDATE_SIDE, words.PLATFORM_LINKS, words.ASSESSMENT_WORDS,
               words.JOB_WORDS)


def location_cues(location: str) -> list[Cue]:
    """A location that says the event is an interview (a cover title's real meaning)."""
    return _family(words.INTERVIEW_WORDS, "l:interview-word", location, words.scan(location),
                   "location", "a word for a job interview")


# Cues that say an event is about hiring at all; only then do the parties count.
HIRING_CUES = frozenset({"t:interview-word", "t:hiring-step", "t:job-title", "t:internal-application",
                         "d:interview-word", "d:to-candidate", "d:hiring-step", "d:hiring-system",
                         "d:to-interviewer", "l:interview-word"})


# "Tanya Russell", "Jane Roe": whom an interviewer meets is named in the title.
_FULL_NAME = re.compile(r"(?<![\w.])[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?![\w.])")


def party_cues(parties: Parties, named: str, interviewer_wording: bool,
               title: str = "", booker: bool | None = None) -> list[Cue]:
    """What the organizer's and attendees' domains say about who is the candidate.

    ``named`` is the organizer's company when the title spells it, else "";
    ``interviewer_wording`` says the description is addressed to an interviewer; ``booker``
    whether the owner booked the slot on someone's booking page (None: no booking). The caller
    asks only about events whose text is about hiring: who sent an invitation says which
    side of a hiring the owner is on, not whether it is one (most meetings come from
    another company's address).
    """
    cues: list[Cue] = []
    org = parties.organizer_domain
    if org in parties.outside:
        cues.append(("p:organizer-outside", f"organizer is at {org}, an outside company"))
        if named:
            cues.append(("p:title-names-organizer", f"title names the organizer's company "
                                                    f"({named})"))
    elif parties.outside:
        cues.append(("p:attendee-outside",
                     f"an attendee is at {parties.outside[0]}, an outside company"))
    if parties.platform:
        cues.append(("p:hiring-platform", f"sent through a hiring platform ({parties.platform})"))
    if parties.internal:
        cues.append(("p:internal", f"the invite is internal to {org}, the owner's own "
                                   "organisation"))
    if parties.by_owner and not parties.others:
        cues.append(("p:own-note", "a note the owner keeps with nobody invited"))
    person = _FULL_NAME.search(title)
    if person and parties.internal:
        cues.append(("p:internal-names-person", f"an invite within the owner's organisation "
                                                f"names a person ('{person.group(0)}')"))
    if booker is not None:
        cues.append(("p:booked-by-owner", "the owner booked the slot on a booking page") if booker
                    else ("p:booked-by-other", "someone else booked a slot on the owner's "
                                               "booking page"))
    if interviewer_wording and parties.owner_side:
        cues.append(("p:own-side-interviewer", "interviewer-side wording on an invite from "
                                               "the owner's own side"))
    return cues


def booker(text: str) -> str:
    """The address a booking page says booked the slot, or ""."""
    match = words.BOOKER.search(text)
    return match.group("address").lower() if match else ""


def unique(cues: list[Cue]) -> list[Cue]:
    """Each key once (its first reason): a feature is present or not, as the model learned it."""
    seen: dict[str, Cue] = {}
    for cue in cues:
        seen.setdefault(cue[0], cue)
    return list(seen.values())


_OPPOSED = ("t:not:", "d:not-hiring", "d:to-interviewer")


def content_cues(title: str, title_cues: Sequence[Cue], text_cues: Sequence[Cue],
                 place_cues: Sequence[Cue], prefilter: bool = True) -> list[Cue]:
    """Every cue of an event's own text, each once, with the cues made of several others."""
    cues = [*title_cues, *text_cues, *place_cues]
    cues += combined(title, cues, prefilter)
    return unique([*cues, *unopposed(cues)])


# Cues that say, wherever they are, that the text is about applying for a job.
_APPLYING = frozenset({"t:job-words", "t:hiring-step", "d:job-words", "d:hiring-step",
                       "d:to-candidate", "d:interview-word", "d:hiring-system",
                       "l:interview-word"})
# What a cover title's description or location must say for the cover to count.
# ("d:job-words" is not enough: "check-in on the hiring plan" under "Gym" is no interview.)
_COVERED = frozenset({"d:interview-word", "d:hiring-step", "d:to-candidate", "l:interview-word"})


def combined(title: str, cues: Sequence[Cue], prefilter: bool = True) -> list[Cue]:
    """Cues that several others make together, each a feature of its own.

    They carry what one family alone says too weakly for a writer nobody has seen: a title
    that says something else than a hiring interview, whatever the kind; a cover title
    ("Dentist", "Hold", "OOO") over a description about a job interview; a call with a
    recruiter in any language; a test or an exercise that is a step of a selection.
    ``prefilter=False`` searches every pattern, for tests to compare.
    """
    keys = {key for key, _ in cues}
    found: list[Cue] = []

    def search(pattern: re.Pattern[str]) -> re.Match[str] | None:
        if prefilter and not words.may_match(pattern, words.scan(title)):
            return None
        return pattern.search(title)

    if keys & {"t:interview-word", "t:hiring-step"} and "t:not:someone else's interview" not in keys:
        whose = search(words.FAMILY) or search(words.FOR_SOMEONE)
        if whose:
            found.append(("t:not:someone else's interview",
                          f"title says '{whose.group(0)}' (someone else's interview)"))
    negative = next((reason for key, reason in [*cues, *found] if key.startswith("t:not:")), "")
    if negative:
        found.append(("t:not-hiring", f"{negative}: the title names something else"))
    covered = keys & _COVERED  # a cover title or a call counts only over such a cue
    cover = words.COVER_TITLES.fullmatch(_bare_title(title)) if covered else None
    talk = words.TALK_TITLE.search(title)
    if cover:
        said = next(reason for key, reason in cues if key in _COVERED)
        found.append(("x:cover-title", f"the title '{cover.group(0)[:30]}' is a cover: {said}"))
    if not cover and covered and talk:
        found.append(("x:talk-about-job", "a call or meeting whose description is about a job"))
    if talk and search(words.HIRERS):
        found.append(("t:hiring-step", "the title names a call or a chat with a recruiter"))
    if "t:assessment" in keys and keys & _APPLYING:
        found.append(("t:hiring-step", "the title names a test or exercise, and the text says "
                                       "it is a step of a selection"))
    return found


def is_cover_title(title: str) -> bool:
    """A title that covers what the event is ("Dentist", "Busy – personal", "Hold")."""
    return bool(words.COVER_TITLES.fullmatch(_bare_title(title)))


def _bare_title(title: str) -> str:
    """A title without emoji, brackets, punctuation or a trailing note in parentheses."""
    title = re.sub(r"\([^)]*\)\s*$", "", title)
    return " ".join(WORD.findall(title))


def unopposed(cues: list[Cue]) -> list[Cue]:
    """A word for an interview, or a step of hiring, that no negative cue contradicts.

    Most things called an interview that are not one say what they are instead (a podcast,
    a mock, a child's, a cancellation); without any such word, the word is taken at face
    value. One feature, learned like the others.
    """
    keys = [key for key, _ in cues]
    if any(key.startswith(_OPPOSED) for key in keys):
        return []
    for key, reason in cues:
        if key in ("t:interview-word", "t:hiring-step", "l:interview-word", "x:cover-title"):
            return [("x:unopposed", f"{reason}, and nothing says otherwise")]
    return []


# --- N-grams -------------------------------------------------------------------------------


def normalized(text: str) -> str:
    """Text as n-grams read it: compatibility forms unified, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def word_grams(field: str, text: str, buckets: int,
               memo: dict[str, tuple[int, ...]] | None = None) -> list[tuple[str, tuple[int, ...]]]:
    """Each distinct word of ``text`` (as the ``field`` reads it) and its n-gram buckets.

    Words are runs of letters and digits, padded with a space on each side so that n-grams
    know where a word starts and ends; ``buckets`` is a power of two. ``memo`` (word -> its
    buckets, for this field and ``buckets`` only) saves hashing a word met before: calendars
    say "meeting", "with" and "team" thousands of times.
    """
    out: list[tuple[str, tuple[int, ...]]] = []
    seen: set[str] = set()
    for word in WORD.findall(normalized(text[:NGRAM_CHARS[field]])):
        word = word[:MAX_WORD]
        if word in seen:
            continue
        seen.add(word)
        found = memo.get(word) if memo is not None else None
        if found is None:
            found = _buckets(FIELDS[field], word, buckets - 1)
            if memo is not None and len(memo) < MEMO_WORDS:
                memo[word] = found
        out.append((word, found))
    return out


def _buckets(prefix: str, word: str, mask: int) -> tuple[int, ...]:
    """The sorted buckets of one word's n-grams (``mask`` is the bucket count less one)."""
    padded = f" {word} "
    grams = {padded[i:i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1)}
    crc, head = zlib.crc32, prefix.encode()
    return tuple(sorted({crc(head + g.encode()) & mask for g in grams}))


def bucket_values(grams: list[tuple[str, tuple[int, ...]]]) -> dict[int, float]:
    """The n-gram features of one field: each bucket present, scaled by the field's size."""
    present = {b for _, found in grams for b in found}
    value = 1.0 / math.sqrt(len(present)) if present else 0.0
    return dict.fromkeys(present, value)
