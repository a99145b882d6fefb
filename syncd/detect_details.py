"""The details of an interview: how it happens and which company is hiring. Pure.

:mod:`syncd.detect` decides whether an event is a job interview; for those that are, these
functions read the format from the location, title and description, and the company from
the invitees' domains and the text (whether a title names the organizer's company also
counts towards the score). The keyword tables live in :mod:`syncd.detect_words`.
"""

from __future__ import annotations

import re
import unicodedata

from syncd import detect_words as words
from syncd.detect_parties import Parties


# --- Format --------------------------------------------------------------------------------


def meeting_format(title: str, text: str, location: str) -> str:
    """Say how an interview happens: "in_person", "video", "phone" or "unknown".

    The location is the most deliberate field, so it decides first; then the title; then
    links and phrases in the description; last, any named place counts as somewhere to go.
    """
    place = location.strip()
    decided = _format_from_location(title, text, place) if place else ""
    if decided:
        return decided
    if words.VIDEO.search(title) or words.VIDEO_ONLY_TOOLS.search(text):
        return "video"
    if words.PHONE_TITLE.search(title):
        return "phone"
    if words.VIDEO_LINK.search(text):
        return "video"
    if words.PHONE_CALL.search(title) or words.PHONE_DESCRIPTION.search(text):
        return "phone"
    if words.IN_PERSON.search(title) or (words.IN_PERSON.search(text) and _is_address(text)):
        return "in_person"
    return "in_person" if place and not words.NO_PLACE.match(place) else "unknown"


def _format_from_location(title: str, text: str, location: str) -> str:
    """The format the location implies, or "" when it implies none."""
    if words.VIDEO.search(location) or words.URL.search(location):
        return "video"
    if _is_phone(location):
        return "phone"
    if _is_address(location):
        return "in_person"
    if words.IN_PERSON.search(title) or words.IN_PERSON.search(location):
        return "in_person"
    if words.OFFICE_WORDS.search(location) and words.IN_PERSON.search(text):
        return "in_person"
    return ""


def _is_phone(location: str) -> bool:
    """A location that is a phone number, or says it is a call."""
    number = words.PHONE_NUMBER.search(location)
    if number and sum(c.isdigit() for c in number.group(0)) >= 7:
        rest = location.replace(number.group(0), "")
        return not re.search(r"[^\W\d_]{4,}", rest) or bool(words.PHONE_WORDS.search(rest))
    if words.PHONE_WORDS.match(location):
        return True
    return len(location.split()) <= 4 and bool(words.PHONE_WORDS.search(location))


def _is_address(text: str) -> bool:
    """True when the text contains something shaped like a street address or postcode."""
    return any(pattern.search(text) for pattern in words.STREET_ADDRESS)


# --- Role ----------------------------------------------------------------------------------


def role_name(title: str, text: str) -> str:
    """The job applied for ("Product Analyst"), from the title or else the description."""
    for source in (title, text[:3000]):
        named = words.ROLE_FIELD.search(source)
        if named:
            role = _clean_role(named.group("role"))
            if role:
                return role
        for match in words.ROLE_TITLE.finditer(source):
            role = _clean_role(match.group(0))
            if role:
                return role
    return ""


def _clean_role(raw: str) -> str:
    """A role as a short phrase, "" when it reads like something else."""
    role = " ".join(re.sub(r"[^\w\s/&+.,()'-]", " ", raw).split()).strip(" .,-(")
    parts = role.split()
    if not 1 <= len(parts) <= 8 or parts[0].lower() in ("hiring", "the", "a", "an", "our"):
        return ""
    return role


# --- Company -------------------------------------------------------------------------------


def company_name(title: str, text: str, parties: Parties) -> str:
    """Name the hiring company, "" when nothing says which it is.

    In order: an agency's client named in the text; the organizer's company (unless the
    owner, a platform or an agency sent the invite); a name in the title; a "Company:"
    line; an attendee's company; a platform tenant's sender name (datadog@myworkday.com).
    """
    client = words.CLIENT.search(title) or words.CLIENT.search(text)
    name = _clean_company(client.group("name")) if client else ""
    org = parties.organizer_domain
    sent_by_company = org in parties.outside or org in parties.own_domains
    if not name and sent_by_company and not parties.by_owner and not _is_agency(org):
        name = _name_from_domain(org, title, text)
    name = name or _company_from_title(title)
    field = words.COMPANY_FIELD.search(text)
    name = name or (_clean_company(field.group("name")) if field else "")
    if not name and parties.outside:
        name = _name_from_domain(parties.outside[0], title, text)
    local = parties.organizer.partition("@")[0]
    if not name and parties.platform in words.TENANT_PLATFORMS and local.isalpha():
        name = "" if local in words.GENERIC_LOCAL_PARTS else local.capitalize()
    return name


def company_named_in_title(domain: str, title: str) -> str:
    """The name of the company at ``domain`` when the title spells it, else ""."""
    named = _name_from_domain(domain, title, "")
    return named if _spelled_in(_squash(named), title) else ""


