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
from typing import Any

try:  # The regex engine's own parser and case tables: the authority on what a pattern matches.
    from re import _casefix, _parser  # type: ignore[attr-defined]
    from re._constants import ATOMIC_GROUP, BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT, SUBPATTERN  # type: ignore[import-not-found]
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


def _sequence(items: Sequence[tuple[Any, Any]]) -> Literals | None:
    """The most selective requirement among a sequence's literal runs and its parts."""
    options: list[Literals] = []
    run = ""
    for op, arg in [*items, (None, None)]:  # the sentinel closes the last run of literals
        if op is LITERAL:
            run += chr(arg)
            continue
        if run:
            options.append(frozenset([run]))
            run = ""
        needed = _node(op, arg)
        if needed:
            options.append(needed)
    # Longer literals are rarer in text: a few long ones beat one short one.
    return min(options, key=lambda o: sum(26.0 ** -len(s) for s in o), default=None)


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
        self.always = tuple(i for i, need in enumerate(needs) if need is None)
        wanted: dict[str, set[int]] = {}
        for i, need in enumerate(needs):
            for literal in need or ():
                wanted.setdefault(literal, set()).add(i)
        # A literal found means every literal it starts with was found too.
        self._patterns = {literal: frozenset().union(*(ids for short, ids in wanted.items()
                                                       if literal.startswith(short)))
                          for literal in wanted}
        self._scan = re.compile(f"(?=({_longest_of(wanted)}))") if wanted else None

    def candidates(self, folded: str) -> list[int]:
        """Indexes, in table order, of the patterns that may match the text ``folded``
        (the output of :func:`fold`)."""
        hits: set[int] = set(self.always)
        if self._scan is not None:
            for found in set(self._scan.findall(folded)):
                hits |= self._patterns[found]
        return sorted(hits)


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
