"""Which patterns of a regex table can match a text at all: a literal prefilter. Pure.

Most of the detector's cue patterns cannot match an ordinary meeting's title: each one needs
some word ("interview", "onsite", "recruit") that the title lacks. This module reads from each
compiled pattern a set of literal strings one of which every match must contain, finds all
the literals a text holds in a single scan, and so names the few patterns worth searching.

It is a shortcut, never a guess: literals are compared after a case fold that agrees with
the regex engine's own case-insensitive matching, and a pattern whose literals cannot be
read (or a Python whose regex internals differ) is simply always searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

try:  # The regex engine's own parser and case tables: the authority on what a pattern matches.
    from re import _casefix, _parser  # type: ignore[attr-defined]
    from re._constants import (ATOMIC_GROUP, BRANCH, IN, LITERAL, MAX_REPEAT,  # type: ignore[import-not-found]
                               MIN_REPEAT, POSSESSIVE_REPEAT, RANGE, SUBPATTERN)
    _EXTRA_CASES: dict[int, tuple[int, ...]] | None = _casefix._EXTRA_CASES
except (ImportError, AttributeError):  # pragma: no cover - another Python: search every pattern
    _EXTRA_CASES = None

Literals = frozenset[str]


def _fold_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Translations that make :func:`fold` map every case variant of a letter to one form.

    ``str.lower`` already does that for most letters. It turns "İ" into two characters (so
    that goes first, to "i"), and a few letters match more than their lower case under
    ``re.IGNORECASE`` (ı and i, ſ and s, ς and σ): each such class maps to one member.
    """
    if _EXTRA_CASES is None:
        return {}, {}
    classes: list[set[str]] = []
    for lower, extras in _EXTRA_CASES.items():
        group = {chr(lower), *map(chr, extras)}
        for other in [c for c in classes if c & group]:
            group |= other
            classes.remove(other)
        classes.append(group)
    same = {char: min(group) for group in classes for char in group}
    return {0x130: "i"}, {ord(char): first for char, first in same.items() if char != first}


_BEFORE_LOWER, _AFTER_LOWER = _fold_tables()


def fold(text: str) -> str:
    """``text`` case-folded the way ``re.IGNORECASE`` matches, one character for one.

    A literal that a case-insensitive pattern finds in ``text`` occurs, folded, in the result.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_BEFORE_LOWER).lower().translate(_AFTER_LOWER)


def required_literals(pattern: re.Pattern[str]) -> Literals | None:
    """Folded strings one of which every match of ``pattern`` contains; None when unknown."""
    if _EXTRA_CASES is None:
        return None
    try:
        found = _sequence(_parser.parse(pattern.pattern, pattern.flags))
    except (AttributeError, IndexError, TypeError, ValueError):  # pragma: no cover
        return None  # a parse tree shaped differently (another Python): search the pattern
    return frozenset(map(fold, found)) if found else None


# A run of literals goes on through a character class of at most this many members
# ("r[öo]portaj"), as long as it spells at most MAX_SPELLINGS strings: "h" alone would
# send every text with an "h" to the pattern's search.
MAX_CLASS = 8
MAX_SPELLINGS = 32


def _sequence(items: Sequence[tuple[Any, Any]]) -> Literals | None:
    """The most selective requirement among a sequence's literal runs and its parts."""
    options: list[Literals] = []
    runs = [""]  # the current run of literals, in every spelling its classes allow
    for op, arg in [*items, (None, None)]:  # the sentinel closes the last run of literals
        chars = [chr(arg)] if op is LITERAL else _members(arg) if op is IN else None
        if chars and len(runs) * len(chars) <= MAX_SPELLINGS:
            runs = [run + char for run in runs for char in chars]
            continue
        if runs[0]:
            options.append(frozenset(runs))
        runs = [""]
        if chars:  # a class too many to spell on: it starts the next run
            runs = chars if len(chars) <= MAX_SPELLINGS else [""]
            continue
        needed = _node(op, arg)
        if needed:
            options.append(needed)
    # Longer literals are rarer in text: a few long ones beat one short one.
    return min(options, key=lambda o: sum(26.0 ** -len(s) for s in o), default=None)


def _members(items: Sequence[tuple[Any, Any]]) -> list[str] | None:
    """The characters a character class matches, when it lists a few (None otherwise)."""
    chars: list[str] = []
    for op, arg in items:
        if op is LITERAL:
            chars.append(chr(arg))
        elif op is RANGE and arg[1] - arg[0] < MAX_CLASS:
            chars.extend(map(chr, range(arg[0], arg[1] + 1)))
        else:  # a negated class, a category (\w, \d), a wide range
            return None
    return chars if len(chars) <= MAX_CLASS else None


