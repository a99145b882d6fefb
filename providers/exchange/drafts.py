"""Follow-up drafts in an Exchange mailbox's Drafts folder (``followup.sink = "account:NAME"``).

A draft is a Message created from the rendered MIME with ``MessageDisposition=SaveOnly``:
saved in Drafts, never sent. It carries the interview's REF twice: in the ``X-Syncd-Event``
header of its MIME, and in a named extended property ``syncd-event`` (PublicStrings), which is
what :meth:`ExchangeDraftSink.find` searches for with a FindItem restriction, since Exchange
cannot search Internet headers. Reading a draft back asks Exchange for its MIME as it is now,
so an edit the owner made in Outlook changes the digest and the core leaves that draft alone.
Only items that are still drafts and carry the REF asked for are ever deleted.
"""

from __future__ import annotations

import logging
import threading
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from exchangelib import ExtendedProperty, Message

from syncd.followup.headers import draft_bytes
from syncd.followup.sink import REF_HEADER, DraftSink, StoredDraft, stored

if TYPE_CHECKING:
    from providers.exchange.adapter import ExchangeProvider

log = logging.getLogger(__name__)
MAX_DRAFT_BYTES = 1 << 20  # syncd's drafts are a few kB; a huge item is not one of ours
EVENT_PROPERTY = "syncd-event"
_registered = threading.Lock()
_done = False


class SyncdEvent(ExtendedProperty):
    """The interview REF a draft belongs to."""

    distinguished_property_set_id = "PublicStrings"
    property_name = EVENT_PROPERTY
    property_type = "String"


def register() -> None:
    """Register ``syncd-event`` on Message (once per process)."""
    global _done
    with _registered:
        if not _done:
            Message.register("syncd_event", SyncdEvent)
            _done = True


class ExchangeDraftSink(DraftSink):
    """Drafts of one Exchange account, through its adapter's connection."""

    def __init__(self, provider: ExchangeProvider):
        register()
        self.provider = provider
        self.name = f"account:{provider.name}"

    def _folder(self) -> Any:
        return self.provider._run(lambda: self.provider._ews().drafts)

    def find(self, ref: str) -> list[StoredDraft]:
        """The live drafts (``is_draft``) whose ``syncd-event`` is ``ref``, read as MIME."""
        folder = self._folder()
        ids = self.provider._run(lambda: list(folder.filter(syncd_event=ref).values_list("id", "changekey")))
        return [draft for draft in (self._read(item) for item in self._fetch([i for i, _ in ids]))
                if draft is not None and draft.ref == ref]

    def _fetch(self, ids: list[str]) -> list[Any]:
        if not ids:
            return []
        account = self.provider._ews()
        fields = ["mime_content", "is_draft", "syncd_event", "size"]
        items = self.provider._run(lambda: list(account.fetch(ids=[(i, None) for i in ids], only_fields=fields)))
        return [i for i in items if isinstance(i, Message)]

    @staticmethod
    def _read(item: Any) -> StoredDraft | None:
        raw = item.mime_content or b""
        if not item.is_draft or not raw or len(raw) > MAX_DRAFT_BYTES:
            return None
        return stored(str(item.id), raw if isinstance(raw, bytes) else str(raw).encode())

    def write(self, message: EmailMessage) -> StoredDraft:
        """Save ``message`` to Drafts (SaveOnly: nothing is sent); returns it as stored."""
        ref = str(message.get(REF_HEADER) or "").strip()
        raw = draft_bytes(message, crlf=True)
        account = self.provider._ews()
        item = Message(account=account, folder=self._folder(), mime_content=raw, syncd_event=ref)
        self.provider._run(item.save)  # a new Message is saved with MessageDisposition=SaveOnly
        assert item.id is not None
        log.info("%s: saved the draft for %s in Drafts", self.provider.name, ref)
        found = [d for d in (self._read(i) for i in self._fetch([item.id])) if d is not None]
        return found[0] if found else stored(str(item.id), raw)

    def remove(self, draft: StoredDraft) -> bool:
        """Delete the draft if it is still a draft of the same interview."""
        items = [i for i in self._fetch([draft.handle]) if i.is_draft and i.syncd_event == draft.ref]
        for item in items:
            self.provider._run(item.delete)
            log.info("%s: removed the draft for %s", self.provider.name, draft.ref)
        return bool(items)

