"""Build a draft's bytes so that no invitation text ever becomes header syntax.

Every header is written here, already encoded: text that is plain printable ASCII (and does not
look like an RFC 2047 encoded word) is folded at spaces as it is; anything else becomes
UTF-8 encoded words that decode to exactly the text given. Nothing the invitation says is
handed to a header parser, so an encoded word carrying CR LF in a title or a name stays text,
and Python's own folder (which in 3.11 can emit an empty ``=?utf-8?q??=``) is never used.
Addresses are taken only when they are one valid addr-spec, checked here.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid

MAX_ADDRESS = 254  # RFC 5321's limit on a forward path
MAX_TEXT = 300  # characters of a header's text (a subject, a display name)
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = rf"{_ATEXT}(?:\.{_ATEXT})*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_SPEC = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")
_UTF8 = Charset("utf-8")
_UTF8.header_encoding = QP  # readable in raw form; Header picks B where that is shorter anyway


def addr_spec(text: str) -> str | None:
    """``text`` as one valid addr-spec (``local@domain``, ASCII dot-atoms), or None.

    A ``mailto:`` prefix and surrounding space are dropped; anything else that is not exactly one
    address (two addresses, a display name, angle brackets, a comment, a second ``@``, control
    characters, an internationalised domain not in A-label form) gives None.
    """
    value = str(text or "").strip()
    if value[:7].lower() == "mailto:":
        value = value[7:].strip()
    if len(value) > MAX_ADDRESS or not _ADDR_SPEC.fullmatch(value):
        return None
    return value


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """One line of printable text: control characters and runs of space become one space."""
    flat = "".join(c if c.isprintable() else " " for c in str(text or "")[: limit * 4])
    return " ".join(flat.split())[:limit].rstrip()


def _plain_ascii(text: str) -> bool:
    return text.isascii() and "=?" not in text and all(" " <= c <= "~" for c in text)


def encode_text(name: str, text: str) -> str:
    """The folded, encoded value of an unstructured header ``name`` holding ``text``."""
    text = clean_text(text)
    charset = "us-ascii" if _plain_ascii(text) else _UTF8
    return Header(text, charset, header_name=name).encode(linesep="\n", maxlinelen=76)


_SPECIALS = set('()<>[]:;@\\,."')


def encode_address(name: str, display: str, address: str) -> str:
    """The value of an address header ``name`` for one validated ``address`` and its name."""
    display = clean_text(display, 120)
    if not display:
        return address
    if _plain_ascii(display):
        if _SPECIALS & set(display):
            escaped = display.replace("\\", "\\\\").replace('"', '\\"')
            phrase = f'"{escaped}"'
        else:
            phrase = display
    else:
        phrase = one_encoded_word(display)
    if len(name) + len(phrase) + len(address) <= 72:
        return f"{phrase} <{address}>"
    return f"\n {phrase}\n <{address}>"


def one_encoded_word(text: str) -> str:
    """``text`` as a single RFC 2047 encoded word (B or Q, whichever is shorter).

    A display name must be one encoded word: Python's address parser (3.11, 3.12) puts a space
    between adjacent encoded words of a phrase where RFC 2047 says to join them, so a name
    split in two reads differently in Python and in mutt. Names are capped at 120 characters,
    so the word stays far below the 998-octet line limit, even when it is longer than 75.
    """
    data = text.encode("utf-8")
    b_form = "=?utf-8?b?" + base64.b64encode(data).decode("ascii") + "?="
    q_form = "=?utf-8?q?" + "".join(_q(byte) for byte in data) + "?="
    return q_form if len(q_form) <= len(b_form) else b_form


def _q(byte: int) -> str:
    char = chr(byte)
    if char == " ":
        return "_"
    if char.isascii() and (char.isalnum() or char in "!*+-/"):
        return char
    return f"={byte:02X}"


# Serialising a parsed draft again must not refold what this module folded: Python's folder is
# the one that writes empty encoded words. Sinks write drafts with these policies.
FILE_POLICY = policy.default.clone(refold_source="none")
WIRE_POLICY = policy.SMTP.clone(refold_source="none")


def draft_bytes(message: EmailMessage, crlf: bool = False) -> bytes:
    """The message as stored: this module's folding kept; CRLF line ends with ``crlf``."""
    return message.as_bytes(policy=WIRE_POLICY if crlf else FILE_POLICY)


def compose(headers: list[tuple[str, str]], body: str) -> EmailMessage:
    """A message from already-encoded header values and a plain-text UTF-8 body.

    ``headers`` are (name, value) pairs whose values come from :func:`encode_text`,
    :func:`encode_address` or are ASCII tokens built by syncd. Returns the message parsed back,
    so what callers hold is exactly what a reader will see.
    """
    part = EmailMessage(policy=policy.default)
    part.set_content(body, charset="utf-8", cte="8bit" if _short_lines(body) else "quoted-printable")
    for name, value in headers:
        if "\r" in value or any(line and not line[0].isspace() for line in value.split("\n")[1:]):
            raise ValueError(f"header {name} would not be one header")
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return parse_bytes(head.encode("ascii") + part.as_bytes())


def _short_lines(body: str) -> bool:
    return all(len(line.encode("utf-8")) <= 900 for line in body.split("\n"))


def parse_bytes(raw: bytes) -> EmailMessage:
    """Parse RFC 5322 bytes with the modern policy."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def date_value(now: datetime) -> str:
    """An RFC 5322 Date value."""
    return format_datetime(now)


def message_id(sender_address: str | None) -> str:
    """A fresh Message-ID in the sender's domain (or syncd.invalid)."""
    domain = sender_address.rpartition("@")[2] if sender_address else ""
    return make_msgid("syncd", domain=domain or "syncd.invalid")
