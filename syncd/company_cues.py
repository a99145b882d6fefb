"""What an invitation says outright about the names in it: who the client is, who only passes
the invitation on, who is a person. Pure.

A staffing agency, a marketplace or a recruiter's firm writes its own name beside the
employer's ("Agency: interview at Employer", "Employer (via Agency)", "our client Employer",
"Employer adına"); a scheduling page names the two people who meet ("between A and B"); an
invitation introduces its interviewer ("with Jane Roe, who leads the team", "Mr. Roe"). These
are said in words of a language, not learned from a corpus: :func:`said` reads them, and
:mod:`syncd.detect_company` lets the client win and the go-between and the people lose.
Every text is read up to a cap, so an event costs bounded time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from syncd.company_spans import runs, capitalised, not_name, words_of
from syncd.company_words import ORG_WORDS
from syncd.detect_role import JOB_WORD

CLIENT, VIA, PERSON = "said:client", "said:via", "said:person"
MAX_CHARS = 4000
NAME_WORDS = 8  # words read after a cue for the name it introduces

# "client" in the corpora's languages, after which the employer is named ("our client Acme",
# "klient: Acme", "cliente Acme", "vår kund Acme", "client interview with Acme").
_CLIENT_WORD = (r"(?:clients?|client's|klient(?:a|em|u)?|clientes?|kunde[n]?|kund(?:en)?|klant|"
                r"müşteri(?:miz)?|клиент\w*|cliënt|asiakas|committente|auftraggeber\w*)")
_CONNECT = frozenset("""with at w/ for bei mit für chez avec pour con com para presso per hos
    med met voor z ile @ - – — :""".split())
CLIENT_WORD = re.compile(rf"(?i:\b{_CLIENT_WORD})(?:\s*[:：])?\s+")
# Before "client", what makes it customer service: "atención al cliente", "service client".
SERVICE = re.compile(r"(?i)(?:\b(?:al|au|ao|do|du|del|della|alla|service|servizio|kunden)\s*)$")
# Words before the employer's name: "on behalf of Acme", "per conto di Acme".
BEHALF = re.compile(
    r"(?i:\b(?:on\s+behalf\s+of|per\s+conto\s+d[ie]|im\s+auftrag\s+(?:von|der|des)|"
    r"im\s+namen\s+(?:von|der|des)|pour\s+le\s+compte\s+d[e']|au\s+nom\s+d[e']|"
    r"en\s+nombre\s+de|em\s+nome\s+d[aeo]|namens|w\s+imieniu|от\s+имени|thay\s+mặt)\s*)")
# Words before a go-between's name: "via Agency", "through Agency", "tramite Agency".
VIA_BEFORE = re.compile(
    r"(?i:\b(?:via|through|thru|über|tramite|attraverso|przez|por\s+medio\s+de|"
    r"a\s+trav[ée]s\s+de|por\s+interm[ée]dio\s+d[aeo]|par\s+l['’]interm[ée]diaire\s+d[e']|"
    r"door\s+middel\s+van|genom|gjennom|через|thông\s+qua|melalui|lewat)\s+)")
# Before "through", what makes it no go-between: "walk through Acme's process".
WALK = re.compile(r"(?i)\b(?:walk|walks|walking|talk|talks|go|goes|run|read|get|you|us|them)\s+$")
# ... and after it: "Agency aracılığıyla", "Agency経由", "Agency를 통해".
VIA_AFTER = re.compile(
    r"(?P<name>[^\s()\[\],;:–—|/]+(?:\s+[^\s()\[\],;:–—|/]+){0,4}?)\s*"
    r"(?:aracılığıyla|vasıtasıyla|üzerinden|kautta|経由|을\s*통해|를\s*통해|통해|を通じて|を通して)")
# A household that hires a nanny or a carer: "the Roe family", "Familie Roe", "la famille Roe".
FAMILY = re.compile(
    r"(?<![\w-])(?P<after>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:-[A-ZÀ-ÖØ-Þ][\w'’-]+)?\s+family)(?![\w-])|"
    r"(?<![\w-])(?P<before>(?:[Ff]amilie|[Ff]amille|[Ff]amilia|[Ff]amiglia|[Ff]amília|[Rr]odzina|"
    r"[Ff]amilj(?:en)?|[Aa]ile(?:si)?)\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)(?![\w-])")
# A person and, in brackets, whom they work for: "w/ Jane (Acme)", "– Jane (Acme Recruiting)".
PERSON_OF = re.compile(
    r"(?:(?P<with>(?i:\b(?:with|w/|med|mit|con|met|avec|com|z))\s+)|(?:^|[–—:|]\s*|\s-\s))"
    r"(?P<person>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)?)\s*\((?P<org>[^()\n]{2,60})\)")
# The hiring team's words after a company's name: "Acme Recruiting", "Acme Talent Team".
HIRING_TEAM = frozenset("""recruiting recruiter recruiters recruitment talent hr people team
    careers acquisition rh rrhh personal personalabteilung""".split())
# Scheduling pages: "Intro between Jane Roe and Sam Poe".
BETWEEN = re.compile(r"(?i:\b(?:between|entre|zwischen|tra|między|arasında)\s+)")
AND = re.compile(r"(?i)\s+(?:and|und|y|e|et|en|och|og|i|ve|và|dan|&)\s+")
# A title before a surname: "Mrs. Roe", "Herr Meier", "Sra. Ruiz".
HONORIFIC = re.compile(
    r"(?<![\w.])(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Sra|Srta|Mme|Mlle|Pani|Bayan|Dhr|Mevr)"
    r"\.?|(?:M|Sr|Sig|Sig\.ra|Dott|Dott\.ssa|Sn|Hr|Fr|Bay)\.)\s+(?=[A-ZÀ-ÖØ-Þ])")
# After a person's name: "Jane Roe, who leads the team", "Jane Roe (Engineering Manager)".
WHO = re.compile(r"(?i),?\s+(?:who|whom|quien|quienes|quem)\s")
# "Jane Roe, the hiring manager": a job after the name (a company's apposition names no job).
APPOSITION = re.compile(r"(?i),\s+(?:the|our|your|their|la|el|le|die|der|il|nuestra|nuestro)\s+"
                        r"([^,.;:()\n]{2,40})")
WITH_ROLE = re.compile(r"\s*\(([^()]{3,50})\)")
WITH_BEFORE = re.compile(r"(?i)(?:\bwith|\bw/|\bcon|\bmit|\bavec|\bmed|\bmet|\bcom)\s+$")


def said(title: str, body: str) -> dict[str, str]:
    """What the event says of names in it: name -> CLIENT, VIA or PERSON (the first said)."""
    title, body = title[:MAX_CHARS], body[:MAX_CHARS]
    found: dict[str, str] = {}
    for text in (title, body):
        for name, kind in _said_in(text):
            found.setdefault(name, kind)
    return found


def _said_in(text: str) -> Iterator[tuple[str, str]]:
    """(name, what is said of it) in one text."""
    for match in PERSON_OF.finditer(text):
        yield from _person_of(match)
    for match in FAMILY.finditer(text):
        yield match.group("after") or match.group("before"), CLIENT
    for match in CLIENT_WORD.finditer(text):
        if not SERVICE.search(text[max(0, match.start() - 12):match.start()]):
            yield from _named(_past_steps(text[match.end():match.end() + 200]), CLIENT)
    for match in BEHALF.finditer(text):
        yield from _named(text[match.end():], CLIENT)
    for match in VIA_BEFORE.finditer(text):
        if not WALK.search(text[max(0, match.start() - 12):match.start()]):
            yield from _named(text[match.end():], VIA)
    for match in VIA_AFTER.finditer(text):
        yield from _last_run(match.group("name"), VIA)
    for match in BETWEEN.finditer(text):
        rest = re.split(r"[()\[\]\n|–—:;]", text[match.end():], maxsplit=1)[0]
        yield from _named(rest, PERSON)  # "Jane Roe and Sam Poe", as one run reads it
        for part in AND.split(rest)[:2]:
            yield from _named(part, PERSON)
    for match in HONORIFIC.finditer(text):
        yield from _named(text[match.end():], PERSON)
        yield from _named(text[match.start():], PERSON)  # "Mrs Roe" as the span reads it
    for line in text.splitlines()[:200]:
        for run, _, _ in runs(words_of(line, 60)):
            if len(run.split()) in (2, 3) and _introduces_person(line, run):
                yield run, PERSON


def _person_of(match: re.Match[str]) -> Iterator[tuple[str, str]]:
    """"w/ Jane (Acme)": Jane is a person; "Jane (Acme Recruiting)": Acme hires too."""
    tokens = words_of(match.group("org"), 8)
    team = len(tokens)
    while team and tokens[team - 1].casefold() in HIRING_TEAM:
        team -= 1
    org = tokens[:team]
    if not org or len(org) > 4 or not all(capitalised(t) and not not_name(t) for t in org):
        return
    if team < len(tokens):
        yield " ".join(org), CLIENT
    elif not match.group("with"):
        return  # "Screen – Acme (Berlin)": a place after the company, not a person's employer
    if not not_name(match.group("person").split()[0]):
        yield match.group("person"), PERSON


def _past_steps(rest: str) -> str:
    """After "client", the text past a few interview words and a connector ("client
    interview with Acme", "client call – Acme"), when they come before the name."""
    tokens = list(re.finditer(r"\S+", rest))[:5]
    for i, token in enumerate(tokens[:4]):
        word = token.group(0)
        if i and word.casefold() in _CONNECT and all(not_name(t.group(0)) for t in tokens[:i]):
            return rest[token.end():]
        if not not_name(word.strip(",.")):
            break
    return rest


def _named(rest: str, kind: str) -> Iterator[tuple[str, str]]:
    """The name that starts ``rest``: its first run of capitalised words, up to a genitive
    ("Acme's", Turkish "Acme'nin")."""
    tokens = words_of(_CLAUSE.split(rest[:200], maxsplit=1)[0], NAME_WORDS)
    for i, token in enumerate(tokens):
        stem = _GENITIVE.sub("", token)
        if stem != token:
            tokens = [*tokens[:i], stem] if stem else tokens[:i]  # a bare "'s" too
            break
    if not tokens or not capitalised(tokens[0]) or not_name(tokens[0]):
        return
    for run, _, after in runs(tokens):
        if kind == PERSON and any(t.casefold() in ORG_WORDS for t in run.split()):
            return  # "Dr. Roe Dental" is a practice, not a person
        if kind == VIA and after and not_name(after):
            return  # "via Acme Chime": the maker of a tool, not a go-between
        if kind == CLIENT and any(JOB_WORD.fullmatch(t) for t in (*run.split(), after)):
            return  # "Client Services Manager", "Client Partner": a role, not a client
        yield run, kind
        return


_GENITIVE = re.compile(r"['’](?:s|[a-zçğıöşü]{1,4})$")
_CLAUSE = re.compile(r"[()\[\],;:|–—\n]|\s-\s|(?<=[a-z]{2})[.!?](?=\s|$)")


def _last_run(text: str, kind: str) -> Iterator[tuple[str, str]]:
    """The last run of capitalised words of ``text`` (the name before a postposition)."""
    found = list(runs(words_of(text, NAME_WORDS)))
    if found:
        yield found[-1][0], kind


def _introduces_person(line: str, run: str) -> bool:
    """The line says ``run`` is a person: "Jane Roe, who ...", "w/ Jane Roe (Team Lead)"."""
    at = line.find(run)
    after = line[at + len(run):at + len(run) + 60]
    if WHO.match(after):
        return True
    apposition = APPOSITION.match(after)
    if apposition and JOB_WORD.search(apposition.group(1)):
        return True
    role = WITH_ROLE.match(after)
    before = line[max(0, at - 8):at]
    return bool(role and WITH_BEFORE.search(before) and JOB_WORD.search(role.group(1))
                and not any(t.casefold() in ORG_WORDS for t in run.split()))

