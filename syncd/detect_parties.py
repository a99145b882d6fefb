"""Who sent an invitation and who attends it, relative to the owner. Pure.

Both halves of the detector read this: :mod:`syncd.detect` weighs where the organizer and
the attendees stand (an outside company, a hiring platform, the owner's own employer), and
:mod:`syncd.detect_details` names the hiring company from the same domains. This module owns
:class:`Parties`, so neither of them has to import the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from syncd import detect_words as words

# Mailboxes and services that say nothing about the owner's or anyone's employer.
PERSONAL = words.FREE_MAIL | words.SERVICE_DOMAINS


@dataclass(frozen=True, slots=True)
class Parties:
    """Who sent the invite and who attends, relative to the owner."""

    organizer: str  # bare lower-case address, "" when absent
    organizer_domain: str  # registrable domain of the organizer
    own_domains: frozenset[str]  # the owner's employer domains (free-mail excluded)
    by_owner: bool  # the owner sent it (or nobody did)
    internal: bool  # sent within the owner's employer, to colleagues or a personal address
    outside: tuple[str, ...]  # other companies' domains among organizer and attendees
    platform: str  # a hiring platform's domain among organizer and attendees, or ""
    others: int = 0  # how many attendees besides the owner and the organizer

    @property
    def owner_side(self) -> bool:
        """True when the invite comes from the owner or from the owner's own employer."""
        return self.by_owner or self.organizer_domain in self.own_domains


def bare_address(raw: str) -> str:
    """The lower-case address in ``raw`` (``mailto:x@y``, ``Name <x@y>``), or ""."""
    value = (raw or "").strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:"):]
    match = words.ADDRESS.search(value)
    return match.group(0).lower() if match else value.lower()


def registrable(domain: str) -> str:
    """The registrable part of a host name: ``mail.acme.co.uk`` -> ``acme.co.uk``."""
    labels = domain.lower().strip(".").split(".")
    # Country domains put the name under a generic second level: acme.co.uk, viettel.com.vn.
    generic = len(labels) > 2 and len(labels[-1]) == 2 and labels[-2] in _GENERIC_SECOND_LEVEL
    size = 3 if generic or ".".join(labels[-2:]) in words.TWO_PART_SUFFIXES else 2
    return ".".join(labels[-size:])


_GENERIC_SECOND_LEVEL = frozenset(
    "co com net org gov go gob govt ac edu or ne nic mil gc ltd plc sch nhs".split())


def domain_of(address: str) -> str:
    """The registrable domain of a bare address, "" when it has none."""
    return registrable(address.rpartition("@")[2]) if "@" in address else ""


def address_and_domain(raw: str) -> tuple[str, str]:
    """The bare address in ``raw`` and its registrable domain."""
    address = bare_address(raw)
    return address, domain_of(address)


def own_domains(selves: frozenset[str]) -> frozenset[str]:
    """The owner's employer domains: those of the owner's addresses, free-mail excluded."""
    return frozenset(d for d in map(domain_of, selves) if d and d not in PERSONAL)


def place_parties(organizer: str, attendees: Sequence[str], selves: frozenset[str],
                  own: frozenset[str],
                  read: Callable[[str], tuple[str, str]] = address_and_domain) -> Parties:
    """Where the organizer and the attendees stand relative to the owner.

    ``selves`` are the owner's bare addresses, ``own`` their employer domains; ``read`` turns
    a raw address into (bare address, domain), so that a caller may remember its answers.
    """
    org, org_domain = read(organizer)
    domains = [org_domain]  # the organizer's, then those of the other attendees
    for person, domain in map(read, attendees):
        if (person and person not in selves and person != org
                and not person.endswith(words.RESOURCE_DOMAINS)):
            domains.append(domain)
    outside: list[str] = []
    platform = ""
    for domain in domains:
        if not domain or domain in PERSONAL or domain in own:
            continue
        if domain in words.PLATFORM_DOMAINS:
            platform = platform or domain
        elif domain not in outside:
            outside.append(domain)
    by_owner = org in selves or not org
    # A block the owner keeps for themselves is not "internal": only an invite that
    # involves colleagues (or comes from one) says the owner's employer is hiring.
    internal = (org_domain in own and not outside and not platform
                and (len(domains) > 1 or not by_owner))
    return Parties(org, org_domain, own, by_owner, internal, tuple(outside), platform,
                   len(domains) - 1)


def read_parties(organizer: str, attendees: Sequence[str],
                 self_addresses: Sequence[str]) -> Parties:
    """Work out where the organizer and the attendees stand relative to the owner."""
    selves = frozenset(bare_address(a) for a in self_addresses if a)
    return place_parties(organizer, attendees, selves, own_domains(selves))
