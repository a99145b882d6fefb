"""Test helpers of the fake: store, edit and remove items directly, as Outlook would.

Nothing here goes through HTTP or records a request; it changes the mailbox the way another
client's edits would, including the sync log, so the adapter sees them as changes.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from tests.fakes.exchange import recurrence
from tests.fakes.exchange.render import Shape, render
from tests.fakes.exchange.soap import T, format_datetime, sub, t
from tests.fakes.exchange.store import Stored, set_text

if TYPE_CHECKING:
    from tests.fakes.exchange.operations import Operations
    from tests.fakes.exchange.store import Mailbox


class Seeder:
    """Direct access to the mailbox for tests (mixed into the server class)."""

    box: Mailbox
    ops: Operations

    def add_event(self, subject: str, start: datetime | date, end: datetime | date, *,
                  uid: str | None = None, body: str = "", location: str = "",
                  organizer: tuple[str, str] | None = None,
                  attendees: tuple[tuple[str, str, str], ...] = (), my_response: str | None = None,
                  free_busy: str = "Busy", timezone_id: str | None = None,
                  timezone_name: str | None = None, bias: str | None = None,
                  recurrence_xml: str | None = None, folder: str = "calendar") -> str:
        """Store a calendar item as another client made it; returns its ItemId.

        ``start``/``end`` as dates make an all-day item (midnight in the item's zone, which
        ``bias`` gives for a customized zone, e.g. ``-PT1H`` for UTC+01:00). ``attendees`` are
        (address, name, ResponseType); ``recurrence_xml`` is the inner XML of ``<t:Recurrence>``.
        """
        elem = ET.Element(t("CalendarItem"))
        sub(elem, t("Subject"), subject)
        sub(elem, t("Body"), body, BodyType="Text")
        if uid:
            sub(elem, t("UID"), uid)
        all_day = not isinstance(start, datetime)
        zone = self._zone_elem(elem, timezone_id, timezone_name, bias)
        sub(elem, t("Start"), _stamp(start, zone))
        sub(elem, t("End"), _stamp(end, zone))
        sub(elem, t("IsAllDayEvent"), "true" if all_day else "false")
        sub(elem, t("LegacyFreeBusyStatus"), free_busy)
        if location:
            sub(elem, t("Location"), location)
        my_response = my_response or ("Accept" if organizer else None)
        if my_response:
            sub(elem, t("MyResponseType"), my_response)
        if organizer:
            box = sub(sub(elem, t("Organizer")), t("Mailbox"))
            sub(box, t("Name"), organizer[1])
            sub(box, t("EmailAddress"), organizer[0])
            sub(box, t("RoutingType"), "SMTP")
        if attendees:
            required = sub(elem, t("RequiredAttendees"))
            for address, name, response in attendees:
                attendee = sub(required, t("Attendee"))
                mailbox = sub(attendee, t("Mailbox"))
                sub(mailbox, t("Name"), name)
                sub(mailbox, t("EmailAddress"), address)
                sub(mailbox, t("RoutingType"), "SMTP")
                sub(attendee, t("ResponseType"), response)
        if recurrence_xml:
            elem.append(ET.fromstring(f'<t:Recurrence xmlns:t="{T}">{recurrence_xml}</t:Recurrence>'))
        with self.box.lock:
            item = self.box.create(self.box.distinguished(folder), elem, datetime.now(timezone.utc))
        return item.id

    @staticmethod
    def _zone_elem(elem: ET.Element, zone_id: str | None, name: str | None,
                   bias: str | None) -> Any:
        if not (zone_id or name or bias):
            return None
        zone = sub(elem, t("StartTimeZone"), Id=zone_id, Name=name)
        if bias:
            sub(sub(zone, t("Periods")), t("Period"), Bias=bias, Name="Standard", Id="trule:Standard")
        end_zone = copy.deepcopy(zone)
        end_zone.tag = t("EndTimeZone")
        elem.append(end_zone)
        stored = Stored("", "CalendarItem", "", {"StartTimeZone": zone}, {}, datetime.now(timezone.utc))
        return recurrence.item_zone(stored)

    def edit_event(self, item_id: str, **changes: str) -> None:
        """Change simple properties (``Subject="..."``, ``Location=...``) of an item."""
        with self.box.lock:
            item = self.box.get(item_id)
            for name, value in changes.items():
                set_text(item, name, value)
            self.box.changed(item, datetime.now(timezone.utc))

    def remove_event(self, item_id: str) -> None:
        """Delete an item as its owner would in Outlook."""
        with self.box.lock:
            self.box.delete(self.box.get(item_id))

    def modify_occurrence(self, master_id: str, original_start: datetime, **changes: Any) -> None:
        """Turn one occurrence into an exception (``Start``/``End`` datetimes, ``Subject``...)."""
        with self.box.lock:
            master = self.box.get(master_id)
            original = original_start.astimezone(timezone.utc)
            props = master.exceptions.setdefault(original, {})
            for name, value in changes.items():
                elem = ET.Element(t(name))
                elem.text = format_datetime(value) if isinstance(value, datetime) else str(value)
                props[name] = elem
            self.box.changed(master, datetime.now(timezone.utc))

    def delete_occurrence(self, master_id: str, original_start: datetime) -> None:
        """Delete one occurrence of a series."""
        with self.box.lock:
            master = self.box.get(master_id)
            master.deleted_occurrences.add(original_start.astimezone(timezone.utc))
            self.box.changed(master, datetime.now(timezone.utc))

    def invalidate_sync_states(self) -> None:
        """Make every SyncState issued so far answer ErrorInvalidSyncStateData."""
        with self.box.lock:
            for folder in self.box.folders.values():
                folder.epoch += 1

    def items(self, folder: str = "calendar") -> list[Stored]:
        """The stored items of a distinguished folder (live objects; read under no lock)."""
        with self.box.lock:
            return list(self.box.in_folder(self.box.distinguished(folder)))

    def find(self, folder: str = "calendar", **props: str) -> list[Stored]:
        """Stored items whose property texts equal the given values."""
        return [i for i in self.items(folder) if all(i.text(k) == v for k, v in props.items())]

    def fingerprint(self, item_id: str) -> str:
        """Everything stored of an item, serialized, with its ChangeKey: equal means untouched."""
        with self.box.lock:
            item = self.box.get(item_id)
            holder = ET.Element("holder")
            render(holder, item, Shape(base="AllProperties", extended=[
                e.find(t("ExtendedFieldURI")) for e in item.extended.values()]))  # type: ignore[misc]
            exceptions = sorted((k.isoformat(), ET.tostring(v).decode()) for k, p in item.exceptions.items()
                                for v in p.values())
            return ET.tostring(holder).decode() + repr(exceptions) + repr(sorted(item.deleted_occurrences))


def _stamp(value: datetime | date, zone: Any) -> str:
    if isinstance(value, datetime):
        return format_datetime(value)
    midnight = datetime(value.year, value.month, value.day, tzinfo=zone or timezone.utc)
    return format_datetime(midnight)
