"""Keyword tables for :mod:`syncd.detect`: cue patterns, their weights and known domains.

Kept apart from the scoring logic so that adding a language or a scheduling system is a
one-line change here. Weights are log-odds-like: the detector sums them with a negative bias,
so a lone interview word in the title is enough, while a hard negative (``exit interview``)
outweighs anything else. Every pattern is matched case-insensitively unless it says otherwise.
"""

from __future__ import annotations

import re
from functools import cache, cached_property, lru_cache

from syncd.literals import LiteralIndex, SharedIndex, fold

# A cue: (pattern, weight, note). The note, when not empty, finishes the reason sentence.
Cue = tuple[re.Pattern[str], float, str]


class CueTable:
    """A family of cues, and the index that says which of them a text might hold.

    Both are made on first use: compiling every table costs more than the rest of a start-up,
    and a process whose verdicts are all kept in the state never reads one. Every table is
    also part of one :func:`shared_index`, which reads a text once for all of them.
    """

    def __init__(self, entries: tuple[tuple[str, float, str], ...]) -> None:
        self.entries = entries
        self.slot = len(_TABLES)  # its place in the shared index
        _TABLES.append(self)

    @cached_property
    def cues(self) -> tuple[Cue, ...]:
        """(compiled pattern, weight, note) of each entry, case-insensitive, in order."""
        return tuple((re.compile(pattern, re.I), weight, note)
                     for pattern, weight, note in self.entries)

    @cached_property
    def index(self) -> LiteralIndex:
        """Which patterns a text might match, by the literals each one needs."""
        return LiteralIndex([pattern for pattern, _, _ in self.cues])

    def candidates(self, bits: int) -> list[int]:
        """Which patterns might match a text, given its :func:`scan`."""
        return shared_index().candidates(self.slot, bits, len(self.entries))


_TABLES: list[CueTable] = []


@cache
def shared_index() -> SharedIndex:
    """The literal index of every cue table, and of the few other patterns searched in most
    titles (see :func:`may_match`), read in one scan of a text."""
    return SharedIndex([*(table.index for table in _TABLES), LiteralIndex(_gated())])


def _gated() -> tuple[re.Pattern[str], ...]:
    """Patterns searched in (almost) every title that :func:`may_match` knows."""
    return ROLE_TITLE, HIRERS, FAMILY, FOR_SOMEONE


@lru_cache(maxsize=64)  # a title is scanned for its cues, then for what they make together
def scan(text: str) -> int:
    """Which cue patterns of every table might match ``text`` (see :meth:`CueTable.candidates`)."""
    return shared_index().scan(fold(text))


def may_match(pattern: re.Pattern[str], seen: int | None) -> bool:
    """Whether ``pattern`` (one of :func:`_gated`) might match the text whose :func:`scan`
    is ``seen``; True when there is no scan (None)."""
    if seen is None:
        return True
    return bool(seen >> (shared_index().offsets[-1] + _gated().index(pattern)) & 1)


def _cues(*entries: tuple[str, float, str]) -> CueTable:
    """A cue table, compiled case-insensitively when first used."""
    return CueTable(entries)


# --- Domains -------------------------------------------------------------------------------

# Personal mailboxes: an address here says nothing about an employer.
FREE_MAIL = frozenset(
    """gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com ymail.com
    yahoo.co.jp yahoo.co.uk yahoo.fr yahoo.de yahoo.es proton.me protonmail.com pm.me
    icloud.com me.com mac.com fastmail.com fastmail.fm aol.com gmx.de gmx.net gmx.com web.de
    t-online.de freenet.de posteo.de mailbox.org orange.fr wanadoo.fr free.fr laposte.net
    sfr.fr ziggo.nl kpnmail.nl hetnet.nl libero.it virgilio.it tiscali.it qq.com 163.com
    126.com naver.com daum.net hey.com tutanota.com zoho.com yandex.ru mail.ru bol.com.br
    uol.com.br terra.com.br hotmail.co.uk hotmail.fr outlook.de live.co.uk btinternet.com
    comcast.net verizon.net att.net sbcglobal.net rediffmail.com seznam.cz wp.pl o2.pl
    docomo.ne.jp ezweb.ne.jp softbank.ne.jp""".split()
)
# Services that send invitations for anyone; their domain names no employer either.
SERVICE_DOMAINS = frozenset({"zoom.us", "zoom.com", "doodle.com", "when2meet.com"})

# Applicant-tracking, scheduling and assessment systems: they send on a company's behalf,
# so the company has to come from the title or the description instead.
PLATFORM_DOMAINS = frozenset(
    """paradox.ai teamtailor-mail.com upwork.com thalamusgme.com jobylon.com join.com
    greenhouse.io greenhouse-mail.io lever.co hire.lever.co myworkday.com workday.com
    goodtime.io karat.com karat.io codesignal.com coderpad.io hirevue.com calendly.com
    ashbyhq.com smartrecruiters.com icims.com jobvite.com workablemail.com workable.com
    bamboohr.com gem.com modernloop.io paradox.ai hackerrank.com codility.com
    successfactors.com taleo.net recruitee.com personio.de teamtailor.com
    breezy.hr jazzhr.com cronofy.com""".split()
)
# Platforms whose sender local part names the customer (datadog@myworkday.com).
TENANT_PLATFORMS = frozenset({"myworkday.com", "workday.com", "successfactors.com"})

# Calendar resources (rooms) are not people.
RESOURCE_DOMAINS = ("resource.calendar.google.com", "group.calendar.google.com")

# Second-level suffixes under which the registrable name sits one label further left.
TWO_PART_SUFFIXES = frozenset(
    """co.uk org.uk ac.uk co.jp ne.jp or.jp ac.jp com.br com.au net.au org.au co.nz
    com.mx com.ar com.co com.cn com.hk com.sg co.in co.kr co.za com.tr co.il""".split()
)

# Domains whose name cannot be read off the label.
KNOWN_COMPANIES = {
    "gs.com": "Goldman Sachs",
    "jpmchase.com": "JPMorgan Chase",
    "jpmorgan.com": "JPMorgan Chase",
    "makenotion.com": "Notion",
    "mckinsey.com": "McKinsey & Company",
    "mercadolibre.com": "Mercado Libre",
    "capitalone.com": "Capital One",
    "epicgames.com": "Epic Games",
    "mayo.edu": "Mayo Clinic",
    "ms.com": "Morgan Stanley",
    "morganstanley.com": "Morgan Stanley",
    "bofa.com": "Bank of America",
    "bankofamerica.com": "Bank of America",
    "wellsfargo.com": "Wells Fargo",
    "aexp.com": "American Express",
    "fb.com": "Meta",
    "meta.com": "Meta",
    "bain.com": "Bain & Company",
    "pwc.com": "PwC",
    "ey.com": "EY",
    "kpmg.com": "KPMG",
    "jnj.com": "Johnson & Johnson",
    "pg.com": "Procter & Gamble",
    "att.com": "AT&T",
    "db.com": "Deutsche Bank",
    "blackrock.com": "BlackRock",
    "paypal.com": "PayPal",
    "linkedin.com": "LinkedIn",
    "github.com": "GitHub",
    "openai.com": "OpenAI",
    "bytedance.com": "ByteDance",
    "tiktok.com": "TikTok",
}

# Staffing agencies recruit for a client; the client is the company that matters.
AGENCY_WORDS = re.compile(r"roberthalf|hays|randstad|adecco|michaelpage|kforce|teksystems|"
                          r"insightglobal|aerotek|manpower|staffing|recruit|talent", re.I)

# Label prefixes and suffixes that marketing adds to a domain (makenotion, acmehq).
LABEL_AFFIXES = re.compile(r"^(?:get|try|join|use|make|go|hello|team)|(?:hq|app|inc|corp|group|"
                           r"careers|jobs|mail)$")

# --- Title cues ----------------------------------------------------------------------------

