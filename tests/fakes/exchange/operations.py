"""The EWS operations the fake answers, each a function of the request element.

GetFolder, FindItem (CalendarView, IndexedPageItemView, restrictions), GetItem (ItemId,
OccurrenceItemId, RecurringMasterItemId), SyncFolderItems, CreateItem, UpdateItem and
DeleteItem, with the response messages, error codes and dispositions of the EWS reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

from tests.fakes.exchange import recurrence
from tests.fakes.exchange.render import Shape, occurrence_id, parse_occurrence_id, properties, render
from tests.fakes.exchange.restrict import Target, matches
from tests.fakes.exchange.soap import (
    EwsError, failure, local, m, parse_datetime, response, sub, success, t,
)
from tests.fakes.exchange.store import Folder, Mailbox, Stored, split_props
from tests.fakes.exchange.updates import apply_updates

MAX_VIEW = timedelta(days=731)  # a CalendarView may span at most two years (and a day)


@dataclass
class Disposition:
    """How a write asked Exchange to notify others (the fake never mails anyone)."""

    operation: str
    item_id: str
    kind: str
    attributes: dict[str, str]


class Operations:
    """Dispatches operation elements to handlers against one mailbox."""

    def __init__(self, mailbox: Mailbox):
        self.box = mailbox
        self.dispositions: list[Disposition] = []
        self.sent: list[str] = []  # item ids that would have been mailed to someone

    def now(self) -> datetime:
        """The server's clock."""
        return datetime.now(timezone.utc)

    def handle(self, request: ET.Element) -> ET.Element:
        """Run one operation element; returns its ``<m:XResponse>``."""
        name = local(request.tag)
        handler = getattr(self, "op_" + name, None)
        if handler is None:
            raise EwsError("ErrorInvalidRequest", f"The fake does not implement {name}.")
        return handler(request)

    # -- folders ----------------------------------------------------------------------------

    def op_GetFolder(self, req: ET.Element) -> ET.Element:
        outer, messages = response("GetFolder")
        for ref in req.find(m("FolderIds")) or []:
            try:
                folder = self.box.folder_by_ref(ref)
            except EwsError as exc:
                failure(messages, "GetFolder", exc)
                continue
            node = sub(sub(success(messages, "GetFolder"), m("Folders")), t(folder.tag))
            sub(node, t("FolderId"), Id=folder.id, ChangeKey=folder.changekey)
            if folder.parent:
                sub(node, t("ParentFolderId"), Id=folder.parent,
                    ChangeKey=self.box.folders[folder.parent].changekey)
            sub(node, t("FolderClass"), folder.folder_class)
            sub(node, t("DisplayName"), folder.name)
            sub(node, t("TotalCount"), str(len(self.box.in_folder(folder))))
            sub(node, t("ChildFolderCount"), "0")
        return outer

    def _parent(self, req: ET.Element, tag: str) -> Folder:
        refs = req.find(m(tag))
        if refs is None or not len(refs):
            raise EwsError("ErrorInvalidRequest", f"{tag} is required.")
        return self.box.folder_by_ref(refs[0])

    # -- finding and reading ----------------------------------------------------------------

    def op_FindItem(self, req: ET.Element) -> ET.Element:
        outer, messages = response("FindItem")
        try:
            folder = self._parent(req, "ParentFolderIds")
            shape = Shape.parse(req.find(m("ItemShape")))
            shape.check_find()
            view = req.find(m("CalendarView"))
            restriction = req.find(m("Restriction"))
            if view is not None:
                if restriction is not None:
                    raise EwsError("ErrorInvalidRestriction",
                                   "Restrictions and sort order may not be specified for a CalendarView.")
                rows, last, offset = self._calendar_view(folder, view), True, None
            else:
                rows = [(i, None) for i in self.box.in_folder(folder)
                        if matches(restriction, Target(lambda i=i: properties(i), i.extended))]
                rows, last, offset = _page(rows, req.find(m("IndexedPageItemView")))
            maximum = view.get("MaxEntriesReturned") if view is not None else None
            if maximum and len(rows) > int(maximum):
                rows, last = rows[:int(maximum)], False
        except EwsError as exc:
            failure(messages, "FindItem", exc)
            return outer
        root = sub(success(messages, "FindItem"), m("RootFolder"), TotalItemsInView=str(len(rows)),
                   IncludesLastItemInRange="true" if last else "false",
                   IndexedPagingOffset=None if offset is None else str(offset))
        items = sub(root, t("Items"))
        for item, occ in rows:
            render(items, item, shape, occ, occurrence_id(item, occ.index) if occ else None)
        return outer

    def _calendar_view(self, folder: Folder, view: ET.Element) -> list:
        start = parse_datetime(view.get("StartDate", ""))
        end = parse_datetime(view.get("EndDate", ""))
        if end < start:
            raise EwsError("ErrorInvalidRequest",
                           "EndDate is earlier than StartDate.")
        if end - start > MAX_VIEW:
            raise EwsError("ErrorCalendarViewRangeTooBig",
                           "The calendar view range is too big: it may span at most two years.")
        rows: list[tuple[Stored, recurrence.Occurrence | None]] = []
        for item in self.box.in_folder(folder):
            if item.kind != "CalendarItem":
                continue
            if "Recurrence" in item.props:
                rows += [(item, occ) for occ in recurrence.occurrences(item, start, end)]
                continue
            begins, ends = item.when("Start"), item.when("End")
            if begins is not None and ends is not None and begins < end and \
                    (ends > start or (ends == begins == start)):
                rows.append((item, None))
        return sorted(rows, key=lambda r: r[1].start if r[1] else r[0].when("Start"))

    def _resolve(self, ref: ET.Element) -> tuple[Stored, recurrence.Occurrence | None, str]:
        """An item id element -> (item, occurrence or None, the id to answer with)."""
        kind = local(ref.tag)
        if kind == "OccurrenceItemId":
            master = self.box.get(ref.get("RecurringMasterId", ""))
            occ = recurrence.occurrence_at(master, int(ref.get("InstanceIndex", "0")))
            return master, occ, occurrence_id(master, occ.index)
        if kind == "RecurringMasterItemId":
            found = parse_occurrence_id(ref.get("OccurrenceId", ""))
            if found is None:
                raise EwsError("ErrorCalendarCannotUseIdForRecurringMasterId",
                               "The Id is not an occurrence of a recurring series.")
            master = self.box.get(found[0])
            return master, None, master.id
        found = parse_occurrence_id(ref.get("Id", ""))
        if found is not None:
            master = self.box.get(found[0])
            occ = recurrence.occurrence_at(master, found[1])
            return master, occ, ref.get("Id", "")
        item = self.box.get(ref.get("Id", ""))
        return item, None, item.id

    def op_GetItem(self, req: ET.Element) -> ET.Element:
        outer, messages = response("GetItem")
        shape = Shape.parse(req.find(m("ItemShape")))
        for ref in req.find(m("ItemIds")) or []:
            try:
                item, occ, answer_id = self._resolve(ref)
            except EwsError as exc:
                failure(messages, "GetItem", exc)
                continue
            render(sub(success(messages, "GetItem"), m("Items")), item, shape, occ, answer_id)
        return outer

    def op_SyncFolderItems(self, req: ET.Element) -> ET.Element:
        outer, messages = response("SyncFolderItems")
        try:
            folder = self._parent(req, "SyncFolderId")
            shape = Shape.parse(req.find(m("ItemShape")))
            position = self.box.read_sync_state(folder, req.findtext(m("SyncState")))
            limit = int(req.findtext(m("MaxChangesReturned")) or "512")
            ignored = {e.get("Id") for e in req.find(m("Ignore")) or []}
        except EwsError as exc:
            node = failure(messages, "SyncFolderItems", exc)
            sub(node, m("SyncState"))  # the error answer still carries both, empty and true
            sub(node, m("IncludesLastItemInRange"), "true")
            return outer
        changes, position, last = self.box.changes_since(folder, position, limit)
        node = success(messages, "SyncFolderItems")
        sub(node, m("SyncState"), self.box.sync_state(folder, position))
        sub(node, m("IncludesLastItemInRange"), "true" if last else "false")
        container = sub(node, m("Changes"))
        shape.names -= {"Body", "Attachments", "UniqueBody", "MimeContent"}  # never in a sync
        for kind, item_id in changes:
            if item_id in ignored:
                continue
            change = sub(container, t(kind))
            if kind == "Delete":
                sub(change, t("ItemId"), Id=item_id)
            else:
                render(change, self.box.items[item_id], shape)
        return outer

    # -- writing ----------------------------------------------------------------------------

    def op_CreateItem(self, req: ET.Element) -> ET.Element:
        outer, messages = response("CreateItem")
        saved = req.find(m("SavedItemFolderId"))
        for elem in req.find(m("Items")) or []:
            try:
                item = self._create_one(req, elem, saved[0] if saved is not None and len(saved) else None)
            except EwsError as exc:
                failure(messages, "CreateItem", exc)
                continue
            items = sub(success(messages, "CreateItem"), m("Items"))
            if item is not None:
                sub(sub(items, t(item.kind)), t("ItemId"), Id=item.id, ChangeKey=item.changekey)
        return outer

    def _create_one(self, req: ET.Element, elem: ET.Element, saved: ET.Element | None) -> Stored | None:
        kind = local(elem.tag)
        if kind == "CalendarItem":
            invitations = req.get("SendMeetingInvitations")
            if invitations is None:
                raise EwsError("ErrorSendMeetingInvitationsRequired",
                               "SendMeetingInvitations attribute is required for calendar items.")
            folder = self.box.folder_by_ref(saved) if saved is not None else self.box.distinguished("calendar")
            item = self.box.create(folder, elem, self.now())
            self._record("CreateItem", item, "SendMeetingInvitations", invitations)
            return item
        disposition = req.get("MessageDisposition")
        if disposition is None:
            raise EwsError("ErrorMessageDispositionRequired",
                           "MessageDisposition attribute is required for message items.")
        default = "drafts" if disposition == "SaveOnly" else "sentitems"
        folder = self.box.folder_by_ref(saved) if saved is not None else self.box.distinguished(default)
        if disposition == "SendOnly":
            self.sent.append("(unsaved message)")
            self.dispositions.append(Disposition("CreateItem", "", kind, {"MessageDisposition": disposition}))
            return None
        item = self.box.create(folder, elem, self.now())
        item.props.setdefault("IsDraft", _text_elem("IsDraft", "true" if disposition == "SaveOnly" else "false"))
        self._record("CreateItem", item, "MessageDisposition", disposition)
        return item

    def _disposition(self, req: ET.Element, item: Stored, operation: str, attribute: str) -> None:
        """Record the required notification attribute of a calendar write, or refuse without it."""
        value = req.get(attribute)
        if value is None:
            raise EwsError(f"Error{attribute}Required", f"{attribute} is required for calendar items.")
        self._record(operation, item, attribute, value)

    def _record(self, operation: str, item: Stored, attribute: str, value: str) -> None:
        self.dispositions.append(Disposition(operation, item.id, item.kind, {attribute: value}))
        notifies = value not in ("SendToNone", "SaveOnly")
        if notifies and (item.kind == "Message" or _has_recipients(item)):
            self.sent.append(item.id)

    def op_UpdateItem(self, req: ET.Element) -> ET.Element:
        outer, messages = response("UpdateItem")
        for change in req.find(m("ItemChanges")) or []:
            try:
                item = self._update_one(req, change)
            except EwsError as exc:
                failure(messages, "UpdateItem", exc)
                continue
            node = success(messages, "UpdateItem")
            sub(sub(sub(node, m("Items")), t(item.kind)), t("ItemId"), Id=item.id, ChangeKey=item.changekey)
            sub(sub(node, m("ConflictResults")), t("Count"), "0")
        return outer

    def _update_one(self, req: ET.Element, change: ET.Element) -> Stored:
        ref = change[0]
        item, occ, _ = self._resolve(ref)
        if occ is not None:
            raise EwsError("ErrorInvalidOperation", "The fake edits series and single items only.")
        sent_key = ref.get("ChangeKey")
        mode = req.get("ConflictResolution", "AutoResolve")
        if sent_key and sent_key != item.changekey and mode == "NeverOverwrite":
            raise EwsError("ErrorIrresolvableConflict",
                           "The send or update operation could not be performed because the change "
                           "key passed in the request does not match the current change key for the item.")
        if item.kind == "CalendarItem":
            self._disposition(req, item, "UpdateItem", "SendMeetingInvitationsOrCancellations")
        else:
            self._record("UpdateItem", item, "MessageDisposition", req.get("MessageDisposition", "SaveOnly"))
        apply_updates(item, change.find(t("Updates")))
        self.box.changed(item, self.now())
        return item

    def op_DeleteItem(self, req: ET.Element) -> ET.Element:
        outer, messages = response("DeleteItem")
        for ref in req.find(m("ItemIds")) or []:
            try:
                item, occ, _ = self._resolve(ref)
                if item.kind == "CalendarItem":
                    self._disposition(req, item, "DeleteItem", "SendMeetingCancellations")
                if occ is not None:
                    item.deleted_occurrences.add(occ.original_start)
                    self.box.changed(item, self.now())
                else:
                    self.box.delete(item)
            except EwsError as exc:
                failure(messages, "DeleteItem", exc)
                continue
            success(messages, "DeleteItem")
        return outer


def _page(rows: list, view: ET.Element | None) -> tuple[list, bool, int | None]:
    if view is None:
        return rows, True, None
    offset = int(view.get("Offset", "0"))
    size = int(view.get("MaxEntriesReturned", "1000"))
    if view.get("BasePoint") == "End":
        offset = max(0, len(rows) - offset - size)
    page = rows[offset:offset + size]
    return page, offset + len(page) >= len(rows), offset + len(page)


def _has_recipients(item: Stored) -> bool:
    names = ("RequiredAttendees", "OptionalAttendees", "Resources", "ToRecipients",
             "CcRecipients", "BccRecipients")
    return any(len(item.props[n]) for n in names if n in item.props)


def _text_elem(name: str, text: str) -> ET.Element:
    elem = ET.Element(t(name))
    elem.text = text
    return elem


__all__ = ["Disposition", "Operations", "split_props"]
