"""Where an invitation may name its company: candidate spans and the words that are no name.

Pure. :mod:`syncd.detect_company` turns what these yield into candidates and weighs them.
Each generator yields (span, tag): the tag says where the span was found ("src:title",
"title:seg0", "conn:at", "text:signature", "legal:form", "loc:span:whole"...), and becomes a
feature of the candidate. Every input is read up to a cap, so an event costs bounded time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from syncd import company_words as cw
from syncd import detect_words as words
from syncd.detect_parties import Parties
from syncd.detect_role import JOB_WORD

MAX_SPAN = 6  # words in a name
# Title segments end at punctuation, dashes between spaces and brackets.
_SEGMENT = re.compile(r"\s+[-–—|/:·~+]\s+|\s*[–—|:·()\[\]【】（）「」『』,;!?#•<>*\"｜：／，、；！？]+\s*|\s-+\s|"
                      r"\s+-(?=\S)|(?<=\S)-\s+|(?<=\s)@|^@")
_TOKEN = re.compile(r"w/(?=\s)|[^\s,;:!?()\[\]{}<>\"“”«»【】（）「」|/・｜：／，、；！？]+")
_TIME_OR_NUMBER = re.compile(r"^(?:\d[\d:.,/hH]*(?:am|pm|h|uhr)?|#?\w*\d\w*)$", re.I)
_LINE_SPLIT = re.compile(r"\s+[-–—|·]\s+|\s*[,(:]\s*|\s+[|]\s*")


@lru_cache(maxsize=16384)
def tidy(raw: str) -> str:
    """A span as a name: spaces collapsed, legal forms and stray punctuation dropped."""
    name = " ".join(raw.split()).strip(" .,;:-–—'\"’&/")
    name = cw.LEGAL_CJK.sub("", cw.LEGAL_TRAILING.sub("", name)).strip(" .,;:-–—'\"’&/")
    if not name or len(name) > 60 or not any(c.isalpha() for c in name):
        return ""
    return name


def title_spans(title: str) -> Iterator[tuple[str, str]]:
    """Spans of the title's segments, each tagged with how it stands in the title."""
    segments = [s for s in _SEGMENT.split(title) if s and s.strip()]
    bracketed = {m.group(1).strip() for m in re.finditer(r"[(\[【（「]([^)\]】）」]*)", title)}
    cover = not any(not_name(t) for t in words_of(title, 20))  # "Dentist", "Focus time"
    for index, segment in enumerate(segments[:12]):
        where = ["src:title", f"title:seg{min(index, 2)}"]
        if cover:
            where.append("title:no-interview-word")
        if index == len(segments) - 1 and index:
            where.append("title:last")
        if segment.strip() in bracketed:
            where.append("title:bracket")
        if len(segments) == 1:
            where.append("title:whole")
        if not any(not_name(t) for t in words_of(segment, 20)):
            where.append("title:pure-segment")
        pieces = list(_after_connectors(segment))
        for raw, connector in pieces:
            tags = [*where, f"conn:{connector}"] if connector else where
            for span, shape in _spans(raw):
                for tag in (*tags, shape):
                    yield span, tag
        if len(pieces) > 1:  # a connector may belong to the name: "Department for Education"
            for span, _ in _spans(segment):
                if any(w.casefold() in cw.CONNECTORS for w in span.split()[1:-1]):
                    yield span, "span:across-connector"
    for match in cw.CJK_COMPANY.finditer(title):
        yield match.group("a") or match.group("b"), "legal:cjk"


def _after_connectors(segment: str) -> Iterator[tuple[str, str]]:
    """The segment split at connector words: (piece, the connector before it or "")."""
    tokens = segment.split()
    piece: list[str] = []
    connector = ""
    for token in tokens:
        kind = cw.CONNECTORS.get(token.casefold())
        if kind:
            if piece:
                yield " ".join(piece), connector
            piece, connector = [], kind
        else:
            piece.append(token)
    if piece:
        yield " ".join(piece), connector


def words_of(text: str, limit: int) -> list[str]:
    """The words of a text, their edge punctuation and symbols dropped (marks stay)."""
    found = (_trim(t) for t in _TOKEN.findall(text)[:limit])
    return [t for t in found if t]


@lru_cache(maxsize=8192)
def _trim(token: str) -> str:
    """A word without the punctuation and symbols (emoji too) at its ends; "&" stays."""
    start, end = 0, len(token)
    while start < end and _edge(token[start]):
        start += 1
    while end > start and _edge(token[end - 1]):
        end -= 1
    if token[end:end + 1] == "." and _ABBREVIATION.fullmatch(token[start:end]):
        end += 1  # "St. Luke's", "U.S. Bank": the dot is the name's
    return token[start:end]


_ABBREVIATION = re.compile(r"[A-Z][a-z]{0,2}|(?:[A-Za-z]\.)+[A-Za-z]")