# Words that name a job interview, by language.
INTERVIEW_WORDS = _cues(
    (r"\binterview(?:s|ing)?\b", 2.5, ""),
    # As people type it in a hurry: interveiw, intrview, inteview, "int. @ X", "2nd int".
    (r"\bin(?:ter|tr|te|t)v(?:ei|ie|e|i)w(?:s|ing)?\b|\bint\.?\s*@|"
     r"\b(?:1st|2nd|3rd|\d+th|first|second|third|final)\s+int\b\.?", 2.0, ""),
    # Polish calls an interview "a conversation" (rozmowa), as Estonian does (vestlus).
    (r"intervjuu\w*|\brozmow[aęy]\b|\bvestlus\b|"
     r"\bentrevues?\b|\brozmow[aęy]\s+o\s+prac[eęy]\b|\bsollicitatie\b|\bсобес\w*|"
     r"इंटरव्यू|साक्षात्कार|인터뷰|\bg[öo]r[üu][şs]mes?i?\b|\bvideocolloquio\b", 2.0, ""),
    (r"\bentrevista\s+(?:de\s+trabajo|de\s+emprego|t[ée]cnica|presencial|laboral)", 3.0, ""),
    (r"\bentrevista\b", 2.0, ""),
    (r"\bentretien\s+(?:d['’]embauche|de\s+recrutement|t[ée]l[ée]phonique|technique|rh)",
     3.0, ""),
    (r"\bentretien\b", 1.5, ""),
    (r"vorstellungsgespr[äa]ch|bewerbungsgespr[äa]ch|kennenlerngespr[äa]ch|fachgespr[äa]ch|"
     r"auswahlgespr[äa]ch|jobinterview|telefoninterview", 3.0, ""),
    (r"sollicitatiegesprek|kennismakingsgesprek|selectiegesprek", 3.0, ""),
    (r"\bcolloquio(?:\s+di\s+lavoro|\s+conoscitivo)?\b", 2.5, ""),
    (r"\bintervista\b", 1.0, ""),  # Italian uses it for the press; job talks are colloqui
    # Compounds (anställningsintervju, työhaastattelu) carry the word at their end.
    (r"rozmowa\s+(?:kwalifikacyjna|rekrutacyjna)|\bpohovor\b|intervju\b|haastattelu\b|"
     r"jobsamtale|\bm[üu]lakat\w*|i[şs]\s+g[öo]r[üu][şs]mesi|собеседование|συνέντευξη|"
     r"\bwawancara\b|співбесід\w*|\b(?:eerste|tweede|derde|laatste)\s+gesprek\b|"
     r"\b\d\.\s*gespr[äa]ch\b|\b(?:erstes|zweites|drittes)\s+gespr[äa]ch\b|phỏng\s+vấn|สัมภาษณ์|مقابلة|ראיון", 2.5, ""),
    (r"面接|面試|面试|면접|カジュアル面談|採用面談|選考", 3.0, ""),
    # The word in languages none of the corpora holds yet (Indic scripts have no \b: their
    # vowel signs are not word characters).
    (r"\binterviu\w*|\b(?:[áa]ll[áa]s)?interj[úu]\w*|\btemu\s*duga\b|\bpanayam\b|\busaili\b|"
     r"\brazgovor\w*\s+za\s+(?:posao|zaposlenje|službu)|\bzaposlitven\w*\s+razgovor\w*|"
     r"\bdarbo\s+pokalbi\w*|\bintervij\w*|\bинтервю\w*|\bсъбеседван\w*|\bинтервју\w*|"
     r"\bразговор\w*\s+за\s+посао|\batvinnuvi[ðd]t[ao]l\w*|\belkarrizketa\w*|\bсұхбат\w*|"
     r"\bsuhbat\w*|\bm[üu]sahib\w*|مصاحبه|انٹرویو|সাক্ষাৎকার|ইন্টারভিউ|நேர்காணல்|"
     r"ఇంటర్వ్యూ|मुलाखत|ਇੰਟਰਵਿਊ|ઇન્ટરવ્યૂ|ಸಂದರ್ಶನ|അഭിമുഖ|अन्तर्वार्ता|ინტერვიუ|"
     r"հարցազրույց", 2.0, ""),
)

# Steps of a hiring process that are named without the word interview.
HIRING_STEPS = _cues(
    (r"\b(?:phone|recruiter|technical|tech|coding|hm|hr|initial|intro|video|screening|"
     r"competency|culture|skills)[ -]?(?:screen|screening)\b|"
     r"\b(?:phone|video|zoom|teams|tel|hr|f2f|tech|panel)\s+int\b\.?", 2.5, ""),
    (r"\bscreening\s+call\b|\b(?:telefonische?|telef[óo]nic[ao]|t[ée]l[ée]phonique)\s+"
     r"(?:screening|intake|gesprek|selectie)\b", 2.5, ""),
    (r"\bhiring\s+(?:manager|team)\b|\bbar\s+raiser\b", 2.0, ""),
    (r"\bportfolio\s+(?:review|presentation)\b|\bcase\s+(?:study|interview)\b|"
     r"\bpair\s+programming\b|\bonline\s+assessment\b|\bcoding\s+(?:challenge|assessment)\b",
     1.5, ""),
    (r"\b(?:virtual\s+)?on-?site\b", 2.0, ""),
    (r"\bsuperday\b|\bassessment\s+(?:centre|center|day)\b", 3.0, ""),
    # The group exercise of a selection day, by its names.
    (r"\bdin[áâa]mica\s+de\s+grupo\b|\bgroup\s+(?:exercise|interview|assessment)\b|"
     r"\bgruppen(?:diskussion|aufgabe|[üu]bung)\b|\bentretien\s+collectif\b|"
     r"\bcolloquio\s+di\s+gruppo\b|\bgroepsopdracht\b|\bгрупповое\s+собеседование\b|"
     r"\bgrup\s+m[üu]lakat\w*|\bgroup\s+discussion\b|小组面试|グループ(?:面接|ディスカッション)|"
     r"그룹\s*면접|토론\s*면접", 2.0, ""),
    (r"\bpanel\b", 1.5, ""),
    (r"\bfinal\s+(?:round|interview|step|stage)\b", 2.5, ""),
    (r"\b(?:1st|2nd|3rd|\d+th|first|second|third|next|presentation|coding|technical|case|"
     r"behaviou?ral|culture|hr|interview)\s+round\b|\bround\s+\d+(?:\s+of\s+\d+)?\b|"
     r"\b(?:v[òo]ng|ronda|rodada|runde|ronde|etap|этап|tahap|a[şs]ama)\s*\d\b", 2.0, ""),
    (r"\btake[- ]?home\b", 2.5, ""),
    # A teacher's interview is a lesson taught to the panel.
    (r"\bteaching\s+(?:demo|demonstration|presentation)\b|\b(?:demo|sample|trial|model)\s+"
     r"(?:lesson|class|lecture)\b|\bcampus\s+interview\b|\blehrprobe\b|\bclase\s+(?:muestra|"
     r"demostrativa|de\s+prueba)\b|\baula\s+(?:teste|demonstrativa|de\s+teste)\b|"
     r"\ble[çc]on\s+d['’]essai\b|\blezione\s+(?:di\s+prova|simulata)\b|\bproefles\b|"
     r"\blekcja\s+pokazowa\b|\bоткрыт\w*\s+урок\w*|试讲", 2.0, ""),
    (r"\bteam[- ]match(?:ing)?\b", 2.5, ""),
    (r"\b(?:recruiter|recruiting)\s+(?:intro|call|chat|conversation|sync)\b|"
     r"\bintro(?:ductory)?\s+call\b", 2.5, ""),
    (r"\brecruit(?:er|ing)\b|\btalent\s+acquisition\b", 1.5, ""),
    (r"\bhirevue\b|\bkarat\b|\bcodesignal\b|\bcoderpad\b|\bhackerrank\b|\bcodility\b", 2.0, ""),
    (r"\b(?:live\s+coding|system\s+design|behaviou?ral)\b", 1.0, ""),
    (r"\bcoffee\s+chat\b", 0.5, ""),
    (r"\b(?:my\s+application|applied|job\s+application)\b", 1.5, ""),
    (r"\b(?:role|position|opening|req|vacancy|stelle|poste|vaga|puesto|vacature)\b", 1.0, ""),
    (r"\binternal\s+(?:candidate|mobility|transfer|applicant)\b", 3.0, ""),
    # Shorthand of people going through a process: a loop, a final, R3, an OA, a VO, HM.
    (r"\b(?:loop(?:\s+day)?(?!\s+(?:road|trail|ride|run|walk|hike|track|line))|"
     r"finals?(?!\s+(?:exams?|week|match|game|review|four|cut|draft))|r[1-6]|oa|vo|tps|f2f|hm|hiring\s+mgr|oral\s+board|"
     r"job\s+talk|chalk\s+talk|culture\s+fit|oci|ph\.?\s+screen|"
     r"(?:working|group|walk-?in|panel|stay)\s+interview)\b", 1.5, ""),
    # Trying the job out: a trial shift, a working day, a stage in a kitchen.
    (r"\bfiltro\s+telef[óo]nico\b|\btriagem\b|\btrial\s+(?:shift|day|run|na|no|in|at|@)\b|\bprobe(?:arbeit\w*|tag)\b|\bproefdag\b|"
     r"\bjour(?:n[ée]e)?\s+d['’]essai\b|\bd[ií]a\s+de\s+(?:prueba|experi[êe]ncia)\b|"
     r"\bdeneme\s+g[üu]n[üu]\b|\bstage\s+@|\bfinal\w*\s+секци\w*|\bфинал\w*", 2.0, ""),
    # Chinese names interview rounds by number or kind: 一面, 二面, 终面, HR面, 技术面, 群面.
    (r"(?:[一二三四五六终复初]|hr|技术|群|综合|业务|主管|总监)面(?!试官)|笔试", 2.5, ""),
    # The steps of hiring in other languages: the final round, an aptitude test, a trial day.
    (r"\b(?:endrunde|finalrunde|letzte[sn]?\s+runde|ronda\s+final|rodada\s+final|"
     r"(?:tour|entretien|entrevue)\s+final|dernier\s+(?:tour|entretien)|entrevista\s+final|"
     r"colloquio\s+finale|finale\s+ronde|laatste\s+ronde|final\s+m[üu]lakat|son\s+m[üu]lakat|"
     r"wawancara\s+(?:akhir|user|hr)|ph[ỏo]ng\s+v[ấa]n\s+(?:cu[ốo]i|v[òo]ng)|"
     r"fin[aá]ln[ií]\s+kolo|ostatni\s+etap|drugi\s+etap|kolejny\s+etap|sista\s+steget|"
     r"andra\s+steget)\b|최종\s*면접|最終選考|终面", 2.0, ""),
    (r"\b(?:einstellungstest|eignungstest|eignungsdiagnostik\w*|assessment[- ]?cent(?:er|re)|"
     r"aptitude\s+test|psychometric\w*|test\s+psychotechnique|prueba\s+psicot[ée]cnica|"
     r"teste\s+psicot[ée]cnico|test\s+attitudinal\w*|skills?\s+test|work\s+trial|paid\s+trial|"
     r"schnuppertag|probetag|giornata\s+di\s+prova|prova\s+pratica|dia\s+de\s+teste|"
     r"dzie[ńn]\s+pr[óo]bny|pr[óo]bny\s+dzie[ńn]|пробный\s+день|yetenek\s+testi|psikotes)\b|"
     r"適性検査|筆記試験|인적성|코딩\s*테스트|测评|试工|试岗|体験入社", 2.0, ""),
)

