"""Follow-up drafts: rendering, templates, and the Maildir sink."""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
import stat
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import SyncdError
from syncd.followup.render import DraftRequest, DraftTemplateError, render
from syncd.followup.headers import draft_bytes
from syncd.followup.maildir import remove_draft, write_draft
from syncd.model import Attendee

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
OWNER = Attendee("alex@example.com", "Alex Doe", "ACCEPTED")
RECRUITER = Attendee("recruiter@acme.example", "Zoë Müller", "ACCEPTED")
KEN = Attendee("ken@acme.example", "佐藤 健", "ACCEPTED")
SAM = Attendee("sam@acme.example", "Sam Lee", "ACCEPTED")
EXCUSES = ("because", "unfortunately", "came up", "sick", "traffic", "emergency", "due to")


def request(kind: str = "apology", **changes: object) -> DraftRequest:
    """An interview at 14:00 Berlin on Tuesday 1 December 2026 (given in UTC)."""
    base = DraftRequest(
        ref="3fa9c01b2e", kind=kind, summary="Backend Engineer interview", company="Acme",
        start=datetime(2026, 12, 1, 13, 0, tzinfo=timezone.utc),
        end=datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc),
        organizer="recruiter@acme.example", attendees=(RECRUITER, OWNER, KEN, SAM),
        self_addresses=("alex@example.com",), sender="Alex Doe <alex@example.com>", tz=BERLIN,
    )
    return replace(base, **changes)


def body(message: email.message.EmailMessage) -> str:
    return message.get_content()


def prose(message: email.message.EmailMessage) -> str:
    """The body with line wrapping undone, for phrase checks."""
    return " ".join(body(message).split())


def reparse(message: email.message.EmailMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(draft_bytes(message), policy=email.policy.default)


# --- headers and recipients ---------------------------------------------------------------

def test_headers() -> None:
    message = reparse(render(request(), now=NOW))
    assert message["To"].addresses[0].addr_spec == "recruiter@acme.example"
    assert message["To"].addresses[0].display_name == "Zoë Müller"
    assert message["From"] == "Alex Doe <alex@example.com>"
    assert message["Subject"] == "Apologies for missing our interview - Backend Engineer interview"
    assert message["X-Syncd-Event"] == "3fa9c01b2e"
    assert message["X-Syncd-Kind"] == "apology"
    assert message["Date"] == "Mon, 30 Nov 2026 09:00:00 +0100"
    assert re.fullmatch(r"<[^<>@\s]+@example\.com>", message["Message-ID"])
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"


@pytest.mark.parametrize("organizer", ["", "ALEX@example.com", "mailto:alex@example.com"])
def test_owner_or_missing_organizer_addresses_first_other_attendee(organizer: str) -> None:
    room = Attendee("c_123@resource.calendar.google.com", "Room 4B")
    message = render(request(organizer=organizer, attendees=(OWNER, room, SAM, KEN)), now=NOW)
    assert message["To"].addresses[0].addr_spec == "sam@acme.example"
    assert body(message).startswith("Hello Sam,\n")


def test_no_recipient_leaves_to_empty_and_greets_plainly() -> None:
    message = render(request(organizer="", attendees=(OWNER,)), now=NOW)
    assert message["To"] is None
    assert body(message).startswith("Hello,\n")


def test_organizer_without_name_greets_plainly() -> None:
    message = render(request(organizer="hr@acme.example", attendees=(OWNER, SAM)), now=NOW)
    assert str(message["To"]) == "hr@acme.example"
    assert body(message).startswith("Hello,\n")


@pytest.mark.parametrize("name, greeting", [
    ("Müller, Zoë", "Hello Zoë,"), ("Dr. Jane Smith", "Hello Jane,"),
    ("recruiter@acme.example", "Hello,"), ("", "Hello,"),
])
def test_greeting_uses_first_name(name: str, greeting: str) -> None:
    attendees = (Attendee("recruiter@acme.example", name), OWNER)
    assert body(render(request(attendees=attendees), now=NOW)).startswith(greeting + "\n")


def test_sign_off_uses_sender_name_or_nothing() -> None:
    assert body(render(request(), now=NOW)).endswith("Kind regards,\nAlex Doe\n")
    message = render(request(sender=""), now=NOW)
    assert message["From"] is None
    assert body(message).endswith("Kind regards,\n")
    bare = render(request(sender="alex@example.com"), now=NOW)
    assert bare["From"] == "alex@example.com"
    assert body(bare).endswith("Kind regards,\n")


def test_header_injection_through_summary_is_neutralised() -> None:
    message = reparse(render(request(summary="Interview\nBcc: evil@example.org"), now=NOW))
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]


# --- the texts ------------------------------------------------------------------------------

