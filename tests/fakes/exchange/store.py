"""The mailbox behind the fake EWS server: folders, items, change keys and the sync log.

Items keep the property elements a client sent (``Subject``, ``Start``, ``Body``, ...) by
their local name, so that what comes back is what went in, plus what the server computes
(ItemId, ChangeKey, UID, CalendarItemType, times in UTC). Every create, update and delete
is appended to the folder's change log; ``SyncFolderItems`` reads changes from it by position.
Sync states are opaque to clients (base64), bound to a folder and to the log's epoch, so that
``invalidate_sync_states`` can make every issued state answer ``ErrorInvalidSyncStateData``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from tests.fakes.exchange.soap import EwsError, format_datetime, local, parse_datetime, t

MAX_SYNC_CHANGES = 512  # the most SyncFolderItems returns in one answer
BOOLEANS = {"IsAllDayEvent", "ReminderIsSet", "IsResponseRequested", "IsDraft", "IsRead",
            "AllowNewTimeProposal", "IsReadReceiptRequested", "IsDeliveryReceiptRequested"}


def new_id(prefix: str) -> str:
    """An opaque identifier in the style of EWS ids (base64 of random bytes)."""
    return base64.b64encode(prefix.encode() + secrets.token_bytes(24)).decode()


def ext_key(uri: ET.Element) -> tuple[str, str, str]:
    """The identity of an extended property from its ``ExtendedFieldURI`` attributes."""
    property_set = uri.get("DistinguishedPropertySetId") or (uri.get("PropertySetId") or "").lower()
    name = uri.get("PropertyName") or uri.get("PropertyId") or (uri.get("PropertyTag") or "").lower()
    return property_set, name, uri.get("PropertyType", "")


@dataclass
class Folder:
    """One mail folder."""

    id: str
    distinguished: str
    name: str
    folder_class: str
    parent: str = ""
    changekey: str = field(default_factory=lambda: new_id("fck"))
    epoch: int = 0
    log: list[tuple[str, str]] = field(default_factory=list)  # (Create|Update|Delete, item id)

    @property
    def tag(self) -> str:
        """The element name EWS uses for this kind of folder."""
        return "CalendarFolder" if self.folder_class == "IPF.Appointment" else "Folder"


@dataclass
class Stored:
    """One item: its kind, its property elements, extended properties and calendar extras."""

    id: str
    kind: str  # "CalendarItem" | "Message"
    folder: str
    props: dict[str, ET.Element]
    extended: dict[tuple[str, str, str], ET.Element]
    created: datetime
    changekey: str = field(default_factory=lambda: new_id("ck"))
    modified: datetime | None = None
    exceptions: dict[datetime, dict[str, ET.Element]] = field(default_factory=dict)
    deleted_occurrences: set[datetime] = field(default_factory=set)
    sender: tuple[str, str] = ("", "")  # (address, name) of a message's author

    def text(self, name: str, default: str = "") -> str:
        """The text of a property element, or ``default`` when it is absent."""
        elem = self.props.get(name)
        return default if elem is None or elem.text is None else elem.text

    def when(self, name: str) -> datetime | None:
        """A datetime property (Start, End) as an aware UTC value."""
        text = self.text(name)
        return parse_datetime(text).astimezone(timezone.utc) if text else None

    def touch(self, now: datetime) -> None:
        """A change: a new ChangeKey and modification time."""
        self.changekey = new_id("ck")
        self.modified = now


class Mailbox:
    """One user's mailbox. All access happens under ``lock``."""

    def __init__(self, owner: str, owner_name: str):
        self.lock = threading.RLock()
        self.owner = owner
        self.owner_name = owner_name
        self.folders: dict[str, Folder] = {}
        self.items: dict[str, Stored] = {}
        root = self._add_folder("root", "", "IPF.Note")
        top = self._add_folder("msgfolderroot", "Top of Information Store", "IPF.Note", root.id)
        for distinguished, name, folder_class in (
                ("calendar", "Calendar", "IPF.Appointment"), ("drafts", "Drafts", "IPF.Note"),
                ("inbox", "Inbox", "IPF.Note"), ("sentitems", "Sent Items", "IPF.Note"),
                ("deleteditems", "Deleted Items", "IPF.Note")):
            self._add_folder(distinguished, name, folder_class, top.id)

    def _add_folder(self, distinguished: str, name: str, folder_class: str, parent: str = "") -> Folder:
        folder = Folder(new_id("f"), distinguished, name, folder_class, parent)
        self.folders[folder.id] = folder
        return folder

    # -- folders ----------------------------------------------------------------------------

    def folder_by_ref(self, ref: ET.Element) -> Folder:
        """The folder a ``FolderId`` or ``DistinguishedFolderId`` element names."""
        wanted = ref.get("Id", "")
        for folder in self.folders.values():
            if (local(ref.tag) == "DistinguishedFolderId" and folder.distinguished == wanted) or \
                    (local(ref.tag) == "FolderId" and folder.id == wanted):
                return folder
        raise EwsError("ErrorFolderNotFound", "The specified folder could not be found in the store.")

    def distinguished(self, name: str) -> Folder:
        """A folder by its distinguished name (test helpers)."""
        return next(f for f in self.folders.values() if f.distinguished == name)

    # -- items ------------------------------------------------------------------------------

    def get(self, item_id: str) -> Stored:
        """An item by id; ErrorItemNotFound otherwise."""
        item = self.items.get(item_id)
        if item is None:
            raise EwsError("ErrorItemNotFound", "The specified object was not found in the store.")
        return item

    def create(self, folder: Folder, elem: ET.Element, now: datetime) -> Stored:
        """Store a new item from its element as a client sent it; the server assigns ids."""
        kind = local(elem.tag)
        if kind not in ("CalendarItem", "Message"):
            raise EwsError("ErrorInvalidItemForOperationCreateItem",
                           f"The fake stores CalendarItem and Message, not {kind}.")
        if kind == "Message":
            from tests.fakes.exchange.mime import from_mime

            elem = from_mime(elem)
        props, extended = split_props(elem)
        item = Stored(new_id("i"), kind, folder.id, props, extended, created=now, modified=now,
                      sender=(self.owner, self.owner_name))
        if kind == "CalendarItem":
            normalize_calendar(item, self.owner)
        folder.log.append(("Create", item.id))
        self.items[item.id] = item
        return item

    def changed(self, item: Stored, now: datetime) -> None:
        """Record an edit of ``item`` (new ChangeKey, an Update in its folder's log)."""
        item.touch(now)
        if item.kind == "CalendarItem":
            normalize_calendar(item, self.owner)
        self.folders[item.folder].log.append(("Update", item.id))

    def delete(self, item: Stored) -> None:
        """Remove an item (a Delete in its folder's log)."""
        del self.items[item.id]
        self.folders[item.folder].log.append(("Delete", item.id))

    def in_folder(self, folder: Folder) -> list[Stored]:
        """The folder's items in creation order."""
        return sorted((i for i in self.items.values() if i.folder == folder.id),
                      key=lambda i: (i.created, i.id))

    # -- sync -------------------------------------------------------------------------------

    def sync_state(self, folder: Folder, position: int) -> str:
        """An opaque SyncState for ``position`` in ``folder``'s log."""
        raw = json.dumps({"f": folder.id, "e": folder.epoch, "n": position}).encode()
        return base64.b64encode(b"H4sI" + raw).decode()

    def read_sync_state(self, folder: Folder, text: str | None) -> int:
        """The log position a SyncState stands for; ErrorInvalidSyncStateData if it is not ours."""
        if not text:
            return 0
        try:
            raw = base64.b64decode(text.strip(), validate=True)
            data = json.loads(raw[4:]) if raw.startswith(b"H4sI") else None
        except (binascii.Error, ValueError):
            data = None
        if not isinstance(data, dict) or data.get("f") != folder.id or \
                data.get("e") != folder.epoch or not isinstance(data.get("n"), int) or \
                not 0 <= data["n"] <= len(folder.log):
            raise EwsError("ErrorInvalidSyncStateData",
                           "Synchronization state data is corrupt or otherwise invalid.")
        return int(data["n"])

    def changes_since(self, folder: Folder, position: int, limit: int) -> tuple[list[tuple[str, str]], int, bool]:
        """Changes after ``position``, one per item, oldest first, at most ``limit``.

        Returns (changes as (kind, item id), the position the next SyncState stands for,
        whether that was the last change in range).
        """
        before = _replay(folder.log[:position])
        last: dict[str, int] = {}
        for index in range(position, len(folder.log)):
            last[folder.log[index][1]] = index
        out: list[tuple[int, str, str]] = []
        for item_id, index in sorted(last.items(), key=lambda kv: kv[1]):
            exists = item_id in self.items and self.items[item_id].folder == folder.id
            if exists:
                out.append((index, "Update" if item_id in before else "Create", item_id))
            elif item_id in before:
                out.append((index, "Delete", item_id))
        limit = max(1, min(limit, MAX_SYNC_CHANGES))
        if len(out) <= limit:
            return [(k, i) for _, k, i in out], len(folder.log), True
        page = out[:limit]
        return [(k, i) for _, k, i in page], page[-1][0] + 1, False


