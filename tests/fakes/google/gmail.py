"""The Gmail API v1 drafts of the fake Google server, from Google's Gmail API reference.

What it follows (developers.google.com/gmail/api/reference/rest/v1/users.drafts):
- ``drafts.create`` takes ``{"message": {"raw": <base64url RFC 2822>}}`` and answers the Draft
  (``id``, ``message.id``, ``message.threadId``, ``message.labelIds`` = ["DRAFT"]);
- ``drafts.update`` replaces the draft's message: the draft id stays, the message id changes;
- ``drafts.delete`` deletes at once and for good (not to the trash): 204, then 404;
- ``drafts.get`` answers ``format`` raw (``message.raw``), metadata (``payload.headers``),
  minimal or full; ``drafts.list`` pages (``maxResults`` default 100, at most 500,
  ``nextPageToken``), newest first, with ``resultSizeEstimate``;
- ``drafts.send`` sends: the message loses DRAFT, gains SENT, the draft is gone;
- every drafts method needs one of its documented scopes (``gmail.compose`` among them):
  otherwise 403 ``insufficientPermissions`` ("Request had insufficient authentication scopes.");
- ``userId`` is ``me`` or the user's address; an unknown draft id is 404 ``notFound``;
  ``raw`` that is not base64url of a message is 400 ``invalidArgument``.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any

from tests.fakes.google.errors import ApiError, bad_request

USER = "alex@example.com"
COMPOSE = "https://www.googleapis.com/auth/gmail.compose"


@dataclass
class Mailbox:
    """Messages (id -> raw bytes and labels) and drafts (id -> message id) of the one user."""

    messages: dict[str, bytes] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    drafts: dict[str, str] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(0x18c0_0000_0000))

    def new_id(self) -> str:
        return format(next(self.ids), "x")

    def add_message(self, raw: bytes, labels: list[str]) -> str:
        message_id = self.new_id()
        self.messages[message_id] = raw
        self.labels[message_id] = labels
        return message_id

    def sent(self) -> list[bytes]:
        """Raw bytes of every sent message (test helper)."""
        return [raw for mid, raw in self.messages.items() if "SENT" in self.labels[mid]]


def dispatch(mailbox: Mailbox, method: str, params: dict[str, str], query: dict[str, list[str]],
             body: Any, scopes: set[str], documented: list[str]) -> tuple[int, Any]:
    """Run one ``gmail.users.drafts.*`` request; returns (status, JSON or None)."""
    if not scopes & set(documented):
        raise ApiError(403, "insufficientPermissions",
                       "Request had insufficient authentication scopes.")
    if params.get("userId") not in ("me", USER):
        raise ApiError(403, "forbidden", "Delegation denied for " + USER)
    name = method.removeprefix("gmail.users.drafts.")
    if name == "create":
        return 200, _draft(mailbox, _store(mailbox, body), "minimal")
    if name == "list":
        return 200, _list(mailbox, query)
    if name == "send":
        return 200, _send(mailbox, body)
    draft_id = params["id"]
    if draft_id not in mailbox.drafts:
        raise ApiError(404, "notFound", "Requested entity was not found.")
    if name == "get":
        return 200, _draft(mailbox, draft_id, (query.get("format") or ["full"])[-1])
    if name == "update":
        old = mailbox.drafts[draft_id]
        mailbox.drafts[draft_id] = mailbox.add_message(_raw(body), ["DRAFT"])
        del mailbox.messages[old], mailbox.labels[old]
        return 200, _draft(mailbox, draft_id, "minimal")
    if name == "delete":
        message_id = mailbox.drafts.pop(draft_id)
        del mailbox.messages[message_id], mailbox.labels[message_id]
        return 204, None
    raise ApiError(501, "notImplemented", f"The fake does not implement {method}")


def _raw(body: Any) -> bytes:
    raw = ((body or {}).get("message") or {}).get("raw")
    if not isinstance(raw, str) or not raw:
        raise bad_request("Missing draft message", reason="invalidArgument")
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        raise bad_request("Invalid value for ByteString: " + raw[:20], reason="invalidArgument") from None
    if b"\n" not in data or not BytesParser(policy=policy.default).parsebytes(data).keys():
        raise bad_request("Invalid raw message: no headers", reason="invalidArgument")
    return data


def _store(mailbox: Mailbox, body: Any) -> str:
    draft_id = "r" + mailbox.new_id()
    mailbox.drafts[draft_id] = mailbox.add_message(_raw(body), ["DRAFT"])
    return draft_id


def _draft(mailbox: Mailbox, draft_id: str, fmt: str) -> dict[str, Any]:
    message_id = mailbox.drafts[draft_id]
    message: dict[str, Any] = {"id": message_id, "threadId": message_id,
                               "labelIds": list(mailbox.labels[message_id])}
    raw = mailbox.messages[message_id]
    if fmt == "raw":
        message["raw"] = base64.urlsafe_b64encode(raw).decode()
    elif fmt in ("metadata", "full"):
        parsed = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        message["payload"] = {"mimeType": parsed.get_content_type(),
                              "headers": [{"name": k, "value": str(v)} for k, v in parsed.items()]}
    message["sizeEstimate"] = len(raw)
    return {"id": draft_id, "message": message}


def _list(mailbox: Mailbox, query: dict[str, list[str]]) -> dict[str, Any]:
    size = min(int((query.get("maxResults") or ["100"])[-1]), 500)
    start = int((query.get("pageToken") or ["0"])[-1] or 0)
    ids = sorted(mailbox.drafts, reverse=True)
    page = ids[start:start + size]
    answer: dict[str, Any] = {"drafts": [{"id": d, "message": {"id": mailbox.drafts[d],
                                                                "threadId": mailbox.drafts[d]}}
                                         for d in page],
                              "resultSizeEstimate": len(ids)}
    if not page:
        del answer["drafts"]
    if start + size < len(ids):
        answer["nextPageToken"] = str(start + size)
    return answer


def _send(mailbox: Mailbox, body: Any) -> dict[str, Any]:
    draft_id = (body or {}).get("id")
    if draft_id not in mailbox.drafts:
        raise ApiError(404, "notFound", "Requested entity was not found.")
    message_id = mailbox.drafts.pop(draft_id)
    mailbox.labels[message_id] = ["SENT"]
    return {"id": message_id, "threadId": message_id, "labelIds": ["SENT"]}
