"""The one interface every draft sink implements, and the registry that picks one.

A *sink* is where the owner keeps drafts: a Maildir folder, an IMAP mailbox, or the drafts
folder of an account (Gmail, Exchange, Microsoft Graph). The core never imports a concrete
sink; :func:`open_sink` maps ``followup.sink`` to one, imported on use:

- ``"maildir"``: :class:`syncd.followup.maildir.MaildirSink` on ``followup.drafts_dir``;
- ``"imap"``: :class:`syncd.followup.imap.ImapSink` on ``[followup.imap]``;
- ``"account:NAME"``: whatever :meth:`providers.base.Provider.draft_sink` of that account's
  adapter returns (an adapter without one returns None, and the config is refused).

How the core uses a sink (``syncd.followup.drafting``), so that a crash never leaves two live
drafts for one interview and an edited draft stays the owner's:

1. ``find(ref)`` lists the live drafts of the interview (those still drafts, found by the
   interview's REF: the ``X-Syncd-Event`` header, or the provider's own property);
2. one of the wanted kind is adopted; others are removed with ``remove`` unless edited;
3. otherwise ``write`` stores the new message (or ``replace`` swaps a stored one for it);
4. the state records the returned :class:`StoredDraft` (its ``handle`` and ``digest``).

A draft is *edited* when the digest of its content (To, Subject and text, see :func:`digest`)
no longer matches the digest syncd recorded when it wrote it (kept in the state, and in the
draft itself as ``X-Syncd-Digest``). An edited draft is never replaced or removed.

Implementing an account sink (Exchange, Graph, ...): subclass :class:`DraftSink`, implement
``find``, ``write`` and ``remove`` (``replace`` defaults to write-then-remove; override it
where the provider updates in place, as Gmail's ``drafts.update`` does), build the
:class:`StoredDraft` values with :func:`stored`, and return an instance from your adapter's
``draft_sink()``. Store the message's bytes exactly as
:func:`syncd.followup.headers.draft_bytes` gives them (``crlf=True`` for IMAP and HTTP APIs):
never ``message.as_bytes()`` with Python's default policy, which refolds headers and can break
them; set the provider's draft flag; never touch a message that is not a draft or that
carries another REF. Raise :class:`syncd.errors.TransientError` for what is worth retrying,
:class:`syncd.errors.AuthError` for refused credentials, and another
:class:`syncd.errors.ProviderError` for anything else; the core logs it and tries again next
cycle. The shared contract tests in ``tests/contract/drafts_suite.py`` run every sink.
"""

from __future__ import annotations

import hashlib
import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syncd.errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from email.message import EmailMessage

    from providers.base import Provider

REF_HEADER = "X-Syncd-Event"
KIND_HEADER = "X-Syncd-Kind"
DIGEST_HEADER = "X-Syncd-Digest"
ACCOUNT_PREFIX = "account:"
# ``followup.sink`` -> "module:Class", imported on use.
REGISTRY: dict[str, str] = {
    "maildir": "syncd.followup.maildir:MaildirSink",
    "imap": "syncd.followup.imap:ImapSink",
}


@dataclass(frozen=True)
class StoredDraft:
    """A draft as it is stored in a sink now.

    ``handle`` is the sink's own reference, enough for it to find the draft again (a file
    path, an IMAP URL with the UID, a Gmail draft id); ``status`` shows it as the draft's
    ``path``. ``ref`` and ``kind`` are the interview's REF and the draft's kind (apology,
    thank-you, reschedule) as the draft says. ``digest`` is :func:`digest` of the content as
    stored now; ``written`` the digest syncd stamped into it when writing ("" if absent).
    """

    handle: str
    ref: str
    kind: str
    digest: str
    written: str = ""

    def edited(self, recorded: str | None = None) -> bool:
        """True when the owner changed the draft since syncd wrote it.

        Compares the content's digest with the one syncd stamped into the draft when writing
        it, or, for a draft without that stamp, with ``recorded`` (the digest the state holds
        for it). A draft with neither cannot be told apart and counts as unedited.
        """
        reference = self.written or recorded
        return bool(reference) and reference != self.digest


