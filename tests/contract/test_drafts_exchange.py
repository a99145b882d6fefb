"""The Exchange drafts sink passes the draft-sink contract on the fake EWS server.

Drafts are Messages in the mailbox's Drafts folder; the owner's edits are made directly in the
fake, as Outlook would make them (a new body), and read back as the MIME Exchange generates.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from providers.exchange.drafts import ExchangeDraftSink
from syncd.followup.sink import DraftSink, StoredDraft
from tests.contract.drafts_suite import DraftSinkTests, message
from tests.contract.test_exchange import ExchangeEnv
from tests.fakes.exchange.mime import to_mime
from tests.fakes.ews import FakeExchange


@pytest.fixture
def fake() -> Iterator[FakeExchange]:
    server = FakeExchange().start()
    yield server
    server.stop()


class TestExchangeDrafts(DraftSinkTests):
    @pytest.fixture
    def sink(self, fake: FakeExchange) -> Iterator[ExchangeDraftSink]:
        env = ExchangeEnv(fake)
        sink = env.provider.draft_sink()
        self.fake = fake
        yield sink
        env.provider.close()

    def edit(self, sink: DraftSink, draft: StoredDraft, text: str) -> None:
        """As Outlook does: the body changes on the server; the item stays a draft."""
        self.fake.edit_event(draft.handle, Body=text)

    def raw_drafts(self, sink: DraftSink) -> list[bytes]:
        return [base64.b64decode(to_mime(i, *i.sender).text or "") for i in self.fake.items("drafts")
                if i.text("IsDraft") == "true"]


def test_drafts_are_saved_never_sent_and_marked_with_the_ref(fake):
    env = ExchangeEnv(fake)
    sink = env.provider.draft_sink()
    stored = sink.write(message())
    [item] = fake.items("drafts")
    assert item.id == stored.handle and item.text("IsDraft") == "true"
    assert {k[1]: e.findtext("{http://schemas.microsoft.com/exchange/services/2006/types}Value")
            for k, e in item.extended.items()} == {"syncd-event": "3fa9c01b2e"}
    assert fake.sent == [] and {d.attributes.get("MessageDisposition") for d in fake.dispositions} == {"SaveOnly"}
    env.provider.close()


def test_a_sent_or_foreign_message_is_never_removed(fake):
    env = ExchangeEnv(fake)
    sink = env.provider.draft_sink()
    stored = sink.write(message())
    fake.edit_event(stored.handle, IsDraft="false")  # the owner sent it
    assert sink.find("3fa9c01b2e") == [] and sink.remove(stored) is False
    assert len(fake.items("drafts")) == 1
    env.provider.close()
