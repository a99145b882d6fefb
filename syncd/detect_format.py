"""How an interview happens: "in_person", "video", "phone" or "unknown". Pure.

The format decides whether syncd adds travel blocks (in person only), so it is read with
care, from explainable features and learned weights:

- **features**: which families of :mod:`syncd.format_words` (video services, words for a
  telephone, "will call you", street-address shapes, floors and reception desks, online
  tests, deadlines, "to be confirmed"...) occur in the title, the description and the
  location, each field apart (a Zoom link in the location says more than one in a footer),
  plus what kind of place the location names;
- **weights**: a small multinomial logistic regression fitted by ``make train``
  (benchmarks/train_format.py) on the labelled corpora, shipped in ``format_model.json``
  and read here without scikit-learn. Each format's score is its bias plus the weights of
  the features present; the highest wins. :func:`format_reasons` says which features
  weighed most, in words.

One thing is decided by definition, not by weight: a test or assessment taken alone (online
or by a deadline, with no call, video session or place named) has no format, "unknown".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from syncd import format_words as words
from syncd.literals import LiteralIndex, fold

FORMATS = ("in_person", "video", "phone", "unknown")
FORMAT_MODEL_PATH = Path(__file__).with_name("format_model.json")
# What is read of each field: a place or title says all it will in its first few hundred
# characters; an invitation's logistics can sit under a long agenda, but not beyond this.
READ_CHARS = {"title": 300, "description": 6000, "location": 300}

# The families looked for in every field: feature "<field>: <family>".
FAMILIES: dict[str, re.Pattern[str]] = {
    "video service": words.VIDEO_SERVICE,
    "video interviewing platform": words.VIDEO_PLATFORM,
    "video or camera word": words.VIDEO_WORD,
    "online or remote": words.REMOTE_WORD,
    "telephone word": words.PHONE_WORD,
    "call word": words.CALL_WORD,
    "someone will call": words.WILL_CALL,
    "phone number": words.PHONE_NUMBER,
    "floor, room or front desk": words.PREMISES,
    "arriving and bringing papers": words.ARRIVAL,
    "in person said outright": words.IN_PERSON_WORD,
    "trial at the workplace": words.TRIAL,
    "test or assessment": words.TEST_WORD,
    "done alone before a deadline": words.SELF_PACED,
    "not decided yet": words.UNDECIDED,
    "a link": words.URL,
}
# What the location is, as a whole.
PLACE_KINDS = ("location: empty", "location: names no place", "location: names a place",
               "location: a video service, link or online", "location: a number or a call")
# Families that say the location is not a place one travels to: a service, a link or
# "online"; or a telephone.
_ONLINE_PLACE = {"video service", "video interviewing platform", "video or camera word",
                 "online or remote", "a link"}
_PHONE_PLACE = {"telephone word", "call word", "someone will call", "phone number"}
# Which format a family points to. Read for "still open between two formats", and by
# training: a title or location that names its interview's format is one more example.
FAMILY_FORMAT = {"video service": "video", "video interviewing platform": "video",
                 "video or camera word": "video", "online or remote": "video",
                 "telephone word": "phone", "someone will call": "phone", "phone number": "phone",
                 "street address": "in_person", "floor, room or front desk": "in_person",
                 "in person said outright": "in_person"}
# A test taken alone: done online or by a deadline, with nothing live (a call, a video
# session, a place) named anywhere.
_ALONE = {"online or remote", "done alone before a deadline"}
_LIVE = {"video service", "video interviewing platform", "video or camera word", "telephone word",
         "someone will call", "street address", "floor, room or front desk",
         "in person said outright", "trial at the workplace"}
# Families that say something about how or where an interview happens.
_SAYS_HOW = _LIVE | {"online or remote", "call word", "phone number", "arriving and bringing papers",
                     "a link"}


@dataclass(frozen=True)
class FormatModel:
    """The learned weights: per format, a bias and one weight per feature."""

    formats: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]

    @classmethod
    def from_json(cls, data: dict) -> FormatModel:
        """The model a weights document describes (see benchmarks/train_format.py)."""
        formats = tuple(str(f) for f in data["formats"])
        if sorted(formats) != sorted(FORMATS):
            raise ValueError(f"the formats must be {FORMATS}, not {formats}")
        bias = tuple(float(data["bias"][f]) for f in formats)
        weights = {str(key): tuple(float(row[f]) for f in formats)
                   for key, row in data["weights"].items()}
        return cls(formats, bias, weights)

    def scores(self, features: Sequence[str]) -> dict[str, float]:
        """Each format's score (log-odds up to a constant) for these features."""
        totals = list(self.bias)
        for key in features:
            row = self.weights.get(key)
            if row:
                totals = [t + w for t, w in zip(totals, row)]
        return dict(zip(self.formats, totals))


@cache
def shipped_format_model() -> FormatModel:
    """The weights shipped beside this module, read once."""
    return FormatModel.from_json(json.loads(FORMAT_MODEL_PATH.read_text("utf-8")))


