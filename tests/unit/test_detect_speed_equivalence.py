"""The planner's shortcuts give the answers of the plain computation, on varied events.

Three shortcuts make a planning pass fast, and none may change a verdict or a conflict:

- the literal prefilter (:mod:`syncd.literals`) searches only the cue patterns whose words
  occur in a text, found for every table in one scan; ``Detector(rules, prefilter=False)``
  searches them all;
- a :class:`syncd.detect.Detector` remembers titles, descriptions, addresses and the n-grams
  of words across the events of a pass; a fresh detector per event remembers nothing;
- :func:`syncd.plan.find_interviews` classifies each distinct text once and sorts only the
  interviews; :func:`syncd.conflicts.busy_conflicts` sorts the busy events once for both
  sweeps. Each is compared with the straightforward version it replaces.

Texts are built from the cue tables' own words in odd spellings (upper case, dotless ı, long
ſ, the Kelvin sign), mixed with filler, corpus titles and descriptions, and addresses of
every kind the detector tells apart.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd import detect_words as words
from syncd.conflicts import busy_conflicts, overlapping_pairs, unique_occurrences
from syncd.detect import Detector, Rules, Verdict, classify
from syncd.literals import fold, required_literals
from syncd.model import Attendee, Event, Marker
from syncd.plan import find_interviews

CORPORA = Path(__file__).parents[2] / ".." / "shared" / "corpus"
CORPUS = CORPORA / "interviews-dev.jsonl"
PROFILE = settings(max_examples=150, deadline=None)
TABLES = [table for table in vars(words).values() if isinstance(table, words.CueTable)]
GATED = (words.ROLE_TITLE, words.HIRERS, words.FAMILY, words.FOR_SOMEONE)
OWNER = "alex@initech.com"
PEOPLE = ("alex@initech.com", "Alex <alex.doe@gmail.com>", "sam@initech.com",
          "mailto:jo@initech.com", "recruiting@acme.example", "ana@globex.co.uk",
          "no-reply@greenhouse.io", "datadog@myworkday.com", "kim@gmail.com",
          "room-4@resource.calendar.google.com", "talent@roberthalf.com", "")


def _literals() -> list[str]:
    """Every literal the prefilter looks for, as the patterns spell them."""
    found: set[str] = set()
    for pattern in [pattern for table in TABLES for pattern, _, _ in table.cues] + list(GATED):
        found |= required_literals(pattern) or set()
    return sorted(found)


LITERALS = _literals()
FILLER = ("Weekly sync", "with", "the", "Acme", "team", "1:1", "—", "(", ")", ":", "'s", "at",
          "Zoom", "https://zoom.us/j/1", "Room 4B", "\n", "<b>", "</b>", "&amp;", "Sam's",
          "Senior Engineer", "Initech", "Mr. Ímre", "Straße 5", "9:00", "ÉTÉ", "İstanbul")
ODD = str.maketrans({"i": "ı", "s": "ſ", "k": "\u212a"})


def _spell(word: str, how: int) -> str:
    """``word`` in one of several spellings that case-insensitive matching equates."""
    return (word, word.upper(), word.title(), word.translate(ODD), word.upper().replace("I", "İ"),
            word.swapcase())[how % 6]


def _corpus_texts() -> list[str]:
    if not CORPUS.exists():
        return []
    records = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line]
    return [r[field] for r in records for field in ("summary", "description") if r[field]]


CORPUS_TEXTS = _corpus_texts()

texts = st.lists(
    st.one_of(st.sampled_from(LITERALS).flatmap(
                  lambda w: st.integers(0, 5).map(lambda how: _spell(w, how))),
              st.sampled_from(FILLER),
              st.sampled_from(CORPUS_TEXTS) if CORPUS_TEXTS else st.sampled_from(FILLER),
              st.text(max_size=6)),
    max_size=8).map(" ".join)
fields = st.tuples(texts, texts, st.sampled_from(("", "Zoom", "1 Market St, San Francisco",
                                                  "+1 415 555 0100", "Room 4B", "TBD")),
                   st.sampled_from(PEOPLE), st.lists(st.sampled_from(PEOPLE), max_size=4))
rules = st.builds(Rules, self_addresses=st.sampled_from([(OWNER,), (OWNER, "alex.doe@gmail.com"),
                                                          ("alex.doe@gmail.com",), ()]),
                  threshold=st.sampled_from([0.5, 0.3, 0.8]),
                  include=st.sampled_from([(), ("superday",), ("^IV:",)]),
                  exclude=st.sampled_from([(), ("sync",)]))


# --- the detector ------------------------------------------------------------------------------


def full_path(event: tuple, rules: Rules) -> Verdict:
    """Every pattern searched, nothing remembered from one event to the next."""
    summary, description, location, organizer, attendees = event
    return Detector(rules, prefilter=False).classify(summary, description, location,
                                                     organizer, attendees)


@settings(max_examples=60, deadline=None)  # each example classifies up to 72 events 3 ways
@given(st.lists(fields, min_size=1, max_size=12), rules)
def test_a_shared_prefiltered_detector_gives_the_full_verdicts(events: list[tuple],
                                                               rules: Rules) -> None:
    shared = Detector(rules)
    # Each text again under other organizers, and all of it again from memory.
    variants = [(*event[:3], organizer, event[4]) for event in events
                for organizer in (event[3], OWNER, "recruiting@acme.example")]
    for event in variants + variants[::-1]:
        expected = full_path(event, rules)
        assert shared.classify(*event) == expected
        assert classify(*event, rules) == expected


def test_the_corpus_and_many_mixed_events_classify_alike() -> None:
    rng = random.Random(7)
    mixed = CORPUS_TEXTS + [" ".join(_spell(rng.choice(LITERALS + list(FILLER)), rng.randrange(6))
                                     for _ in range(rng.randrange(1, 9))) for _ in range(1500)]
    owner = Rules(self_addresses=(OWNER, "alex.doe@gmail.com"))
    shared = Detector(owner)
    for i, summary in enumerate(mixed * 2):
        event = (summary, rng.choice(mixed), rng.choice(("", "Zoom", "Room 4B")),
                 rng.choice(PEOPLE), rng.sample(PEOPLE, rng.randrange(4)))
        assert shared.classify(*event) == full_path(event, owner), (i, event)


def test_every_corpus_event_classifies_alike() -> None:
    # Each labelled event of the four corpora as it is, through one detector that remembers
    # everything (as a planning pass does) and through the plain path: same decision, score,
    # reasons, format, company and role.
    records = [json.loads(line) for path in sorted(CORPORA.glob("interviews-*.jsonl"))
               for line in path.read_text("utf-8").splitlines() if line.strip()]
    if not records:
        return
    shared: dict[Rules, Detector] = {}
    for record in records:
        rules = Rules(self_addresses=(record["self"],) if record.get("self") else ())
        event = (record["summary"], record["description"], record["location"],
                 record["organizer"], record["attendees"])
        detector = shared.setdefault(rules, Detector(rules))
        assert detector.classify(*event) == full_path(event, rules), record["id"]


# --- the literal prefilter ---------------------------------------------------------------------


@PROFILE
@given(texts)
def test_the_prefilter_names_every_pattern_that_matches(text: str) -> None:
    folded = fold(text)
    seen = words.scan(text)
    for table in TABLES:
        matching = {i for i, (pattern, _, _) in enumerate(table.cues) if pattern.search(text)}
        assert matching <= set(table.index.candidates(folded))
        # the one scan for every table names what each table's own index names
        assert table.candidates(seen) == table.index.candidates(folded)
    for pattern in GATED:  # and it knows the patterns searched in most titles
        assert words.may_match(pattern, seen) or not pattern.search(text)


def test_every_cue_table_is_prefiltered() -> None:
    # On this Python the regex parser is readable: no pattern has to be searched blindly.
    for table in TABLES:
        assert table.index.always == ()
        assert table.index.candidates("") == []


def test_required_literals() -> None:
    def need(pattern: str, flags: int = re.I) -> set[str] | None:
        found = required_literals(re.compile(pattern, flags))
        return None if found is None else set(found)

    assert need(r"\binterview(?:s|ing)?\b") == {"interview"}
    assert need(r"\bhiring\s+(?:manager|team)\b") == {"hiring"}
    assert need(r"\b(?:phone|video)\s+screen\b") == {"screen"}
    assert need(r"Engineer|Designer", 0) == {"engineer", "designer"}
    assert need(r"a|b?") is None
    # a run of literals goes on through a class of a few characters, in every spelling
    assert need(r"\bh[ủu]y\s+b") == {"hủy", "huy"}
    assert need(r"\br[1-3]\b|\bonsite\b") == {"r1", "r2", "r3", "onsite"}
    assert need(r"G[öo]r[üu]şme") == {"görüşme", "gorüşme", "göruşme", "goruşme"}
    assert need(r"x[^a]yz") == {"yz"}
    assert need(r"ab[a-z]cdef") == {"cdef"}
    assert need(r"(?:x\d)*") is None


def test_fold_agrees_with_case_insensitive_matching_on_every_character() -> None:
    # Whatever character re.I lets stand for a letter of a cue pattern folds to the same
    # single character that letter folds to, so a literal can never hide behind its case.
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert len(fold(everything)) == len(everything)
    letters = {ch for table in TABLES for pattern, _, _ in table.cues for ch in pattern.pattern}
    letters |= set(words.ROLE_TITLE.pattern)
    for letter in sorted(letters):
        for match in re.finditer(re.escape(letter), everything, re.I):
            assert fold(match.group(0)) == fold(letter), (letter, match.group(0))


# --- the planner ------------------------------------------------------------------------------

T0 = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
TITLES = ("Onsite interview – Engineer (Acme)", "Weekly sync", "Phone screen", "Dentist",
          "Exit interview", "Final round with Globex")
PLACES = (("home", "Personal", "a.ics"), ("home", "Family", "a.ics"), ("work", "Work", "b.ics"),
          ("home", "Personal", "c.ics"))



@st.composite
def occurrences(draw: st.DrawFn) -> Event:
    """A user event from a small pool of UIDs and places, so that copies and shared hrefs meet."""
    start = T0 + timedelta(minutes=15 * draw(st.integers(0, 12)))
    rid = draw(st.integers(0, 2))
    account, calendar, href = draw(st.sampled_from(PLACES))
    status = "DECLINED" if draw(st.booleans()) else "ACCEPTED"
    return Event(uid=f"u{draw(st.integers(0, 6))}",
                 recurrence_id=f"2026120{rid}T090000Z" if rid else None,
                 start=start, end=start + timedelta(minutes=15 * draw(st.integers(0, 6))),
                 summary=draw(st.sampled_from(TITLES)), organizer=draw(st.sampled_from(PEOPLE)),
                 attendees=(Attendee(OWNER, partstat=status),),
                 account=account, calendar=calendar, href=href)


spans = st.tuples(st.integers(0, 12), st.integers(0, 4), st.integers(0, 6))


@PROFILE
@given(st.lists(occurrences(), max_size=25))
def test_find_interviews_is_one_classification_per_occurrence_in_place_order(
        events: list[Event]) -> None:
    owner = Rules(self_addresses=(OWNER,))
    ordered = sorted(events, key=lambda e: (e.account, e.calendar, e.href))
    expected = [(e, classify(e.summary, e.description, e.location, e.organizer,
                             [a.email for a in e.attendees], owner))
                for e in unique_occurrences(ordered)]
    found = [(iv.event, iv.verdict) for iv in find_interviews(events, owner)]
    assert found == [(e, v) for e, v in expected if v.interview]


@PROFILE
@given(st.lists(occurrences(), max_size=25), st.lists(spans, max_size=6))
def test_busy_conflicts_are_the_two_sweeps_in_their_order(
        events: list[Event], blocked: list[tuple[int, int, int]]) -> None:
    blocks = [Event(uid=f"syncd-{i}", start=T0 + timedelta(minutes=15 * s),
                    end=T0 + timedelta(minutes=15 * (s + n)),
                    marker=Marker("buffer-before", f"u{source}", str(i)))
              for i, (s, n, source) in enumerate(blocked)]
    unique = unique_occurrences(events)
    hard = overlapping_pairs(unique)
    soft = [(b, a) if a.owned else (a, b) for a, b in overlapping_pairs(unique + blocks)
            if a.owned != b.owned]
    soft = [(user, block) for user, block in soft if block.marker.source != user.occurrence]
    found_hard, found_soft = busy_conflicts(events, blocks)
    assert [(c.kind, c.a, c.b) for c in found_hard] == [("hard", a, b) for a, b in hard]
    assert [(c.kind, c.a, c.b) for c in found_soft] == [("soft", a, b) for a, b in soft]
    for c in found_hard + found_soft:
        assert (c.start, c.end) == (max(c.a.start, c.b.start), min(c.a.end, c.b.end))