# Tests and exercises that a selection process sets, in many languages.
ASSESSMENT_WORDS = _cues(
    (r"(?<!blood\s)(?<!drug\s)(?<!covid\s)(?<!pcr\s)(?<!eye\s)(?<!hearing\s)"
     r"\b(?:online\s+)?(?:test|tes|teste|testi|s[ıi]nav\w*|тест\w*|prova|prueba|pr[óo]ba|"
     r"examen|exam|assessment|psikotes|case|exercise|roleplay|b[àa]i\s+test|"
     r"(?:jazda|prova)\s+(?:testowa|próbna|de\s+cozinha)|ćwiczeni\w*|übung|aufgabe|"
     r"scritta|pisemny|kirjalik|redacci[óo]n)\b", 1.0, ""),
)

# The owner applying for another job at their own employer: internal invites then count.
INTERNAL_APPLICATION = re.compile(
    r"\binternal\s+(?:candidate|mobility|transfer|applicant|application|interview|move)\b", re.I)

# Role titles, matched case-sensitively: "Staff Software Engineer", "HR Business Partner".
ROLE_TITLE = re.compile(
    r"\b(?:(?:[A-Z][\w/&+-]*|[a-z]{1,3}[A-Z]\w*)\s+){0,3}(?<!Hiring\s)"
    r"(?:Engineer|Developer|Designer|Analyst|Scientist|Researcher|Associate|Advocate|Architect|"
    r"Consultant|Recruiter|Accountant|Intern|Director|Specialist|Coordinator|"
    r"Nurse|Supervisor|Technician|Copywriter|Writer|Editor|Teacher|Instructor|Professor|Cook|"
    r"Chef|Driver|Cashier|Barista|Clerk|Assistant|Operator|Agent|Attendant|Mechanic|"
    r"Electrician|Pharmacist|Therapist|Hygienist|Auditor|Banker|Adviser|Advisor|Planner|"
    r"Buyer|Controller|Trainee|Apprentice|Operative|Strategist|Paralegal|Physician|Marketer|"
    r"Administrator|Executive|Representative|Officer|Partner|Manager|Programmer|Lead|"
    r"Entwickler\w*|Ingenieur\w*|Berater\w*|Desarrollador\w*|Ingeniero\w*|Ingénieur\w*|"
    r"Développeur\w*|Engenheir\w*)\b"
    # "Recruiter Screen" names a step of the process, not the job applied for.
    r"(?!\s+(?i:screen|call|chat|intro|sync|conversation))"
)

# Things called an interview that are not one in which the owner is a job candidate.
TITLE_NEGATIVES = _cues(
    (r"\b(?:exit|stay|leaver|offboarding)\s+interview|entrevista\s+de\s+(?:desligamento|salida)|"
     r"entretien\s+de\s+(?:d[ée]part|sortie)|austrittsgespr[äa]ch|exitgesprek|退職面談",
     -6.0, "a retention or exit conversation"),
    (r"\b(?:user|customer|research|discovery|usability|participant|stakeholder|"
     r"jtbd|switch)\s+(?:interview|session|call|study)|\buxr\b|\bux\s+research\b|"
     r"\buser\s+(?:research|study|test)\b|\busability\b|jobs[- ]to[- ]be[- ]done|\bjtbd\b|"
     r"\bthesis\b|\bdissertation\b|\bparticipant\b|\bfocus\s+group\b|\boral\s+history\b|"
     r"\btranscri(?:be|ption)\b|\bfamily\s+history\b|\beligibility\b|"
     r"\b(?:sleep|clinical|research|medical|drug|vaccine)\s+(?:\w+\s+)?(?:study|trial)\b|"
     r"\bfor\s+(?:a|my|the|our)?\s*(?:\w+\s+){0,2}project\b"
     r"(?!\s+(?:manager|lead|engineer|coordinator|director|analyst|management))",
     -6.0, "research, not hiring"),
    (r"\bpodcast\b|\bradio\s+(?:interview|show|segment)|\b(?:live|studio|on-?air)\s+interview\b|\b(?:press|media|tv|television|magazine|"
     r"newspaper)\s+(?:interview|appearance|call|segment)|\breporter\b|\bjournalist\b|"
     r"\bbroadcast\b|\bon\s+air\b|\bpanel\s+discussion\b|\bfireside\b|\bkeynote\b|"
     r"\blive\s+radio\b|"
     r"\b(?:imprensa|prensa|presse|stampa|jornal|peri[óo]dico|zeitung|newspaper|journal)\b|"
     r"\b(?:jornalista|periodista|journaliste|giornalista)\b",
     -6.0, "a media appearance"),
    (r"\bspeak(?:er|ing)\b|\bconference\b(?!\s+room)|\bmeetup\b|\bsummit\b|\bhackathon\b",
     -6.0, "an event, not an interview"),
    (r"\bmock\b|\bpractice\b|\bpramp\b|\bprep(?:aration)?\b(?!\s+(?:guide|doc|pack|materials))|"
     r"\binterview\s+prep\b|\bprepare\s+for\b|\b(?:career|interview|job)\s+coach\b|\bcoaching\b|"
     r"\bworkshop\b|\bwebinar\b|"
     r"\binterview(?:er|ing)?\s+training\b|\btraining\s+(?:session|course)\b|"
     r"\bshadow(?:ing)?\b|\bcertification\b|\bcalibration\b|"
     r"\bcourse\b|\bbootcamp\b", -6.0, "practice or training"),
    (r"\bdebrief\b|\bhiring\s+committee\b|\bhc\s+(?:review|meeting|sync)\b|\bhiring\s+sync\b|"
     r"\binterviewers?\b|面接官|\[hold\]|\bhold\s*[:\-–]|\byou\s+lead\b",
     -6.0, "interviewer-side"),
    (r"\bvisa\s+(?:interview|appointment)\b|\bconsulate\b|\bembassy\b|\bglobal\s+entry\b|"
     r"\btsa\b|\bnexus\b|\bsentri\b|\bimmigration\b|\buscis\b|\bnaturali[sz]ation\b|"
     r"\bgreen\s+card\b|\bcitizenship\b|"
     r"\bpassport\b", -6.0, "a government appointment"),
    (r"\bscholarship\b|\bco-?op\s+board\b|\bparents?\s+interview\b|\bkindergarten\b|"
     r"\bpre-?school\b|\bdaycare\b|\bschool\s+(?:tour|admission|interview)|\badmissions?\b|"
     r"\bmba\s+(?:interview|admissions?)\b|\bcollege\s+interview\b|\balumni\s+interview",
     -6.0, "an admissions interview"),
    (r"\breference\s+(?:call|check|survey|form|request)\b|\breference\s+for\b", -6.0, "a reference for someone else"),
    (r"\bonboarding\b|\bfirst\s+day\b|\borientation\b|\binduction\b|\boffer\s+walk-?through\b|\bdrug\s+(?:screen|test)\b|"
     r"\bbackground\s+check\b|\bnew\s+hire\b|\boffer\s+(?:signing|acceptance)\b",
     -6.0, "a post-offer step"),
    (r"\b(?:job|career|hiring)\s+(?:fair|expo)\b|\binfo(?:rmation)?\s+session\b|"
     r"\bcampus\s+recruiting\b|\bcareer\s+services\b|\bnetworking\s+event\b",
     -6.0, "a recruiting event, not an interview"),
    # Not "film" or "Netflix" alone: those are employers too.
    (r"\bmovie\b|\bwatch\s+party\b|\bscreening\s+of\b|\bthe\s+interview\s+\(\d{4}\)|"
     r"\binterview\s+(?:magazine|scene|episode|album)\b|\bscene\b|\bcivics\b|\bhomework\b|"
     r"\b(?:school|class|history|social\s+studies)\s+(?:project|assignment)\b|"
     r"\binterview\s+(?:st|street|ave|avenue|rd|road|room)\b",
     -6.0, "not about hiring"),
    (r"\b(?:annual|performance|mid-?year|year-?end)\s+review\b|jahresgespr[äa]ch|"
     r"mitarbeitergespr[äa]ch|zielvereinbarung|entretien\s+(?:annuel|individuel|professionnel)|"
     r"functioneringsgesprek|beoordelingsgesprek|evaluaci[óo]n\s+de\s+desempe[ñn]o|"
     r"valutazione\s+annuale|評価面談", -6.0, "a performance review"),
    (r"\b(?:nanny|babysitt\w*|sitter|childcare|au\s+pair|contractor|plumber|electrician|tenant|"
     r"roommate|caregiver|housekeeper|cleaner|tutor|dog\s+walker|handyman|painter|gardener|"
     r"builder)s?\b",
     -6.0, "the owner hiring help"),
    (r"\b(?!(?:today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
     r"this\s+week)['’]s)[a-z][\w-]*['’]s\s+(?:\w+\s+){0,2}(?:interview|onsite|screen|"
     r"superday|round)",
     -6.0, "someone else's interview"),
    (r"\b(?:his|her|their)\s+(?:\w+\s+)?(?:interview|onsite|superday)\b", -6.0,
     "someone else's interview"),
    # "Interview Sam for the role": the owner is the one asking the questions.
    (r"^interview(?:ing)?\s+[A-Z][a-z]+\s+(?:for|about|re)\b", -4.0,
     "the owner interviewing someone"),
    (r"^(?:prep(?:are)?|write|draft|send|schedule|book|transcribe|edit|email|follow\s+up)\b",
     -3.0, "a task about an interview"),
    (r"\binformational\s+interview\b|\bnetworking\b", -2.5, "networking"),
    (r"\boffer\s+(?:call|discussion|negotiation|review|letter)\b|\bsalary\s+negotiation\b",
     -4.0, "a post-offer step"),
    (r"\bthank[- ]you\s+(?:note|email|letter)\b|\bfollow[- ]up\s+email\b", -3.0,
     "a follow-up task"),
    (r"(?<!internal\s)\bcandidat(?:[oae]s?|s)?\b|\bkandydat\w*|\bbewerber\w*|"
     r"\bкандидат\w*|\bkandidaat\b", -1.5, "about a candidate"),
)

