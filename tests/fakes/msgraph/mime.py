"""A message's MIME content, as ``GET /me/messages/{id}/$value`` returns it.

Exchange generates the MIME from the item as it is now, so an edit made in Outlook (a new
body, another recipient) shows in it; custom ``internetMessageHeaders`` (``x-`` names) are part
of it. Headers are encoded as RFC 2047/2231 require (Python's SMTP policy).
"""

from __future__ import annotations

from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime
from typing import Any


def _addresses(entries: Any) -> list[Address]:
    out = []
    for entry in entries or []:
        mail = (entry or {}).get("emailAddress") or {}
        user, _, domain = str(mail.get("address", "")).partition("@")
        out.append(Address(display_name=str(mail.get("name") or ""), username=user, domain=domain))
    return out


def mime_of(body: dict[str, Any], owner: str, owner_name: str = "Alex Doe") -> bytes:
    """The RFC 5322 bytes of a stored message (CRLF line ends)."""
    msg = EmailMessage(policy=policy.SMTP)
    user, _, domain = owner.partition("@")
    msg["From"] = Address(display_name=owner_name, username=user, domain=domain)
    for header, field in (("To", "toRecipients"), ("Cc", "ccRecipients"), ("Bcc", "bccRecipients")):
        if body.get(field):
            msg[header] = _addresses(body[field])
    msg["Subject"] = str(body.get("subject") or "")
    msg["Date"] = format_datetime(datetime.fromisoformat(
        str(body["lastModifiedDateTime"]).replace("Z", "+00:00")))
    msg["Message-ID"] = f"<{abs(hash(body['id']))}@contoso.example>"
    for header in body.get("internetMessageHeaders") or []:
        msg[str(header["name"])] = str(header.get("value", ""))
    content = (body.get("body") or {})
    subtype = "html" if str(content.get("contentType", "text")).lower() == "html" else "plain"
    msg.set_content(str(content.get("content") or ""), subtype=subtype)
    return msg.as_bytes()
