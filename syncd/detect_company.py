"""Which company an interview is with: candidate names, weighed by a small learned ranker. Pure.

An invitation names its company in many ways: a title segment ("Phone screen – Acme"), after
a connector ("Interview at Acme", "bei Acme"), beside a legal form ("Acme GmbH", "PT Acme",
"株式会社アクメ"), in a signature line, in the location, and in the organizer's domain. Every
such span becomes a candidate; each is described by a few explainable features (where it was
found, whether the organizer's domain spells it, whether a legal form stands beside it, how
many words it has, whether it holds interview or format words...). A logistic regression
fitted by ``make train`` (``benchmarks/train_company.py``) weighs them; its weights ship in
``company_model.json`` and are read here without scikit-learn. The domain confirms a name
found in the text; a name made from the domain alone is a last resort.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from syncd import company_words as cw
from syncd import detect_words as words
from syncd.detect_details import squash
from syncd.detect_parties import Parties, bare_address

MODEL_PATH = Path(__file__).with_name("company_model.json")
TITLE_CAP, TEXT_CAP, TAIL_CAP, LOCATION_CAP = 300, 3000, 600, 300
MAX_CANDIDATES = 120  # spans weighed per event, whatever the event holds
MAX_SPAN = 6  # words in a name

Features = dict[str, float]

# Title segments end at punctuation, dashes between spaces and brackets.
_SEGMENT = re.compile(r"\s+[-–—|/:·~+]\s+|\s*[–—|:·()\[\]【】（）「」『』,;!?#•<>*\"]+\s*|\s-+\s|"
                      r"\s+-(?=\S)|(?<=\S)-\s+|(?<=\s)@|^@")
_TOKEN = re.compile(r"w/(?=\s)|[^\s,;:!?()\[\]{}<>\"“”«»【】（）「」|/・]+")
_TIME_OR_NUMBER = re.compile(r"^(?:\d[\d:.,/hH]*(?:am|pm|h|uhr)?|#?\w*\d\w*)$", re.I)
_LINE_SPLIT = re.compile(r"\s+[-–—|·]\s+|\s*[,(:]\s*|\s+[|]\s*")


@dataclass(frozen=True)
class CompanyModel:
    """The ranker's weights: a bias and one weight per feature name."""

    bias: float
    weights: dict[str, float]

    def score(self, features: Features) -> float:
        """The candidate's log-odds of being the company."""
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())


@cache
def shipped_company_model() -> CompanyModel:
    """The weights shipped beside this module, read once."""
    data = json.loads(MODEL_PATH.read_text("utf-8"))
    return CompanyModel(float(data["bias"]), {k: float(v) for k, v in data["weights"].items()})


def company_name(title: str, text: str, location: str, parties: Parties,
                 people: Iterable[str] = (), model: CompanyModel | None = None) -> str:
    """The hiring company's name, "" when nothing names one.

    ``people`` are the invitees' bare addresses: a name their mailboxes spell is a person's.
    """
    found = candidates(title, text, location, parties, people)
    return choose(found, model or shipped_company_model())


def choose(found: dict[str, Features], model: CompanyModel) -> str:
    """The best-scoring candidate (the longer one on a tie), "" when there is none."""
    if not found:
        return ""
    return max(found.items(), key=lambda item: (model.score(item[1]), len(item[0]), item[0]))[0]


# --- Candidates ------------------------------------------------------------------------------


def candidates(title: str, text: str, location: str, parties: Parties,
               people: Iterable[str] = ()) -> dict[str, Features]:
    """Every name the event might mean, each with the features the ranker weighs."""
    title, location = title[:TITLE_CAP], location[:LOCATION_CAP]
    body = text[:TEXT_CAP] + ("\n" + text[-TAIL_CAP:] if len(text) > TEXT_CAP else "")
    found: dict[str, Features] = {}

    def add(raw: str, source: str, value: float = 1.0) -> None:
        name = tidy(raw)
        if name and (name in found or len(found) < MAX_CANDIDATES):
            features = found.setdefault(name, {})
            features[source] = max(features.get(source, 0.0), value)

    for raw, source in _title_spans(title):
        add(raw, source)
    for raw, source in _text_spans(body):
        add(raw, source)
    for raw, source in _location_spans(location):
        add(raw, source)
    for raw, source in _domain_names(parties):
        add(raw, source)
    for pattern, source in ((words.CLIENT, "src:client"), (words.COMPANY_FIELD, "src:field")):
        match = pattern.search(title) or pattern.search(body)
        if match:
            add(_first_words(match.group("name")), source)
    domains = _domain_keys(parties)
    lowered = (title.casefold(), body.casefold(), location.casefold())
    persons = _person_words((parties.organizer, *list(people)[:20])) | _greeted(body)
    for name, features in found.items():
        _describe(name, features, domains, lowered)
        if persons and any(_fold(t) in persons for t in name.split()):
            features["person"] = 1.0
    _relate(found)
    for features in found.values():
        kind = _domain_kind(features)
        for key in [k for k in features if k[:4] in _CROSSED]:
            features[f"{key}&dom-{kind}"] = 1.0
    return found


