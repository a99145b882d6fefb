"""Follow-up drafts: render an e-mail for an interview and keep it in a Maildir.

Rendering is pure (``now`` is a parameter); :func:`write_draft` and :func:`remove_draft` are the
Maildir sink (SPEC.md, "Follow-ups").

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

import itertools
import os
import re
import textwrap
import socket
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from syncd.errors import SyncdError
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

_counter = itertools.count()


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
    now = now or datetime.now(timezone.utc)
    recipient = _recipient(request)
    context = _context(request, recipient, now)
    text, filename = _render_template(_environment(templates_dir), f"{request.kind}.txt", context)
    subject, body = _split_subject(text, filename)
    if not subject:
        subject = DEFAULT_SUBJECTS[request.kind] + (f" - {_one_line(request.summary)}"
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
    return _one_line(lines[0].split(":", 1)[1]), _tidy("\n".join(lines[2:]))


def _tidy(body: str) -> str:
    """Wrap long lines at 72 columns, strip trailing spaces, collapse runs of blank lines.

    Short lines are kept as written. Lines within 78 characters let the body travel as
    readable 8bit text instead of quoted-printable.
    """
    lines = [textwrap.fill(line.rstrip(), WRAP, break_long_words=False, break_on_hyphens=False)
             if len(line.rstrip()) > 78 else line.rstrip() for line in body.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n"


def _one_line(text: str) -> str:
    """Collapse whitespace (including newlines, which could forge headers) to single spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


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
        name = _one_line(attendee.name)
        if _bare(attendee.email) == _bare(address) and name and "@" not in name:
            return name
    return ""


def _recipient(request: DraftRequest) -> Attendee | None:
    """The organizer, unless it is the owner or missing: then the first other attendee."""
    own = {_bare(a) for a in request.self_addresses}
    if _bare(request.organizer) and _bare(request.organizer) not in own:
        email = _plain(request.organizer)
        return Attendee(email, _name_of(email, request.attendees))
    for attendee in request.attendees:
        address = _bare(attendee.email)
        if address and address not in own and not _is_resource(address):
            return Attendee(_plain(attendee.email), _name_of(attendee.email, request.attendees))
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
    company = _one_line(request.company)
    return {
        "kind": request.kind, "ref": request.ref, "summary": _one_line(request.summary),
        "company": company, "role": f"the role at {company}" if company else "the role",
        "date": date, "time": clock, "when": f"{date} at {clock}",
        "first_name": _first_name(recipient.name) if recipient else "",
        "recipient_name": recipient.name if recipient else "",
        "recipient_email": recipient.email if recipient else "",
        "interviewers": names, "interviewer_names": _join_names(names),
        "recipient_interviewed": recipient_interviewed,
        "sender_name": _one_line(parseaddr(request.sender)[0]) if request.sender else "",
        "short_notice": request.start - now < SHORT_NOTICE,
    }


def _message(request: DraftRequest, recipient: Attendee | None, subject: str, body: str,
             now: datetime) -> EmailMessage:
    message = EmailMessage()
    if recipient:
        message["To"] = _address_header(recipient)
    if request.sender.strip():
        message["From"] = _one_line(request.sender)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    domain = parseaddr(request.sender)[1].rpartition("@")[2]
    valid = re.fullmatch(r"[A-Za-z0-9.-]+", domain or "")
    message["Message-ID"] = make_msgid("syncd", domain=domain if valid else "syncd.invalid")
    message["X-Syncd-Event"] = _one_line(request.ref)
    message["X-Syncd-Kind"] = request.kind
    message.set_content(body, charset="utf-8")
    return message


def _address_header(person: Attendee) -> Address | str:
    try:
        return Address(display_name=person.name, addr_spec=person.email)
    except (ValueError, IndexError):  # an address the parser rejects: pass it through bare
        return _one_line(person.email)


def write_draft(maildir: Path, message: EmailMessage) -> Path:
    """Store ``message`` in the Maildir ``maildir`` as a draft.

    Creates ``tmp/``, ``new/`` and ``cur/`` (mode 0700) if missing, writes and fsyncs the file
    in ``tmp/`` (mode 0600), then renames it to ``cur/<unique>:2,D``. Returns the final path.
    Raises :class:`OSError` when the folder cannot be written.
    """
    maildir = Path(maildir).expanduser()
    for sub in ("", "tmp", "new", "cur"):
        (maildir / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = _create_unique(maildir)
    final = maildir / "cur" / f"{name}:2,D"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(maildir / "tmp" / name, final)
    except BaseException:
        (maildir / "tmp" / name).unlink(missing_ok=True)
        raise
    folder = os.open(maildir / "cur", os.O_RDONLY)  # make the rename itself durable
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return final


def _create_unique(maildir: Path) -> tuple[int, str]:
    """Create ``tmp/<time>.<pid>_<counter>.<hostname>`` exclusively; return its fd and name."""
    host = socket.gethostname().replace("/", r"\057").replace(":", r"\072")
    while True:
        name = f"{int(time.time())}.{os.getpid()}_{next(_counter)}.{host}"
        if (maildir / "cur" / f"{name}:2,D").exists():
            continue
        try:
            return os.open(maildir / "tmp" / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), name
        except FileExistsError:
            continue


def remove_draft(path: Path) -> bool:
    """Delete a draft that is still a draft.

    Takes the path :func:`write_draft` returned. The file is removed if it, or the same message
    renamed by a mail client to other flags in the same folder (``:2,DS``), still carries the
    draft flag ``D``. A message that was sent, moved or un-flagged is left alone. Returns whether
    a file was removed; raises :class:`OSError` only when an existing draft cannot be deleted.
    """
    path = Path(path)
    base, sep, _ = path.name.rpartition(":2,")
    if not sep:
        return False
    candidates = [path] if path.exists() else []
    try:
        candidates += [p for p in path.parent.iterdir()
                       if p.name.startswith(base + ":2,") and p != path]
    except FileNotFoundError:
        return False
    for candidate in candidates:
        if "D" in candidate.name.rpartition(":2,")[2]:
            try:
                candidate.unlink()
            except FileNotFoundError:
                continue
            return True
    return False
