"""Follow-up drafts: render an e-mail for an interview. Pure (``now`` is a parameter).

Headers are built by :mod:`syncd.followup.headers`; where the draft goes is a sink's business
(:mod:`syncd.followup.sink`); the language by :mod:`syncd.followup.language`.

Templates are ``<kind>.txt`` (``apology``, ``thank-you``, ``reschedule``) in a folder per
language (``en``, ``de``, ``fr``, ``es``). The first found wins: the owner's
``templates_dir/<language>/<kind>.txt``, then ``templates_dir/<kind>.txt`` (for every language),
then the shipped ``syncd/followup/templates/<language>/<kind>.txt``. They are Jinja2 with
``StrictUndefined``, no autoescaping, ``trim_blocks`` and ``lstrip_blocks``. A template may start
with one header line ``Subject: ...`` followed by a blank line; everything after is the plain-text
body. Without that line the whole text is the body and a built-in subject is used.

Variables available to templates:

- ``kind``, ``ref``, ``summary``, ``company`` (may be ""), ``language`` ("en", "de", ...)
- ``position``: the job as the invitation names it ("Product Analyst"), may be "";
  ``role``: the job as a phrase in the draft's language ("the Product Analyst role at Globex",
  "le poste de Product Analyst chez Globex", or "the role" when nothing is known)
- ``date`` ("Tuesday 1 December"; the year is added when it is not the current one), ``time``
  ("14:30", or "14:30 Paris time" when the invitation's zone reads differently from the
  owner's), ``when`` ("Tuesday 1 December at 14:30"): as the invitation states them, in its
  own zone; ``zone``: that place ("Paris"), "" when it reads like the owner's
- ``first_name``, ``recipient_name``, ``recipient_email`` of the person the draft goes to
- ``interviewers``: names of the other people met (not the owner, not the recipient);
  ``interviewer_names``: the same joined as "A, B and C"; ``recipient_interviewed``: True when
  the recipient was one of the interviewers
- ``reason``: the owner's one honest sentence from ``syncd ack --reason``, "" when none
- ``sender_name``: the display name of ``[followup] from``, may be ""
- ``short_notice``: True when the interview starts within two days of ``now``
"""

from __future__ import annotations

import re
import textwrap
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from syncd.errors import SyncdError
from syncd.followup import headers, language, people
from syncd.followup.people import one_line
from syncd.model import Attendee

if TYPE_CHECKING:  # Jinja2 is imported when a draft is rendered, not by every sync
    import jinja2

KINDS = ("apology", "thank-you", "reschedule")
PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_SUBJECTS = {
    "apology": "Apologies for missing our interview",
    "thank-you": "Thank you",
    "reschedule": "Request to reschedule our interview",
}
WRAP = 72
SHORT_NOTICE = timedelta(days=2)
MAX_REASON = 500


class DraftTemplateError(SyncdError):
    """A follow-up template could not be rendered; ``file`` and ``line`` say where."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file = file
        self.line = line
        self.reason = reason
        where = file if line is None else f"{file}, line {line}"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class DraftRequest:
    """Everything needed to draft one follow-up for one interview."""

    ref: str
    kind: str
    summary: str
    company: str
    start: datetime
    end: datetime
    organizer: str
    attendees: tuple[Attendee, ...]
    self_addresses: tuple[str, ...]
    sender: str
    tz: ZoneInfo
    organizer_name: str = ""
    event_zone: str = ""  # the invitation's own IANA zone, "" when it states none
    role: str = ""
    description: str = ""
    language: str = "auto"
    reason: str = ""


def render(request: DraftRequest, templates_dir: Path | None = None,
           now: datetime | None = None) -> EmailMessage:
    """Render the draft for ``request``.

    Takes the request, the owner's template folder (searched before the built-in one) and the
    current time (default: the clock; used for ``Date:`` and wording). Returns the message, with
    ``To`` absent when the invite names nobody but the owner. Raises :class:`ValueError` for an
    unknown kind and :class:`DraftTemplateError` when a template fails to load or render.
    """
    if request.kind not in KINDS:
        raise ValueError(f"unknown follow-up kind {request.kind!r}; expected one of {KINDS}")
    now = now or datetime.now(UTC)
    recipient = people.recipient_of(request)
    context = _context(request, recipient, now)
    env = _environment(templates_dir, context["language"])
    text, filename = _render_template(env, f"{request.kind}.txt", context)
    subject, body = _split_subject(text, filename)
    if not subject:
        subject = DEFAULT_SUBJECTS[request.kind] + (f" - {one_line(request.summary)}"
                                                    if request.summary.strip() else "")
    return _message(request, recipient, subject, body, now)


def _environment(templates_dir: Path | None, lang: str) -> jinja2.Environment:
    """Templates of ``lang``: the owner's per language, the owner's, then the shipped ones."""
    import jinja2

    folders = []
    if templates_dir:
        own = Path(templates_dir).expanduser()
        folders += [own / lang, own]
    folders.append(PACKAGE_TEMPLATES / lang)
    loaders = [jinja2.FileSystemLoader(str(f)) for f in folders]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders), autoescape=False, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )


def _render_template(env: jinja2.Environment, name: str, context: dict) -> tuple[str, str]:
    """Render ``name``; return the text and the template's file name. Errors name file+line."""
    import jinja2

    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise DraftTemplateError(exc.filename or name, exc.lineno, exc.message or str(exc)) from exc
    except jinja2.TemplateNotFound as exc:
        raise DraftTemplateError(name, None, "template not found") from exc
    filename = template.filename or name
    try:
        return template.render(context), filename
    except Exception as exc:  # a user template can fail in any way; report where
        line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__))
                     if f.filename == template.filename), None)
        reason = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
        raise DraftTemplateError(filename, line, reason) from exc