# The same kinds of negative in other languages' words, and a cancelled event's title.
# (Weights are learned: the numbers here are only the hand-set fallback's.)
TITLE_NEGATIVES_WORLD = _cues(
    (r"\b(?:annuel\w*|annual\w*|annuale|anual|j[äa]hrlich\w*|roczn\w*|jaarlijks\w*|ежегодн\w*|"
     r"y[ıi]ll[ıi]k|[åa]rlig\w*|valutazione|beoordeling\w*|appraisal)\b|年度|연간",
     -6.0, "a performance review"),
    (r"(?:interview|gespr[äa]ch|gesprek|entrevista|colloquio|entretien|собеседовани\w*|"
     r"співбесід\w*)\b.{0,30}?\b(?:pick\s+up|drop\s+off|drive|lift|ride|bahnhof|station|"
     r"abholen|ophalen|lenen|recoger|buscar|prendere|accompagn\w*)|"
     r"\b(?:допомогти|помочь|помогти|pom[óo]c|pom[óo]ż)\b", -6.0, "someone else's interview"),
    (r"\bpr[óo]bn\w*\s+rozmow\w*|\bpodwy[żz]\w*|\braise\b|\bgehaltserh[öo]hung\w*|"
     r"\baumento\s+(?:de\s+)?(?:sueldo|salario|salarial)|\baugmentation\b|\bloonsverhoging\b|"
     r"\bприбавк\w*|\bповышени\w*", -6.0, "a performance review"),
    (r"\b(?:nann(?:y|ies)|няни|няня|нянь\w*|nounou|ni[ñn]era|bab[áa]|kinderm[äa]dchen|oppas|"
     r"tata|au\s+pair|babysitter|сиделк\w*|domestic\s+helper)\b",
     -6.0, "the owner hiring help"),
    (r"\b(?:con|with|mit|avec|met)\s+(?:la|el|il|der|dem|le|de|the)?\s*(?:tutor[ae]?|maestr[ao]|"
     r"profesor[ae]?|insegnante|lehrer\w*|enseignant\w*|leraar|teacher|mentor)\b|"
     r"(?<!\()\bclient[ei]?\b(?!\s*:|\s+interview)|\bdue\s+diligence\b|\bcommercialist\w*|\bsteuerberat\w*|"
     r"\bnotai?o\b|\bnotaire\b|\beredi\b|\bsuccessione\b|\berbschaft\b|\bherencia\b|\bprobate\b|"
     r"\bentretien\s+(?:de\s+la\s+|du\s+|des\s+|de\s+l['’])?(?:chaudi[èe]re|voiture|v[ée]lo|"
     r"jardin|piscine|climatisation|ascenseur|v[ée]hicule|moto|chauffage)",
     -6.0, "not about hiring"),
    (r"\boffer\b|\berbjudande\b|\bпредложени\w*\s+о\s+работе|\bk[ýy]\s+h[ợo]p\s+[đd][ồo]ng|"
     r"\bpodpisani\w*\s+umow\w*|\bcontract\s+signing|\bsign(?:ing)?\s+(?:the\s+)?contract|"
     r"\bvertragsunterzeichnung|\bsignature\s+du\s+contrat|\bfirma\s+(?:del|de)\s+contrato|"
     r"\boferta\s+(?:de\s+)?(?:trabajo|emprego)|\bofferta\s+di\s+lavoro|\bs[öo]zle[şs]me\w*",
     -6.0, "a post-offer step"),
    (r"\bresign\w*|\bwypowiedzeni\w*|\bk[üu]ndigung\w*|\bd[ée]mission\b|\brenuncia\b|"
     r"\bupps[äa]gning\w*|\bistifa\w*|\bувольнени\w*|\bdimission\w*|\bopzegging\b",
     -6.0, "a retention or exit conversation"),
    (r"\bwish\s+\w+\s+luck\b|\b\w+\s+ka\s+interview\b|"
     r"\b(?:interview|entrevista|entretien|colloquio|entrevue)\s+(?:de|di|du|d['’]|von|van)\s*"
     r"(?-i:[A-Z])\w+|\bна\s+собеседовании\b",
     -6.0, "someone else's interview"),
    (r"^\W*(?:research|read|review|study|practi[cs]e|prep)\b|\bподготовк\w*|\bпрактик\w*",
     -3.0, "a task about an interview"),
    (r"\bmentor\w*|\balum(?:ni|nus|na)?\b|\bex-?colleague\b|\binformational\b|"
     r"\bcoffee\s+chat\b(?!.*\b(?:hiring|process|round|loop|recruit\w*)\b)",
     -2.5, "networking"),
    (r"\bthe\s+band\b|\bconcert\b|\bgig\b|\btickets?\b|\bparty\b|\bfestival\b",
     -6.0, "not about hiring"),
    (r"\bapplicant\b|\bsit\s+in\b|\bcalon\b|\ba\s+candidat[oa]\b|\bafnemen\b",
     -6.0, "interviewer-side"),
    (r"\bopen\s+(?:day|house)\b|\bdzie[ńn]\s+otwarty\b|\btag\s+der\s+offenen\b|"
     r"\bportes\s+ouvertes\b|\bpuertas\s+abiertas\b|\bcareer\s+day\b|\btargi\s+pracy\b|"
     r"\bjobmesse\b|\bsalon\s+de\s+l['’]emploi\b|\bferia\s+de\s+empleo\b",
     -6.0, "a recruiting event, not an interview"),
    (r"\btf[gm]\b|kh[óo]a\s+lu[ậa]n|lu[ậa]n\s+v[ăa]n|\btesis\s+(?:de|doctoral)\b|\btesi\b|\bth[èe]se\b|"
     r"abschlussarbeit|bachelorarbeit|masterarbeit|\bskripsi\b|\bdiplomov\w*|\bmagisterk\w*|"
     r"người\s+tiêu\s+dùng|\bconsumer\s+interview",
     -6.0, "research, not hiring"),
    (r"\b(?:you\s+are|you['’]re)\s+(?:a\s+|the\s+)?(?:panelist|interviewer|chair\w*|on\s+the\s+panel|"
     r"interviewing|hosting)|\bpanelists?\b|\bapplicants\b|\bcandidates\b|\bcandidate\s*#|"
     r"\bintake\b|\bsourcing\b|\bkick-?off\b|\bpipeline\b|候选人|面试官|候補者|지원자|면접관|"
     r"\bkandidat(?:intervju|samtal|gesprek)|\bgesprek\s+kandidaat|\bz\s+kandydat\w*|"
     r"^\W*interview\s+panel\b|مرشح|उम्मीदवार|מועמד|ผู้สมัคร|داوطلب|\b[ứu]ng\s+vi[êe]n\b|"
     r"\bcon\s+(?:el|la)\s+candidat[oa]|\bcandidat[oa]\s*:|\bavaliar\s+candidat[oa]",
     -6.0, "interviewer-side"),
    (r"\b\w+\s+has\s+(?:a\s+|an\s+|the\s+|his\s+|her\s+|their\s+)?(?:\w+\s+){0,2}"
     r"(?:interview|final\s+round|onsite|superday)", -6.0, "someone else's interview"),
    (r"^\W*(?:todo|to\s*do|reminder|remind\s+me)\b", -3.0, "a task about an interview"),
    (r"\bsource\s+interview\b|\bon\s+the\s+record\b|\bep(?:isode)?\.?\s*\d+|\bguest\b|"
     r"\bhosting\b|\bstory\b|\bsegment\b|\bon-?air\b|\bpre-?tape\b",
     -6.0, "a media appearance"),
    (r"\bwitness\b|\bpolice\b|\bdetective\b|\binvestigat\w*|\bstatement\b|\bincident\b|"
     r"警察|警方|派出所|경찰|\bполици\w*|\bполіці\w*|\bpolic[íi]a\b|\bpolizei\w*|\bpolitie\b|"
     r"\bpolis\b|\bpolicji\b|شرطة|पुलिस|\bembajada\b|\bembaixada\b|\bambassade\b|\bbotschaft\b|"
     r"\bambasada\b|\bпосольств\w*|大使馆|大使館|대사관|\bkonsulat\w*|\bconsulado\b|领事馆|"
     r"\bv[íi]ctima\b|\bvictim\b|\btestigo\b|\btestemunha\b|\bzeug(?:e|in)\b|"
     r"\bvize\b|签证|ビザ|비자|\bвиз\w*|تأشيرة|\bcourt\b|\btribunal\b|\bcomisar[íi]a\b|"
     r"\bcommissariat\b|\bpolizeirevier\b|\bvernehmung\b|\bt[ée]moin\b|\bдопрос\w*|\bсвидетел\w*|"
     r"\bdelegacia\b|\bquestura\b|\bcarabinieri\b|\bzeugenaussage\b|\bdeclaraci[óo]n\b|"
     r"\btestimonio\b|\bkarakol\w*|\btanık\w*|\bświadek\b|\bprzesłuchani\w*",
     -6.0, "a government appointment"),
    (r"\bvendor\b|\brfp\b|\bsupplier\b|\bprocurement\b|\blandlord\b|\bviewing\b",
     -6.0, "not about hiring"),
    (r"\bvolunteer\w*|\bb[ée]n[ée]vol\w*|\bvoluntari\w*|\behrenamt\w*|\bwolontari\w*|"
     r"\bg[öo]n[üu]ll[üu]\w*|\brelawan\b|\bsukarelawan\b|\bt[ìi]nh\s+nguy[ệe]n\b|ボランティア|"
     r"志愿|義工|义工|자원\s*봉사|\bволонт[её]р\w*|متطوع\w*|स्वयंसेव|\bfrivillig\w*|"
     r"\bvapaaehto\w*|\bvrijwillig\w*|\bdobrovol\w*|\b[öo]nk[ée]ntes\w*",
     -6.0, "unpaid volunteering"),
    (r"\bundergraduate\b|\bschool\s+of\b|\bprogram(?:me)?\s+interview|\bfellowship\s+committee\b|"
     r"\bfaculty\s+of\b|\bpgp\b|\bmmi\b|\bmedical\s+school\b",
     -6.0, "an admissions interview"),
    (r"^\W*(?:cancel+ed|canceled|annul[ée]e?|annullat[oa]|abgesagt|storniert|cancelad[oa]|"
     r"geannuleerd|afgelast|inst[äa]llt|odwo[łl]an[aey]|zru[šs]en[oa]?|iptal|отмен\w*|"
     r"скасован\w*|h[ủu]y|batal|dibatalkan|取消|キャンセル|中止|취소|ملغ[يى]|ألغي\w*|"
     r"רדוק|מבוטל)\b|\b(?:cancel+ed|canceled|annul[ée]e?|abgesagt|cancelad[oa]|annullat[oa])\s*$|"
     r"\b(?:cancel+ed|canceled|cancelad[oa]|annul[ée]e?|annullat[oa]|abgesagt|odwo[łl]an[aey]|"
     r"отмен[её]н\w*|iptal\s+edildi)\b",
     -6.0, "cancelled"),
    (r"模拟|模擬|練習|연습|모의|simulacro|simulaci[óo]n|simulazione|simula[çc][ãa]o|"
     r"simulation|\bprovas[ıi]\b|hazırlık|latihan|\bthử\b|\bl[uy]ện\b|"
     r"pr[ée]par(?:ar|er|e|ing|ation)\b|rehears\w*|répétition|ensayo|пробн\w*|репетиц\w*|мок|"
     r"тренировк\w*|تدريب|تحضير|复盘|振り返り|面接対策|対策講座|面试辅导|面试培训|辅导|講座|"
     r"मॉक|अभ्यास|ฝึก|จำลอง|\bsimulasi\b|\btreino\b|"
     r"\bpr[óo]ba\s*interj[úu]\w*|תרגול|סימולציה|تمرين|محاكاة|\bdeneme\s+m[üu]lakat\w*|"
     r"\b[üu]bungs\w*|\bprobeinterview\w*|\bensaio\b|\besercitazione\b|\bentretien\s+blanc\b|"
     r"\bprobe-?(?:interview|gespr[äa]ch|vorstellungsgespr[äa]ch)\w*|\bsimulat[oa]\b|"
     r"\bde\s+pr[áa]ctica\b",
     -6.0, "practice or training"),
    (r"\b(?:help|helping|ayudar|ajudar|aiutare|helfen|aider|bantu|accompagn\w*|acompa[ñn]ar|"
     r"begleiten|drive|drop\s+off|pick\s+up|lenen|помочь|помогти|отвезти|"
     r"مساعدة|توصيل)\b.{0,40}(?:interview|entrevista|colloquio|entretien|gespr[äa]ch|"
     r"собеседован|مقابل)|帮\S{0,6}面|送\S{0,6}面|태워",
     -6.0, "someone else's interview"),
    (r"\b(?:beca|beasiswa|bolsa|stipendium|borsa\s+di\s+studio|bourse|scholarship|admisi[óo]n|"
     r"admiss[ãa]o|ammissione|zulassung|入学|입학|大学院|гимнази\w*|школ\w*|поступлени\w*|"
     r"القبول|جامعة|universit\w*|master|mba|maestr[íi]a|doctorado|mestrado|doutorado|"
     r"yüksek\s+lisans|burs|studienplatz|na\s+studia|magistratur\w*|магистратур\w*|"
     r"аспирантур\w*|aufnahmegespr[äa]ch|doktorat\w*)\b|考研|保研|研究生|入試|입시|대학원",
     -6.0, "an admissions interview"),
    (r"\b(?:blog|revista|rivista|zeitschrift|tv|télé|televisi[óo]n|canal|kanal|"
     r"канал|телевиден\w*|قناة|تلفزيون\w*|diputad[oa]|deputado|nota\b|reportaje|reportagem)\b|"
     r"采访|专访|記者|记者|取材|기자|언론|ラジオ|라디오|电台|\bрадио\b|\bradyo\b|"
     r"\b(?:a|alla|à\s+la|en\s+la|im|na|no|in|on(?:\s+the)?|w)\s+r[áa]di[oóu]\b|"
     r"\b(?:para|per|pour|f[üu]r|voor|dla|для|for|com|con|avec|mit|met|z|с|dengan|ile)\s+"
     r"(?:la\s+|el\s+|il\s+|le\s+|die\s+|den\s+|de\s+|het\s+|the\s+|o\s+|a\s+)?(?:radio|radia|"
     r"радио|tv|tele\w*|giornale|journal|krant|zeitung|peri[óo]dico|jornal|gazet\w*|газет\w*|"
     r"revista|rivista|magazine|podcast|blog|journalist\w*|journaliste|giornalista|periodista|"
     r"jornalista|dziennikar\w*|журналист\w*|gazeteci\w*|wartawan|jurnalis|reporter\w*)\b|"
     r"\bkrant\b|\bgiornale\b|\bgazet[ae]\w*|\bгазет\w*|\bwartawan\b|\bjurnalis\b|"
     r"\bdziennikar\w*|\bжурналист\w*|\bgazeteci\w*|\br[öo]portaj\w*|\bwywiad\s+dla\b",
     -6.0, "a media appearance"),
)

