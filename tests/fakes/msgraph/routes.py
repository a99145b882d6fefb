"""The v1.0 routes the fake serves, each as the Graph reference describes it.

Collections page with ``$top`` (default 10, as Graph's events lists) and ``$skip`` links;
``$filter`` and ``$expand`` take the extended-property forms of :mod:`odata`; the delta
function refuses ``$expand``/``$filter``/``$select`` (not supported there). Creating an event
with the ``transactionId`` of an existing one returns that event instead of a second one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlencode

from tests.fakes.msgraph import odata
from tests.fakes.msgraph.errors import GraphError
from tests.fakes.msgraph.mime import mime_of
from tests.fakes.msgraph.store import Stored

if TYPE_CHECKING:
    from tests.fakes.msgraph.server import FakeGraph

DEFAULT_TOP = 10


@dataclass(frozen=True)
class Raw:
    """A non-JSON answer (a message's MIME content)."""

    content: bytes
    content_type: str = "text/plain"

MAX_TOP = 1000
CAL = r"(?:calendar|calendars/(?P<cal>[^/]+))"


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _page_size(prefer: str) -> int | None:
    match = re.search(r"odata\.maxpagesize\s*=\s*(\d+)", prefer)
    return int(match.group(1)) if match else None


def _time_param(query: dict[str, list[str]], name: str) -> datetime:
    value = _one(query, name) or _one(query, name.lower())
    if not value:
        raise GraphError(400, "ErrorInvalidParameter",
                         "This request requires a time window specified by the query string "
                         "parameters StartDateTime and EndDateTime.")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise GraphError(400, "ErrorInvalidParameter", f"{name} is not a date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def dispatch(fake: FakeGraph, method: str, path: str, query: dict[str, list[str]], body: Any,
             prefer: str, if_match: str | None) -> tuple[int, Any]:
    """Serve one API request (the caller holds the mailbox lock). Raises GraphError."""
    box = fake.mailbox
    path = unquote(path.rstrip("/"))
    if method == "GET" and path == "me":
        return 200, {"id": "00000000-0000-0000-66f3-3332eca7ea81", "displayName": "Alex Doe",
                     "mail": box.address, "userPrincipalName": box.address}
    if method == "GET" and path == "me/calendars":
        return 200, _collection(fake, path, query, [dict(c) for c in box.calendars.values()])
    if method == "GET" and path == "me/calendar":
        return 200, dict(box.calendar(None))
    match = re.fullmatch(rf"me/(?:calendarView|{CAL}/calendarView)/delta", path)
    if match and method == "GET":
        return 200, _delta(fake, match.group("cal"), path, query, prefer)
    match = re.fullmatch(rf"me/(?:events|{CAL}/events)", path)
    if match:
        cal = None if path == "me/events" and method == "GET" else box.calendar(match.group("cal"))["id"]
        return _events(fake, method, path, cal, query, body)
    match = re.fullmatch(r"me/events/(?P<id>[^/]+)", path)
    if match:
        return _event(fake, method, match.group("id"), query, body, if_match)
    return _messages(fake, method, path, query, body, if_match)


def _delta(fake: FakeGraph, cal_id: str | None, path: str, query: dict[str, list[str]],
           prefer: str) -> dict[str, Any]:
    for refused in ("$expand", "$filter", "$select", "$orderby", "$search"):
        if refused in query:
            raise GraphError(400, "ErrorInvalidUrlQuery",
                             f"The query parameter '{refused}' is not supported with delta.")
    cal = fake.mailbox.calendar(cal_id)["id"]
    base = fake.api_endpoint + path
    size = _page_size(prefer)
    if _one(query, "$skiptoken"):
        return fake.deltas.follow_skip(str(_one(query, "$skiptoken")), base, size)
    if _one(query, "$deltatoken"):
        return fake.deltas.follow_delta(str(_one(query, "$deltatoken")), cal, base, size)
    start, end = _time_param(query, "startDateTime"), _time_param(query, "endDateTime")
    return fake.deltas.begin(cal, start, end, base, size)


def _listing(fake: FakeGraph, cal: str | None, query: dict[str, list[str]],
             items: dict[str, Stored]) -> list[dict[str, Any]]:
    flt = odata.parse_filter(str(_one(query, "$filter"))) if _one(query, "$filter") else None
    expand = odata.parse_expand(str(_one(query, "$expand"))) if _one(query, "$expand") else None
    select = [s.strip() for s in str(_one(query, "$select") or "").split(",") if s.strip()]
    out = []
    for item_id, stored in items.items():
        if (cal is None or stored.calendar == cal) and (flt is None or odata.matches(stored.props, flt)):
            body = fake.mailbox.render(item_id, expand)
            if select:
                body = {k: v for k, v in body.items()
                        if k in select or k in ("id", "@odata.etag", "singleValueExtendedProperties")}
            out.append(body)
    return out


def _collection(fake: FakeGraph, path: str, query: dict[str, list[str]],
                rows: list[dict[str, Any]]) -> dict[str, Any]:
    try:
        top = min(MAX_TOP, int(_one(query, "$top") or DEFAULT_TOP))
        skip = int(_one(query, "$skip") or 0)
    except ValueError:
        raise GraphError(400, "BadRequest", "$top and $skip must be integers") from None
    page: dict[str, Any] = {"value": rows[skip:skip + top]}
    if skip + top < len(rows):
        rest = {k: v[-1] for k, v in query.items() if k not in ("$skip", "$top")}
        args = urlencode(rest, quote_via=quote, safe="$")
        page["@odata.nextLink"] = (f"{fake.api_endpoint}{path}?{args}{'&' if args else ''}"
                                   f"$top={top}&$skip={skip + top}")
    return page


def _events(fake: FakeGraph, method: str, path: str, cal: str | None,
            query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    box = fake.mailbox
    if method == "GET":
        return 200, _collection(fake, path, query, _listing(fake, cal, query, box.items))
    if method != "POST" or not isinstance(body, dict):
        raise GraphError(405 if method != "POST" else 400, "BadRequest", "Unsupported request")
    if not box.calendar(cal).get("canEdit"):
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    if body.get("transactionId"):
        existing = box.find_transaction(str(body["transactionId"]))
        if existing is not None:
            return 201, box.render(existing.body["id"], None)
    created = box.create_event(str(cal), dict(body))
    return 201, box.render(created.body["id"], None)


def _event(fake: FakeGraph, method: str, event_id: str, query: dict[str, list[str]], body: Any,
           if_match: str | None) -> tuple[int, Any]:
    box = fake.mailbox
    if method == "GET":
        expand = odata.parse_expand(str(_one(query, "$expand"))) if _one(query, "$expand") else None
        return 200, box.render(box.stored(event_id).body["id"], expand)
    if method == "PATCH" and isinstance(body, dict):
        return 200, box.render(box.patch_event(event_id, body, if_match).body["id"], None)
    if method == "DELETE":
        box.delete_event(event_id, if_match)
        return 204, None
    raise GraphError(405, "BadRequest", "Unsupported request")


def _messages(fake: FakeGraph, method: str, path: str, query: dict[str, list[str]], body: Any,
              if_match: str | None) -> tuple[int, Any]:
    box = fake.mailbox
    if path in ("me/messages", "me/mailFolders/drafts/messages"):
        if method == "GET":
            return 200, _collection(fake, path, query, _listing(fake, None, query, box.messages))
        if method == "POST" and isinstance(body, dict) and path == "me/messages":
            return 201, box.render(box.create_message(dict(body)).body["id"], None)
    match = re.fullmatch(r"me/messages/(?P<id>[^/]+)(?P<tail>/send|/\$value)?", path)
    if match and match.group("tail") == "/send":
        raise GraphError(403, "ErrorAccessDenied", "the fake refuses to send mail")
    if match and match.group("tail") == "/$value" and method == "GET":
        return 200, Raw(mime_of(box.message(match.group("id")).body, box.address))
    if match and method == "GET":
        expand = odata.parse_expand(str(_one(query, "$expand"))) if _one(query, "$expand") else None
        return 200, box.render(box.message(match.group("id")).body["id"], expand)
    if match and method == "PATCH" and isinstance(body, dict):
        return 200, box.render(box.patch_message(match.group("id"), body, if_match).body["id"], None)
    if match and method == "DELETE":
        box.delete_message(match.group("id"), if_match)
        return 204, None
    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{path[:100]}'.")


def needed_scope(path: str) -> str:
    """The delegated permission a request path needs."""
    if path.startswith(("me/messages", "me/mailFolders")):
        return "Mail.ReadWrite"
    return "User.Read" if path.rstrip("/") == "me" else "Calendars.ReadWrite"