def _split_subject(text: str, filename: str) -> tuple[str, str]:
    """Split a rendered template into (subject, body); subject is "" if the template has none."""
    lines = text.lstrip("\n").split("\n")
    if not lines[0].lower().startswith("subject:"):
        return "", _tidy(text)
    if len(lines) > 1 and lines[1].strip():
        raise DraftTemplateError(filename, 2, "the Subject line must be followed by a blank line")
    return one_line(lines[0].split(":", 1)[1]), _tidy("\n".join(lines[2:]))


def _tidy(body: str) -> str:
    """Wrap long lines at 72 columns, strip trailing spaces, collapse runs of blank lines.

    Short lines are kept as written. Lines within 78 characters let the body travel as
    readable 8bit text instead of quoted-printable.
    """
    lines = [textwrap.fill(line.rstrip(), WRAP, break_long_words=False, break_on_hyphens=False)
             if len(line.rstrip()) > 78 else line.rstrip() for line in body.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n"


def _context(request: DraftRequest, recipient: Attendee | None, now: datetime) -> dict:
    """The template variables listed in the module docstring."""
    lang = language.choose(request.language, request.summary, request.description)
    zone = language.event_zone(request.event_zone, request.tz)
    start = request.start.astimezone(zone)
    place = language.zone_label(zone, request.tz, start)
    date, clock = language.format_date(lang, start, now), language.format_time(lang, start, place)
    names, recipient_interviewed = people.interviewers(request, recipient)
    company, position = one_line(request.company)[:120], one_line(request.role)[:120]
    return {
        "kind": request.kind, "ref": request.ref, "summary": one_line(request.summary),
        "language": lang, "company": company, "position": position,
        "role": language.role_phrase(lang, position, company),
        "date": date, "time": clock, "when": language.format_when(lang, date, clock, start.hour),
        "zone": place,
        "first_name": people.first_name(recipient.name) if recipient else "",
        "recipient_name": recipient.name if recipient else "",
        "recipient_email": recipient.email if recipient else "",
        "interviewers": names, "interviewer_names": language.join_names(lang, names),
        "recipient_interviewed": recipient_interviewed,
        "reason": one_line(request.reason)[:MAX_REASON],
        "sender_name": one_line(parseaddr(request.sender)[0]) if request.sender else "",
        "short_notice": request.start - now < SHORT_NOTICE,
    }


def _message(request: DraftRequest, recipient: Attendee | None, subject: str, body: str,
             now: datetime) -> EmailMessage:
    """The draft: headers built only from validated addresses and encoded text."""
    fields = []
    if recipient:
        fields.append(("To", headers.encode_address("To", recipient.name, recipient.email)))
    sender_name, sender_address = parseaddr(one_line(request.sender))
    sender_address = headers.addr_spec(sender_address) or ""
    if sender_address:
        fields.append(("From", headers.encode_address("From", sender_name, sender_address)))
    fields += [("Subject", headers.encode_text("Subject", subject)),
               ("Date", headers.date_value(now)),
               ("Message-ID", headers.message_id(sender_address)),
               ("X-Syncd-Event", headers.encode_text("X-Syncd-Event", request.ref)),
               ("X-Syncd-Kind", request.kind)]
    return headers.compose(fields, body)
