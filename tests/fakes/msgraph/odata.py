"""The OData query options the fake understands, as Graph documents them for extended
properties, and a 400 for anything else (Graph refuses what it cannot evaluate).

- ``$filter=singleValueExtendedProperties/any(ep: ep/id eq '<id>' and ep/value <op> '<v>')``
  with ``eq``, ``ne``, ``startswith``-free forms; the property name in the id is compared
  case-sensitively, the value case-insensitively (as documented);
- ``$expand=singleValueExtendedProperties($filter=id eq '<id>' [or id eq '<id>' ...])``.
"""

from __future__ import annotations

import re

from tests.fakes.msgraph.errors import GraphError

_LITERAL = r"'((?:[^']|'')*)'"
FILTER = re.compile(
    r"^\s*singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id\s+eq\s+" + _LITERAL
    + r"\s+and\s+\1/value\s+(eq|ne)\s+" + _LITERAL + r"\s*\)\s*$", re.IGNORECASE)
EXPAND = re.compile(r"^\s*singleValueExtendedProperties\(\s*\$filter\s*=\s*(.*)\)\s*$",
                    re.IGNORECASE)
EXPAND_ID = re.compile(r"^\s*id\s+eq\s+" + _LITERAL + r"\s*$", re.IGNORECASE)


def _unquote(text: str) -> str:
    return text.replace("''", "'")


def parse_filter(text: str) -> tuple[str, str, str]:
    """(property id, operator, value) of an extended-property filter. Raises GraphError 400."""
    match = FILTER.match(text)
    if not match:
        raise GraphError(400, "BadRequest", f"Invalid filter clause: the fake does not "
                                            f"evaluate {text[:200]!r}")
    return _unquote(match.group(2)), match.group(3).lower(), _unquote(match.group(4))


def matches(props: dict[str, str], flt: tuple[str, str, str]) -> bool:
    """Whether an item's extended properties satisfy a parsed filter."""
    pid, op, value = flt
    name_of = {k.rsplit(" Name ", 1)[-1]: k for k in props}
    wanted_name = pid.rsplit(" Name ", 1)[-1]
    key = name_of.get(wanted_name)  # names are case-sensitive
    if key is None or key.rsplit(" Name ", 1)[0].lower() != pid.rsplit(" Name ", 1)[0].lower():
        return False
    equal = props[key].lower() == value.lower()
    return equal if op == "eq" else not equal


def parse_expand(text: str) -> set[str]:
    """The lower-cased property ids an $expand asks for. Raises GraphError 400."""
    match = EXPAND.match(text)
    if not match:
        raise GraphError(400, "BadRequest", f"Parsing OData Select and Expand failed: {text[:200]!r}")
    ids = set()
    for part in re.split(r"\s+or\s+", match.group(1), flags=re.IGNORECASE):
        one = EXPAND_ID.match(part)
        if not one:
            raise GraphError(400, "BadRequest", f"Invalid $expand filter {part[:200]!r}")
        ids.add(_unquote(one.group(1)).lower())
    return ids