def _edge(char: str) -> bool:
    return char not in "&'’" and unicodedata.category(char)[0] in "PSZC"


def _spans(piece: str) -> Iterator[tuple[str, str]]:
    """Runs of up to MAX_SPAN words of a piece, none starting or ending with a non-name word,
    each tagged "span:whole" (the piece), "span:core" (the piece's one run of name words) or
    "span:part"."""
    tokens = words_of(piece, 20)
    keep = [(not not_name(t) or t in ARTICLES) and t not in "&@" for t in tokens]
    # An organisation noun ends a name ("FinEst Solutions") but starts none ("Software").
    ends = [k or t.casefold() in cw.ORG_WORDS or t.casefold() in cw.NAME_NOUNS
            for k, t in zip(keep, tokens)]
    groups = [(i, j) for i, j in _groups(keep)]
    core = groups[0] if len(groups) == 1 else None
    head = groups[0] if len(groups) > 1 else None
    for start in range(len(tokens)):
        if not keep[start]:
            continue
        for end in range(start, min(len(tokens), start + MAX_SPAN)):
            if not ends[end] or tokens[end] in ARTICLES:
                continue
            if (start, end) == (0, len(tokens) - 1):
                tag = "span:whole"
            else:
                tag = ("span:core" if (start, end) == core else
                       "span:head" if (start, end) == head else "span:part")
            if not keep[end] and end + 1 < len(tokens) and JOB_WORD.fullmatch(tokens[end + 1]):
                continue  # "Acme Software Engineer": the organisation noun begins the role
            if not _ends_in_role(tokens[start:end + 1]) and not _trails_off(tokens, start, end):
                yield " ".join(tokens[start:end + 1]), tag
                if end + 1 < len(tokens) and tokens[end + 1].casefold() in _TOOLS:
                    yield " ".join(tokens[start:end + 1]), "span:tool-maker"  # Microsoft Teams
                if end + 1 < len(tokens) and _begins_job(tokens[end + 1]):
                    yield " ".join(tokens[start:end + 1]), "span:before-job"  # "X Manager"


def _begins_job(token: str) -> bool:
    """A job noun or a programme's: what follows a department ("Growth Manager")."""
    return bool(JOB_WORD.fullmatch(token)) or token.casefold() in _PROGRAMMES


_PROGRAMMES = frozenset("programme program scheme traineeship academy".split())


_TOOLS = frozenset("teams meet hangouts chime webex duo".split())


def _trails_off(tokens: list[str], start: int, end: int) -> bool:
    """A capitalised name running on into lower-case words ("Kroger pharmacy", "Swiggy ops")."""
    last = tokens[end]
    return (end > start and capitalised(tokens[start]) and last[0].islower()
            and last.isascii() and last not in JOINERS)


def _ends_in_role(tokens: list[str]) -> bool:
    """A job, or a name followed by one ("Figma Developer Advocate"): the role is no name."""
    joined = " ".join(tokens)
    if words.ROLE_TITLE.fullmatch(joined) or cw.ROLE_SUFFIX.search(joined):
        return True
    return any(not_name(tokens[i]) and words.ROLE_TITLE.fullmatch(" ".join(tokens[i:]))
               for i in range(1, len(tokens)))