def _replay(log: list[tuple[str, str]]) -> set[str]:
    """The ids of the items that existed after a prefix of the log."""
    alive: set[str] = set()
    for kind, item_id in log:
        if kind == "Delete":
            alive.discard(item_id)
        else:
            alive.add(item_id)
    return alive


def split_props(elem: ET.Element) -> tuple[dict[str, ET.Element], dict[tuple[str, str, str], ET.Element]]:
    """An item element's property children by local name, and its extended properties."""
    props: dict[str, ET.Element] = {}
    extended: dict[tuple[str, str, str], ET.Element] = {}
    for child in elem:
        name = local(child.tag)
        if name == "ExtendedProperty":
            uri = child.find(t("ExtendedFieldURI"))
            if uri is not None:
                extended[ext_key(uri)] = copy.deepcopy(child)
        elif name not in ("ItemId", "ParentFolderId"):
            props[name] = copy.deepcopy(child)
    return props, extended


def set_text(item: Stored, name: str, value: str) -> None:
    """Set a simple property to ``value``."""
    elem = ET.Element(t(name))
    elem.text = value
    item.props[name] = elem


def normalize_calendar(item: Stored, owner: str) -> None:
    """What Exchange fills in for a calendar item: UID, UTC times, organizer, response type."""
    if not item.text("UID"):
        set_text(item, "UID", "040000008200E00074C5B7101A82E008" + secrets.token_hex(24).upper())
    for name in ("Start", "End"):
        value = item.when(name)
        if value is None:
            raise EwsError("ErrorMissingInformation", f"The calendar item needs a {name}.")
        set_text(item, name, format_datetime(value))
    start, end = item.when("Start"), item.when("End")
    if start is not None and end is not None and end < start:
        raise EwsError("ErrorCalendarEndDateIsEarlierThanStartDate", "EndDate is earlier than StartDate")
    for name, elem in item.props.items():  # xs:boolean comes back canonical
        if name in BOOLEANS and (elem.text or "").strip() in ("1", "0"):
            elem.text = "true" if elem.text.strip() == "1" else "false"
    item.props.setdefault("LegacyFreeBusyStatus", _elem("LegacyFreeBusyStatus", "Busy"))
    item.props.setdefault("IsAllDayEvent", _elem("IsAllDayEvent", "false"))
    item.props.setdefault("MyResponseType", _elem("MyResponseType", "Organizer"))
    if "Organizer" not in item.props:
        organizer = _elem("Organizer")
        mailbox = ET.SubElement(organizer, t("Mailbox"))
        ET.SubElement(mailbox, t("EmailAddress")).text = owner
        ET.SubElement(mailbox, t("RoutingType")).text = "SMTP"
        item.props["Organizer"] = organizer


def _elem(name: str, text: str | None = None) -> ET.Element:
    elem = ET.Element(t(name))
    elem.text = text
    return elem
