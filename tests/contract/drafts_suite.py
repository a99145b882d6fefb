"""The contract every draft sink passes (Maildir, IMAP on Dovecot, Gmail on the fake, ...).

Subclass :class:`DraftSinkTests` in a test module, provide a ``sink`` fixture returning a fresh,
empty :class:`syncd.followup.sink.DraftSink`, and implement :meth:`DraftSinkTests.edit` (how the
owner changes a draft in that sink, as a mail client would) and :meth:`DraftSinkTests.raw_drafts`
(every draft message in the sink, as bytes, to count and parse them independently of ``find``).
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from syncd import config as config_mod
from syncd.detect import Verdict
from syncd.followup.drafting import apply_followups
from syncd.followup.render import DraftRequest, render
from syncd.followup.sink import DraftSink, StoredDraft, stamp
from syncd.model import Attendee, Event
from syncd.plan import FollowupDue, Interview
from syncd.state import State

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
START = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)


def message(kind: str = "apology", ref: str = "3fa9c01b2e", summary: str = "Interview – Analyst"):
    """A stamped draft as the core hands it to a sink."""
    request = DraftRequest(
        ref=ref, kind=kind, summary=summary, company="Globex", start=START,
        end=START + timedelta(hours=1), organizer="zoe@globex.example",
        attendees=(Attendee("zoe@globex.example", "Zoë Müller"),),
        self_addresses=("alex@example.com",), sender="Alex Doe <alex@example.com>", tz=PARIS)
    return stamp(render(request, now=NOW))


def interview(ref_uid: str = "iv-1", summary: str = "Interview – Analyst", **changes: Any) -> Interview:
    """A past interview as the planner would hand it over."""
    event = Event(uid=ref_uid, start=START, end=START + timedelta(hours=1), summary=summary,
                  organizer="zoe@globex.example", organizer_name="Zoë Müller",
                  attendees=(Attendee("zoe@globex.example", "Zoë Müller"),
                             Attendee("alex@example.com", "Alex Doe")),
                  account="home", calendar="Work")
    event = replace(event, **changes)
    return Interview(event, Verdict(True, 0.9, "video", "Globex", ("test",)))


def config_for(tmp_path: Path, **followup: Any) -> config_mod.Config:
    """A minimal validated config whose drafts go where the test says."""
    data = {"daemon": {"state_dir": str(tmp_path / "state"), "timezone": "Europe/Paris"},
            "interviews": {"self": ["alex@example.com"]},
            "followup": {"drafts_dir": str(tmp_path / "drafts"), "from": "Alex Doe <alex@example.com>",
                         **followup},
            "accounts": [{"name": "home", "type": "local", "path": str(tmp_path / "cal")}]}
    return config_mod.validate(data, tmp_path / "config.toml")


class DraftSinkTests:
    """Inherit, provide ``sink``, ``edit`` and ``raw_drafts``."""

    def edit(self, sink: DraftSink, draft: StoredDraft, text: str) -> None:
        """Change the draft's text the way the owner's mail client would."""
        raise NotImplementedError

    def raw_drafts(self, sink: DraftSink) -> list[bytes]:
        """Every draft in the sink (syncd's or not), as RFC 5322 bytes."""
        raise NotImplementedError

    def test_write_then_find(self, sink: DraftSink) -> None:
        stored = sink.write(message())
        [found] = sink.find("3fa9c01b2e")
        assert (found.ref, found.kind) == ("3fa9c01b2e", "apology")
        assert found.digest == stored.digest == found.written and not found.edited()
        assert sink.find("0000000000") == []

    def test_headers_decode_exactly_from_the_stored_bytes(self, sink: DraftSink) -> None:
        sink.write(message(summary="Entretien – Analyste (Globex) ✓"))
        [raw] = self.raw_drafts(sink)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert str(parsed["Subject"]).endswith("Entretien – Analyste (Globex) ✓")
        assert parsed["To"].addresses[0].display_name == "Zoë Müller"
        assert parsed["To"].addresses[0].addr_spec == "zoe@globex.example"
        assert "=?utf-8?q??=" not in raw.decode("ascii", "replace")

    def test_remove(self, sink: DraftSink) -> None:
        stored = sink.write(message())
        assert sink.remove(stored) is True
        assert sink.find("3fa9c01b2e") == []
        assert sink.remove(stored) is False

    def test_replace_leaves_one_draft_of_the_new_kind(self, sink: DraftSink) -> None:
        old = sink.write(message())
        new = sink.replace(old, message("thank-you"))
        assert [d.kind for d in sink.find("3fa9c01b2e")] == ["thank-you"]
        assert new.kind == "thank-you" and len(self.raw_drafts(sink)) == 1

    def test_an_edit_is_detected(self, sink: DraftSink) -> None:
        stored = sink.write(message())
        self.edit(sink, stored, "Dear Zoë, I am so sorry.")
        [found] = sink.find("3fa9c01b2e")
        assert found.edited(stored.digest)

    def test_an_edited_draft_survives_an_attended_ack(self, sink: DraftSink, tmp_path: Path) -> None:
        config = config_for(tmp_path)
        state = State.open(config.daemon["state_dir"])
        try:
            iv = interview()
            [_] = apply_followups([FollowupDue(iv, "apology")], state, config, NOW, sink)
            [stored] = sink.find(iv.ref)
            self.edit(sink, stored, "Dear Zoë, my own words.")
            [outcome] = apply_followups([FollowupDue(iv, "thank-you")], state, config, NOW, sink)
            assert outcome.state == "kept-edited"
            kinds = sorted(d.kind for d in sink.find(iv.ref))
            assert kinds == ["apology", "thank-you"]
            assert any(b"my own words" in raw for raw in self.raw_drafts(sink))
            [outcome] = apply_followups([FollowupDue(iv, None)], state, config, NOW, sink)
            assert [d.kind for d in sink.find(iv.ref)] == ["apology"]  # only ours went
            assert state.followups()[iv.ref]["state"] == "kept-edited"
        finally:
            state.close()

    def test_a_kill_between_writing_and_recording_leaves_one_draft(
            self, sink: DraftSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        config = config_for(tmp_path)
        iv = interview()
        state = State.open(config.daemon["state_dir"])

        def killed(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt("kill -9")  # nothing catches it, like the process dying

        try:
            with monkeypatch.context() as patch:
                patch.setattr(State, "set_followup", killed)
                with pytest.raises(KeyboardInterrupt):
                    apply_followups([FollowupDue(iv, "apology")], state, config, NOW, sink)
            assert len(self.raw_drafts(sink)) == 1  # written, not recorded
            for _ in range(2):
                apply_followups([FollowupDue(iv, "apology")], state, config, NOW, sink)
            assert len(self.raw_drafts(sink)) == 1
            with monkeypatch.context() as patch:
                patch.setattr(State, "set_followup", killed)
                with pytest.raises(KeyboardInterrupt):
                    apply_followups([FollowupDue(iv, "thank-you")], state, config, NOW, sink)
            apply_followups([FollowupDue(iv, "thank-you")], state, config, NOW, sink)
            assert [d.kind for d in sink.find(iv.ref)] == ["thank-you"]
            assert len(self.raw_drafts(sink)) == 1
        finally:
            state.close()
