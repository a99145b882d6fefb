"""Gmail drafts of a Google account pass the draft-sink contract, on the Google fake."""

from __future__ import annotations

import base64
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.google.drafts import GmailDrafts
from syncd.errors import AuthError
from syncd.followup.sink import DraftSink, StoredDraft
from tests.contract.drafts_suite import DraftSinkTests, message
from tests.contract.test_google import ME, GoogleEnv
from tests.fakes.google import FakeGoogleCalendar


@pytest.fixture
def fake() -> Iterator[FakeGoogleCalendar]:
    server = FakeGoogleCalendar().start()
    server.add_calendar(ME, ME, primary=True, time_zone="Europe/Berlin")
    yield server
    server.stop()


class TestGmailDrafts(DraftSinkTests):
    @pytest.fixture
    def sink(self, fake: FakeGoogleCalendar, tmp_path: Path) -> Iterator[DraftSink]:
        env = GoogleEnv(fake, tmp_path)
        sink = env.provider.draft_sink()
        assert isinstance(sink, GmailDrafts)
        self.fake = fake
        yield sink
        sink.close()
        env.provider.close()

    def edit(self, sink: DraftSink, draft: StoredDraft, text: str) -> None:
        """As Gmail's editor saves: the draft's message replaced, the draft id kept."""
        mailbox = self.fake.gmail
        draft_id = draft.handle.rsplit("/", 1)[1]
        raw = mailbox.messages[mailbox.drafts[draft_id]]
        head = raw.split(b"\r\n\r\n", 1)[0]
        mailbox.messages[mailbox.drafts[draft_id]] = head + b"\r\n\r\n" + text.encode() + b"\r\n"

    def raw_drafts(self, sink: DraftSink) -> list[bytes]:
        mailbox = self.fake.gmail
        return [mailbox.messages[m] for m in mailbox.drafts.values()]

    def test_replace_updates_the_same_draft_in_place(self, sink: DraftSink) -> None:
        old = sink.write(message())
        new = sink.replace(old, message("thank-you"))
        assert new.handle == old.handle and len(self.fake.gmail.drafts) == 1
        assert [r.method_id for r in self.fake.api_requests() if "drafts" in (r.method_id or "")
                ][-1] == "gmail.users.drafts.update"

    def test_a_sent_draft_is_not_found_nor_removed(self, sink: DraftSink) -> None:
        stored = sink.write(message())
        self.fake.gmail.drafts.clear()  # what drafts.send does to the draft
        assert sink.find("3fa9c01b2e") == [] and sink.remove(stored) is False

    def test_the_raw_message_is_what_syncd_rendered(self, sink: DraftSink) -> None:
        sink.write(message(summary="Entretien – Analyste ✓"))
        create = next(r for r in self.fake.api_requests("gmail.users.drafts.create"))
        raw = base64.urlsafe_b64decode(create.body["message"]["raw"])
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert str(parsed["Subject"]).endswith("Entretien – Analyste ✓") and b"\r\n" in raw

    def test_drafts_are_paged_through(self, sink: DraftSink) -> None:
        for i in range(120):
            sink.write(message(ref=f"{i:010x}"))
        [found] = sink.find(f"{5:010x}")
        assert found.ref == f"{5:010x}"
        assert any(r.query.get("pageToken") for r in self.fake.api_requests("gmail.users.drafts.list"))


def test_a_token_without_gmail_compose_asks_to_sign_in_again(fake: FakeGoogleCalendar,
                                                              tmp_path: Path) -> None:
    env = GoogleEnv(fake, tmp_path)
    import json

    info = json.loads(env.token_file.read_text())
    info["token"] = fake.issue_access_token("https://www.googleapis.com/auth/calendar.events")
    env.token_file.write_text(json.dumps(info))
    sink = env.new_provider().draft_sink()
    with pytest.raises(AuthError, match="syncd auth work-google"):
        sink.write(message())
    assert fake.gmail.drafts == {}
