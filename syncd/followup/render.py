"""Follow-up drafts: render an e-mail for an interview. Pure (``now`` is a parameter).

Headers are built by :mod:`syncd.followup.headers`; where the draft goes is a sink's business
(:mod:`syncd.followup.sink`).

Templates are ``<kind>.txt`` (``apology``, ``thank-you``, ``reschedule``), looked up first in the
owner's ``templates_dir`` and then in ``syncd/templates/``. They are Jinja2 with
``StrictUndefined``, no autoescaping, ``trim_blocks`` and ``lstrip_blocks``. A template may start
with one header line ``Subject: ...`` followed by a blank line; everything after is the plain-text
body. Without that line the whole text is the body and a built-in subject is used.

Variables available to templates:

- ``kind``, ``ref``, ``summary``, ``company`` (may be "")
- ``role``: "the role at Acme", or "the role" without a company
- ``date`` ("Tuesday 1 December"; the year is added when it is not the current one), ``time``
  ("14:00"), ``when`` ("Tuesday 1 December at 14:00"), all in the owner's zone
- ``first_name``, ``recipient_name``, ``recipient_email`` of the person the draft goes to
- ``interviewers``: names of the other people met (not the owner, not the recipient);
  ``interviewer_names``: the same joined as "A, B and C"; ``recipient_interviewed``: True when
  the recipient was one of the interviewers
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
from zoneinfo import ZoneInfo

import jinja2

from syncd.errors import SyncdError
from syncd.followup import headers
from syncd.model import Attendee

KINDS = ("apology", "thank-you", "reschedule")
PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_SUBJECTS = {
    "apology": "Apologies for missing our interview",
    "thank-you": "Thank you",
    "reschedule": "Request to reschedule our interview",
}
WRAP = 72
SHORT_NOTICE = timedelta(days=2)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
HONORIFICS = {"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"}
# Rooms and equipment booked as attendees: never greet or thank them.
RESOURCE_DOMAINS = ("resource.calendar.google.com",)


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
    recipient = _recipient(request)
    context = _context(request, recipient, now)
    text, filename = _render_template(_environment(templates_dir), f"{request.kind}.txt", context)
    subject, body = _split_subject(text, filename)
    if not subject:
        subject = DEFAULT_SUBJECTS[request.kind] + (f" - {one_line(request.summary)}"
                                                    if request.summary.strip() else "")
    return _message(request, recipient, subject, body, now)


def _environment(templates_dir: Path | None) -> jinja2.Environment:
    folders = [Path(templates_dir).expanduser()] if templates_dir else []
    loaders = [jinja2.FileSystemLoader(str(f)) for f in folders + [PACKAGE_TEMPLATES]]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders), autoescape=False, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )


def _render_template(env: jinja2.Environment, name: str, context: dict) -> tuple[str, str]:
    """Render ``name``; return the text and the template's file name. Errors name file+line."""
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


def one_line(text: str) -> str:
    """Collapse whitespace (including newlines, which could forge headers) to single spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text or "")).split())


def _plain(address: str) -> str:
    """An address without surrounding space and without a ``mailto:`` prefix."""
    address = address.strip()
    return address[7:].strip() if address.lower().startswith("mailto:") else address


def _bare(address: str) -> str:
    """Normalise an address for comparison: plain and lowercase."""
    return _plain(address).lower()


def _is_resource(address: str) -> bool:
    return _bare(address).endswith(RESOURCE_DOMAINS)


def _name_of(address: str, attendees: tuple[Attendee, ...]) -> str:
    """The display name an attendee entry gives ``address``, or ""."""
    for attendee in attendees:
        name = one_line(attendee.name)
        if _bare(attendee.email) == _bare(address) and name and "@" not in name:
            return name
    return ""


def _recipient(request: DraftRequest) -> Attendee | None:
    """Who the draft goes to: exactly one validated address, or None.

    The organizer, named by ``ORGANIZER;CN=`` or its attendee entry; when the organizer is the
    owner or absent, the first other attendee with a valid address. An organizer whose address
    is not one valid addr-spec gives no recipient at all (the owner fills it in), never a guess.
    """
    own = {_bare(a) for a in request.self_addresses}
    if _bare(request.organizer) and _bare(request.organizer) not in own:
        email = headers.addr_spec(request.organizer)
        if email is None:
            return None
        name = headers.clean_text(request.organizer_name, 120)
        if not name or "@" in name:
            name = _name_of(email, request.attendees)
        return Attendee(email, name)
    for attendee in request.attendees:
        address = _bare(attendee.email)
        email = headers.addr_spec(attendee.email)
        if email and address not in own and not _is_resource(address):
            return Attendee(email, _name_of(attendee.email, request.attendees))
    return None


def _interviewers(request: DraftRequest, recipient: Attendee | None) -> tuple[list[str], bool]:
    """Names of the people met, without the recipient, and whether the recipient was one.

    The other attendees by name (not the owner, not the organizer, who is usually a recruiter);
    when there are no other attendees at all, the organizer was the interviewer.
    """
    skip = {_bare(a) for a in request.self_addresses} | {_bare(request.organizer)}
    others = [a for a in request.attendees if a.partstat.upper() != "DECLINED"
              and _bare(a.email) not in skip and not _is_resource(a.email)]
    if not others and recipient and _bare(recipient.email) == _bare(request.organizer):
        return [], True
    names: list[str] = []
    met_recipient = False
    for attendee in others:
        if recipient and _bare(attendee.email) == _bare(recipient.email):
            met_recipient = True
        elif (name := _name_of(attendee.email, request.attendees)) and name not in names:
            names.append(name)
    return names, met_recipient


def _first_name(name: str) -> str:
    """"Zoë Müller" -> "Zoë", "Müller, Zoë" -> "Zoë", "Dr. Jane Smith" -> "Jane"."""
    if "," in name:
        name = name.split(",", 1)[1]
    words = [w for w in name.split() if w.rstrip(".").lower() not in HONORIFICS]
    return words[0] if words else ""


def _join_names(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"; "" for no names."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _format_date(moment: datetime, now: datetime) -> str:
    """"Tuesday 1 December", with the year when it differs from ``now``'s (same zone)."""
    text = f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]}"
    return text if moment.year == now.astimezone(moment.tzinfo).year else f"{text} {moment.year}"


def _context(request: DraftRequest, recipient: Attendee | None, now: datetime) -> dict:
    """The template variables listed in the module docstring."""
    start = request.start.astimezone(request.tz)
    date, clock = _format_date(start, now), start.strftime("%H:%M")
    names, recipient_interviewed = _interviewers(request, recipient)
    company = one_line(request.company)
    return {
        "kind": request.kind, "ref": request.ref, "summary": one_line(request.summary),
        "company": company, "role": f"the role at {company}" if company else "the role",
        "date": date, "time": clock, "when": f"{date} at {clock}",
        "first_name": _first_name(recipient.name) if recipient else "",
        "recipient_name": recipient.name if recipient else "",
        "recipient_email": recipient.email if recipient else "",
        "interviewers": names, "interviewer_names": _join_names(names),
        "recipient_interviewed": recipient_interviewed,
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