class DraftSink(ABC):
    """A place that holds drafts. See the module docstring for the contract.

    ``name`` is what the log and ``status`` call it ("maildir", "imap", "account:work").
    Methods raise :class:`syncd.errors.ProviderError` subclasses (``TransientError``,
    ``AuthError``) and nothing else on purpose.
    """

    name: str = ""

    @abstractmethod
    def find(self, ref: str) -> list[StoredDraft]:
        """Every live draft of the interview ``ref`` (still a draft, carrying that REF).

        Messages the owner sent, or stripped of the draft flag, are not returned.
        """

    @abstractmethod
    def write(self, message: EmailMessage) -> StoredDraft:
        """Store ``message`` as a new draft and return it as stored. Not idempotent by itself:
        the core calls :meth:`find` first."""

    def replace(self, old: StoredDraft, message: EmailMessage) -> StoredDraft:
        """Put ``message`` in place of the unedited draft ``old``; return the new one.

        The default writes the new draft, then removes the old one, so that a crash in between
        leaves both (the next cycle removes the stale one) rather than neither.
        """
        new = self.write(message)
        self.remove(old)
        return new

    @abstractmethod
    def remove(self, draft: StoredDraft) -> bool:
        """Delete ``draft`` if it is still a draft; True if something was deleted.

        A draft that is gone already, or was sent, is not an error (False).
        """

    def close(self) -> None:  # noqa: B027  # optional hook: most sinks hold no connection
        """Release connections. The default does nothing."""


def parse(raw: bytes) -> EmailMessage:
    """Parse a stored message (RFC 5322 bytes) into an :class:`EmailMessage`."""
    # Here, not at the top: loading the config checks followup.sink with this module, and
    # commands that draft nothing need no mail modules.
    from email import policy
    from email.message import EmailMessage
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def digest(message: EmailMessage) -> str:
    """A content hash of what the owner would edit: recipients, subject and text.

    Independent of transport details (line endings, header folding, transfer encoding,
    Date, Message-ID), so the same draft read back from any sink has the same digest.
    Returns 32 hex digits.
    """
    parts = [_header_text(message, name) for name in ("To", "Cc", "Bcc", "Subject")]
    try:
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else ""
    except (KeyError, LookupError, ValueError):
        text = str(message.get_payload())
    lines = [line.rstrip() for line in str(text).replace("\r\n", "\n").split("\n")]
    parts.append("\n".join(lines).strip("\n"))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _header_text(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError):  # a header the parser chokes on: compare its raw text
        return " ".join(str(v) for v in message.get_all(name, []))
    return " ".join(str(value or "").split())


def stamp(message: EmailMessage) -> EmailMessage:
    """Record the message's own digest in ``X-Syncd-Digest``; returns the same message."""
    del message[DIGEST_HEADER]
    message[DIGEST_HEADER] = digest(message)
    return message


def stored(handle: str, raw: bytes) -> StoredDraft:
    """A :class:`StoredDraft` for the message ``raw`` stored under ``handle``."""
    message = parse(raw)
    return StoredDraft(handle=handle, ref=str(message.get(REF_HEADER) or "").strip(),
                       kind=str(message.get(KIND_HEADER) or "").strip(), digest=digest(message),
                       written=str(message.get(DIGEST_HEADER) or "").strip())


def validate_sink(value: str, accounts: Sequence[Mapping[str, Any]], where: str) -> list[ConfigProblem]:
    """Check a ``followup.sink`` value against the config's accounts; return the problems."""
    expected = ('"maildir", "imap" or "account:NAME" naming a google, exchange or msgraph '
                "account")
    if value in REGISTRY:
        return []
    if value.startswith(ACCOUNT_PREFIX):
        name = value[len(ACCOUNT_PREFIX):]
        account = next((a for a in accounts if a.get("name") == name), None)
        if account is None:
            return [ConfigProblem(where, "followup.sink", value, f"{expected}; there is no "
                                  f"account named {name!r}")]
        if account.get("type") not in ("google", "exchange", "msgraph"):
            return [ConfigProblem(where, "followup.sink", value, f"{expected}; {name!r} is a "
                                  f"{account.get('type')} account, which has no drafts folder")]
        return []
    return [ConfigProblem(where, "followup.sink", value, expected)]


def open_sink(section: Mapping[str, Any], provider_of: Callable[[str], Provider]) -> DraftSink:
    """The sink ``followup.sink`` names.

    ``section`` is the config's ``[followup]`` table; ``provider_of(name)`` returns the adapter
    of an account (the caller keeps ownership of it and closes it). Raises
    :class:`syncd.errors.ConfigError` when the account's adapter offers no draft sink, and
    whatever creating the sink raises (``ProviderError`` for credentials and connections).
    """
    choice = str(section.get("sink") or "maildir")
    if choice.startswith(ACCOUNT_PREFIX):
        name = choice[len(ACCOUNT_PREFIX):]
        sink = provider_of(name).draft_sink()
        if sink is None:
            raise ConfigError([ConfigProblem("(config)", "followup.sink", choice,
                                             f"an account whose provider keeps drafts; {name!r}'s "
                                             "does not in this version of syncd")])
        return sink
    module_name, _, class_name = REGISTRY[choice].partition(":")
    return getattr(importlib.import_module(module_name), class_name).from_config(section)