def _node(op: object, arg: Any) -> Literals | None:
    """What one parsed node requires: groups their content, alternatives any of theirs."""
    if op is SUBPATTERN:
        return _sequence(arg[-1])
    if op is ATOMIC_GROUP:
        return _sequence(arg)
    if op is BRANCH:
        either: set[str] = set()
        for alternative in arg[1]:
            needed = _sequence(alternative)
            if not needed:
                return None
            either |= needed
        return frozenset(either)
    if op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
        least, _, body = arg
        return _sequence(body) if least >= 1 else None
    return None  # classes, anchors, lookarounds: nothing literal that a match must hold


class LiteralIndex:
    """Names, for a text, the patterns of a table that might match it.

    One scan finds every required literal the folded text contains, overlapping ones
    included (each position yields its longest literal; the shorter ones it starts with are
    implied). Patterns with no readable literal are always named.
    """

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        needs = [required_literals(p) for p in patterns]
        self.size = len(patterns)
        self.always = tuple(i for i, need in enumerate(needs) if need is None)
        wanted: dict[str, set[int]] = {}
        for i, need in enumerate(needs):
            for literal in need or ():
                wanted.setdefault(literal, set()).add(i)
        self.wanted = {literal: frozenset(ids) for literal, ids in wanted.items()}

    @cached_property
    def _scan(self) -> tuple[re.Pattern[str] | None, dict[str, frozenset[int]]]:
        """The scanner, and what each literal it finds stands for (made on first use: an
        index read through a :class:`SharedIndex` never needs them)."""
        return _scanner(self.wanted), _implied(self.wanted, frozenset())

    def candidates(self, folded: str) -> list[int]:
        """Indexes, in table order, of the patterns that may match the text ``folded``
        (the output of :func:`fold`)."""
        hits: set[int] = set(self.always)
        scan, patterns = self._scan
        if scan is not None:
            for found in set(scan.findall(folded)):
                hits |= patterns[found]
        return sorted(hits)


class SharedIndex:
    """Several literal indexes read in one scan of a text instead of one scan each.

    Each pattern of each index has a bit; :meth:`scan` gives the bits of the patterns that
    may match a text, and :meth:`candidates` those of one index, as its own
    :meth:`LiteralIndex.candidates` names them.
    """

    def __init__(self, indexes: Sequence[LiteralIndex]) -> None:
        self.offsets: list[int] = []
        wanted: dict[str, int] = {}
        self.always = 0
        offset = 0
        for index in indexes:
            self.offsets.append(offset)
            for literal, ids in index.wanted.items():
                wanted[literal] = wanted.get(literal, 0) | _bits(ids, offset)
            self.always |= _bits(index.always, offset)
            offset += index.size
        self._bits = _implied(wanted, 0)
        self._scan = _scanner(wanted)

    def scan(self, folded: str) -> int:
        """The bits of every pattern that may match the text ``folded`` (see :func:`fold`)."""
        bits = self.always
        if self._scan is not None:
            for found in set(self._scan.findall(folded)):
                bits |= self._bits[found]
        return bits

    def candidates(self, which: int, bits: int, size: int) -> list[int]:
        """Indexes, in table order, of the patterns of the ``which``-th index (of ``size``
        patterns) among ``bits``."""
        mine = (bits >> self.offsets[which]) & ((1 << size) - 1)
        found = []
        while mine:
            low = mine & -mine
            found.append(low.bit_length() - 1)
            mine ^= low
        return found


def _bits(ids: Iterable[int], offset: int) -> int:
    return sum(1 << (offset + i) for i in set(ids))


def _implied(wanted: dict[str, Any], none: Any) -> dict[str, Any]:
    """For each literal, what it and every literal it starts with stand for (sets or bits,
    joined with ``|``): a literal found means every literal it starts with was found too."""
    implied = {}
    for literal in wanted:
        joined = none
        for n in range(1, len(literal) + 1):
            joined = joined | wanted.get(literal[:n], none)
        implied[literal] = joined
    return implied


def _scanner(literals: Iterable[str]) -> re.Pattern[str] | None:
    """A regex whose ``findall`` lists the longest of ``literals`` at each position of a text."""
    pattern = _longest_of(literals)
    return re.compile(f"(?=({pattern}))") if pattern else None


def _longest_of(literals: Iterable[str]) -> str:
    """A regex matching the longest of ``literals`` that starts where it is tried.

    Factored by shared prefixes (a trie), so that at each position the engine follows one
    path instead of trying every literal in turn.
    """
    tree: dict[str, dict] = {}
    for literal in literals:
        node = tree
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}  # a literal ends here
    return _trie(tree)


def _trie(node: dict[str, dict]) -> str:
    """The regex for one node of the prefix tree and everything below it."""
    branches = [re.escape(char) + _trie(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    either = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    # Greedy: a longer literal is tried before settling for one that ends here.
    return f"(?:{either})?" if "" in node else either
