"""Drafts fit to send: the organizer by name, the invitation's language, its own time zone,
the role, the owner's reason, and headers that a real mail reader decodes exactly."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from syncd.followup.headers import draft_bytes
from syncd.followup.language import choose
from syncd.followup.render import DraftRequest, render

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
PARIS_1430 = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
INVITES = {
    "en": "Thank you for applying. We look forward to your interview with the team.",
    "de": "Vielen Dank für Ihre Bewerbung. Wir freuen uns auf das Gespräch mit Ihnen.",
    "fr": "Merci pour votre candidature. Nous avons le plaisir de vous inviter à un entretien.",
    "es": "Gracias por su candidatura. Le invitamos a una entrevista con el equipo.",
}


def request(**changes: object) -> DraftRequest:
    """A Paris interview at 14:30, organised by Zoë Müller of Globex, the owner in London."""
    base = DraftRequest(
        ref="3fa9c01b2e", kind="apology", summary="Video interview – Product Analyst (Globex)",
        company="Globex", start=PARIS_1430, end=PARIS_1430.replace(hour=14),
        organizer="zoe@globex.example", attendees=(), self_addresses=("alex@example.com",),
        sender="Alex Doe <alex@example.com>", tz=ZoneInfo("Europe/London"),
        organizer_name="Zoë Müller", event_zone="Europe/Paris", role="Product Analyst",
        description=INVITES["en"])
    return replace(base, **changes)


def parsed(req: DraftRequest, templates: Path | None = None) -> email.message.EmailMessage:
    message = email.message_from_bytes(draft_bytes(render(req, templates, NOW)),
                                       policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def prose(message: email.message.EmailMessage) -> str:
    return " ".join(message.get_content().split())


def test_greeting_and_to_by_the_organizers_name() -> None:
    message = parsed(request())
    assert message["To"].addresses[0].display_name == "Zoë Müller"
    assert message["To"].addresses[0].addr_spec == "zoe@globex.example"
    assert prose(message).startswith("Hello Zoë,")


def test_time_as_the_invitation_states_it_with_the_zone_named() -> None:
    text = prose(parsed(request()))
    assert "Tuesday 1 December at 14:30 Paris time" in text
    same_clock = prose(parsed(request(tz=ZoneInfo("Europe/Berlin"))))
    assert "at 14:30." in same_clock and "Paris" not in same_clock
    no_zone = prose(parsed(request(event_zone="")))
    assert "at 13:30." in no_zone  # the owner's zone (London) when the invitation names none


def test_role_and_company_named() -> None:
    assert "the Product Analyst role at Globex" in prose(parsed(request()))
    assert "the role at Globex" in prose(parsed(request(role="")))


@pytest.mark.parametrize("kind", ["apology", "reschedule"])
def test_the_reason_goes_in_as_given(kind: str) -> None:
    reason = "My train was cancelled and I could not reach you in time."
    text = prose(parsed(request(kind=kind, reason=reason, start=NOW.replace(day=9),
                                end=NOW.replace(day=9, hour=10))))
    assert reason in text
    assert "because" not in text.replace(reason, "")


@pytest.mark.parametrize("lang, words", [
    ("de", ["Guten Tag Zoë Müller,", "Dienstag, 1. Dezember um 14:30 Uhr (Ortszeit Paris)",
            "die Stelle als Product Analyst bei Globex", "Viele Grüße"]),
    ("fr", ["Bonjour Zoë Müller,", "mardi 1er décembre à 14h30 (heure de Paris)",
            "Le poste de Product Analyst chez Globex", "Bien cordialement,"]),
    ("es", ["Hola, Zoë Müller:", "martes 1 de diciembre a las 14:30 (hora de Paris)",
            "El puesto de Product Analyst en Globex", "Un saludo cordial,"]),
])
def test_the_invitations_language(lang: str, words: list[str]) -> None:
    message = parsed(request(description=INVITES[lang]))
    for word in words:
        assert word in prose(message), word
    assert "Hello" not in prose(message)


@pytest.mark.parametrize("kind", ["apology", "thank-you", "reschedule"])
@pytest.mark.parametrize("lang", ["en", "de", "fr", "es"])
def test_every_template_renders_in_every_language(kind: str, lang: str) -> None:
    message = parsed(request(kind=kind, language=lang, attendees=()))
    assert "{{" not in prose(message) and "Globex" in prose(message)


def test_language_choice() -> None:
    for lang, text in INVITES.items():
        assert choose("auto", "Interview", text) == lang
    assert choose("auto", "Entretien – Analyste", "") == "fr"
    assert choose("auto", "Sync", "") == "en"
    assert choose("de", "Interview", INVITES["fr"]) == "de"
    assert choose("auto", "x" * 100_000) == "en"


def test_owner_templates_override_per_language(tmp_path: Path) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "apology.txt").write_text("Subject: Verpasst\n\nHallo {{ first_name }}!\n")
    german = parsed(request(description=INVITES["de"]), tmp_path)
    assert str(german["Subject"]) == "Verpasst" and prose(german) == "Hallo Zoë!"
    english = parsed(request(), tmp_path)
    assert str(english["Subject"]).startswith("Apologies")


def _mail_reader() -> str:
    for name in ("neomutt", "mutt"):
        if shutil.which(name):
            return name
    pytest.skip("no mail reader to check drafts with: install mutt or neomutt (apt-get install mutt)")


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es"])
def test_a_real_mail_reader_reads_the_headers_exactly(lang: str, tmp_path: Path) -> None:
    """mutt opens the draft (-H) and sends it to a capturing $sendmail: what it sends is what it
    read, re-encoded by mutt; its Subject and To must decode to exactly the intended text."""
    reader = _mail_reader()
    name = "Zoë Müller, Recruiting – EMEA"
    req = request(description=INVITES[lang], organizer_name=name,
                  summary="Video interview – Product Analyst (Globex) ✓ " + "é" * 30)
    intended = parsed(req)
    draft = tmp_path / "draft.eml"
    draft.write_bytes(draft_bytes(render(req, None, NOW)))
    capture = tmp_path / "capture.sh"
    capture.write_text(f"#!/bin/sh\ncat > {tmp_path}/sent.eml\n")
    capture.chmod(0o700)
    (tmp_path / "muttrc").write_text(f'set sendmail="{capture}"\nset charset="utf-8"\n'
                                     'set send_charset="utf-8"\nset record=""\nset use_from=yes\n')
    env = {**os.environ, "LANG": "C.UTF-8", "HOME": str(tmp_path)}
    done = subprocess.run([reader, "-F", str(tmp_path / "muttrc"), "-H", str(draft)],
                          stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    sent = email.message_from_bytes((tmp_path / "sent.eml").read_bytes(), policy=email.policy.default)
    assert str(sent["Subject"]) == str(intended["Subject"])
    assert str(sent["Subject"]).endswith("✓ " + "é" * 30)
    assert sent["To"].addresses[0].display_name == name
    assert sent["To"].addresses[0].addr_spec == "zoe@globex.example"
    assert "=?utf-8?q??=" not in (tmp_path / "sent.eml").read_text(errors="replace").lower()
