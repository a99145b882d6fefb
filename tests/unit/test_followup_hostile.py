"""Invitation text never becomes header syntax; a malformed organizer never stops a cycle.

Issue 8, findings 1 and 2. Values are tried one by one here (``HOSTILE_*``); the invitations
live in the shared corpus (``tests/hostile/ics/draft-*.ics``) and go through a real cycle.
Every draft is parsed back and checked header by header.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from syncd.cycle import Engine
from syncd.followup.drafting import apply_followups
from syncd.followup.headers import addr_spec, draft_bytes
from syncd.followup.maildir import MaildirSink
from syncd.followup.render import render
from syncd.model import make_ref
from syncd.plan import FollowupDue
from syncd.state import State
from tests.contract.drafts_suite import NOW, config_for, interview
from tests.hostile import files
from tests.unit.test_followup import request

INJECTION = "=?utf-8?q?x=0D=0ABcc:=20attacker@evil.com?="
HOSTILE_TEXT = [
    INJECTION,
    "Interview =?utf-8?b?eA0KQmNjOiBhdHRhY2tlckBldmlsLmNvbQ==?= tomorrow",
    "Interview\r\nBcc: attacker@evil.com",
    "Interview\nBcc: attacker@evil.com",
    "=?utf-8?q?=0A?= =?us-ascii?q?=0D=0ATo:=20x@evil.com?=",
    "Interview \x1b[31mred\x1b[0m \x00 nul",
    "Ünïcødé – ✓ " * 40,
    "x" * 5000,
]
HOSTILE_ORGANIZERS = [
    "mailto:jobs@x.example,attacker@evil.com", "mailto:a@b@c", "mailto:@", "mailto:<>",
    "a@b", "Jobs <jobs@x.example>", "jobs@x.example\r\nBcc: attacker@evil.com",
    "mailto:jobs@x.example?bcc=attacker@evil.com", "jobs@x.example (comment)", "\"a b\"@x.example",
]
ALLOWED = {"to", "from", "subject", "date", "message-id", "x-syncd-event", "x-syncd-kind",
           "mime-version", "content-type", "content-transfer-encoding", "x-syncd-digest"}


def check(raw: bytes, organizer: str | None = None) -> email.message.EmailMessage:
    """Parse a draft; assert only syncd's headers, one recipient at most, no line breaks."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    keys = list(message.keys())
    names = [name.lower() for name in keys]
    assert set(names) <= ALLOWED and len(names) == len(set(names)), names
    for name in keys:
        value = str(message[name])
        assert "\r" not in value and "\n" not in value, (name, value)
        assert "attacker@evil.com" not in value.replace(" ", "") or name.lower() == "subject"
    if "To" in message:
        assert len(message["To"].addresses) == 1
        if organizer is not None:
            assert message["To"].addresses[0].addr_spec == organizer
    return message


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_summary_and_names_stay_text(text: str) -> None:
    hostile = request(summary=text, organizer_name=text,
                      attendees=tuple(replace(a, name=text) for a in request().attendees))
    message = check(draft_bytes(render(hostile)), "recruiter@acme.example")
    assert message["To"].addresses[0].display_name in ("", " ".join(
        "".join(c if c.isprintable() else " " for c in text).split())[:120].rstrip())
    subject = str(message["Subject"])
    assert "Bcc" not in message and "Cc" not in message
    if text.isprintable() and len(text) < 200:
        assert subject.endswith(text)  # the title reads exactly as written


@pytest.mark.parametrize("organizer", HOSTILE_ORGANIZERS)
def test_a_malformed_organizer_gives_no_recipient_and_raises_nothing(organizer: str) -> None:
    message = check(draft_bytes(render(request(organizer=organizer))))
    assert "To" not in message


def test_addr_spec_accepts_exactly_one_plain_address() -> None:
    assert addr_spec("MAILTO:Jobs.Team+x@Sub.Acme-Corp.example") == "Jobs.Team+x@Sub.Acme-Corp.example"
    for bad in HOSTILE_ORGANIZERS + ["mailto:", ""]:
        assert addr_spec(bad) is None, bad


@pytest.mark.parametrize("organizer", HOSTILE_ORGANIZERS + HOSTILE_TEXT)
def test_no_organizer_or_title_stops_drafting(organizer: str, tmp_path: Path) -> None:
    config = config_for(tmp_path)
    state = State.open(config.daemon["state_dir"])
    sink = MaildirSink(tmp_path / "drafts")
    try:
        good, bad = interview("good"), interview("bad", summary=organizer, organizer=organizer)
        done = apply_followups([FollowupDue(bad, "apology"), FollowupDue(good, "apology")],
                               state, config, NOW, sink)
        assert [o.state for o in done] == ["drafted", "drafted"]
        for ref in (good.ref, bad.ref):
            [draft] = sink.find(ref)
            check(Path(draft.handle).read_bytes())
    finally:
        state.close()


DRAFT_ATTACKS = ("draft-header-injection.ics", "draft-organizer-list.ics",
                 "draft-malformed-organizers.ics")


def test_the_hostile_corpus_drafts_through_a_real_cycle(tmp_path: Path) -> None:
    """The corpus's draft attacks in a local calendar: one cycle drafts for every interview,
    raises nothing, and every draft has only syncd's headers and at most one recipient."""
    now = datetime.now(UTC)
    folder = tmp_path / "cal" / "Work"
    folder.mkdir(parents=True)
    wanted = set()
    for case in files(now):
        if case.name in DRAFT_ATTACKS:
            (folder / case.name).write_text(case.text)
            wanted |= {make_ref(uid, None) for uid in case.uids}
    config = config_for(tmp_path)
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        report = engine.cycle(now)
        assert not report.failed
        drafted = state.followups()
    finally:
        engine.close()
        state.close()
    assert len(wanted) == 5 and wanted <= set(drafted), wanted - set(drafted)
    for ref in wanted:
        raw = Path(drafted[ref]["path"]).read_bytes()
        message = check(raw)
        if "To" in message:
            assert message["To"].addresses[0].addr_spec in ("jobs@globex.example",)
