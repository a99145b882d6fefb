"""The detector's verdicts, kept in the state from one process to the next.

Detection is the costliest step of planning, and almost every event reads the same from one
cycle to the next. A :class:`VerdictStore` holds the verdict of every event text the last
planning pass read, keyed by a digest of what the detector reads (the fields, the rules and
the shipped weights), so that ``syncd once`` and ``syncd status`` classify only what changed.
A verdict is a pure function of that key: reusing one never changes a plan.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, MutableMapping
from dataclasses import fields

from syncd import detect, detect_format

FIELDS = tuple(f.name for f in fields(detect.Verdict))  # read once: a state keeps thousands


def _salt(rules: detect.Rules) -> str:
    """What, besides an event's fields, decides its verdict: the rules, the weights, the form."""
    weights = hashlib.sha256(detect.MODEL_PATH.read_bytes()
                             + detect_format.FORMAT_MODEL_PATH.read_bytes()).hexdigest()
    form = ",".join(FIELDS)
    return f"{rules!r}\x1f{weights}\x1f{form}\x1f"


class PassVerdicts(MutableMapping[tuple, detect.Verdict]):
    """The verdict cache of one planning pass: what it looks up is kept, what it adds is new."""

    def __init__(self, known: dict[str, detect.Verdict], salt: str) -> None:
        self.known = known
        self.salt = salt
        self.used: dict[str, detect.Verdict] = {}
        self.added = 0

    def _digest(self, key: tuple) -> str:
        return hashlib.blake2b((self.salt + repr(key)).encode("utf-8", "surrogatepass"),
                               digest_size=16).hexdigest()

    def __getitem__(self, key: tuple) -> detect.Verdict:
        digest = self._digest(key)
        verdict = self.used.get(digest) or self.known[digest]
        self.used[digest] = verdict
        return verdict

    def __setitem__(self, key: tuple, verdict: detect.Verdict) -> None:
        self.used[self._digest(key)] = verdict
        self.added += 1

    def __delitem__(self, key: tuple) -> None:
        self.used.pop(self._digest(key), None)

    def __iter__(self) -> Iterator[tuple]:
        raise TypeError("a verdict cache is looked up by key, not listed")

    def __len__(self) -> int:
        return len(self.used)


class VerdictStore:
    """The verdicts a state holds for one set of rules; :meth:`new_pass` hands one pass its
    cache, :meth:`changes` says what to store once the pass is over."""

    def __init__(self, rows: dict[str, str], rules: detect.Rules) -> None:
        self.salt = _salt(rules)
        self.known = {digest: verdict for digest, text in rows.items()
                      if (verdict := _load(text)) is not None}
        self.last: PassVerdicts | None = None

    def new_pass(self) -> PassVerdicts:
        """A fresh cache for one planning pass, backed by what is known."""
        self.last = PassVerdicts(self.known, self.salt)
        return self.last

    def changes(self) -> dict[str, str] | None:
        """digest -> JSON of every verdict the last pass used, when that differs from what is
        stored (new texts, or texts gone); None when nothing needs writing."""
        last = self.last
        if last is None or (not last.added and len(last.used) == len(self.known)):
            return None
        self.known = dict(last.used)
        self.last = None
        return {digest: _dump(v) for digest, v in self.known.items()}


def _dump(verdict: detect.Verdict) -> str:
    return json.dumps([getattr(verdict, name) for name in FIELDS],
                      separators=(",", ":"))


def _load(text: str) -> detect.Verdict | None:
    try:
        values = json.loads(text)
        data = dict(zip(FIELDS, values, strict=True))
        data["reasons"] = tuple(data["reasons"])
        return detect.Verdict(**data)
    except (ValueError, TypeError, KeyError):
        return None  # written by another version: detect again
