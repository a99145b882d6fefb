"""Who a draft goes to, who was met, and what to call them. Pure.

The recipient is exactly one validated address: the organizer (named by ``ORGANIZER;CN=``,
Google's ``displayName`` or their attendee entry), or, when the organizer is the owner or
absent, the first other attendee. Rooms and equipment are never greeted or thanked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from syncd.followup import headers
from syncd.model import Attendee

if TYPE_CHECKING:
    from syncd.followup.render import DraftRequest

HONORIFICS = {"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame", "herr", "frau", "m", "mme",
              "sr", "sra"}
RESOURCE_DOMAINS = ("resource.calendar.google.com",)


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


def recipient_of(request: DraftRequest) -> Attendee | None:
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


def interviewers(request: DraftRequest, recipient: Attendee | None) -> tuple[list[str], bool]:
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


def first_name(name: str) -> str:
    """"Zoë Müller" -> "Zoë", "Müller, Zoë" -> "Zoë", "Dr. Jane Smith" -> "Jane"."""
    if "," in name:
        name = name.split(",", 1)[1]
    words = [w for w in name.split() if w.rstrip(".").lower() not in HONORIFICS]
    return words[0] if words else ""
