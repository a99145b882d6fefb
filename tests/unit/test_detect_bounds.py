"""The detector reads bounded fields in linear time (issue 8, finding 5).

Rewritten patterns are proven equivalent to the ones they replace on random text, and an
event whose fields run to megabytes gets the verdict of its first few hundred characters.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd import bounds
from syncd import detect_words as words
from syncd import format_words
from syncd.detect import Detector, Rules, _read_description

# The patterns as they were before they were made linear; the rewrite must not change a match.
OLD = {
    "ADDRESS": re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"),
    "STREET": re.compile(r"[a-zäöüß-]+(?:straße|strasse|str\.|allee|weg|platz|gasse|ring|damm|ufer|"
                         r"straat|laan|gracht|plein|kade|vej|gatan|gata|veien|vägen|väljak|katu)\s*\d+",
                         re.I),
    "LEGAL": re.compile(r"[\s,]+(?:AG|SE|GmbH|Inc\.?|LLC|Ltd\.?|plc|S\.A\.|SA|SAS|BV|B\.V\.|NV|N\.V\.|"
                        r"Co\.|Corp\.?|Corporation|KK|K\.K\.|Recruiting|Talent|Careers|Hiring|Team)\s*$"),
    "SPLIT": re.compile(r"\s+[-–—|:·/]\s+|\s*[|–—·:]\s*"),
}
NEW = {"ADDRESS": words.ADDRESS, "STREET": format_words.STREET_ADDRESS[1], "LEGAL": words.LEGAL_SUFFIX,
       "SPLIT": words.SEGMENT_SPLIT}

# Small alphabets full of the characters each pattern cares about, so matches are common.
PIECES = ["a", "Z", "ß", "-", ".", "+", "'", "@", " ", "\t", ",", "1", "7", "|", "–", ":", "/", "·",
          "x.com", "straße", "weg", "Str.", " 12", "AG", "Inc.", "Team", " GmbH", "(", ")", "<b>", ">",
          "<", "&amp;", "\u2019"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(texts)
def test_linear_patterns_find_exactly_what_the_old_ones_found(text):
    """Each pattern as the detector uses it: search, sub or split (not finditer, never used)."""
    for name in ("ADDRESS", "STREET"):
        found, expected = NEW[name].search(text), OLD[name].search(text)
        assert (found and (found.span(), found.groupdict())) == (
            expected and (expected.span(), expected.groupdict())), name
    assert NEW["LEGAL"].sub("", text) == OLD["LEGAL"].sub("", text)
    assert NEW["SPLIT"].split(text) == OLD["SPLIT"].split(text)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_description_tags_are_stripped_as_before(text):
    expected = words.HTML_TAG.sub(" ", text)
    assert _read_description(text) == _unescaped(expected)


def _unescaped(text: str) -> str:
    import html

    return html.unescape(text).replace("\u2019", "'")


def test_each_field_is_read_up_to_its_cap():
    summary, description, location, organizer, attendees = bounds.detector_fields(
        "s" * 10**6, "d" * 10**6, "l" * 10**6, "o" * 10**6, ("a" * 10**6 for _ in range(10**5)))
    assert (len(summary), len(description), len(location), len(organizer)) == (
        bounds.MAX_TITLE, bounds.MAX_DESCRIPTION, bounds.MAX_LOCATION, bounds.MAX_ADDRESS)
    assert len(attendees) == bounds.MAX_ATTENDEES and {len(a) for a in attendees} == {bounds.MAX_ADDRESS}


def test_text_beyond_the_caps_changes_no_verdict():
    rules = Rules(self_addresses=("alex@example.com",))
    fields = ("Onsite interview – Data Engineer (Globex)", "We look forward to meeting you.",
              "Globex HQ, 1 Market St", "talent@globex.com", ["alex@example.com"])
    junk = "a" * 500_000
    longer = (fields[0] + " " * bounds.MAX_TITLE + junk, fields[1] + " " * bounds.MAX_DESCRIPTION + junk,
              fields[2] + " " * bounds.MAX_LOCATION + junk, fields[3],
              fields[4] + [f"p{i}@globex.com" for i in range(bounds.MAX_ATTENDEES)] + ["x@evil.example"])
    plain = Detector(rules).classify(*fields)
    assert plain.interview and plain.company == "Globex"
    assert Detector(rules).classify(*longer) == plain


def test_classify_answers_every_line_of_megabyte_fields():
    """Once 33 s per 100,000 characters of organizer, and quadratic: each of these lines took minutes."""
    lines = [{"id": i, "summary": "Interview " + unit * 40_000, "organizer": unit * 150_000,
              "description": unit * 150_000, "location": unit * 20_000, "attendees": [unit * 10_000] * 5,
              "self": "alex@example.com"} for i, unit in enumerate(["a", "a.", "<", " ", "A ", "a-"])]
    done = subprocess.run([str(Path(sys.executable).parent / "syncd"), "classify"],
                          input="\n".join(json.dumps(x) for x in lines), capture_output=True, text=True,
                          timeout=300)  # a guard against a hang, not a measurement
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(x) for x in done.stdout.splitlines()]
    assert [v["id"] for v in verdicts] == list(range(len(lines)))