# Family and friends: "my son's interview", "entrevista de mi hija", "老公面试". The detector
# reads these with an interview word in the title as someone else's interview. ("Partner",
# "Frau", "Mann" are left out: a partner round, Frau Schmidt.)
FAMILY = re.compile(
    r"(?:\b(?:my|our|his|her)\s+son\b|\bson['’]s\b)|"
    r"\b(?:daughter|husband|wife|boyfriend|girlfriend|mom|mum|mother|dad|father|brother|"
    r"sister|kids?|child|nephew|niece|cousin|roommate|hijo|hija|esposo|esposa|marido|novio|"
    r"novia|hermano|hermana|mam[áa]|pap[áa]|filho|filha|namorad[oa]|irm[ãa]o?|fils|fille|"
    r"(?:mon|son)\s+mari|copain|copine|fr[èe]re|s[œo]eur|sohn|tochter|bruder|schwester|"
    r"figlio|figlia|marito|"
    r"moglie|fratello|sorella|zoon|dochter|broer|zus|syn(?:a|em|owi)?|c[óo]rk[aięą]|m[ęą][żz]\w*|"
    r"[żz]on[aąyie]|сын(?:а|ом|у)?|доч(?:ь|ери|ерью|ка|ки|ке)|муж(?:а|ем|у)?|брат(?:а|ом|у)?|"
    r"сестр(?:а|ы|ой|е|у)|o[ğg]l(?:um|u)\w*|k[ıi]z[ıi]m\w*|e[şs]im\w*|karde[şs]\w*|anak(?:ku)?|"
    r"suami(?:ku)?|istri(?:ku)?|adik(?:ku)?|con\s+trai|con\s+gái|chồng|vợ)\b|儿子|女儿|老公|老婆|丈夫|妻子|弟弟|妹妹|哥哥|姐姐|表哥|表姐|息子|"
    r"아들|딸|남편|아내|동생|ابني|ابنتي|زوجي|زوجتي|أخي|أختي|बेटे|बेटी|पति|पत्नी|भाई|बहन", re.I)
