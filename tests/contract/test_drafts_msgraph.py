"""The Microsoft Graph drafts sink passes the draft-sink contract on the fake Graph.

Drafts are messages in the mailbox's Drafts folder; the owner's edits are made directly in the
fake, as Outlook makes them (a new body), and read back as the MIME Exchange generates.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.msgraph import GraphProvider
from syncd.errors import AuthError
from syncd.followup.sink import DraftSink, StoredDraft
from tests.contract.drafts_suite import DraftSinkTests, message
from tests.contract.test_msgraph import UTC, graph_account
from tests.fakes.msgraph import FakeGraph
from tests.fakes.msgraph.mime import mime_of


@pytest.fixture
def fake(monkeypatch) -> Iterator[FakeGraph]:
    server = FakeGraph().start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
    server.add_calendar("Calendar", default=True)
    yield server
    server.stop()


def signed_in(fake: FakeGraph, folder, draft_sink: bool = True) -> GraphProvider:
    return GraphProvider(graph_account(fake, folder, draft_sink=draft_sink), UTC)


class TestGraphDrafts(DraftSinkTests):
    @pytest.fixture
    def sink(self, fake: FakeGraph, tmp_path) -> Iterator[DraftSink]:
        provider = signed_in(fake, tmp_path)
        self.fake = fake
        yield provider.draft_sink()
        provider.close()

    def edit(self, sink: DraftSink, draft: StoredDraft, text: str) -> None:
        """As Outlook does: the body changes on the server; the message stays a draft."""
        with self.fake.mailbox.lock:
            self.fake.mailbox.patch_message(draft.handle, {"body": {"contentType": "text", "content": text}}, None)

    def raw_drafts(self, sink: DraftSink) -> list[bytes]:
        return [mime_of(m, self.fake.mailbox.address) for m in self.fake.drafts() if m["isDraft"]]


def test_drafts_are_saved_never_sent_and_marked_with_the_ref(fake, tmp_path):
    sink = signed_in(fake, tmp_path).draft_sink()
    stored = sink.write(message())
    [draft] = fake.drafts()
    assert draft["id"] == stored.handle and draft["isDraft"]
    props = {p["id"].rsplit(" ", 1)[-1]: p["value"] for p in draft["singleValueExtendedProperties"]}
    assert props == {"syncd-event": "3fa9c01b2e", "syncd-kind": "apology", "syncd-digest": stored.written}
    assert [r.method for r in fake.writes()] == ["POST"]
    assert not [r for r in fake.requests if r.path.endswith("/send")]


def test_a_sent_or_foreign_message_is_never_removed(fake, tmp_path):
    sink = signed_in(fake, tmp_path).draft_sink()
    stored = sink.write(message())
    with fake.mailbox.lock:
        fake.mailbox.patch_message(stored.handle, {"isDraft": False}, None)  # the owner sent it
    assert sink.find("3fa9c01b2e") == [] and sink.remove(stored) is False
    assert len(fake.drafts()) == 1


def test_without_mail_consent_the_sink_asks_for_a_new_sign_in(fake, tmp_path):
    sink = signed_in(fake, tmp_path, draft_sink=False).draft_sink()
    with pytest.raises(AuthError, match="syncd auth m365"):
        sink.find("3fa9c01b2e")
    assert fake.drafts() == []