def _is_agency(domain: str) -> bool:
    return bool(words.AGENCY_WORDS.search(domain.partition(".")[0]))


def _name_from_domain(domain: str, title: str, text: str) -> str:
    """A company's name from its domain, spelled the way the invite spells it if it does."""
    if domain in words.KNOWN_COMPANIES:
        return words.KNOWN_COMPANIES[domain]
    label = _squash(domain.partition(".")[0])
    for key in dict.fromkeys((label, words.LABEL_AFFIXES.sub("", label))):
        spelled = len(key) >= 3 and (_spelled_in(key, title) or _spelled_in(key, text[:5000]))
        if spelled:
            return words.LEGAL_SUFFIX.sub("", spelled)
    # Short labels are nearly always initials (sap, ibm, ey).
    return label.upper() if len(label) <= 3 else label.capitalize()


def _squash(word: str) -> str:
    """Lower-case ASCII letters and digits only: "Itaú" -> "itau", as domains spell it."""
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def _spelled_in(key: str, text: str) -> str:
    """The capitalised run of up to three words in ``text`` that squashes to ``key``."""
    tokens = list(words.WORD_TOKEN.finditer(text))
    for i, first in enumerate(tokens):
        if not first.group(0)[0].isupper():
            continue
        joined = ""
        for last in tokens[i:i + 3]:
            joined += _squash(last.group(0))
            if joined == key:
                return text[first.start():last.end()]
            if not key.startswith(joined):
                break
    return ""


def _company_from_title(title: str) -> str:
    """A company named in the title: "株式会社X", "@ X", "X interview", "[X]", "(X)", "– X"."""
    for pattern in words.TITLE_COMPANY:
        for match in pattern.finditer(title):
            found = match.groupdict()
            name = _clean_company(found.get("name") or found.get("name2") or "")
            if name:
                return name
    name = _left_when_the_rest_goes(title)
    if name:
        return name
    for segment in words.SEGMENT_SPLIT.split(title):
        if _names_no_company(segment):
            continue
        name = _clean_company(re.sub(r"\([^)]*\)", "", segment))
        if name:
            return name
    return ""


_TIME_OR_CODE = re.compile(r"^(?:\d[\d:.]*(?:am|pm|h|uhr)?|[a-z]\d+|\d+[a-z]{1,2})$", re.I)


def _left_when_the_rest_goes(title: str) -> str:
    """In a terse title ("entrevista Mercadona", "네이버 인성면접"), what is left once the words
    for interviews, steps, formats and times are gone; "" unless that is one short name."""
    tokens = re.split(r"[\s@/|–—:·,;!?()（）\[\]【】]+|\s-\s", title)
    if not 1 < len([t for t in tokens if t]) <= 7:
        return ""
    kept: list[str] = []
    runs = 0
    for token in tokens:
        if not token or _says_how_or_when(token):
            if kept and runs == 0:
                runs = 1  # the name ended; a second one would make it ambiguous
            continue
        if runs:
            return ""
        kept.append(token)
    return _clean_company(" ".join(kept)) if 0 < len(kept) <= 3 else ""


def _says_how_or_when(token: str) -> bool:
    """A word of a title that is not a name: an interview word, a step, a format, a time."""
    if (token.lower() in words.NOT_COMPANY or _TIME_OR_CODE.match(token)
            or (token.isascii() and token.islower()) or (token.isupper() and len(token) <= 3)):
        return True
    if words.PHONE_WORDS.search(token) or words.VIDEO.search(token):
        return True
    return any(p.search(token) for table in (words.INTERVIEW_WORDS, words.HIRING_STEPS,
                                             words.JOB_WORDS) for p, _, _ in table.cues)


def _names_no_company(segment: str) -> bool:
    """A title segment that says how or what ("Telephone interview", "Senior Copywriter")."""
    if words.ROLE_TITLE.search(segment) or words.PHONE_WORDS.search(segment):
        return True
    return any(p.search(segment) for p, _, _ in words.INTERVIEW_WORDS.cues)


def _clean_company(raw: str) -> str:
    """Trim a candidate company name; "" when what is left does not look like one."""
    tokens = re.sub(r"[^\w\s&.'-]", " ", raw.replace("株式会社", " ")).split()
    for i, token in enumerate(tokens):
        if words.ROLE_TITLE.fullmatch(token) or token.lower() in ("role", "position", "team"):
            tokens = tokens[:i]  # "Figma Developer Advocate" -> "Figma"
            break
    while tokens and tokens[-1].lower() in words.ROLE_MODIFIERS:
        tokens.pop()
    name = words.LEGAL_SUFFIX.sub("", " ".join(tokens)).strip(" .-'&")
    parts = name.split()
    if not parts or len(parts) > 4 or any(c.isdigit() for c in name):
        return ""
    if parts[0][0].isascii() and not parts[0][0].isupper():
        return ""
    return "" if any(p.lower() in words.NOT_COMPANY for p in parts) else name