# What one does for someone else's interview: drive them, keep the house quiet.
FOR_SOMEONE = re.compile(
    r"\b(?:drive|drop|pick|take|wish)\s+(?:him|her|them)\b|\bkeep\s+(?:the\s+)?(?:kids|house|"
    r"dog)\s+quiet\b|\b(?:his|her|their)\s+(?:first|second|final|big)\b", re.I)

# --- Description cues ----------------------------------------------------------------------

# Wording addressed to a candidate.
CANDIDATE_SIDE = _cues(
    (r"\byour\s+(?:\w+\s+)?(?:interview|application|candidacy|onsite|phone\s+screen)\b|"
     r"\bthanks?\s+(?:you\s+)?for\s+(?:applying|your\s+(?:application|interest))\b|"
     r"\byou\s+applied\b|\bi\s+applied\b|\bapplied\s+(?:for|to)\b|"
     r"\bteam\s+you['’]d\s+be\s+joining\b|"
     r"\b(?:position|role|opening|req)\s+(?:and\s+your\s+background|on\s+our\s+team|at\s+\w+)\b|"
     r"\binterview\s+schedule\b|\bcandidate\s+(?:home|profile|experience|support|itinerary)\b|"
     r"\binternal\s+(?:job\s+board|mobility|candidate)\b|\bapplication\s+process\b|"
     r"\bbewerbung\b|\bihre\s+unterlagen\b|\bvotre\s+(?:entretien|candidature)\b|"
     r"\bcandidature\b|\bproceso\s+de\s+selecci[óo]n\b|\btu\s+(?:entrevista|postulaci[óo]n)\b|"
     r"\bvaga\b|\bsollicitatie\b|応募|選考|面接|"
     r"\b(?:su|tu|sua|la\s+sua|uw|je|jouw|twoj[aą]|pana|pani)\s+(?:candidatura|sollicitatie|"
     r"aplikacj\w*|kandydatur\w*)\b|\bваш\w*\s+(?:резюме|отклик\w*|кандидатур\w*)|"
     r"\bba[şs]vurunuz\w*|\blamaran\s+(?:anda|kamu)\b|\bh[ồo]\s+s[ơo]\s+[ứu]ng\s+tuy[ểe]n\b|"
     r"应聘|投递|지원해\s*주셔서|지원서",
     1.5, ""),
    (r"\b(?:talent\s+acquisition|recruiting\s+coordinator|recruiter|campus\s+recruiting|"
     r"hiring\s+team|the\s+\w+(?:\s+\w+){0,4}\s+(?:position|role|opening|req))\b", 1.0, ""),
    (r"\bcongrat(?:s|ulations)\s+on\b|\bwhat\s+you['’]re\s+looking\s+for\b|"
     r"\bexcited\s+to\s+(?:host|meet)\s+you\b|\bmoving\s+forward\b|\bselected\s+for\b|"
     r"\byour\s+questions\b|\bwas\s+ist\s+ihnen\s+wichtig\b", 1.0, ""),
    (r"\binterview(?:s)?\b|\bentrevista\b|\bentretien\b|gespr[äa]ch\b", 0.5, ""),
)

# Hiring steps named in a description (a private block often hides them there).
DESCRIPTION_STEPS = _cues(
    (r"\b(?:phone|recruiter|technical|tech|coding|hm|hiring\s+manager)\s+"
     r"(?:screen|screening|call|chat|interview)\b|\bphone\s+interview\b|\bfinal\s+round\b|"
     r"\btake[- ]home\b|\bteam\s+match(?:ing)?\b|\b(?:virtual\s+)?onsite\b|\bsuperday\b",
     1.0, ""),
)

# Wording addressed to an interviewer; decisive when the invite is internal to the owner.
INTERVIEWER_SIDE = _cues(
    (r"\bcandidate\s*#|\bapplicants\b|\bcandidates\b|\bto\s+evaluate\b|\bevaluation\s+form\b|"
     r"\byou\s+are\s+(?:chairing|on\s+the\s+panel|a\s+panelist|interviewing)|\bsourced\b|"
     r"\b(?:added|assigned|booked|scheduled|invited)\s+as\s+(?:an?\s+|the\s+)?"
     r"(?:interviewer|panel(?:ist|\s+member)|assessor|evaluator)\b|\bprospect\b|"
     r"\bpipeline\b|\bshortlist\w*|\bhiring\s+decision\b|"
     r"你被安排为|评估表|평가표|\bbedömning\b|\bbewertungsbogen\b", -4.0,
     "interviewer-side wording"),
    (r"\binterview\s+kit\b|\bscorecards?\b|\bfeedback\s+form\b|"
     r"\b(?:submit|leave|complete|enter)\s+(?:your\s+)?(?:feedback|scorecard|notes)\b|"
     r"\brubric\b|\byou['’]re\s+scheduled\s+to\s+interview\b|\byour\s+module\b|"
     r"\bcandidate\s*:|\bcall\s+(?:the\s+)?candidate\b|\bcandidate\s+will\b|"
     r"\bcandidate['’]s\b|\bcandidate\s+resume\b|\b(?:download|view)\s+resume\b|"
     r"\bmark\s+advance\b|\bhire\s*/\s*no\s+hire\b|\bdebrief\b|\byou\s+lead\b|"
     r"評価シート|候補者|\bbewerber(?:in)?\s*:|\bcandidat\s*:|"
     r"\byour\s+open\s+.{0,40}?\breq\b|\blog\s+notes\s+in\b|\bhold\b\s*[—–-]|"
     r"\binterview(?:er)?\s+(?:guide|plan|packet)\s+for\b|\bhiring\s+panel\b|"
     r"\bplease\s+review\s+(?:the\s+)?(?:candidate|applicant)|\b(?:kandydat\w*|кандидат\w*|"
     r"aday|candidato|candidata|kandidaat|kandidat)\s*:|\bgrille\s+d['’][ée]valuation\b|"
     r"\bfiche\s+d['’][ée]valuation\b|\bscheda\s+di\s+valutazione\b|\bficha\s+de\s+avalia[çc][ãa]o\b|"
     r"\barkusz\s+oceny\b|\bлист\s+оценки\b|\bde[ğg]erlendirme\s+formu\b|\bformulario\s+de\s+"
     r"evaluaci[óo]n\b",
     -4.0, "interviewer-side wording"),
)