def test_apology_asks_for_another_interview_without_excuses() -> None:
    text = prose(render(request(), now=NOW))
    assert "missed our interview on Tuesday 1 December at 14:00" in text
    assert "another interview" in text
    assert "any time that suits you" in text
    assert "still very interested in the role at Acme" in text
    assert not [word for word in EXCUSES if word in text.lower()]


def test_thank_you_names_the_interviewers_from_attendees() -> None:
    text = prose(render(request("thank-you"), now=NOW))
    assert "佐藤 健 and Sam Lee" in text
    assert "Alex Doe" not in text.split("Kind regards")[0]  # the owner does not thank themself
    assert "the role at Acme" in text
    assert reparse(render(request("thank-you"), now=NOW))["Subject"].startswith("Thank you")


def test_thank_you_skips_declined_attendees() -> None:
    declined = Attendee("pat@acme.example", "Pat Kim", "DECLINED")
    text = prose(render(request("thank-you", attendees=(RECRUITER, OWNER, SAM, declined)), now=NOW))
    assert "Sam Lee" in text and "Pat Kim" not in text


def test_thank_you_falls_back_to_organizer_then_team() -> None:
    alone = prose(render(request("thank-you", attendees=(RECRUITER, OWNER)), now=NOW))
    assert alone.startswith("Hello Zoë, ")
    assert "Thank you for taking the time to speak with me on Tuesday 1 December." in alone
    unnamed = (RECRUITER, OWNER, Attendee("panel@acme.example"))
    assert "speaking with the team" in prose(render(request("thank-you", attendees=unnamed), now=NOW))


def test_thank_you_when_recipient_was_an_interviewer() -> None:
    text = prose(render(request("thank-you", organizer="alex@example.com",
                               attendees=(OWNER, SAM, KEN)), now=NOW))
    assert text.startswith("Hello Sam, ")
    assert "speak with me" in text and "pass on my thanks to 佐藤 健" in text


def test_reschedule_asks_for_a_new_time() -> None:
    text = prose(render(request("reschedule"), now=NOW))
    assert "can't attend our interview on Tuesday 1 December at 14:00" in text
    assert "short notice" in text
    assert "new time" in text
    assert "any time that suits you" in text
    assert "still very interested" in text


def test_reschedule_well_ahead_does_not_claim_short_notice() -> None:
    early = datetime(2026, 11, 1, 9, 0, tzinfo=BERLIN)
    text = prose(render(request("reschedule"), now=early))
    assert "short notice" not in text and "as early as possible" in text


def test_year_is_printed_when_it_is_not_this_year() -> None:
    later = datetime(2027, 1, 5, 8, 30, tzinfo=timezone.utc)
    text = prose(render(request(start=later, end=later), now=NOW))
    assert "Tuesday 5 January 2027 at 09:30" in text


@pytest.mark.parametrize("kind", ["apology", "thank-you", "reschedule"])
def test_drafts_are_brief_and_wrapped(kind: str) -> None:
    message = render(request(kind), now=NOW)
    assert len(body(message).split()) < 120
    assert all(len(line) <= 78 for line in body(message).splitlines())
    assert message["Content-Transfer-Encoding"] == "8bit"


def test_unknown_kind() -> None:
    with pytest.raises(ValueError):
        render(request("farewell"), now=NOW)


# --- templates ------------------------------------------------------------------------------

def test_override_template_wins(tmp_path: Path) -> None:
    (tmp_path / "apology.txt").write_text(
        "Subject: Sorry, {{ first_name }}\n\nMy own words about {{ company }} at {{ time }}.\n")
    message = render(request(), templates_dir=tmp_path, now=NOW)
    assert message["Subject"] == "Sorry, Zoë"
    assert body(message) == "My own words about Acme at 14:00.\n"
    # kinds without an override still come from the package
    assert "new time" in prose(render(request("reschedule"), templates_dir=tmp_path, now=NOW))


def test_override_without_subject_gets_default_subject(tmp_path: Path) -> None:
    (tmp_path / "thank-you.txt").write_text("Thanks!\n")
    message = render(request("thank-you"), templates_dir=tmp_path, now=NOW)
    assert message["Subject"] == "Thank you - Backend Engineer interview"
    assert body(message) == "Thanks!\n"


@pytest.mark.parametrize("text, line", [
    ("Subject: x\n\nHello\n{% if first_name %}\nno end\n", 5),
    ("Subject: x\n\nHello\n\n{{ no_such_variable }}\n", 5),
    ("Subject: x\n\n{{ company.missing_attribute }}\n", 3),
    ("Subject: x\nTo: someone\n\nbody\n", 2),
])
def test_broken_override_names_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    broken = tmp_path / "apology.txt"
    broken.write_text(text)
    with pytest.raises(SyncdError) as caught:
        render(request(), templates_dir=tmp_path, now=NOW)
    assert isinstance(caught.value, DraftTemplateError)
    assert caught.value.file == str(broken)
    assert caught.value.line == line
    assert str(broken) in str(caught.value) and f"line {line}" in str(caught.value)


