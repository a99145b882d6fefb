"""UpdateItem's field operations: SetItemField, AppendToItemField, DeleteItemField.

Each names one property by ``FieldURI`` or ``ExtendedFieldURI`` and, for Set and Append, carries
an item element holding the new value, as the EWS reference describes.
"""

from __future__ import annotations

import copy
from xml.etree import ElementTree as ET

from tests.fakes.exchange.soap import EwsError, local, t
from tests.fakes.exchange.store import Stored, ext_key

READ_ONLY = {"ItemId", "ChangeKey", "DateTimeCreated", "LastModifiedTime", "CalendarItemType",
             "IsRecurring", "IsMeeting", "MyResponseType", "Organizer", "RecurrenceId",
             "OriginalStart", "HasAttachments", "Size"}
APPENDABLE = {"Body", "RequiredAttendees", "OptionalAttendees", "Resources", "ToRecipients",
              "CcRecipients", "BccRecipients", "Categories"}


def apply_updates(item: Stored, updates: ET.Element | None) -> None:
    """Apply every field operation of ``<t:Updates>`` to ``item``, all or nothing."""
    if updates is None:
        raise EwsError("ErrorInvalidRequest", "ItemChange needs Updates.")
    props, extended = copy.copy(item.props), copy.copy(item.extended)
    for op in updates:
        kind, path = local(op.tag), op[0]
        if local(path.tag) == "ExtendedFieldURI":
            _extended(kind, op, path, extended)
            continue
        name = path.get("FieldURI", "").split(":")[-1]
        if name in READ_ONLY:
            raise EwsError("ErrorInvalidPropertySet", f"{name} is read-only and can't be set.")
        if kind == "DeleteItemField":
            props.pop(name, None)
            continue
        value = _value(op, item.kind).find(t(name))
        if value is None:
            raise EwsError("ErrorIncorrectUpdatePropertyCount",
                           f"The update of {name} carries no {name} element.")
        if kind == "SetItemField":
            props[name] = copy.deepcopy(value)
        elif kind == "AppendToItemField" and name in APPENDABLE:
            props[name] = _append(props.get(name), value)
        else:
            raise EwsError("ErrorInvalidPropertyAppend", f"{name} can't be appended to.")
    item.props, item.extended = props, extended


def _value(op: ET.Element, kind: str) -> ET.Element:
    holder = op.find(t(kind))
    if holder is None:
        raise EwsError("ErrorInvalidRequest", f"The update carries no {kind} element.")
    return holder


def _append(current: ET.Element | None, value: ET.Element) -> ET.Element:
    if current is None:
        return copy.deepcopy(value)
    merged = copy.deepcopy(current)
    if len(value):
        merged.extend(copy.deepcopy(c) for c in value)
    else:
        merged.text = (merged.text or "") + (value.text or "")
    return merged


def _extended(kind: str, op: ET.Element, path: ET.Element, extended: dict) -> None:
    key = ext_key(path)
    if kind == "DeleteItemField":
        extended.pop(key, None)
        return
    holder = op[1] if len(op) > 1 else None
    prop = holder.find(t("ExtendedProperty")) if holder is not None else None
    if prop is None:
        raise EwsError("ErrorInvalidRequest", "The update carries no ExtendedProperty element.")
    extended[key] = copy.deepcopy(prop)
