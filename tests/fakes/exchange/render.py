"""Items as EWS returns them: the requested shape, properties in schema order, times in UTC.

A response carries ``ItemId`` always, then what the ``ItemShape`` asks for: ``IdOnly`` plus
``AdditionalProperties`` (``FieldURI`` and ``ExtendedFieldURI``), or everything stored for
``Default``/``AllProperties`` (extended properties only when asked for by name, as Exchange
does). Occurrences of a series are rendered from their master, with the exception's own
properties where one was modified.
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from tests.fakes.exchange.mime import to_mime
from tests.fakes.exchange.recurrence import Occurrence
from tests.fakes.exchange.soap import EwsError, format_datetime, local, sub, t
from tests.fakes.exchange.store import Stored, ext_key

# ItemType, then CalendarItemType / MessageType elements, in the order of the EWS schema.
ORDER = [
    "ItemClass", "Subject", "Sensitivity", "Body", "Attachments", "DateTimeReceived", "Size",
    "Categories", "Importance", "InReplyTo", "IsSubmitted", "IsDraft", "IsFromMe", "IsResend",
    "IsUnmodified", "InternetMessageHeaders", "DateTimeSent", "DateTimeCreated",
    "ResponseObjects", "ReminderDueBy", "ReminderIsSet", "ReminderMinutesBeforeStart",
    "DisplayCc", "DisplayTo", "HasAttachments", "ExtendedProperty", "Culture",
    "EffectiveRights", "LastModifiedName", "LastModifiedTime", "IsAssociated",
    "ConversationId", "UniqueBody",
    # MessageType
    "Sender", "ToRecipients", "CcRecipients", "BccRecipients", "IsReadReceiptRequested",
    "IsDeliveryReceiptRequested", "ConversationIndex", "ConversationTopic", "From",
    "InternetMessageId", "IsRead", "IsResponseRequested", "References", "ReplyTo",
    # CalendarItemType
    "UID", "RecurrenceId", "DateTimeStamp", "Start", "End", "OriginalStart", "IsAllDayEvent",
    "LegacyFreeBusyStatus", "Location", "When", "IsMeeting", "IsCancelled", "IsRecurring",
    "MeetingRequestWasSent", "CalendarItemType", "MyResponseType", "Organizer",
    "RequiredAttendees", "OptionalAttendees", "Resources", "ConflictingMeetingCount",
    "AdjacentMeetingCount", "Duration", "TimeZone", "AppointmentReplyTime",
    "AppointmentSequenceNumber", "AppointmentState", "Recurrence", "FirstOccurrence",
    "LastOccurrence", "ModifiedOccurrences", "DeletedOccurrences", "MeetingTimeZone",
    "StartTimeZone", "EndTimeZone", "ConferenceType", "AllowNewTimeProposal", "IsOnlineMeeting",
]
RANK = {name: i for i, name in enumerate(ORDER)}
NOT_IN_FIND = {"Body", "Attachments", "RequiredAttendees", "OptionalAttendees", "Resources",
               "ModifiedOccurrences", "DeletedOccurrences", "UniqueBody", "MimeContent",
               "ToRecipients", "CcRecipients", "BccRecipients", "InternetMessageHeaders"}


@dataclass
class Shape:
    """What an ItemShape asks for."""

    base: str = "IdOnly"
    names: set[str] = field(default_factory=set)
    extended: list[ET.Element] = field(default_factory=list)

    @classmethod
    def parse(cls, elem: ET.Element | None) -> Shape:
        """Read ``<m:ItemShape>``."""
        shape = cls()
        if elem is None:
            return shape
        shape.base = (elem.findtext(t("BaseShape")) or "IdOnly").strip()
        if (elem.findtext(t("IncludeMimeContent")) or "").strip() == "true":
            shape.names.add("MimeContent")
        props = elem.find(t("AdditionalProperties"))
        for uri in (props if props is not None else []):
            if local(uri.tag) == "FieldURI":
                shape.names.add(uri.get("FieldURI", "").split(":")[-1])
            elif local(uri.tag) == "ExtendedFieldURI":
                shape.extended.append(uri)
        return shape

    def check_find(self) -> None:
        """FindItem cannot return streamed or recipient properties (use GetItem)."""
        refused = self.names & NOT_IN_FIND
        if refused:
            raise EwsError("ErrorInvalidPropertyRequest",
                           f"{sorted(refused)[0]} can't be requested in FindItem; use GetItem.")


def occurrence_id(master: Stored, index: int) -> str:
    """The opaque id of one instance of a series."""
    raw = json.dumps({"m": master.id, "i": index}).encode()
    return base64.b64encode(b"OCC" + raw).decode()


def parse_occurrence_id(text: str) -> tuple[str, int] | None:
    """(master id, index) of an occurrence id, or None for any other id."""
    try:
        raw = base64.b64decode(text, validate=True)
        if not raw.startswith(b"OCC"):
            return None
        data = json.loads(raw[3:])
        return str(data["m"]), int(data["i"])
    except (ValueError, KeyError, TypeError):
        return None


def properties(item: Stored, occ: Occurrence | None = None) -> dict[str, ET.Element]:
    """Every property of an item (or one occurrence of it), stored and computed."""
    props = dict(item.props)
    computed: dict[str, str] = {"DateTimeCreated": format_datetime(item.created),
                                "LastModifiedTime": format_datetime(item.modified or item.created),
                                "HasAttachments": "false"}
    if item.kind == "Message":
        computed["ItemClass"] = item.text("ItemClass", "IPM.Note")
    else:
        recurring = "Recurrence" in item.props
        computed.update(ItemClass=item.text("ItemClass", "IPM.Appointment"),
                        IsRecurring="true" if recurring or occ else "false",
                        IsMeeting="true" if _has_attendees(item) else "false",
                        IsCancelled="false",
                        CalendarItemType="RecurringMaster" if recurring else "Single")
    if occ is not None:
        props.pop("Recurrence", None)
        props.update(occ.props or {})
        computed.update(Start=format_datetime(occ.start), End=format_datetime(occ.end),
                        RecurrenceId=format_datetime(occ.original_start),
                        OriginalStart=format_datetime(occ.original_start),
                        CalendarItemType="Exception" if occ.props else "Occurrence")
    for name, value in computed.items():
        elem = ET.Element(t(name))
        elem.text = value
        props[name] = elem
    return props


def _has_attendees(item: Stored) -> bool:
    return any(len(item.props[n]) for n in ("RequiredAttendees", "OptionalAttendees")
               if n in item.props)


def render(parent: ET.Element, item: Stored, shape: Shape, occ: Occurrence | None = None,
           item_id: str | None = None) -> ET.Element:
    """Append the item's element to ``parent`` in ``shape``."""
    node = sub(parent, t(item.kind))
    if "MimeContent" in shape.names and item.kind == "Message":
        node.append(to_mime(item, *item.sender))
    sub(node, t("ItemId"), Id=item_id or item.id, ChangeKey=item.changekey)
    props = properties(item, occ)
    wanted = set(props) if shape.base in ("Default", "AllProperties") else shape.names
    extended = [item.extended[k] for k in (ext_key(u) for u in shape.extended) if k in item.extended]
    names = sorted((n for n in wanted if n in props), key=lambda n: RANK.get(n, len(ORDER)))
    placed = False
    for name in names:
        if not placed and RANK.get(name, len(ORDER)) > RANK["ExtendedProperty"]:
            node.extend(copy.deepcopy(e) for e in extended)
            placed = True
        node.append(copy.deepcopy(props[name]))
    if not placed:
        node.extend(copy.deepcopy(e) for e in extended)
    return node
