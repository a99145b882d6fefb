"""The fake Google Calendar server against Google's documented behaviour.

Driven through the real google-api-python-client (and raw HTTP where the client would refuse
to send what the test needs), independently of syncd's adapter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httplib2
import pytest
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from tests.fakes.google import CLIENT_ID, CLIENT_SECRET, FakeGoogleCalendar

CAL = "team@group.calendar.google.com"
RANGE = {"timeMin": "2026-11-01T00:00:00Z", "timeMax": "2027-01-01T00:00:00Z"}


def timed(day: int, hour: int = 10, minutes: int = 60, **extra: Any) -> dict[str, Any]:
    start = f"2026-12-{day:02d}T{hour:02d}:00:00Z"
    end_h, end_m = hour + minutes // 60, minutes % 60
    return {"summary": f"event {day}", "start": {"dateTime": start},
            "end": {"dateTime": f"2026-12-{day:02d}T{end_h:02d}:{end_m:02d}:00Z"}, **extra}


@pytest.fixture
def fake() -> Iterator[FakeGoogleCalendar]:
    server = FakeGoogleCalendar().start()
    server.add_calendar("me@example.com", "Me", primary=True)
    server.add_calendar(CAL, "Team")
    server.add_calendar("ro@group.calendar.google.com", "Read only", access_role="reader")
    yield server
    server.stop()


def credentials(fake: FakeGoogleCalendar, token: str | None = None) -> Credentials:
    return Credentials(token=token or fake.access_token, refresh_token=fake.oauth.refresh_token,
                       token_uri=fake.token_uri, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


@pytest.fixture
def api(fake):
    http = AuthorizedHttp(credentials(fake), http=httplib2.Http(timeout=5))
    return build("calendar", "v3", http=http, static_discovery=True,
                 client_options={"api_endpoint": fake.api_endpoint})


def raw(fake, method: str, path: str, body: Any = None, token: str | None = "valid"):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {fake.access_token if token == 'valid' else token}"
    resp, content = httplib2.Http(timeout=5).request(
        fake.url + path.lstrip("/"), method, body=None if body is None else json.dumps(body),
        headers=headers)
    return resp.status, json.loads(content) if content else None


def http_error(call) -> tuple[int, str, dict]:
    with pytest.raises(HttpError) as caught:
        call.execute(num_retries=0)
    body = json.loads(caught.value.content)
    return caught.value.resp.status, body["error"]["errors"][0]["reason"], caught.value.resp


def list_all(api, **params) -> tuple[list[dict], dict]:
    items, page = [], None
    while True:
        resp = api.events().list(calendarId=CAL, pageToken=page, **params).execute()
        items += resp["items"]
        page = resp.get("nextPageToken")
        if not page:
            return items, resp


# -- protocol ------------------------------------------------------------------------------------

def test_requests_need_a_bearer_token(fake):
    status, body = raw(fake, "GET", "/calendar/v3/users/me/calendarList", token=None)
    assert status == 401 and body["error"]["errors"][0]["reason"] == "authError"
    assert raw(fake, "GET", "/calendar/v3/users/me/calendarList", token="ya29.nope")[0] == 401
    assert raw(fake, "GET", "/calendar/v3/users/me/calendarList")[0] == 200


def test_unknown_parameters_methods_and_fields_are_refused(fake):
    base = f"/calendar/v3/calendars/{CAL}/events"
    assert raw(fake, "GET", base + "?singleEvent=true")[0] == 400  # typo of singleEvents
    assert raw(fake, "GET", base + "?singleEvents=yes")[0] == 400
    assert raw(fake, "GET", base + "?maxResults=0")[0] == 400
    assert raw(fake, "POST", base + "?sendUpdates=everyone", timed(1))[0] == 400
    assert raw(fake, "PATCH", base)[0] == 400  # no such method on the collection
    assert raw(fake, "GET", "/calendar/v3/nothing/here")[0] == 400
    status, body = raw(fake, "POST", base, {**timed(1), "colour": "red"})
    assert status == 400 and "Unknown name" in body["error"]["message"]
    assert raw(fake, "POST", base, {**timed(1), "reminders": {"useDefault": False,
                                                              "overrides": [{"mins": 3}]}})[0] == 400


def test_requests_are_recorded_without_credentials(fake, api):
    api.events().insert(calendarId=CAL, body=timed(1), sendUpdates="none").execute()
    [rec] = fake.api_requests("calendar.events.insert")
    assert (rec.method, rec.path, rec.query["sendUpdates"], rec.body["summary"], rec.status) == (
        "POST", "/calendar/v3/calendars/team%40group.calendar.google.com/events", ["none"],
        "event 1", 200)
    assert fake.access_token not in repr(fake.requests)


def test_calendar_list_pages_and_roles(fake, api):
    fake.set_page_size(2)
    first = api.calendarList().list().execute()
    assert len(first["items"]) == 2 and first["nextPageToken"]
    rest = api.calendarList().list(pageToken=first["nextPageToken"]).execute()
    roles = {e["id"]: e["accessRole"] for e in first["items"] + rest["items"]}
    assert roles == {"me@example.com": "owner", CAL: "owner", "ro@group.calendar.google.com": "reader"}
    writable = api.calendarList().list(minAccessRole="writer").execute()
    assert {e["id"] for e in writable["items"]} == {"me@example.com", CAL}


def test_errors_have_googles_shape(fake):
    status, body = raw(fake, "GET", f"/calendar/v3/calendars/{CAL}/events/nosuchevent")
    assert status == 404
    assert body["error"]["code"] == 404 and body["error"]["status"] == "NOT_FOUND"
    assert body["error"]["errors"][0] == {"domain": "global", "reason": "notFound",
                                          "message": "Not Found"}


# -- events --------------------------------------------------------------------------------------

def test_client_ids_are_checked_and_unique(fake, api):
    for bad in ("abc", "UPPERCASE1", "has-dash-1", "wxyz12345"):
        assert http_error(api.events().insert(calendarId=CAL, body={**timed(1), "id": bad}))[:2] == (
            400, "invalid")
    made = api.events().insert(calendarId=CAL, body={**timed(1), "id": "0123456789abcdefv"}).execute()
    assert made["id"] == "0123456789abcdefv" and made["iCalUID"] == "0123456789abcdefv@google.com"
    again = api.events().insert(calendarId=CAL, body={**timed(2), "id": "0123456789abcdefv"})
    assert http_error(again)[:2] == (409, "duplicate")
    api.events().delete(calendarId=CAL, eventId="0123456789abcdefv").execute()
    assert http_error(again)[:2] == (409, "duplicate")  # a deleted event keeps its id


def test_deleting_twice_answers_410_deleted_and_get_still_returns_it(fake, api):
    made = api.events().insert(calendarId=CAL, body=timed(1)).execute()
    api.events().delete(calendarId=CAL, eventId=made["id"]).execute()
    assert http_error(api.events().delete(calendarId=CAL, eventId=made["id"]))[:2] == (410, "deleted")
    assert api.events().get(calendarId=CAL, eventId=made["id"]).execute()["status"] == "cancelled"
    assert http_error(api.events().delete(calendarId=CAL, eventId="nosuchevent"))[:2] == (404, "notFound")


def test_update_restores_a_deleted_event(fake, api):
    made = api.events().insert(calendarId=CAL, body={**timed(1), "id": "restoreme1"}).execute()
    api.events().delete(calendarId=CAL, eventId="restoreme1").execute()
    back = api.events().update(calendarId=CAL, eventId="restoreme1", body=timed(3)).execute()
    assert back["status"] == "confirmed" and back["etag"] != made["etag"]
    assert [e["summary"] for e in list_all(api, **RANGE)[0]] == ["event 3"]


def test_etags_change_and_if_match_is_honoured(fake, api):
    made = api.events().insert(calendarId=CAL, body=timed(1)).execute()
    patched = api.events().patch(calendarId=CAL, eventId=made["id"], body={"summary": "x"}).execute()
    assert patched["etag"] != made["etag"] and patched["start"] == made["start"]
    for call in (api.events().update(calendarId=CAL, eventId=made["id"], body=timed(2)),
                 api.events().patch(calendarId=CAL, eventId=made["id"], body={"summary": "y"}),
                 api.events().delete(calendarId=CAL, eventId=made["id"])):
        call.headers["If-Match"] = made["etag"]
        assert http_error(call)[:2] == (412, "conditionNotMet")
    ok = api.events().delete(calendarId=CAL, eventId=made["id"])
    ok.headers["If-Match"] = patched["etag"]
    ok.execute()


def test_event_content_is_validated(fake, api):
    def insert(body):
        return http_error(api.events().insert(calendarId=CAL, body=body))[:2]

    assert insert({"summary": "no end", "start": timed(1)["start"]}) == (400, "required")
    assert insert({**timed(1), "end": {"dateTime": "2026-12-01T09:00:00Z"}}) == (400, "timeRangeEmpty")
    assert insert({**timed(1), "start": {"dateTime": "2026-12-01T10:00:00"}})[0] == 400
    too_many = [{"method": "popup", "minutes": m} for m in range(6)]
    assert insert({**timed(1), "reminders": {"useDefault": False, "overrides": too_many}})[0] == 400
    late = [{"method": "popup", "minutes": 40321}]
    assert insert({**timed(1), "reminders": {"useDefault": False, "overrides": late}})[0] == 400
    assert insert({**timed(1), "recurrence": ["FREQ=DAILY"]})[0] == 400


def test_read_only_calendars_refuse_writes(fake, api):
    call = api.events().insert(calendarId="ro@group.calendar.google.com", body=timed(1))
    assert http_error(call)[:2] == (403, "requiredAccessLevel")


# -- listing -------------------------------------------------------------------------------------

def test_time_bounds_are_exclusive(fake, api):
    fake.seed_event(CAL, timed(1, hour=10))  # 10:00-11:00
    params = {"timeMin": "2026-12-01T11:00:00Z", "timeMax": "2026-12-02T00:00:00Z"}
    assert api.events().list(calendarId=CAL, **params).execute()["items"] == []
    params = {"timeMin": "2026-12-01T00:00:00Z", "timeMax": "2026-12-01T10:00:00Z"}
    assert api.events().list(calendarId=CAL, **params).execute()["items"] == []
    params = {"timeMin": "2026-12-01T10:59:00Z", "timeMax": "2026-12-01T10:01:00Z"}
    assert http_error(api.events().list(calendarId=CAL, **params))[:2] == (400, "timeRangeEmpty")


def test_small_pages_and_sync_token_only_on_the_last(fake, api):
    fake.set_page_size(2)
    for day in range(1, 6):
        fake.seed_event(CAL, timed(day))
    first = api.events().list(calendarId=CAL, maxResults=10, **RANGE).execute()
    assert len(first["items"]) == 2 and "nextSyncToken" not in first
    items, last = list_all(api, maxResults=10, **RANGE)
    assert len(items) == 5 and last["nextSyncToken"] and "nextPageToken" not in last
    assert len({e["id"] for e in items}) == 5


def test_sync_token_returns_changes_and_deletions(fake, api):
    keep = fake.seed_event(CAL, timed(1))
    gone = fake.seed_event(CAL, timed(2))
    _, last = list_all(api, singleEvents=True, showDeleted=True, **RANGE)
    fake.modify_event(CAL, keep["id"], {"summary": "renamed"})
    fake.remove_event(CAL, gone["id"])
    added = fake.seed_event(CAL, timed(3))
    changed, again = list_all(api, singleEvents=True, syncToken=last["nextSyncToken"])
    assert {(e["id"], e["status"]) for e in changed} == {
        (keep["id"], "confirmed"), (gone["id"], "cancelled"), (added["id"], "confirmed")}
    idle, _ = list_all(api, singleEvents=True, syncToken=again["nextSyncToken"])
    assert idle == []


@pytest.mark.parametrize("extra", [RANGE, {"orderBy": "updated"}, {"q": "event"},
                                   {"privateExtendedProperty": "a=b"}, {"iCalUID": "x"},
                                   {"updatedMin": "2026-01-01T00:00:00Z"}, {"showDeleted": False}])
def test_sync_token_refuses_restrictions(fake, api, extra):
    token = list_all(api)[1]["nextSyncToken"]
    call = api.events().list(calendarId=CAL, syncToken=token, **extra)
    assert http_error(call)[:2] == (400, "syncTokenWithRequestRestrictions")


def test_expired_sync_token_answers_410(fake, api):
    token = list_all(api, singleEvents=True, **RANGE)[1]["nextSyncToken"]
    fake.expire_sync_tokens()
    assert http_error(api.events().list(calendarId=CAL, singleEvents=True, syncToken=token))[:2] == (
        410, "fullSyncRequired")
    assert http_error(api.events().list(calendarId=CAL, syncToken="made-up"))[:2] == (
        410, "fullSyncRequired")


def test_deleted_events_need_show_deleted_except_in_sync(fake, api):
    gone = fake.seed_event(CAL, timed(1))
    fake.remove_event(CAL, gone["id"])
    assert list_all(api, **RANGE)[0] == []
    assert [e["status"] for e in list_all(api, showDeleted=True, **RANGE)[0]] == ["cancelled"]


def test_private_extended_property_filter(fake, api):
    fake.seed_event(CAL, timed(1, extendedProperties={"private": {"kind": "a", "n": "1"}}))
    fake.seed_event(CAL, timed(2, extendedProperties={"private": {"kind": "b"},
                                                      "shared": {"kind": "a"}}))
    found = list_all(api, privateExtendedProperty="kind=a", **RANGE)
    assert [e["summary"] for e in found[0]] == ["event 1"] and "nextSyncToken" not in found[1]
    both = list_all(api, privateExtendedProperty=["kind=a", "n=2"], **RANGE)[0]
    assert both == []


def test_single_events_expands_series_with_exceptions(fake, api):
    series = fake.seed_event(CAL, {
        "summary": "Standup", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"],
        "start": {"dateTime": "2026-12-01T09:00:00+01:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-12-01T09:15:00+01:00", "timeZone": "Europe/Berlin"}})
    second = f"{series['id']}_20261208T080000Z"
    api.events().delete(calendarId=CAL, eventId=second).execute()
    third = f"{series['id']}_20261215T080000Z"
    api.events().patch(calendarId=CAL, eventId=third, body={"summary": "Retro"}).execute()
    live = list_all(api, singleEvents=True, orderBy="startTime", **RANGE)[0]
    assert [(e["id"], e["summary"]) for e in live] == [
        (f"{series['id']}_20261201T080000Z", "Standup"), (third, "Retro"),
        (f"{series['id']}_20261222T080000Z", "Standup")]
    assert all(e["recurringEventId"] == series["id"] and e["iCalUID"] == series["iCalUID"]
               for e in live)
    assert live[1]["originalStartTime"]["dateTime"] == "2026-12-15T09:00:00+01:00"
    with_deleted = list_all(api, singleEvents=True, showDeleted=True, **RANGE)[0]
    assert {e["id"]: e["status"] for e in with_deleted}[second] == "cancelled"
    # Without singleEvents: the series itself and its exceptions; the cancelled one too, as
    # the showDeleted description says, even though showDeleted is false.
    masters = list_all(api, **RANGE)[0]
    assert [(e["id"], e["status"]) for e in masters] == [
        (series["id"], "confirmed"), (second, "cancelled"), (third, "confirmed")]
    assert "recurrence" in masters[0]


def test_until_and_daily_rules_and_all_day_series(fake, api):
    fake.seed_event(CAL, {"summary": "Daily", "recurrence": ["RRULE:FREQ=DAILY;UNTIL=20261203T235959Z"],
                          **{k: v for k, v in timed(1).items() if k != "summary"}})
    fake.seed_event(CAL, {"summary": "Trip", "recurrence": ["RRULE:FREQ=WEEKLY;UNTIL=20261215"],
                          "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}})
    ids = sorted(e["id"].split("_")[1] for e in list_all(api, singleEvents=True, **RANGE)[0])
    assert ids == ["20261201", "20261201T100000Z", "20261202T100000Z", "20261203T100000Z",
                   "20261208", "20261215"]


def test_deleting_a_series_reports_its_instances_in_sync(fake, api):
    series = fake.seed_event(CAL, {"summary": "S", "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
                                   **{k: v for k, v in timed(1).items() if k != "summary"}})
    token = list_all(api, singleEvents=True, showDeleted=True, **RANGE)[1]["nextSyncToken"]
    api.events().delete(calendarId=CAL, eventId=series["id"]).execute()
    changed = list_all(api, singleEvents=True, showDeleted=True, syncToken=token)[0]
    assert sorted((e["id"], e["status"]) for e in changed) == [
        (f"{series['id']}_20261201T100000Z", "cancelled"),
        (f"{series['id']}_20261202T100000Z", "cancelled")]


def test_order_by_start_time_needs_single_events(fake, api):
    assert http_error(api.events().list(calendarId=CAL, orderBy="startTime"))[0] == 400


# -- OAuth and faults ----------------------------------------------------------------------------

def test_token_endpoint_refreshes_and_can_refuse(fake):
    creds = credentials(fake)
    creds.refresh(google_auth_request())
    assert creds.token in fake.oauth.access_tokens and creds.token != fake.access_token
    fake.oauth.invalid_grant = True
    with pytest.raises(RefreshError, match="invalid_grant"):
        creds.refresh(google_auth_request())


def google_auth_request():
    from google_auth_httplib2 import Request
    return Request(httplib2.Http(timeout=5))


def test_fault_switches(fake, api):
    fake.fail_next(1, 403, "rateLimitExceeded")
    status, reason, _ = http_error(api.calendarList().list())
    assert (status, reason) == (403, "rateLimitExceeded")
    fake.fail_next(1, 429, retry_after="3")
    status, reason, resp = http_error(api.calendarList().list())
    assert (status, reason, resp["retry-after"]) == (429, "rateLimitExceeded", "3")
    fake.fail_next(2, 503)
    assert http_error(api.calendarList().list())[0] == 503
    assert http_error(api.calendarList().list())[0] == 503
    assert api.calendarList().list().execute()["items"]


def test_dropped_connection_and_slow_answer(fake):
    fake.drop_next(2)
    with pytest.raises((ConnectionError, httplib2.HttpLib2Error, OSError)):
        httplib2.Http(timeout=5).request(fake.api_endpoint + "users/me/calendarList")
    fake.slow_next(1, 0.6)
    with pytest.raises(TimeoutError):
        httplib2.Http(timeout=0.2).request(fake.api_endpoint + "users/me/calendarList")


def test_seeded_exception_moves_one_instance(fake, api):
    series = fake.seed_event(CAL, {"summary": "S", "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
                                   **{k: v for k, v in timed(1).items() if k != "summary"}})
    moved = fake.seed_event(CAL, {**timed(2, hour=15), "recurringEventId": series["id"],
                                  "originalStartTime": {"dateTime": "2026-12-02T10:00:00Z"}})
    assert moved["id"] == f"{series['id']}_20261202T100000Z"
    live = list_all(api, singleEvents=True, orderBy="startTime", **RANGE)[0]
    assert [e["start"]["dateTime"] for e in live] == ["2026-12-01T10:00:00+00:00",
                                                      "2026-12-02T15:00:00Z"]
