"""Gmail drafts as a follow-up sink, for a Google account (``followup.sink = "account:NAME"``).

Gmail API v1 ``users.drafts``: ``create`` with the message as base64url ``raw``, ``update``
to replace it in place (the draft keeps its id, so a crash cannot leave two), ``delete``
(permanent), ``list`` and ``get``. Gmail's search cannot see custom headers, so ``find`` lists
the drafts (at most :data:`MAX_DRAFTS`) and reads each one's headers (``format=metadata``),
then the full message of those carrying the interview's ``X-Syncd-Event``. Every method used
is allowed by the ``gmail.compose`` scope, which ``syncd auth`` asks for only when the account
is the draft sink. The handle is ``gmail:<account>/drafts/<draft id>``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from googleapiclient.discovery import build

from syncd.errors import AuthError, Gone, ProviderError
from syncd.followup.headers import draft_bytes
from syncd.followup.sink import REF_HEADER, DraftSink, StoredDraft, stored

if TYPE_CHECKING:
    from providers.google.adapter import GoogleProvider

log = logging.getLogger(__name__)
MAX_DRAFTS = 500  # drafts looked through for one interview's; older ones are not searched
PAGE = 100


class GmailDrafts(DraftSink):
    """The drafts of the Google account that ``provider`` signs in to."""

    def __init__(self, provider: GoogleProvider):
        self.provider = provider
        self.name = f"account:{provider.name}"
        self._service: Any = None

    def _drafts(self) -> Any:
        if self._service is None:
            options = {}
            root = self.provider.endpoint.removesuffix("calendar/v3/")
            if root != "https://www.googleapis.com/":  # an override (a proxy, the tests' fake)
                options["api_endpoint"] = root
            self._service = build("gmail", "v1", http=self.provider.authorized_http(),
                                  static_discovery=True, cache_discovery=False,
                                  client_options=options)
        return self._service.users().drafts()

    def _run(self, request: Any) -> Any:
        try:
            return self.provider.execute(request)
        except ProviderError as exc:
            if exc.status == 403 and "insufficient" in str(exc).lower():
                raise AuthError(f"Gmail refused to keep drafts: run `syncd auth {self.provider.name}` "
                                "again to allow it (the gmail.compose permission)", status=403,
                                account=self.provider.name) from None
            raise

    # -- the sink interface --------------------------------------------------------------

    def find(self, ref: str) -> list[StoredDraft]:
        """Drafts whose ``X-Syncd-Event`` header is ``ref`` (a sent draft is no draft)."""
        found = []
        for draft_id in self._draft_ids():
            if self._ref_of(draft_id) == ref:
                draft = self._get(draft_id)
                if draft is not None and draft.ref == ref:
                    found.append(draft)
        return found

    def write(self, message: EmailMessage) -> StoredDraft:
        """``drafts.create``; returns the draft as stored."""
        raw = draft_bytes(message, crlf=True)
        body = {"message": {"raw": base64.urlsafe_b64encode(raw).decode("ascii")}}
        created = self._run(self._drafts().create(userId="me", body=body))
        return stored(self._handle(created["id"]), raw)

    def replace(self, old: StoredDraft, message: EmailMessage) -> StoredDraft:
        """``drafts.update`` in place (atomic: one draft before and after); a gone draft is
        written anew."""
        draft_id = self._id_of(old)
        raw = draft_bytes(message, crlf=True)
        body = {"id": draft_id, "message": {"raw": base64.urlsafe_b64encode(raw).decode("ascii")}}
        try:
            self._run(self._drafts().update(userId="me", id=draft_id, body=body))
        except Gone:
            return self.write(message)
        return stored(self._handle(draft_id), raw)

    def remove(self, draft: StoredDraft) -> bool:
        """``drafts.delete`` if the draft is still there and still carries its REF."""
        draft_id = self._id_of(draft)
        if not draft_id or self._ref_of(draft_id) != draft.ref:
            return False
        try:
            self._run(self._drafts().delete(userId="me", id=draft_id))
        except Gone:
            return False
        return True

    def close(self) -> None:
        """Drop the Gmail service; the account's adapter stays open (it owns the credentials)."""
        if self._service is not None:
            self._service.close()
            self._service = None

    # -- helpers -------------------------------------------------------------------------

    def _draft_ids(self) -> list[str]:
        ids: list[str] = []
        page = None
        while len(ids) < MAX_DRAFTS:
            answer = self._run(self._drafts().list(userId="me", maxResults=PAGE, pageToken=page))
            ids += [d["id"] for d in answer.get("drafts", [])]
            page = answer.get("nextPageToken")
            if not page:
                break
        return ids[:MAX_DRAFTS]

    def _ref_of(self, draft_id: str) -> str | None:
        """The draft's X-Syncd-Event header, None when it has none or is gone."""
        try:
            answer = self._run(self._drafts().get(userId="me", id=draft_id, format="metadata"))
        except Gone:
            return None
        headers = ((answer.get("message") or {}).get("payload") or {}).get("headers") or []
        values = [str(h.get("value", "")).strip() for h in headers
                  if str(h.get("name", "")).lower() == REF_HEADER.lower()]
        return values[0] if len(values) == 1 else None

    def _get(self, draft_id: str) -> StoredDraft | None:
        try:
            answer = self._run(self._drafts().get(userId="me", id=draft_id, format="raw"))
        except Gone:
            return None
        raw = (answer.get("message") or {}).get("raw") or ""
        try:
            data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        except (binascii.Error, ValueError):
            return None
        return stored(self._handle(draft_id), data)

    def _handle(self, draft_id: str) -> str:
        return f"gmail:{self.provider.name}/drafts/{draft_id}"

    def _id_of(self, draft: StoredDraft) -> str:
        prefix = f"gmail:{self.provider.name}/drafts/"
        return draft.handle[len(prefix):] if draft.handle.startswith(prefix) else ""