def _groups(keep: list[bool]) -> Iterator[tuple[int, int]]:
    """(first, last) of each run of true values."""
    start = None
    for i, flag in enumerate([*keep, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            yield start, i - 1
            start = None


ARTICLES = frozenset("The La Le El Les Los Las Il Die Der Das De Het".split())


def text_spans(body: str) -> Iterator[tuple[str, str]]:
    """Capitalised runs of the description, and spans its lines and legal forms mark."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    for number, line in enumerate(lines[:80]):
        short = len(line) <= 60 and len(line.split()) <= 8
        tail = number >= len(lines) - 4
        for run, before, after in _capitalised_runs(line):
            yield run, "src:text"
            if before in GREETINGS:
                yield run, "text:greeted"
            if before in cw.CONNECTORS:
                yield run, f"text:conn:{cw.CONNECTORS[before]}"
            if after and after.casefold() not in cw.CONNECTORS and _steps(after):
                yield run, "text:before-step"  # "Acme recruiter screen", "Acme final round"
            if cw.LEGAL_AFTER.match(after) or cw.LEGAL_BEFORE.match(run.split()[0]):
                yield run, "legal:form"
            if short:
                yield run, "text:short-line"
            if short and tail:
                yield run, "text:signature"
        if short:
            for part in _LINE_SPLIT.split(line)[:3]:
                if 0 < len(part.split()) <= MAX_SPAN:
                    yield part, "text:line-part"
    for match in cw.CJK_COMPANY.finditer(body):
        yield match.group("a") or match.group("b"), "legal:cjk"


def _steps(token: str) -> bool:
    """An interview, hiring step or format word ("screen", "round", "call", "HM")."""
    tables = (words.INTERVIEW_WORDS, words.HIRING_STEPS)
    return any(p.fullmatch(token) for table in tables for p, _, _ in table.cues) or (
        token.casefold() in _STEP_WORDS)


_STEP_WORDS = frozenset("""interview screen screening call round final onsite loop chat hm hr
    recruiter panel superday intro""".split())


def _capitalised_runs(line: str) -> Iterator[tuple[str, str, str]]:
    """(run, the word before, the word after) for runs of capitalised words in a line; a run
    ends at punctuation ("Company: Acme" holds two)."""
    for part in _PUNCTUATION.split(line)[:20]:
        yield from runs(words_of(part, 60))


_PUNCTUATION = re.compile(r"[:;,()\[\]|]|\s[-–—·]\s|(?<=[a-z]{2})[.!?](?=\s)")


def runs(tokens: list[str]) -> Iterator[tuple[str, str, str]]:
    """Runs of capitalised words among ``tokens``: (run, the word before, the word after)."""
    i = 0
    while i < len(tokens):
        if not capitalised(tokens[i]) or not_name(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and j - i < MAX_SPAN and (
                (capitalised(tokens[j]) and not not_name(tokens[j]))
                or (tokens[j].casefold() in JOINERS and j + 1 < len(tokens)
                    and capitalised(tokens[j + 1]))):
            j += 1
        before = tokens[i - 1].casefold() if i else ""
        after = tokens[j] if j < len(tokens) else ""
        yield " ".join(tokens[i:j]), before, after
        i = j


GREETINGS = frozenset("""hi hello dear hey hallo liebe lieber bonjour hola olá ola ciao hej
    hei cześć witam merhaba halo dag beste caro cara estimado estimada prezado prezada""".split())
JOINERS = frozenset("& de del della di da do dos das of the la le y e und and van von".split())


def location_spans(location: str) -> Iterator[tuple[str, str]]:
    """The location's first part and its capitalised runs."""
    if not location or words.URL.search(location):
        return
    first = re.split(r"[,;(\n]|\s[-–—|]\s", location, maxsplit=1)[0]
    for span, shape in _spans(first):
        yield span, "src:location"
        yield span, f"loc:{shape}"


def domain_names(parties: Parties) -> Iterator[tuple[str, str, str]]:
    """Names made from the domains alone, the last resort: (name, source, domain). Their
    letter case is a guess ("Bol", "STC"): where the event spells one, its spelling wins."""
    for domain, role in company_domains(parties):
        if domain in words.KNOWN_COMPANIES:
            yield words.KNOWN_COMPANIES[domain], "src:known-domain", domain
            continue
        label = domain.partition(".")[0]
        for key in dict.fromkeys((label, words.LABEL_AFFIXES.sub("", label))):
            if len(key) >= 2:
                guess = key.upper() if len(key) <= 3 else key.capitalize()
                yield guess, f"src:domain-{role}", domain
    local = parties.organizer.partition("@")[0]
    if parties.platform in words.TENANT_PLATFORMS and local.isalpha():
        if local not in words.GENERIC_LOCAL_PARTS:
            yield local.capitalize(), "src:tenant", parties.platform


def company_domains(parties: Parties) -> list[tuple[str, str]]:
    """The domains that may be the hiring company's: (domain, "organizer" or "attendee")."""
    org = parties.organizer_domain
    found = []
    for domain in parties.outside[:4]:
        if is_agency(domain):
            continue
        found.append((domain, "organizer" if domain == org else "attendee"))
    if not found and org and org in parties.own_domains and not parties.by_owner:
        found.append((org, "organizer"))
    return found


def is_agency(domain: str) -> bool:
    return bool(words.AGENCY_WORDS.search(domain.partition(".")[0]))


@lru_cache(maxsize=8192)
def not_name(token: str) -> bool:
    """A word that is never part of a company's name: interview, step, format, time words."""
    folded = token.casefold().strip(".'’")
    if not folded or folded in cw.NOT_NAME or folded in words.NOT_COMPANY or (
            folded in words.ROLE_MODIFIERS):
        return True
    if _TIME_OR_NUMBER.match(folded) or words.PHONE_WORDS.search(token) or words.VIDEO.search(token):
        return True
    tables = (words.INTERVIEW_WORDS, words.HIRING_STEPS, words.JOB_WORDS, words.ASSESSMENT_WORDS)
    return any(p.fullmatch(token) or p.search(token) for table in tables for p, _, _ in table.cues
               ) if len(token) < 40 else True


def script(token: str) -> str:
    """"latin" or "other", by the token's first letter."""
    first = next((c for c in token if c.isalpha()), "a")
    return "latin" if first.isascii() or "LATIN" in unicodedata.name(first, "") else "other"


def capitalised(token: str) -> bool:
    first = token[0]
    return first.isupper() or (first.isalpha() and not first.isascii() and not first.islower())


def first_words(raw: str) -> str:
    return " ".join(raw.split()[:MAX_SPAN])