_CROSSED = frozenset(("span", "loc:", "src:"))  # these sources are also weighed by domain kind


@lru_cache(maxsize=16384)
def tidy(raw: str) -> str:
    """A span as a name: spaces collapsed, legal forms and stray punctuation dropped."""
    name = " ".join(raw.split()).strip(" .,;:-–—'\"’&/")
    name = cw.LEGAL_CJK.sub("", cw.LEGAL_TRAILING.sub("", name)).strip(" .,;:-–—'\"’&/")
    if not name or len(name) > 60 or not any(c.isalpha() for c in name):
        return ""
    return name


def _title_spans(title: str) -> Iterator[tuple[str, str]]:
    """Spans of the title's segments, each tagged with how it stands in the title."""
    segments = [s for s in _SEGMENT.split(title) if s and s.strip()]
    bracketed = {m.group(1).strip() for m in re.finditer(r"[(\[【（「]([^)\]】）」]*)", title)}
    cover = not any(not_name(t) for t in _tokens(title, 20))  # "Dentist", "Focus time"
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
        if not any(not_name(t) for t in _tokens(segment, 20)):
            where.append("title:pure-segment")
        for raw, connector in _after_connectors(segment):
            tags = [*where, f"conn:{connector}"] if connector else where
            for span, shape in _spans(raw):
                for tag in (*tags, shape):
                    yield span, tag
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


def _tokens(text: str, limit: int) -> list[str]:
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
    return token[start:end]


def _edge(char: str) -> bool:
    return char not in "&'’" and unicodedata.category(char)[0] in "PSZC"


def _spans(piece: str) -> Iterator[tuple[str, str]]:
    """Runs of up to MAX_SPAN words of a piece, none starting or ending with a non-name word,
    each tagged "span:whole" (the piece), "span:core" (the piece's one run of name words) or
    "span:part"."""
    tokens = _tokens(piece, 20)
    keep = [(not not_name(t) or t in _ARTICLES) and t not in "&@" for t in tokens]
    groups = [(i, j) for i, j in _groups(keep)]
    core = groups[0] if len(groups) == 1 else None
    head = groups[0] if len(groups) > 1 else None
    for start in range(len(tokens)):
        if not keep[start]:
            continue
        for end in range(start, min(len(tokens), start + MAX_SPAN)):
            if not keep[end] or tokens[end] in _ARTICLES:
                continue
            if (start, end) == (0, len(tokens) - 1):
                tag = "span:whole"
            else:
                tag = ("span:core" if (start, end) == core else
                       "span:head" if (start, end) == head else "span:part")
            if not _ends_in_role(tokens[start:end + 1]) and not _trails_off(tokens, start, end):
                yield " ".join(tokens[start:end + 1]), tag


def _trails_off(tokens: list[str], start: int, end: int) -> bool:
    """A capitalised name running on into lower-case words ("Kroger pharmacy", "Swiggy ops")."""
    last = tokens[end]
    return (end > start and _capitalised(tokens[start]) and last[0].islower()
            and last.isascii() and last not in _JOINERS)


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


_ARTICLES = frozenset("The La Le El Les Los Las Il Die Der Das De Het".split())