# The people who hire, in other languages: a recruiter, a hiring manager.
HIRERS_PATTERN = (
    r"\b(?:reclutador\w*|recrutador\w*|recruteu(?:r|se)s?|rekruter\w*|rekrutacj\w*|"
    r"рекрутер\w*|headhunter\w*|selezionat(?:ore|rice)|personalvermittl\w*|"
    r"i[şs]e\s+al[ıi]m\w*|perekrut\w*|nh[àa]\s+tuy[ểe]n\s+d[ụu]ng)\b|"
    r"招聘(?:官|专员|经理|负责人)?|猎头|採用担当|人事担当|채용\s*담당\w*|인사\s*담당\w*|"
    r"\b(?:responsable|charg[ée]e?)\s+(?:du\s+|de\s+)?recrutement\b|"
    r"\b(?:gerente|responsable)\s+de\s+(?:contrataci[óo]n|selecci[óo]n)\b|"
    r"\bgestor[a]?\s+(?:da\s+vaga|de\s+contrata[çc][ãa]o)\b|用人经理|部门面|"
    r"\bfachbereichs?\w*|\bpersonalverantwortlich\w*|\bteamleadern?\b|\brecrutor\w*|"
    r"\btoborz[óo]\w*|\bn[áa]bor\w*|מגייס\w*|استخدام|توظيف|"
    r"الموارد\s+البشرية|भर्ती|สรรหา|รับสมัคร|\bpengambilan\b|\bпрофесионал\w*\s+по\s+подбор\w*|"
    r"\bподбор\w*\s+персонал\w*|\bhr[- ]?(?:menedzser|manager|partner)\b"
)
HIRERS = re.compile(HIRERS_PATTERN, re.I)

# What a job application brings along, in the owner's own notes: the post, a CV, references.
JOB_WORDS = _cues(
    (r"\b(?:position|role|job|vacancy|opening|puesto|poste|vaga|stelle|functie|posizione|"
     r"stanowisk\w*|prac[aęy]|pracy|позици\w*|ваканси\w*|pozisyon|lowongan|posisi)\b|"
     r"职位|岗位|ポジション|직무|\bcv\b|\br[ée]sum[ée]\b|lebenslauf|curr[íi]cul\w*|"
     r"\bcall\s+letter\b|\breferences\b|\bhr\b|\brh\b|\bhiring\b|\bhr面|"
     r"\bkandidat\w*|\bcandidat[oa]\b|\bbewerb\w*|\bsollicit\w*|\bapplied\b|\bpostul\w*|"
     r"\bsalary\b|\bctc\b|\bnotice\s+period\b|期望薪资|到岗|履歴書|이력서|резюме",
     1.0, ""),
    # Recruitment and selection, and the stages of it, in many languages.
    (r"\brekrutac\w*|\brecrut\w*|\breclut\w*|\brecruitment\b|\bselezion\w*|\bselecci[óo]n\b|"
     r"\bsele[çc][ãa]o\b|\bseletiv\w*|\bотбор\w*|\btuy[ểe]n\w*|\brekrutmen\b|\bi[şs]e\s+al[ıi]m\w*|"
     r"\bkonkurs\w*|\bvacante\b|\bilan[ıi]?\b|\bba[şs]vuru\w*|\bs[öo]kt\b|\btj[äa]nsten\b|"
     r"\bauswahl(?:verfahren|prozess|tag)\b|\bbewerbungsverfahren\b|\bprocessus\s+de\s+recrutement\b|"
     r"\bametikoh\w*|\bpsikotes\b|\bogłoszeni\w*|\bzgłoszeni\w*|"
     r"\b(?:etap\w*|stage|tahap|a[şs]ama\w*|v[òo]ng|voor|runde|ronde|ronda|fase|etapa|steg(?:et)?|stufe|"
     r"этап\w*|step)\s*(?:\d|i{1,3}\b|ko[ńn]cow\w*|final\w*)|\b(?:second|final|last|ostatni|"
     r"drugi|segunda|segundo|secondo|zweite|andra|sista|teine|второй|последний|kolejny)\s+"
     r"(?:stage|step|round|etap|fase|etapa|step|steget|runde|этап)\w*", 1.0, ""),
    (HIRERS_PATTERN, 1.0, ""),
)

# Links and sender names of candidate-facing hiring systems.
PLATFORM_LINKS = _cues(
    (r"hirevue\.com|karat\.io|codesignal\.com|coderpad\.io|hackerrank\.com|codility\.com|"
     r"calendly\.com|\bcandidate\s+home\b|ashbyhq\.com|jobs\.lever\.co|myworkday\.com|"
     r"smartrecruiters\.com", 1.0, "a hiring system"),
)

# Non-hiring contexts spelled out in a description.
DESCRIPTION_NEGATIVES = _cues(
    (r"\bpodcast\b|\bradio\b|\breporter\b|\bjournalist\b|\bcomms\s+will\b|\bproducer\s+will\b|"
     r"\brecording\s+with\s+the\s+host\b|\busability\b|\buser\s*testing\b|\bconsent\s+form\b|"
     r"\birb\b|\bgift\s+card\b|\bpractice\s+(?:only|interview|session)\b|\bpeer\s+practice\b|"
     r"\bmock\b|\bexit\s+interview\b|\bregretted\b|\boffboarding\b|\bds-160\b|"
     r"\bconsulate\b|\bessays\b|\breference\s+for\b|\bbadge\s+pickup\b|"
     r"\bas\s+(?:a|his|her|their)\s+(?:professional\s+)?reference\b|"
     r"\b(?:undergraduate|mba|college|school|graduate)\s+admissions?\b|\bfellowship\s+committee\b|"
     r"\bmultiple\s+mini\s+interview|\bcome\s+on\s+the\s+(?:programme|program|show)\b|"
     r"\bentering\s+class\b|\bclass\s+of\s+20\d\d\b|"
     r"\bwalk\s+you\s+through\s+(?:your|the)\s+offer\b|\bfirst\s+paid\s+shift\b|"
     r"\bcongratulations\s+on\s+your\s+new\b|\b(?:retained|executive)\s+search\b|"
     r"\bbenefits\s+enrollment\b|\bdonor\s+pass\b|\bjob\s+fair\b|\bno\s+interviews\s+on\s+site\b|"
     r"\bpackets\b|\bcoaching\b|\binterview\s+guide\b|\bdiscovery\s+interview\b|"
     r"\bswitch\s+interview\b|\bnot\s+a\s+performance\s+review\b|"
     r"selbsteinsch[äa]tzung|\bbilan\s+de\s+l['’]ann[ée]e\b|\bdiscuss\s+the\s+candidate\b",
     -2.5, "not a hiring interview"),
)

# An interview called off, as the description says it.
CANCELLED = _cues(
    (r"\b(?:have|need|had)\s+to\s+(?:cancel|call\s+off|postpone)\b|"
     r"\b(?:cancel|cancelling|canceling)\s+(?:the|your|our|this|tomorrow['’]s|today['’]s)\b|"
     r"\bhiring\s+freeze\b|\b(?:role|position|vacancy|req\w*|opening|search)\s+(?:has\s+been|was|is)\s+"
     r"(?:filled|put\s+on\s+hold|on\s+hold|closed|cancell?ed|withdrawn)|\bput\s+on\s+hold\b|"
     r"\bannuler\b|\bcombl[ée]\b|\babsagen\b|\bcancelar\b|\bannullare\b|\bafzeggen\b|"
     r"\bodwo[łl]a[ćc]\b|\bотменить\b|\biptal\s+etmek\b|\bh[ủu]y\s+b[ỏo]|\bmembatalkan\b",
     -3.0, "the interview is called off"),
)