def format_features(title: str, text: str, location: str, prefilter: bool = True) -> list[str]:
    """The features present in an interview's fields.

    ``title`` and ``text`` are the cleaned title and the description as plain text (what
    :mod:`syncd.detect` reads); each field is read up to :data:`READ_CHARS`. Only the
    alternatives whose words occur in a field are searched (see :mod:`syncd.literals`);
    ``prefilter=False`` searches every family whole, for tests to compare.
    """
    fields = {"title": title[:READ_CHARS["title"]], "description": text[:READ_CHARS["description"]],
              "location": location.strip()[:READ_CHARS["location"]]}
    found: list[str] = []
    place_says: set[str] = set()
    for field, value in fields.items():
        if value:
            hits = _families_in(value) if prefilter else _families_searched(value)
            found += [f"{field}: {family}" for family in hits]
            if field == "location":
                place_says.update(hits)
    found += _place_kind(fields["location"], place_says)
    return found + _anywhere(found)


def _anywhere(found: list[str]) -> list[str]:
    """Each family once whatever the field, and what the families say together."""
    families = list(dict.fromkeys(key.partition(": ")[2] for key in found
                                  if key not in PLACE_KINDS))
    extra = [f"anywhere: {family}" for family in families]
    present = set(families)
    if "not decided yet" in present and len({FAMILY_FORMAT.get(f) for f in present} - {None}) >= 2:
        extra.append("together: still open between two formats")
    if not present & _SAYS_HOW:
        extra.append("together: nothing says how or where")
    return extra


def _families_searched(value: str) -> list[str]:
    """The families that occur in one field, each pattern searched whole."""
    hits = [family for family, pattern in FAMILIES.items() if _has(family, pattern, value)]
    if any(pattern.search(value) for pattern in words.STREET_ADDRESS):
        hits.append("street address")
    return hits


def _families_in(value: str) -> list[str]:
    """Same as :func:`_families_searched`, searching only the alternatives whose required
    words the field holds (one scan finds them all), each family until one matches."""
    hits: set[str] = set()
    alternatives, index = alternatives_index()
    for i in index.candidates(fold(value)):
        family, pattern = alternatives[i]
        if family not in hits and _has(family, pattern, value):
            hits.add(family)
    return [family for family in _ORDER if family in hits]


def _has(family: str, pattern: re.Pattern[str], value: str) -> bool:
    """Whether a family occurs; a phone number needs seven digits, and not those of a date."""
    if family != "phone number":
        return pattern.search(value) is not None
    return any(sum(c.isdigit() for c in m.group(0)) >= 7 for m in pattern.finditer(value))


def _split(pattern: re.Pattern[str]) -> list[re.Pattern[str]]:
    """A pattern's top-level alternatives, each compiled alone with the pattern's flags."""
    parts, depth, start, i, text = [], 0, 0, 0, pattern.pattern
    in_class = False
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += text[i + 1:i + 2] == "]"  # "[]...]": a leading "]" is a member
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [re.compile(part, pattern.flags) for part in parts]


@cache
def alternatives_index() -> tuple[list[tuple[str, re.Pattern[str]]], LiteralIndex]:
    """Every family's alternatives, and the index that names those a text might match: made
    on first use, since only interviews have a format (a process may never read one)."""
    alternatives = [(family, part) for family, pattern in FAMILIES.items()
                    for part in _split(pattern)]
    alternatives += [("street address", part) for pattern in words.STREET_ADDRESS
                     for part in _split(pattern)]
    index = LiteralIndex([pattern for _, pattern in alternatives])
    index.candidates("")  # its scanner, compiled now rather than at the first interview
    return alternatives, index


_ORDER = [*FAMILIES, "street address"]


def _place_kind(location: str, says: set[str]) -> list[str]:
    """What the location is as a whole: nothing, no place ("TBD"), a video service or link,
    a telephone, or else a named place."""
    if not location:
        return [PLACE_KINDS[0]]
    if words.NO_PLACE.match(location):
        return [PLACE_KINDS[1]]
    if says & _ONLINE_PLACE:
        return [PLACE_KINDS[3]]
    return [PLACE_KINDS[4] if says & _PHONE_PLACE else PLACE_KINDS[2]]


def taken_alone(features: Sequence[str]) -> bool:
    """A test or assessment done alone online or by a deadline, with no call, video session
    or place named: it has no format (no travel, no call), so it is "unknown" by definition
    rather than by weight."""
    present = {key.partition(": ")[2] for key in features if key.startswith("anywhere: ")}
    return "test or assessment" in present and bool(present & _ALONE) and not present & _LIVE


def meeting_format(title: str, text: str, location: str,
                   model: FormatModel | None = None) -> str:
    """Say how an interview happens: "in_person", "video", "phone" or "unknown"."""
    features = format_features(title, text, location)
    if taken_alone(features):
        return "unknown"
    scores = (model or shipped_format_model()).scores(features)
    return max(FORMATS, key=lambda f: scores[f])  # ties go to the earlier of FORMATS


def format_reasons(title: str, text: str, location: str, limit: int = 3,
                   model: FormatModel | None = None) -> list[str]:
    """The features that weighed most for the format chosen, in words, heaviest first."""
    model = model or shipped_format_model()
    features = format_features(title, text, location)
    if taken_alone(features):
        return ["a test or assessment taken alone, with no call, video session or place named"]
    chosen = meeting_format(title, text, location, model)
    column = model.formats.index(chosen)
    weighed = sorted(((model.weights[k][column], k) for k in features if k in model.weights),
                     key=lambda pair: -pair[0])
    return [f"{key} (+{weight:.1f} for {chosen})" for weight, key in weighed[:limit] if weight > 0]