def _text_spans(body: str) -> Iterator[tuple[str, str]]:
    """Capitalised runs of the description, and spans its lines and legal forms mark."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    for number, line in enumerate(lines[:80]):
        short = len(line) <= 60 and len(line.split()) <= 8
        tail = number >= len(lines) - 4
        for run, before, after in _capitalised_runs(line):
            yield run, "src:text"
            if before in _GREETINGS:
                yield run, "text:greeted"
            if before in cw.CONNECTORS:
                yield run, f"text:conn:{cw.CONNECTORS[before]}"
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


def _capitalised_runs(line: str) -> Iterator[tuple[str, str, str]]:
    """(run, the word before, the word after) for runs of capitalised words in a line; a run
    ends at punctuation ("Company: Acme" holds two)."""
    for part in _PUNCTUATION.split(line)[:20]:
        yield from _runs(_tokens(part, 60))


_PUNCTUATION = re.compile(r"[:;,()\[\]|]|\s[-–—·]\s")


def _runs(tokens: list[str]) -> Iterator[tuple[str, str, str]]:
    """Runs of capitalised words among ``tokens``: (run, the word before, the word after)."""
    i = 0
    while i < len(tokens):
        if not _capitalised(tokens[i]) or not_name(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and j - i < MAX_SPAN and (
                (_capitalised(tokens[j]) and not not_name(tokens[j]))
                or (tokens[j].casefold() in _JOINERS and j + 1 < len(tokens)
                    and _capitalised(tokens[j + 1]))):
            j += 1
        before = tokens[i - 1].casefold() if i else ""
        after = tokens[j] if j < len(tokens) else ""
        yield " ".join(tokens[i:j]), before, after
        i = j


_GREETINGS = frozenset("""hi hello dear hey hallo liebe lieber bonjour hola olá ola ciao hej
    hei cześć witam merhaba halo dag beste caro cara estimado estimada prezado prezada""".split())
_JOINERS = frozenset("& de del della di da do dos das of the la le y e und and van von".split())


def _location_spans(location: str) -> Iterator[tuple[str, str]]:
    """The location's first part and its capitalised runs."""
    if not location or words.URL.search(location):
        return
    first = re.split(r"[,;(\n]|\s[-–—|]\s", location, maxsplit=1)[0]
    for span, shape in _spans(first):
        yield span, "src:location"
        yield span, f"loc:{shape}"


def _domain_names(parties: Parties) -> Iterator[tuple[str, str]]:
    """Names made from the domains alone: the last resort."""
    for domain, role in _company_domains(parties):
        if domain in words.KNOWN_COMPANIES:
            yield words.KNOWN_COMPANIES[domain], "src:known-domain"
            continue
        label = domain.partition(".")[0]
        for key in dict.fromkeys((label, words.LABEL_AFFIXES.sub("", label))):
            if len(key) >= 2:
                yield (key.upper() if len(key) <= 3 else key.capitalize()), f"src:domain-{role}"
    local = parties.organizer.partition("@")[0]
    if parties.platform in words.TENANT_PLATFORMS and local.isalpha():
        if local not in words.GENERIC_LOCAL_PARTS:
            yield local.capitalize(), "src:tenant"


def _company_domains(parties: Parties) -> list[tuple[str, str]]:
    """The domains that may be the hiring company's: (domain, "organizer" or "attendee")."""
    org = parties.organizer_domain
    found = []
    for domain in parties.outside[:4]:
        if _is_agency(domain):
            continue
        found.append((domain, "organizer" if domain == org else "attendee"))
    if not found and org and org in parties.own_domains and not parties.by_owner:
        found.append((org, "organizer"))
    return found


def _domain_keys(parties: Parties) -> list[tuple[str, str]]:
    """Squashed keys of the domain labels a name may spell: (key, role)."""
    keys: list[tuple[str, str]] = []
    for domain, role in _company_domains(parties):
        label = domain.partition(".")[0]
        for key in dict.fromkeys((_fold(label), _fold(words.LABEL_AFFIXES.sub("", label)))):
            if len(key) >= 2:
                keys.append((key, role))
        if "-" in label:
            keys += [(_fold(p), f"{role}-part") for p in label.split("-") if len(p) >= 3]
    for domain in parties.outside[:4]:
        if _is_agency(domain):
            keys.append((_fold(domain.partition(".")[0]), "agency"))
    return keys


_fold = lru_cache(maxsize=16384)(squash)


def _person_words(addresses: Iterable[str]) -> frozenset[str]:
    """The name parts of mailboxes ("jane.doe@x" -> jane, doe), as squashed words."""
    found: set[str] = set()
    for address in addresses:
        local, _, domain = bare_address(address).partition("@")
        if domain in words.TENANT_PLATFORMS:  # datadog@myworkday.com is no person
            continue
        found.update(p for p in re.split(r"[._\-+\d]+", local.casefold()) if len(p) >= 3)
    return frozenset(found - _NOT_PERSON)