# --- the Maildir sink -----------------------------------------------------------------------

def test_write_draft_stores_one_flagged_draft(tmp_path: Path) -> None:
    maildir = tmp_path / "drafts"
    path = write_draft(maildir, draft_bytes(render(request(), now=NOW)))
    assert path.parent == maildir / "cur" and path.name.endswith(":2,D")
    assert list((maildir / "cur").iterdir()) == [path]
    assert not list((maildir / "tmp").iterdir()) and not list((maildir / "new").iterdir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for sub in ("", "tmp", "new", "cur"):
        assert stat.S_IMODE((maildir / sub).stat().st_mode) == 0o700
    box = mailbox.Maildir(maildir, factory=None, create=False)
    [stored] = list(box)
    assert "D" in stored.get_flags() and stored.get_subdir() == "cur"
    assert stored["X-Syncd-Event"] == "3fa9c01b2e"
    assert stored["Subject"] == "Apologies for missing our interview - Backend Engineer interview"


def test_write_draft_names_are_unique(tmp_path: Path) -> None:
    paths = {write_draft(tmp_path, draft_bytes(render(request(), now=NOW))) for _ in range(5)}
    assert len(paths) == 5 == len(list((tmp_path / "cur").iterdir()))


def test_non_ascii_names_survive_the_maildir(tmp_path: Path) -> None:
    attendees = (Attendee("recruiter@acme.example", "山田 太郎"), OWNER, KEN)
    message = render(request("thank-you", attendees=attendees,
                             sender="Zoë Müller <zoe@example.com>",
                             self_addresses=("zoe@example.com",)), now=NOW)
    path = write_draft(tmp_path, draft_bytes(message))
    stored = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert stored["To"].addresses[0].display_name == "山田 太郎"
    assert stored["From"].addresses[0].display_name == "Zoë Müller"
    text = stored.get_content()
    assert text.startswith("Hello 山田,\n") and "佐藤 健" in text and text.endswith("Zoë Müller\n")


def test_remove_draft(tmp_path: Path) -> None:
    path = write_draft(tmp_path, draft_bytes(render(request(), now=NOW)))
    assert remove_draft(path) is True
    assert not path.exists() and not list((tmp_path / "cur").iterdir())
    assert remove_draft(path) is False


def test_remove_draft_follows_renamed_flags(tmp_path: Path) -> None:
    path = write_draft(tmp_path, draft_bytes(render(request(), now=NOW)))
    seen = path.with_name(path.name.replace(":2,D", ":2,DS"))
    path.rename(seen)
    assert remove_draft(path) is True
    assert not seen.exists()


@pytest.mark.parametrize("flags", ["S", "", "RS"])
def test_remove_draft_leaves_sent_or_unflagged_messages(tmp_path: Path, flags: str) -> None:
    path = write_draft(tmp_path, draft_bytes(render(request(), now=NOW)))
    kept = path.with_name(path.name.replace(":2,D", f":2,{flags}"))
    path.rename(kept)
    assert remove_draft(path) is False
    assert remove_draft(kept) is False
    assert kept.exists()


def test_remove_draft_ignores_moved_and_unknown_paths(tmp_path: Path) -> None:
    path = write_draft(tmp_path / "drafts", draft_bytes(render(request(), now=NOW)))
    moved = tmp_path / path.name
    path.rename(moved)
    assert remove_draft(path) is False
    assert moved.exists()
    assert remove_draft(tmp_path / "nowhere" / "x:2,D") is False
    assert remove_draft(tmp_path / "plain-file") is False


@settings(max_examples=150, deadline=None)
@given(name=st.text(max_size=40), summary=st.text(max_size=60), company=st.text(max_size=20))
def test_any_names_round_trip_without_breaking_headers(name: str, summary: str,
                                                       company: str) -> None:
    attendees = (Attendee("recruiter@acme.example", name), OWNER, Attendee("x@acme.example", name))
    for kind in ("apology", "thank-you", "reschedule"):
        message = reparse(render(request(kind, attendees=attendees, summary=summary,
                                         company=company), now=NOW))
        assert message["X-Syncd-Event"] == "3fa9c01b2e"
        assert message["To"].addresses[0].addr_spec == "recruiter@acme.example"
        assert message["Bcc"] is None and message["Cc"] is None
        assert message.get_content().endswith("Alex Doe\n")
