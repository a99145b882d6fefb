"""The Maildir sink passes the draft-sink contract."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from syncd.followup.maildir import MaildirSink
from syncd.followup.sink import DraftSink, StoredDraft
from tests.contract.drafts_suite import DraftSinkTests


class TestMaildirSink(DraftSinkTests):
    @pytest.fixture
    def sink(self, tmp_path: Path) -> MaildirSink:
        return MaildirSink(tmp_path / "drafts")

    def edit(self, sink: DraftSink, draft: StoredDraft, text: str) -> None:
        """As mutt does: rewrite the file in place (keeping the name and its draft flag)."""
        path = Path(draft.handle)
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        message.set_content(text)
        path.write_bytes(message.as_bytes())

    def raw_drafts(self, sink: DraftSink) -> list[bytes]:
        assert isinstance(sink, MaildirSink)
        return [p.read_bytes() for p in sorted((sink.folder / "cur").glob("*:2,*D*"))]