_NOT_PERSON = frozenset("""recruiting recruiter recruitment careers career jobs talent hr noreply
    reply notifications interviews hiring team info admin contact people rekrutacja rh""".split())


def _greeted(body: str) -> frozenset[str]:
    """Names the description greets ("Hi Fatima," -> fatima): people, not companies."""
    found: set[str] = set()
    for line in body.splitlines()[:3]:
        tokens = _tokens(line, 4)
        if len(tokens) >= 2 and tokens[0].casefold() in _GREETINGS:
            found.add(_fold(tokens[1]))
    return frozenset(found)


def _is_agency(domain: str) -> bool:
    return bool(words.AGENCY_WORDS.search(domain.partition(".")[0]))


# --- Features --------------------------------------------------------------------------------


def _describe(name: str, features: Features, domains: list[tuple[str, str]],
              lowered: tuple[str, str, str]) -> None:
    """Add what the name itself says, where else the event spells it, and what the domain
    says of it."""
    features.update(_name_features(name))
    folded = name.casefold()
    seen = [folded in value for value in lowered]
    for field, found in zip(("title", "text", "location"), seen):
        if found:
            features[f"in:{field}"] = 1.0
    features["fields"] = sum(seen) / 3
    if not any(seen):
        features["in-no-field"] = 1.0
        if not lowered[0].isascii() and any(c.isalpha() and not c.isascii() for c in lowered[0]):
            features["in-no-field&native-title"] = 1.0
    if domains:
        features.update(_domain_features(name, tuple(domains)))


@lru_cache(maxsize=8192)
def _name_features(name: str) -> tuple[tuple[str, float], ...]:
    """What a name says by itself: its words, its script, role or agency words."""
    tokens = name.split()
    n = len(tokens)
    found: Features = {f"words:{min(n, 4)}": 1.0}
    found["vocab-words"] = sum(not_name(t) for t in tokens) / n
    if any(not_name(t) and t not in _JOINERS and t not in _ARTICLES for t in tokens):
        found["vocab-inside"] = 1.0
    found["capitalised"] = sum(_capitalised(t) for t in tokens) / n
    found["first-lower"] = float(tokens[0][0].islower())
    lower = sum(t[0].islower() and t.casefold() not in _JOINERS for t in tokens[1:])
    if lower:
        found["lower-inside"] = float(lower)
    if not name.isascii():
        latin = any("a" <= c.lower() <= "z" for c in name)
        found["non-latin"] = float(not latin)
        if latin and any(_script(t) != _script(tokens[0]) for t in tokens[1:]):
            found["mixed-script"] = 1.0
    if name.isupper() and len(name) <= 5:
        found["acronym"] = 1.0
    if words.ROLE_TITLE.search(name):
        found["role-words"] = 1.0
    if any(c.isdigit() for c in name):
        found["digits"] = 1.0
    if tokens[-1].casefold() in cw.ORG_WORDS:
        found["org-word-last"] = 1.0
    elif any(t.casefold() in cw.ORG_WORDS for t in tokens):
        found["org-word"] = 1.0
    if any(words.AGENCY_WORDS.fullmatch(_fold(part)) for part in (name, *tokens)):
        found["agency-name"] = 1.0
    return tuple(found.items())


@lru_cache(maxsize=8192)
def _domain_features(name: str, domains: tuple[tuple[str, str], ...]) -> Features:
    """How a domain spells the name: fully, its start, its initials, or as an agency's."""
    initials = _fold("".join(t[0] for t in name.split() if t.casefold() not in _JOINERS))
    found: Features = {}
    for squashed in dict.fromkeys((_fold(name), _fold(_GERMAN.sub(_german, name)))):
        if squashed:
            found.update(_spelled(squashed, initials, domains))
    return found


_GERMAN = re.compile("[äöüÄÖÜß]")


def _german(match: re.Match[str]) -> str:
    """How German domains spell an umlaut: "ü" -> "ue"."""
    return {"ß": "ss"}.get(match.group(0), unicodedata.normalize("NFKD", match.group(0))[0] + "e")