# Booking pages write who booked a slot into the event: the host is whoever did not.
BOOKER = re.compile(r"\b(?:booked\s+by|invitee(?:\s+email)?\s*:)[^@]{0,120}?"
                    r"(?P<address>[\w.+'-]+@[\w-]+(?:\.[\w-]+)+)", re.I)

# A title that only says "a call", "a coffee", "a chat" with someone: what it is about is in
# the description.
TALK_TITLE = re.compile(
    r"\b(?:call|phone\s+call|chat|coffee|zoom|teams|meet|meeting|catch[- ]?up|video\s+call|"
    r"kaffe|fika|kennenlernen|gespr[äa]ch|telefonat|anruf|rozmowa|spotkanie|llamada|"
    r"videollamada|charla|appel|caf[ée]|conversa|videochamada|liga[çc][ãa]o|chiamata|"
    r"telefonata|gesprek|samtal|звонок|созвон|встреча|g[öo]r[üu][şs]me|telefon)\b|"
    r"通话|電話|面談|통화|미팅", re.I)

# Titles that cover what an event is (the description says): an appointment, a hold, a
# block, time off, in the languages of the tables. Matched on the whole title.
COVER_TITLE = re.compile(
    r"(?:(?:personal|private|privat|priv[ée]|personnel|persoonlijk|personale|"
    r"dr|doctor|doctor['’]?s|dentist|dental|medical|bank|car)\s+)?"
    r"(?:appt|appointment|app|rdv|rendez\s+vous|termin|cita|afspraak|appuntamento|consulta|"
    r"hold|on\s+hold|busy|occupied|blocked|block|blocker|blocked\s+time|do\s+not\s+book|dnd|"
    r"ooo|out\s+of\s+office|off|away|pto|errand|errands|focus|focus\s+time|deep\s+work|"
    r"lunch|long\s+lunch|break|personal|private|privat|priv[ée]|personnel|persoonlijk|"
    r"dentist|doctor|dr|physio|vet|gym|haircut|meeting|call|phone\s+call|tbd|misc|"
    r"zahnarzt|arzt|besetzt|dentista|m[ée]dico|m[ée]decin|dentiste|occup[ée]|ocupad[oa]|"
    r"tandarts|tandl[äa]kare|dentysta|di[şs][çc]i|стоматолог|врач|занят\w*|"
    r"歯医者|病院|私用|用事|치과|병원|개인\s*일정|牙医|看牙|私事|有事|"
    r"[İi]zin|janji|urusan|nha\s+s[ĩi]|b[ậa]n|طبيب\s+أسنان|مشغول|मीटिंग)"
    r"(?:\s+(?:\d+|ii|2))?",
    re.I)
COVER_TITLES = re.compile(rf"(?:{COVER_TITLE.pattern})(?:\s+(?:{COVER_TITLE.pattern})){{0,2}}", re.I)

# --- Text shapes ---------------------------------------------------------------------------

HTML_TAG = re.compile(r"<[^>]+>")
# Mail-client prefixes that say nothing about the event.
TITLE_PREFIX = re.compile(
    r"^\s*(?:(?:updated\s+)?invitation|accepted|tentative|declined|cancell?ed\s+event|fwd?|re)"
    r"\s*:\s*", re.I)
# The date an invitation mail adds to its subject: "… @ Thu Feb 8, 2024 3pm - 3:45pm (EST)".
TITLE_WHEN = re.compile(r"\s+@\s+(?:mon|tue|wed|thu|fri|sat|sun)\w*\s+\w+\s+\d{1,2},?\s+\d{4}\b.*$",
                        re.I)
# Searched from the start of a run of address characters only: the same matches, in linear
# time (from every position inside a long run the search would rescan the run: quadratic).
ADDRESS = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
WORD_TOKEN = re.compile(r"[^\W_]+(?:['&.-][^\W_]+)*")

# --- Format words -------------------------------------------------------------------------

# Words for a video call or a phone in a title, and links: the company reader skips them
# ("Phone interview – Acme"). The format itself is read by syncd.detect_format.
URL = re.compile(r"https?://|www\.", re.I)
VIDEO = re.compile(
    r"zoom|meet\.google|google\s+meet|hangouts|\bteams\b|teams\.microsoft|webex|skype|"
    r"whereby|bluejeans|gotomeeting|\bchime\b|jitsi|coderpad|karat|hirevue|codesignal|"
    r"hackerrank|codility|\bvideo\b|\bvirtual\b|\bonline\b|\bremote\b|\bvisio\b|オンライン",
    re.I,
)
PHONE_WORDS = re.compile(
    r"\bphone\b|\btelephone\b|\btel\.?\b|\bcall\b|\btelefon\w*|t[ée]l[ée]phon\w*|"
    r"\btel[ée]fono\b|\btelef[óo]nica\b|電話", re.I)

# --- Company cues --------------------------------------------------------------------------

# Legal-form suffixes dropped from a company name.
LEGAL_SUFFIX = re.compile(
    r"(?<![\s,])[\s,]+(?:AG|SE|GmbH|Inc\.?|LLC|Ltd\.?|plc|S\.A\.|SA|SAS|BV|B\.V\.|NV|N\.V\.|Co\.|Corp\.?|"
    r"Corporation|KK|K\.K\.|Recruiting|Talent|Careers|Hiring|Team)\s*$")
# Words that never belong to a company name found in a title.
NOT_COMPANY = frozenset(
    """interview interviews onsite on-site virtual phone screen round final panel call chat
    intro coffee recruiter recruiting hiring manager technical tech coding team match my
    your a an our meeting conversation session superday video zoom teams meet webex
    hirevue karat codesignal coderpad updated invitation invite job role position complete
    do first second third next initial take-home take home review presentation with and
    for at de la le el entrevista entretien trabajo embauche gespräch
    internal mobility candidate prep guide schedule busy personal private hackerrank codility
    greenhouse lever workday goodtime calendly ashby smartrecruiters telefonisches persönliches
    erstes zweites technisches""".split()
)
# Words in front of a role noun that belong to the role, not to the company before it.
ROLE_MODIFIERS = frozenset(
    """senior sr sr. staff junior jr jr. lead principal summer intern software data product
    financial finance marketing sales frontend front-end backend back-end full-stack fullstack
    ml machine learning ios android security cloud platform business operations hr content ux
    ui design engineering customer success account technical program project site reliability
    solutions research mobile web devops qa test analytics growth people talent supply chain
    developer""".split()
)
# Where a title names the company, most specific first; each has a group called "name".
TITLE_COMPANY = (
    re.compile(r"株式会社\s*(?P<name>[^\s】）)」]+)|(?P<name2>[^\s【】（(「]+?)\s*株式会社"),
    re.compile(r"(?:@|\bat\b|\bbei\b|\bchez\b|\bcom\b|\bcon\b|\bfor\b|\bfür\b|\bpour\b|"
               r"\bpara\b|\bvoor\b|\bpresso\b)\s+(?P<name>[^\s(|–—:·,][^(|–—:·,!]*)", re.I),
    re.compile(r"(?P<name>[A-Z][\w.'-]*(?:\s+(?:&|of|[A-Z][\w.'&-]*))*)\s+"
               r"(?:(?i:\d+(?:st|nd|rd|th)|first|second|third|final)\s+round\s+)?"
               r"(?i:interview|onsite|on-site|superday|phone\s+screen|recruiting|entrevista)\b"),
    re.compile(r"[\[【](?P<name>[^\]】]+)[\]】]"),
    re.compile(r"\((?P<name>[^)]+)\)"),
)
# A run of spaces is entered at its start only (see ADDRESS): same splits, linear time.
SEGMENT_SPLIT = re.compile(r"(?<!\s)\s+[-–—|:·/]\s+|(?:(?<!\s)\s+)?[|–—·:]\s*")
COMPANY_FIELD = re.compile(
    r"\b(?:company|unternehmen|entreprise|empresa|firma|employer|client|cliente|kunde)\s*:\s*"
    r"(?P<name>[^\n,;|()]+)", re.I)
CLIENT = re.compile(r"\b(?:client|cliente|kunde)\s*:\s*(?P<name>[^)\]\n,;|–—]+)", re.I)
# Sender local parts that are not a tenant's name (noreply@myworkday.com).
GENERIC_LOCAL_PARTS = frozenset(
    "noreply no-reply donotreply recruiting careers jobs talent interviews hr notifications"
    .split())
