"""The fake EWS server against the EWS reference, over raw HTTP: no exchangelib involved.

Requests are written as the reference's examples write them, so the fake is checked against
the documentation and not against whatever the adapter happens to send.
"""

from __future__ import annotations

import base64
import email
import email.policy
import http.client
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import pytest

from tests.fakes.exchange.soap import M, T
from tests.fakes.ews import FakeExchange

NS = {"m": M, "t": T, "s": "http://schemas.xmlsoap.org/soap/envelope/"}
T0 = datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc)
KEY_URI = (
    '<t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="syncd-key" PropertyType="String"/>'
)


@pytest.fixture
def fake() -> Iterator[FakeExchange]:
    server = FakeExchange().start()
    yield server
    server.stop()


def post(fake: FakeExchange, body: str, auth: bool = True) -> tuple[http.client.HTTPResponse, ET.Element | None]:
    envelope = (
        f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{NS["s"]}" xmlns:m="{M}" '
        f'xmlns:t="{T}"><s:Header><t:RequestServerVersion Version="Exchange2016"/></s:Header>'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if auth:
        token = base64.b64encode(f"{fake.username}:{fake.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    conn.request("POST", "/EWS/Exchange.asmx", envelope, headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, (ET.fromstring(data) if data.startswith(b"<?xml") else None)


def message(root: ET.Element | None, op: str) -> ET.Element:
    assert root is not None
    found = root.find(f".//m:{op}ResponseMessage", NS)
    assert found is not None
    return found


def create(fake: FakeExchange, inner: str, invitations: str = "SendToNone") -> tuple[str, str]:
    _, root = post(
        fake,
        f'<m:CreateItem SendMeetingInvitations="{invitations}"><m:Items>'
        f"<t:CalendarItem>{inner}</t:CalendarItem></m:Items></m:CreateItem>",
    )
    item_id = message(root, "CreateItem").find(".//t:ItemId", NS)
    assert item_id is not None
    return item_id.get("Id", ""), item_id.get("ChangeKey", "")


def calendar_view(fake: FakeExchange, start: str, end: str, props: str = "") -> ET.Element:
    _, root = post(
        fake,
        f'<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>'
        f"<t:AdditionalProperties>{props}</t:AdditionalProperties></m:ItemShape>"
        f'<m:CalendarView StartDate="{start}" EndDate="{end}"/><m:ParentFolderIds>'
        f'<t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>',
    )
    return message(root, "FindItem")


def test_basic_auth_is_challenged_and_answers_are_http11_with_length(fake):
    resp, _ = post(
        fake,
        "<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>"
        '<m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>',
        auth=False,
    )
    assert resp.status == 401 and resp.getheader("WWW-Authenticate", "").startswith("Basic ")
    resp, root = post(
        fake,
        "<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>"
        '<m:FolderIds><t:DistinguishedFolderId Id="drafts"/></m:FolderIds></m:GetFolder>',
    )
    assert resp.status == 200 and resp.version == 11 and resp.getheader("Content-Length")
    assert message(root, "GetFolder").findtext(".//t:DisplayName", namespaces=NS) == "Drafts"


def test_calendar_items_need_a_disposition_and_come_back_in_utc(fake):
    _, root = post(
        fake,
        "<m:CreateItem><m:Items><t:CalendarItem><t:Subject>x</t:Subject>"
        "<t:Start>2026-12-01T15:00:00+01:00</t:Start><t:End>2026-12-01T16:00:00+01:00</t:End>"
        "</t:CalendarItem></m:Items></m:CreateItem>",
    )
    assert (
        message(root, "CreateItem").findtext("m:ResponseCode", namespaces=NS) == "ErrorSendMeetingInvitationsRequired"
    )
    create(
        fake,
        "<t:Subject>Call</t:Subject><t:Start>2026-12-01T15:00:00+01:00</t:Start>"
        "<t:End>2026-12-01T16:00:00+01:00</t:End>",
    )
    view = calendar_view(
        fake,
        "2026-12-01T00:00:00Z",
        "2026-12-02T00:00:00Z",
        '<t:FieldURI FieldURI="calendar:Start"/><t:FieldURI FieldURI="item:Subject"/>',
    )
    assert view.findtext(".//t:Start", namespaces=NS) == "2026-12-01T14:00:00Z"
    assert fake.dispositions[0].attributes == {"SendMeetingInvitations": "SendToNone"}


def test_calendar_view_expands_a_series_in_its_zone_with_exceptions(fake):
    # Weekly on Mondays 09:00 Berlin, across the end of daylight saving time (25 Oct 2026).
    master = fake.add_event(
        "Weekly",
        datetime(2026, 10, 19, 7, tzinfo=timezone.utc),
        datetime(2026, 10, 19, 8, tzinfo=timezone.utc),
        timezone_id="W. Europe Standard Time",
        recurrence_xml="<t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday"
        "</t:DaysOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence><t:StartDate>2026-10-19"
        "</t:StartDate><t:NumberOfOccurrences>4</t:NumberOfOccurrences></t:NumberedRecurrence>",
    )
    fake.delete_occurrence(master, datetime(2026, 11, 2, 8, tzinfo=timezone.utc))
    fake.modify_occurrence(
        master,
        datetime(2026, 11, 9, 8, tzinfo=timezone.utc),
        Subject="Moved",
        Start=datetime(2026, 11, 10, 8, tzinfo=timezone.utc),
        End=datetime(2026, 11, 10, 9, tzinfo=timezone.utc),
    )
    view = calendar_view(
        fake,
        "2026-10-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
        '<t:FieldURI FieldURI="calendar:Start"/><t:FieldURI FieldURI="item:Subject"/>'
        '<t:FieldURI FieldURI="calendar:CalendarItemType"/>',
    )
    rows = [
        (
            i.findtext("t:Start", namespaces=NS),
            i.findtext("t:Subject", namespaces=NS),
            i.findtext("t:CalendarItemType", namespaces=NS),
        )
        for i in view.iterfind(".//t:CalendarItem", NS)
    ]
    assert rows == [
        ("2026-10-19T07:00:00Z", "Weekly", "Occurrence"),
        ("2026-10-26T08:00:00Z", "Weekly", "Occurrence"),
        ("2026-11-10T08:00:00Z", "Moved", "Exception"),
    ]


def test_calendar_view_over_two_years_is_refused(fake):
    view = calendar_view(fake, "2026-01-01T00:00:00Z", "2028-06-01T00:00:00Z")
    assert view.findtext("m:ResponseCode", namespaces=NS) == "ErrorCalendarViewRangeTooBig"


def test_restrictions_on_extended_properties(fake):
    for key in ("aaa", "bbb"):
        create(
            fake,
            f"<t:Subject>{key}</t:Subject><t:ExtendedProperty>{KEY_URI}<t:Value>{key}</t:Value>"
            "</t:ExtendedProperty><t:Start>2026-12-01T15:00:00Z</t:Start><t:End>2026-12-01T16:00:00Z</t:End>",
        )
    create(
        fake, "<t:Subject>plain</t:Subject><t:Start>2026-12-01T15:00:00Z</t:Start><t:End>2026-12-01T16:00:00Z</t:End>"
    )

    def subjects(restriction: str) -> list[str]:
        _, root = post(
            fake,
            '<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>'
            '<t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/></t:AdditionalProperties>'
            '</m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="10" Offset="0" BasePoint="Beginning"/>'
            f"<m:Restriction>{restriction}</m:Restriction><m:ParentFolderIds>"
            '<t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>',
        )
        return sorted(s.text or "" for s in message(root, "FindItem").iterfind(".//t:Subject", NS))

    def equal(value: str) -> str:
        constant = f'<t:FieldURIOrConstant><t:Constant Value="{value}"/></t:FieldURIOrConstant>'
        return f"<t:IsEqualTo>{KEY_URI}{constant}</t:IsEqualTo>"

    assert subjects(equal("aaa")) == ["aaa"]
    assert subjects(f"<t:Or>{equal('aaa')}{equal('bbb')}</t:Or>") == ["aaa", "bbb"]
    assert subjects(f"<t:Exists>{KEY_URI}</t:Exists>") == ["aaa", "bbb"]
    assert subjects(f"<t:And><t:Exists>{KEY_URI}</t:Exists>{equal('bbb')}</t:And>") == ["bbb"]
    assert subjects(f"<t:Not><t:Exists>{KEY_URI}</t:Exists></t:Not>") == ["plain"]


def sync(fake: FakeExchange, state: str | None, limit: int = 512) -> ET.Element:
    state_xml = f"<m:SyncState>{state}</m:SyncState>" if state is not None else ""
    _, root = post(
        fake,
        "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>"
        '<m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId>'
        f"{state_xml}<m:MaxChangesReturned>{limit}</m:MaxChangesReturned></m:SyncFolderItems>",
    )
    return message(root, "SyncFolderItems")


def test_sync_pages_and_reports_creates_updates_and_deletes(fake):
    ids = [fake.add_event(f"e{i}", T0, T0 + timedelta(hours=1)) for i in range(3)]
    first = sync(fake, None, limit=2)
    assert first.findtext("m:IncludesLastItemInRange", namespaces=NS) == "false"
    assert len(first.findall(".//t:Create", NS)) == 2
    second = sync(fake, first.findtext("m:SyncState", namespaces=NS), limit=2)
    assert second.findtext("m:IncludesLastItemInRange", namespaces=NS) == "true"
    state = second.findtext("m:SyncState", namespaces=NS)
    fake.edit_event(ids[0], Subject="changed")
    fake.remove_event(ids[1])
    later = sync(fake, state)
    kinds = [c.tag.split("}")[1] for c in later.find("m:Changes", NS)]
    assert kinds == ["Update", "Delete"]
    assert len(sync(fake, later.findtext("m:SyncState", namespaces=NS)).find("m:Changes", NS)) == 0


def test_invalid_sync_state_still_carries_sync_state_and_last_in_range(fake):
    answer = sync(fake, "bm90IGEgc3RhdGU=")
    assert answer.get("ResponseClass") == "Error"
    assert answer.findtext("m:ResponseCode", namespaces=NS) == "ErrorInvalidSyncStateData"
    assert answer.find("m:SyncState", NS) is not None
    assert answer.findtext("m:IncludesLastItemInRange", namespaces=NS) == "true"


def test_update_operations_and_change_key_conflicts(fake):
    item_id, changekey = create(
        fake,
        '<t:Subject>Prep</t:Subject><t:Body BodyType="Text">one</t:Body>'
        "<t:Location>Room</t:Location><t:Start>2026-12-01T15:00:00Z</t:Start>"
        "<t:End>2026-12-01T16:00:00Z</t:End>",
    )

    def update(key: str, updates: str) -> ET.Element:
        _, root = post(
            fake,
            '<m:UpdateItem ConflictResolution="NeverOverwrite" '
            'SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange>'
            f'<t:ItemId Id="{item_id}" ChangeKey="{key}"/><t:Updates>{updates}</t:Updates>'
            "</t:ItemChange></m:ItemChanges></m:UpdateItem>",
        )
        return message(root, "UpdateItem")

    done = update(
        changekey,
        '<t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem>'
        "<t:Subject>Prep (long)</t:Subject></t:CalendarItem></t:SetItemField>"
        '<t:AppendToItemField><t:FieldURI FieldURI="item:Body"/><t:CalendarItem>'
        '<t:Body BodyType="Text"> two</t:Body></t:CalendarItem></t:AppendToItemField>'
        '<t:DeleteItemField><t:FieldURI FieldURI="calendar:Location"/></t:DeleteItemField>',
    )
    assert done.get("ResponseClass") == "Success"
    stored = fake.box.get(item_id)
    assert (stored.text("Subject"), stored.text("Body"), "Location" in stored.props) == (
        "Prep (long)",
        "one two",
        False,
    )
    stale = update(
        changekey,
        '<t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem>'
        "<t:Subject>lost</t:Subject></t:CalendarItem></t:SetItemField>",
    )
    assert stale.findtext("m:ResponseCode", namespaces=NS) == "ErrorIrresolvableConflict"
    assert fake.box.get(item_id).text("Subject") == "Prep (long)"


def test_delete_needs_a_cancellation_disposition_and_a_live_item(fake):
    item_id, _ = create(
        fake, "<t:Subject>x</t:Subject><t:Start>2026-12-01T15:00:00Z</t:Start><t:End>2026-12-01T16:00:00Z</t:End>"
    )
    body = f'<m:ItemIds><t:ItemId Id="{item_id}"/></m:ItemIds></m:DeleteItem>'
    _, root = post(fake, '<m:DeleteItem DeleteType="HardDelete">' + body)
    assert (
        message(root, "DeleteItem").findtext("m:ResponseCode", namespaces=NS) == "ErrorSendMeetingCancellationsRequired"
    )
    _, root = post(fake, '<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone">' + body)
    assert message(root, "DeleteItem").get("ResponseClass") == "Success"
    _, root = post(fake, '<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone">' + body)
    assert message(root, "DeleteItem").findtext("m:ResponseCode", namespaces=NS) == "ErrorItemNotFound"


def test_throttling_is_a_soap_fault_with_back_off(fake):
    fake.throttle_next(1, back_off_ms=1234)
    resp, root = post(
        fake,
        "<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>"
        '<m:FolderIds><t:DistinguishedFolderId Id="root"/></m:FolderIds></m:GetFolder>',
    )
    assert resp.status == 500 and root is not None
    detail = root.find(".//detail")
    assert detail is not None
    assert (
        detail.findtext("{http://schemas.microsoft.com/exchange/services/2006/errors}ResponseCode") == "ErrorServerBusy"
    )
    value = detail.find("t:MessageXml/t:Value", NS)
    assert value is not None and (value.get("Name"), value.text) == ("BackOffMilliseconds", "1234")


def test_messages_from_mime_are_drafts_whose_mime_follows_edits(fake):
    mime = (
        "From: Alex <alex@corp.example.com>\r\nTo: =?utf-8?q?Zo=C3=AB?= <zoe@globex.example>\r\n"
        "Subject: Thank you\r\nX-Syncd-Event: 3fa9c01b2e\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
    )
    encoded = base64.b64encode(mime.encode()).decode()
    _, root = post(
        fake,
        '<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId><t:DistinguishedFolderId Id="drafts"/>'
        f'</m:SavedItemFolderId><m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">{encoded}</t:MimeContent>'
        "</t:Message></m:Items></m:CreateItem>",
    )
    item_id = message(root, "CreateItem").find(".//t:ItemId", NS).get("Id")  # type: ignore[union-attr]
    [draft] = fake.items("drafts")
    assert (draft.text("Subject"), draft.text("IsDraft"), draft.text("Body").strip()) == ("Thank you", "true", "Hello")
    fake.edit_event(item_id, Body="Hello, edited in Outlook")
    _, root = post(
        fake,
        "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>"
        '<t:FieldURI FieldURI="item:MimeContent"/></t:AdditionalProperties></m:ItemShape>'
        f'<m:ItemIds><t:ItemId Id="{item_id}"/></m:ItemIds></m:GetItem>',
    )
    raw = base64.b64decode(message(root, "GetItem").findtext(".//t:MimeContent", namespaces=NS) or "")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["X-Syncd-Event"] == "3fa9c01b2e" and parsed["To"].addresses[0].display_name == "Zoë"
    assert parsed.get_content().strip() == "Hello, edited in Outlook"
    assert fake.sent == []