def _spelled(squashed: str, initials: str, domains: tuple[tuple[str, str], ...]) -> Features:
    """The domain features of one spelling of a name."""
    found: Features = {}
    for key, role in domains:
        if squashed == key:
            found[f"dom:{role}:equal"] = 1.0
        elif len(squashed) >= 3 and key.startswith(squashed):
            found[f"dom:{role}:name-starts"] = len(squashed) / len(key)
        elif len(key) >= 4 and squashed.startswith(key):
            found[f"dom:{role}:name-extends"] = len(key) / len(squashed)
        elif len(initials) >= 2 and initials == key:
            found[f"dom:{role}:initials"] = 1.0
        elif len(key) >= 4 and key in squashed:
            found[f"dom:{role}:inside"] = 1.0
    return found


def _relate(found: dict[str, Features]) -> None:
    """Mark names that a longer candidate contains, and the longer ones that contain them."""
    names = sorted(found, key=len)
    kinds = {name: _domain_kind(found[name]) for name in names}
    padded = {name: f" {name} " for name in names}
    for i, short in enumerate(names):
        for longer in names[i + 1:]:
            if padded[short] in padded[longer]:
                found[short]["inside-longer"] = 1.0
                found[longer]["holds-shorter"] = 1.0
                found[longer][f"holds-dom-{kinds[short]}"] = 1.0
                if kinds[short] == "equal":
                    extra = longer.replace(short, " ", 1).split()
                    org = any(w.casefold() in cw.ORG_WORDS for w in extra)
                    found[longer][f"holds-dom-equal&{'org' if org else 'other'}-words"] = 1.0
                found[short][f"inside-dom-{kinds[longer]}"] = 1.0


def _domain_kind(features: Features) -> str:
    """How the domain spells a candidate, in one word: equal, partly, or none."""
    kinds = {key.rsplit(":", 1)[1] for key in features if key.startswith("dom:")
             and not key.startswith("dom:agency")}
    return "equal" if "equal" in kinds else "partly" if kinds else "none"


# --- Words -----------------------------------------------------------------------------------


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


def _script(token: str) -> str:
    """"latin" or "other", by the token's first letter."""
    first = next((c for c in token if c.isalpha()), "a")
    return "latin" if first.isascii() or "LATIN" in unicodedata.name(first, "") else "other"


def _capitalised(token: str) -> bool:
    first = token[0]
    return first.isupper() or (first.isalpha() and not first.isascii() and not first.islower())


def _first_words(raw: str) -> str:
    return " ".join(raw.split()[:MAX_SPAN])


def feature_names(found: Iterable[Features]) -> list[str]:
    """Every feature name used by some candidate, sorted (for training)."""
    return sorted({key for features in found for key in features})


# --- One calendar's interviews -----------------------------------------------------------------


def names_in_full(entries: Sequence[tuple[str, str]]) -> list[str]:
    """The companies of one owner's interviews, each short form replaced by its full name.

    ``entries`` are (company, the organizer's company domain or "") per interview. A process
    spells its company in full once ("Sunrise Home Healthcare LLC – Recruitment") and short
    after ("Sunrise – online assessment"); a name that is the first words, the last words or
    the initials of another interview's name becomes that name, when their domains agree.
    """
    domains: dict[str, set[str]] = {}
    for name, domain in entries:
        if name:
            domains.setdefault(name, set()).add(domain)
    full = {}
    for short in domains:
        longer = [name for name in domains if _shortens(short, name)
                  and _same_sender(domains[short], domains[name])]
        if len(longer) == 1:  # two different full names: which one is meant is unclear
            full[short] = longer[0]
    return [full.get(name, name) for name, _ in entries]


def sender_domain(parties: Parties) -> str:
    """The domain of the company that sent the invite, "" for a person, platform or agency."""
    found = _company_domains(parties)
    return found[0][0] if found and found[0][1] == "organizer" else ""


def _shortens(short: str, name: str) -> bool:
    """"Sunrise" of "Sunrise Home Healthcare", "Meridian Post" of "The Meridian Post", "ALN"
    of "Agencia Latina de Noticias"."""
    small, big = short.casefold().split(), name.casefold().split()
    if len(small) >= len(big):
        return False
    if big[:len(small)] == small or big[-len(small):] == small:
        return True
    initials = "".join(w[0] for w in big if w not in _JOINERS)
    return short.isupper() and len(short) >= 2 and initials == small[0] and len(small) == 1


def _same_sender(one: set[str], other: set[str]) -> bool:
    """Both sent from one company's domain, or at least one of them from none."""
    one, other = one - {""}, other - {""}
    return not one or not other or bool(one & other)
