"""Messages and their MIME content, as Exchange keeps them.

A client may create a message from MIME (``<t:MimeContent>``, base64): Exchange then sets the
item's properties from it (Subject, recipients, Body) and keeps its Internet headers. Reading
``item:MimeContent`` gives MIME generated from the item as it is now, so an edit made in
Outlook (a new subject, another body) shows in the MIME too, while ``X-`` headers survive.
"""

from __future__ import annotations

import base64
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, getaddresses
from xml.etree import ElementTree as ET

from tests.fakes.exchange.soap import EwsError, sub, t
from tests.fakes.exchange.store import Stored

RECIPIENTS = {"To": "ToRecipients", "Cc": "CcRecipients", "Bcc": "BccRecipients"}


def from_mime(elem: ET.Element) -> ET.Element:
    """Replace a ``MimeContent`` child of a Message element by the properties it implies."""
    mime = elem.find(t("MimeContent"))
    if mime is None:
        return elem
    try:
        raw = base64.b64decode(mime.text or "", validate=True)
    except ValueError:
        raise EwsError("ErrorMimeContentConversionFailed", "The MIME content is not valid base64.") from None
    message = BytesParser(policy=policy.default).parsebytes(raw)
    elem.remove(mime)
    sub(elem, t("Subject"), str(message.get("Subject", "")))
    body = message.get_body(preferencelist=("plain",))
    sub(elem, t("Body"), body.get_content() if body is not None else "", BodyType="Text")  # type: ignore[union-attr]
    for header, prop in RECIPIENTS.items():
        addresses = getaddresses([str(v) for v in message.get_all(header, [])])
        if addresses:
            holder = sub(elem, t(prop))
            for name, address in addresses:
                mailbox = sub(holder, t("Mailbox"))
                sub(mailbox, t("Name"), name or None)
                sub(mailbox, t("EmailAddress"), address)
    headers = sub(elem, t("InternetMessageHeaders"))
    for name, value in message.items():
        if name.lower().startswith("x-"):
            sub(headers, t("InternetMessageHeader"), str(value), HeaderName=name)
    return elem


def to_mime(item: Stored, owner: str, owner_name: str) -> ET.Element:
    """The item's current content as ``<t:MimeContent>`` (UTF-8, base64)."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = formataddr((owner_name, owner))
    for header, prop in RECIPIENTS.items():
        holder = item.props.get(prop)
        if holder is not None and len(holder):
            message[header] = ", ".join(
                formataddr((m.findtext(t("Name")) or "", m.findtext(t("EmailAddress")) or ""))
                for m in holder.iter(t("Mailbox")))
    message["Subject"] = item.text("Subject")
    headers = item.props.get("InternetMessageHeaders")
    for header in headers if headers is not None else []:
        message[header.get("HeaderName", "X-Unknown")] = header.text or ""
    message.set_content(item.text("Body"), charset="utf-8")
    elem = ET.Element(t("MimeContent"), {"CharacterSet": "UTF-8"})
    elem.text = base64.b64encode(message.as_bytes()).decode()
    return elem
