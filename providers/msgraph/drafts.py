"""Follow-up drafts in a Microsoft 365 mailbox's Drafts folder (``followup.sink = "account:NAME"``).

``POST /me/messages`` creates a draft (it is never sent: syncd has no ``Mail.Send``). One request
carries everything, so a crash cannot leave a draft that cannot be found: the subject, the text,
the recipients, the ``X-Syncd-*`` headers as ``internetMessageHeaders``, and the interview's REF,
the kind and the digest syncd wrote in single-value extended properties (PublicStrings), which
:meth:`GraphDraftSink.find` filters on, since Graph cannot search Internet headers. A draft is
read back as the MIME Exchange generates for it now (``GET /me/messages/{id}/$value``), so an
edit the owner made in Outlook changes its digest and the core leaves it alone. Only messages
that are still drafts and carry the REF asked for are ever deleted.
"""

from __future__ import annotations

import logging
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from providers.msgraph.auth import MAIL_SCOPES
from providers.msgraph.convert import PS_PUBLIC_STRINGS, quote_odata
from syncd.errors import Gone
from syncd.followup.sink import (
    DIGEST_HEADER, KIND_HEADER, REF_HEADER, DraftSink, StoredDraft, digest, parse,
)

if TYPE_CHECKING:
    from providers.msgraph.adapter import GraphProvider

log = logging.getLogger(__name__)

MAX_DRAFT_BYTES = 1 << 20  # syncd's drafts are a few kB; a huge message is not one of ours
PROPS = {name: f"String {PS_PUBLIC_STRINGS} Name {name}"
         for name in ("syncd-event", "syncd-kind", "syncd-digest")}
EXPAND = ("singleValueExtendedProperties($filter="
          + " or ".join(f"id eq '{pid}'" for pid in PROPS.values()) + ")")


class GraphDraftSink(DraftSink):
    """The Drafts folder of one Graph account, through its adapter's client."""

    def __init__(self, provider: GraphProvider):
        self.provider = provider
        self.name = f"account:{provider.name}"

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.provider.client.request(method, path, scopes=MAIL_SCOPES, **kwargs)

    def find(self, ref: str) -> list[StoredDraft]:
        """The drafts in Drafts whose ``syncd-event`` is ``ref``, read as their MIME now."""
        flt = (f"singleValueExtendedProperties/any(ep: ep/id eq '{PROPS['syncd-event']}' "
               f"and ep/value eq {quote_odata(ref)})")
        found = []
        params = {"$filter": flt, "$expand": EXPAND, "$select": "id,isDraft", "$top": "50"}
        for page in self.provider.client.pages("me/mailFolders/drafts/messages", params=params,
                                               scopes=MAIL_SCOPES):
            for body in page.get("value", []):
                draft = self._read(body)
                if draft is not None and draft.ref == ref:
                    found.append(draft)
        return found

    def _read(self, body: dict[str, Any]) -> StoredDraft | None:
        props = _props(body)
        if not body.get("isDraft") or not props.get("syncd-event"):
            return None
        try:
            raw = self._request("GET", f"me/messages/{quote(str(body['id']), safe='')}/$value",
                                raw=True)
        except Gone:
            return None
        if len(raw) > MAX_DRAFT_BYTES:
            return None
        return StoredDraft(handle=str(body["id"]), ref=props["syncd-event"],
                           kind=props.get("syncd-kind", ""), digest=digest(parse(raw)),
                           written=props.get("syncd-digest", ""))

    def write(self, message: EmailMessage) -> StoredDraft:
        """Create the draft in Drafts; returns it as stored."""
        created = self._request("POST", "me/messages", body=message_body(message))
        ref = str(message.get(REF_HEADER) or "").strip()
        log.info("%s: saved the draft for %s in Drafts", self.provider.name, ref)
        created.setdefault("isDraft", True)
        created.setdefault("singleValueExtendedProperties", message_body(message)[
            "singleValueExtendedProperties"])
        return self._read(created) or StoredDraft(
            handle=str(created["id"]), ref=ref, kind=str(message.get(KIND_HEADER) or ""),
            digest=digest(message), written=digest(message))

    def remove(self, draft: StoredDraft) -> bool:
        """Delete the message if it is still a draft of the same interview."""
        path = f"me/messages/{quote(draft.handle, safe='')}"
        try:
            body = self._request("GET", path, params={"$select": "id,isDraft", "$expand": EXPAND})
        except Gone:
            return False
        if not body.get("isDraft") or _props(body).get("syncd-event") != draft.ref:
            return False
        try:
            self._request("DELETE", path)
        except Gone:
            return False
        log.info("%s: removed the draft for %s", self.provider.name, draft.ref)
        return True


def _props(body: dict[str, Any]) -> dict[str, str]:
    by_id = {pid.lower(): name for name, pid in PROPS.items()}
    return {by_id[str(p.get("id", "")).lower()]: str(p.get("value") or "")
            for p in body.get("singleValueExtendedProperties") or []
            if str(p.get("id", "")).lower() in by_id}


def _recipients(message: EmailMessage, header: str) -> list[dict[str, Any]]:
    value = message.get(header)
    addresses: tuple[Address, ...] = getattr(value, "addresses", ()) if value is not None else ()
    return [{"emailAddress": {"name": a.display_name, "address": a.addr_spec}} for a in addresses]


def message_body(message: EmailMessage) -> dict[str, Any]:
    """The Graph message for a rendered draft: text, recipients, headers and the markers."""
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content() if isinstance(part, EmailMessage) else ""
    headers = {name: " ".join(str(message.get(name) or "").split())
               for name in (REF_HEADER, KIND_HEADER, DIGEST_HEADER)}
    written = headers[DIGEST_HEADER] or digest(message)
    body: dict[str, Any] = {
        "subject": str(message.get("Subject") or ""),
        "body": {"contentType": "text", "content": text},
        "internetMessageHeaders": [{"name": k, "value": v} for k, v in headers.items() if v],
        "singleValueExtendedProperties": [
            {"id": PROPS["syncd-event"], "value": headers[REF_HEADER]},
            {"id": PROPS["syncd-kind"], "value": headers[KIND_HEADER]},
            {"id": PROPS["syncd-digest"], "value": written}],
    }
    for header, field in (("To", "toRecipients"), ("Cc", "ccRecipients"), ("Bcc", "bccRecipients")):
        if _recipients(message, header):
            body[field] = _recipients(message, header)
    return body

