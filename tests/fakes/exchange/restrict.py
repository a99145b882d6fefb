"""FindItem restrictions: the search expression tree of the EWS reference, evaluated per item.

Supported: ``IsEqualTo``, ``IsNotEqualTo``, ``IsGreaterThan``, ``IsGreaterThanOrEqualTo``,
``IsLessThan``, ``IsLessThanOrEqualTo``, ``Exists``, ``And``, ``Or``, ``Not``, and
``Contains`` (substring, case-insensitive), on properties (``FieldURI``) and extended
properties (``ExtendedFieldURI``). String comparisons ignore case, as Exchange's do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from xml.etree import ElementTree as ET

from tests.fakes.exchange.soap import EwsError, local, parse_datetime, t
from tests.fakes.exchange.store import ext_key

COMPARISONS = {
    "IsEqualTo": lambda a, b: a == b,
    "IsNotEqualTo": lambda a, b: a != b,
    "IsGreaterThan": lambda a, b: a > b,
    "IsGreaterThanOrEqualTo": lambda a, b: a >= b,
    "IsLessThan": lambda a, b: a < b,
    "IsLessThanOrEqualTo": lambda a, b: a <= b,
}
TIME_FIELDS = {"Start", "End", "DateTimeCreated", "LastModifiedTime", "DateTimeReceived",
               "DateTimeSent", "OriginalStart", "RecurrenceId"}


class Target:
    """What a restriction can read of one item: property texts and extended values.

    ``props`` is a function returning the item's properties, called only when a restriction
    reads one (most of syncd's look-ups read an extended property alone).
    """

    def __init__(self, props: Callable[[], dict[str, ET.Element]],
                 extended: dict[tuple[str, str, str], ET.Element]):
        self._props = props
        self._cache: dict[str, ET.Element] | None = None
        self.extended = extended

    @property
    def props(self) -> dict[str, ET.Element]:
        """The item's properties, computed on first use."""
        if self._cache is None:
            self._cache = self._props()
        return self._cache

    def value(self, path: ET.Element) -> tuple[str, str | None]:
        """(kind of value, its text or None when the item lacks it) for a path element."""
        if local(path.tag) == "FieldURI":
            name = path.get("FieldURI", "").split(":")[-1]
            elem = self.props.get(name)
            return name, None if elem is None else (elem.text or "")
        if local(path.tag) == "ExtendedFieldURI":
            elem = self.extended.get(ext_key(path))
            if elem is None:
                return path.get("PropertyType", "String"), None
            return path.get("PropertyType", "String"), elem.findtext(t("Value")) or ""
        raise EwsError("ErrorInvalidRestriction", f"Unsupported path {local(path.tag)}")


def matches(restriction: ET.Element | None, target: Target) -> bool:
    """Evaluate ``<m:Restriction>`` (or None: everything matches) against one item."""
    if restriction is None:
        return True
    children = list(restriction)
    if len(children) != 1:
        raise EwsError("ErrorInvalidRestriction", "A restriction holds exactly one expression.")
    return _eval(children[0], target)


def _eval(expr: ET.Element, target: Target) -> bool:
    op = local(expr.tag)
    if op == "And":
        return all(_eval(e, target) for e in expr)
    if op == "Or":
        return any(_eval(e, target) for e in expr)
    if op == "Not":
        return not _eval(list(expr)[0], target)
    if op == "Exists":
        return target.value(list(expr)[0])[1] is not None
    if op == "Contains":
        _, have = target.value(list(expr)[0])
        want = (expr.find(t("Constant")).get("Value") or "")  # type: ignore[union-attr]
        return have is not None and want.casefold() in have.casefold()
    if op in COMPARISONS:
        path, operand = list(expr)[0], expr.find(t("FieldURIOrConstant"))
        constant = operand.find(t("Constant")) if operand is not None else None
        if constant is None:
            raise EwsError("ErrorInvalidRestriction", f"{op} needs a FieldURIOrConstant/Constant.")
        kind, have = target.value(path)
        if have is None:
            return op == "IsNotEqualTo"
        return COMPARISONS[op](_typed(kind, have), _typed(kind, constant.get("Value", "")))
    raise EwsError("ErrorInvalidRestriction", f"The fake does not evaluate {op}.")


def _typed(kind: str, text: str) -> object:
    if kind in TIME_FIELDS or kind == "SystemTime":
        return parse_datetime(text) if text else datetime.min
    if text.lower() in ("true", "false") and kind in ("Boolean",) or kind.startswith("Is"):
        return text.lower() == "true"
    if kind in ("Integer", "Long", "Short"):
        return int(text)
    return text.casefold()
