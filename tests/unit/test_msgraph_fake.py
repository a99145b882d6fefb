"""The fake Microsoft Graph against Graph's documented behaviour, over raw HTTP (requests),
independently of syncd's adapter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fakes.msgraph import FakeGraph

KEY = "String {00020329-0000-0000-C000-000000000046} Name syncd-key"
WINDOW = {"startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}


def event(day: int, hour: int = 10, **extra: Any) -> dict[str, Any]:
    return {"subject": f"event {day}",
            "start": {"dateTime": f"2026-12-{day:02d}T{hour:02d}:00:00", "timeZone": "UTC"},
            "end": {"dateTime": f"2026-12-{day:02d}T{hour + 1:02d}:00:00", "timeZone": "UTC"}, **extra}


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    server = FakeGraph().start()
    server.add_calendar("Calendar", default=True)
    yield server
    server.stop()


@pytest.fixture
def work(fake) -> str:
    return fake.add_calendar("Work")


def call(fake: FakeGraph, method: str, path: str, token: str | None = "valid",
         **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token:
        headers["Authorization"] = f"Bearer {fake.access_token if token == 'valid' else token}"
    url = path if "://" in path else fake.api_endpoint + path
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def round_of(fake: FakeGraph, first: requests.Response) -> tuple[list[dict], str]:
    """All entries of a delta round and its deltaLink."""
    page, entries = first.json(), []
    while True:
        entries += page["value"]
        if "@odata.deltaLink" in page:
            return entries, page["@odata.deltaLink"]
        page = call(fake, "GET", page["@odata.nextLink"]).json()


def test_no_or_unknown_bearer_token_is_401(fake):
    for token in (None, "stale"):
        resp = call(fake, "GET", "me/calendars", token=token)
        assert resp.status_code == 401 and resp.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_calendar_view_delta_needs_a_window_and_refuses_expand(fake, work):
    resp = call(fake, "GET", f"me/calendars/{work}/calendarView/delta")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "ErrorInvalidParameter"
    resp = call(fake, "GET", "me/calendarView/delta", params={**WINDOW, "$expand": "singleValueExtendedProperties"})
    assert resp.status_code == 400


def test_delta_pages_skip_tokens_and_incremental_changes(fake, work):
    ids = [fake.seed_event(work, event(day))["id"] for day in range(1, 6)]
    first = call(fake, "GET", f"me/calendars/{work}/calendarView/delta", params=WINDOW,
                 headers={"Prefer": "odata.maxpagesize=2"})
    assert "$skiptoken=" in first.json()["@odata.nextLink"] and len(first.json()["value"]) == 2
    entries, link = round_of(fake, first)
    assert [e["id"] for e in entries] == ids and "$deltatoken=" in link
    assert all("singleValueExtendedProperties" not in e for e in entries)
    assert round_of(fake, call(fake, "GET", link))[0] == []
    fake.modify_event(ids[0], {"subject": "moved"})
    fake.remove_event(ids[1])
    changed, _ = round_of(fake, call(fake, "GET", link))
    assert [(e["id"], e.get("subject"), e.get("@removed")) for e in changed] == [
        (ids[0], "moved", None), (ids[1], None, {"reason": "deleted"})]


def test_an_event_leaving_the_window_is_removed(fake, work):
    moved = fake.seed_event(work, event(3))
    _, link = round_of(fake, call(fake, "GET", f"me/calendars/{work}/calendarView/delta", params=WINDOW))
    fake.modify_event(moved["id"], {"start": {"dateTime": "2027-03-01T10:00:00", "timeZone": "UTC"},
                                    "end": {"dateTime": "2027-03-01T11:00:00", "timeZone": "UTC"}})
    entries, _ = round_of(fake, call(fake, "GET", link))
    assert entries == [{"@odata.type": "#microsoft.graph.event", "id": moved["id"], "@removed": {"reason": "deleted"}}]


def test_an_expired_token_is_410(fake, work):
    _, link = round_of(fake, call(fake, "GET", f"me/calendars/{work}/calendarView/delta", params=WINDOW))
    fake.expire_delta_tokens()
    resp = call(fake, "GET", link)
    assert resp.status_code == 410 and resp.json()["error"]["code"] == "SyncStateNotFound"


def test_series_occurrences_have_their_own_ids_and_original_start(fake, work):
    fake.seed_event(work, event(1, recurrence={
        "pattern": {"type": "daily", "interval": 1},
        "range": {"type": "numbered", "numberOfOccurrences": 3, "startDate": "2026-12-01"}}), uid="s@x")
    entries, _ = round_of(fake, call(fake, "GET", f"me/calendars/{work}/calendarView/delta", params=WINDOW))
    assert [e["type"] for e in entries] == ["occurrence"] * 3
    assert [e["originalStart"] for e in entries] == [f"2026-12-0{d}T10:00:00Z" for d in (1, 2, 3)]
    assert len({e["id"] for e in entries}) == 3 and len({e["iCalUId"] for e in entries}) == 3


def test_extended_properties_filter_expand_and_etags(fake, work):
    body = event(2, singleValueExtendedProperties=[{"id": KEY, "value": "abc"}])
    created = call(fake, "POST", f"me/calendars/{work}/events", json=body)
    assert created.status_code == 201 and "singleValueExtendedProperties" not in created.json()
    call(fake, "POST", f"me/calendars/{work}/events", json=event(3))
    flt = f"singleValueExtendedProperties/any(ep: ep/id eq '{KEY}' and ep/value eq 'ABC')"
    found = call(fake, "GET", f"me/calendars/{work}/events",
                 params={"$filter": flt, "$expand": f"singleValueExtendedProperties($filter=id eq '{KEY}')"})
    [one] = found.json()["value"]
    assert one["singleValueExtendedProperties"] == [{"id": KEY, "value": "abc"}]
    stale = created.json()["@odata.etag"]
    assert call(fake, "PATCH", f"me/events/{one['id']}", json={"subject": "x"}, headers={"If-Match": stale}).ok
    resp = call(fake, "DELETE", f"me/events/{one['id']}", headers={"If-Match": stale})
    assert resp.status_code == 412
    assert call(fake, "DELETE", f"me/events/{one['id']}").status_code == 204
    assert call(fake, "GET", f"me/events/{one['id']}").status_code == 404


def test_unknown_properties_and_filters_are_refused(fake, work):
    resp = call(fake, "POST", f"me/calendars/{work}/events", json=event(2, colour="red"))
    assert resp.status_code == 400
    resp = call(fake, "GET", f"me/calendars/{work}/events", params={"$filter": "subject eq 'x'"})
    assert resp.status_code == 400


def test_transaction_id_makes_a_retried_post_one_event(fake, work):
    body = event(2, transactionId="7e163156-7762-4beb-a1c6-729ea81755a7")
    first = call(fake, "POST", f"me/calendars/{work}/events", json=body).json()
    second = call(fake, "POST", f"me/calendars/{work}/events", json=body).json()
    assert first["id"] == second["id"] and len(fake.events_of(work)) == 1


def test_listing_pages_with_top_and_skip(fake):
    for name in ("A", "B", "C"):
        fake.add_calendar(name)
    page = call(fake, "GET", "me/calendars", params={"$top": "2"}).json()
    names = [c["name"] for c in page["value"]]
    names += [c["name"] for c in call(fake, "GET", page["@odata.nextLink"]).json()["value"]]
    assert names == ["Calendar", "A", "B", "C"]


def test_throttling_answers_carry_retry_after(fake):
    fake.fail_next(1, 429, retry_after="3")
    fake.fail_next(1, 503, retry_after="1")
    first, second = call(fake, "GET", "me/calendars"), call(fake, "GET", "me/calendars")
    assert (first.status_code, first.headers["Retry-After"], first.json()["error"]["code"]) == (
        429, "3", "TooManyRequests")
    assert (second.status_code, second.headers["Retry-After"]) == (503, "1")
    assert call(fake, "GET", "me/calendars").ok


def test_drafts_are_created_found_edited_and_never_sent(fake):
    prop = "String {00020329-0000-0000-C000-000000000046} Name syncd-event"
    body = {"subject": "Thanks", "body": {"contentType": "text", "content": "Hi"},
            "toRecipients": [{"emailAddress": {"address": "rita@acme.example"}}],
            "internetMessageHeaders": [{"name": "X-Syncd-Event", "value": "0123456789"}],
            "singleValueExtendedProperties": [{"id": prop, "value": "0123456789"}]}
    created = call(fake, "POST", "me/messages", json=body)
    assert created.status_code == 201 and created.json()["isDraft"]
    flt = f"singleValueExtendedProperties/any(ep: ep/id eq '{prop}' and ep/value eq '0123456789')"
    [found] = call(fake, "GET", "me/mailFolders/drafts/messages", params={"$filter": flt}).json()["value"]
    edited = call(fake, "PATCH", f"me/messages/{found['id']}", json={"subject": "Thanks!"}).json()
    assert edited["changeKey"] != created.json()["changeKey"]
    assert call(fake, "POST", f"me/messages/{found['id']}/send").status_code == 403
    headers = [{"name": "Subject", "value": "x"}]  # only x- headers may be set
    bad = call(fake, "POST", "me/messages", json={**body, "internetMessageHeaders": headers})
    assert bad.status_code == 400
