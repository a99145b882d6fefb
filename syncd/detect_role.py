"""The job an interview is for ("Product Analyst"), read from the title and description. Pure.

In order of trust:

1. the role said outright, in the title and then in the description: "for the Data Analyst
   role", "Position: Data Engineer", "pour le poste de X", "na stanowisko X", "X pozisyonu",
   "vị trí X", "X 포지션", "X职位", in the languages the tables below know;
2. a segment of the title that holds a word for a job ("Senior Copywriter", "bartender
   interview", "camarero"), once the interview, step and format words, the company and
   any requisition number are gone;
3. in a short note, its first phrase when that holds a word for a job ("maintenance worker
   II, 4 panelists").

A job title that the description gives a person ("Tom Alvarez (Foreign Editor)", "Dr. Rao,
Manager") is the interviewer's, not the role: bare job words count in the title and in
short notes only. What comes back is a short phrase, or "" when nothing says.
"""

from __future__ import annotations

import re

MAX_WORDS = 7
NOTE_CHARS = 160  # a description this short is a note the owner typed, not an invitation

# Words for a job, in many languages (a role holds one). Matched case-insensitively, as a
# whole word or as the end of a compound ("Projektingenieur", "beleidsmedewerker").
_JOB_NOUNS = (
    # English
    "engineer|developer|designer|analyst|scientist|researcher|associate|advocate|architect|"
    "consultant|recruiter|accountant|intern|director|specialist|coordinator|nurse|rn|lpn|cna|"
    "supervisor|technician|tech|copywriter|writer|editor|teacher|tutor|instructor|professor|"
    "lecturer|postdoc|cook|chef|driver|cashier|barista|bartender|server|waiter|waitress|"
    "host|hostess|clerk|cleaner|housekeeper|assistant|operator|agent|attendant|mechanic|"
    "electrician|plumber|carpenter|welder|wireman|pharmacist|therapist|hygienist|auditor|"
    "banker|adviser|advisor|planner|buyer|controller|trainee|apprentice|apprenticeship|"
    "operative|strategist|paralegal|lawyer|attorney|counsel|physician|doctor|marketer|"
    "administrator|admin|executive|representative|rep|officer|manager|programmer|lead|"
    "dispatcher|stocker|picker|packer|handler|helper|worker|guard|receptionist|caregiver|"
    "carer|correspondent|reporter|journalist|producer|merchandiser|mgr|partner|member|"
    "nanny|babysitter|au\\s+pair|internship|residency|resident|fellow|fellowship|crew|"
    "werkstudent\\w*|praktikant\\w*|azubi|auszubildende\\w*|"
    # Spanish, Portuguese, Italian, French
    "camarer[oa]|vendedor(?:\\(a\\)|a)?|dependient[ea]|reponedor(?:\\/a|a)?|cajer[oa]|"
    "cociner[oa]|ayudante|analista|ingenier[oa]|desarrollador(?:a)?|enfermer[oa]|conductor(?:a)?|"
    "repartidor(?:a)?|t[ée]cnic[oa]|auxiliar|asesor(?:a)?|consultor(?:a)?|report(?:er|ar)[oa]|"
    "corresponsal|gerente|jef[ea]|programador(?:a)?|atendente|motorista|engenheir[oa]|"
    "desenvolvedor(?:a)?|enfermeira|cozinheir[oa]|gar[çc]om|estagi[áa]ri[oa]|assistente|"
    "addett[oa]|commess[oa]|sviluppatore|ingegnere|impiegat[oa]|camerier[ea]|cuoco|"
    "portalettere|magazziniere|tecnico|consulente|avvocat[oa]|vendeu(?:r|se)|conseill[eè]re?|"
    "ing[ée]nieur|d[ée]veloppeu(?:r|se)|infirmi[eè]re?|pharmacienn?e?|technicien(?:ne)?|"
    "stagiaire|serveu(?:r|se)|cuisini[eè]re?|caissi[eè]re?|charg[ée]e?|responsable|"
    "pharmacien·ne|"
    # German, Dutch, Nordic, Polish, Turkish
    "\\w*(?:ingenieur|entwickler|berater|leiter|fahrer|pfleger|pflegerin|kaufmann|kauffrau|"
    "referent|techniker|mechaniker|mechatroniker|elektriker|verkäufer|verkäuferin|"
    "sachbearbeiter|kommissionierer|medewerker|verkoper|ontwikkelaar|verpleegkundige|"
    "verzorgende|chauffeur|monteur|utvecklare|systemutvecklare|ingenjör|sjuksköterska)(?:in)?|"
    "analist|adviseur|beleidsadviseur|ontwerper|"
    "kasjer(?:ka)?|sprzedaw(?:ca|czyni)|kierowc[ay]|magazynier|programist(?:a|ka)|"
    "in[żz]ynier|specjalist(?:a|ka)|analityk|ksi[ęe]gow[ay]|piel[ęe]gniarka|kierownik|"
    "m[üu]hendis\\w*|uzman\\w*|kurye|teknisyen\\w*|[çc]ırak\\w*|stajyer|muhasebeci|"
    "sorumlu\\w*|m[üu]d[üu]r\\w*|eleman\\w*|personel\\w*|dan[ıi][şs]man\\w*|vakkenvuller|"
    "інженер\\w*|розробник\\w*|аналітик\\w*|фахів\\w+|"
    # Russian, Ukrainian, Vietnamese, Indonesian, Estonian
    "аналитик\\w*|разработчик\\w*|инженер\\w*|бухгалтер\\w*|менеджер\\w*|кладовщик\\w*|"
    "продав\\w+|водител\\w+|специалист\\w*|программист\\w*|дизайнер\\w*|курьер\\w*|"
    "chuyên\\s+viên|nhân\\s+viên|thực\\s+tập\\s+sinh|kỹ\\s+sư|lập\\s+trình\\s+viên|"
    "trưởng\\s+phòng|staf|kasir|pramuniaga|\\w*raamatupidaja|\\w*insener"
)
_CJK_NOUNS = ("エンジニア|開発者|営業職|看護師|介護職|薬剤師|デザイナー|개발자|엔지니어|디자이너|"
              "매니저|인턴|工程师|工程師|经理|經理|分析师|分析師|设计师|設計師|实习生|實習生|"
              "مهندس|أخصائي|محاسب|مساعد|مرافق|ممرض|محلل|مطور|مبرمج|مصمم|مشرف|موظف|فني|"
              "एग्ज़ीक्यूटिव|इंजीनियर|डेवलपर|विश्लेषक|प्रबंधक|मैनेजर")
JOB_WORD = re.compile(f"(?<![\\w-])(?:{_JOB_NOUNS})(?![\\w-])|{_CJK_NOUNS}", re.I)

# Where a role ends: punctuation, or a word that starts something else ("at", "with").
_STOP = (r"(?=\s*(?:[,.;:!?()\[\]|–—/@\n،，。]|\s-\s|$)|\s+(?i:at|with|w/|in|on|for|from|to|bei|mit|"
         r"für|chez|avec|pour|en|em|na|no|da|do|con|com|presso|per|tại|di|dengan|у|в|с|"
         r"och|med|hos|ve|ile|nel|nella|nello|del|della|dello|dla|для|ở|pada|qua|à|dos|das|"
         r"em|area|untuk|في|w|"
         r"role|position|opening|vacancy|job|req|requisition|team(?!\s+member)|"
         r"apprenticeship|program|programme|stelle|poste|puesto|vaga|posizione|ruolo)\b)")
_ROLE = r"(?P<role>[^\s,.;:()\[\]|–—/@\n][^,;:()\[\]|–—@\n]{0,80}?)" + _STOP

# The role said outright, role after the words.
SAID_BEFORE = re.compile(
    r"(?i:(?<!ask\s)(?<!asking\s)(?<!look\s)(?<!wait\s)\b(?:for|as)\s+(?:the\s+|a\s+|an\s+|our\s+)?"
    r"(?:position\s+of\s+|role\s+of\s+)?|"
    r"\b(?:position|role|job\s+title|job|vacancy|opening|title|stelle|position|poste|"
    r"fonction|puesto|plaza|vacante|cargo|vaga|função|posizione|ruolo|functie|vacature|"
    r"stanowisko|pozisyon|vị\s+trí|posisi|职位|職種|직무|岗位|должность|вакансия|позиция)"
    r"\s*[:：]\s*|"
    r"\b(?:applied|apply|applying|application)\s+(?:for|to)\s+(?:the\s+|a\s+|an\s+)?|"
    r"\b(?:para|pour)\s+(?:el\s+|la\s+|a\s+|o\s+|le\s+|un\s+|une\s+)?"
    r"(?!(?:poste|puesto|plaza|vacante|cargo|vaga|função)\b)|"
    r"\b(?:position|role)\s+(?:of|as)\s+(?:a\s+|an\s+)?|"
    r"\bf[üu]r\s+die\s+(?:Position|Stelle)\s+(?:als\s+|des\s+|der\s+)?|"
    r"\b(?:Position|Stelle)\s+(?:als\s+)?|"
    r"\b(?:pour\s+le\s+|au\s+|le\s+)?poste\s+(?:de\s+|d['’]\s*)?|"
    r"\b(?:para\s+)?(?:el\s+|la\s+)?(?:puesto|plaza|vacante|cargo)\s+de\s+|"
    r"\b(?:para\s+a\s+|da\s+|na\s+)?(?:vaga|função)\s+de\s+|\bprocesso\s+seletivo\s+para\s+|"
    r"\b(?:per\s+la\s+|della\s+)?(?:posizione|ruolo)\s+di\s+|"
    r"\b(?:voor\s+de\s+)?(?:functie|vacature)\s+(?:van\s+|als\s+)?|"
    r"\bna\s+stanowisko\s+|\bw\s+sprawie\s+(?:ogłoszenia\s+na\s+|stanowiska\s+|pracy\s+)|"
    r"\bvị\s+trí\s+|\bposisi\s+|\btjänsten\s+(?:som\s+)?|\brollen\s+som\s+|"
    r"\bametikohale\s+|\b(?:на\s+)?(?:позицию|вакансию|должность)\s+|\bпо\s+вакансии\s+|"
    r"\bвакансия\s+|"
    r"وظيفة\s+)" + _ROLE)
# The role said outright, role before the words: "X pozisyonu", "X 포지션", "X职位",
# "the X role", "X position".
SAID_AFTER = re.compile(
    r"(?<![^\s,.;:()\[\]|–—/@\n])(?P<role>(?:[^\s,.;:()\[\]|–—/@\n]+,?\s+){0,4}?"
    r"[^\s,.;:()\[\]|–—/@\n]+)\s*"
    r"(?i:\s(?:role|position|opening|vacancy|job|apprenticeship|pozisyonu|pozisyonunda|"
    r"pozisyonu\s+için)\b|포지션|직무|职位|岗位|職種)")

# What a title segment holds besides the role: interview, step and format words.
_NOT_ROLE = re.compile(
    r"(?i)\b(?:interviews?|intrview|inteview|interveiw|int\.?|onsite|on-site|virtual|video|"
    r"phone|telephone|call|chat|screen(?:ing)?|round|final|first|second|third|1st|2nd|3rd|"
    r"panel|tech\s+screen|hr\s+(?:screen|round|call|interview)|"
    r"recruiter\s+(?:phone\s+|video\s+)?(?:screen|call|chat|intro)|"
    r"hiring\s+manager|invitation|day|"
    r"invite|confirmed|confirmation|scheduled|rescheduled|updated|job|career|hiring|"
    r"entrevista|entretien|entrevue|colloquio|gespräch|vorstellungsgespräch|sollicitatie\w*|"
    r"rozmowa|mülakat\w*|собеседование|phỏng\s+vấn|面接|面试|면접|مقابلة|walk-in|my|mera|"
    r"hai|kal|new|grad|seasonal|part-time|full-time|temp-to-hire|temp|contract|permanent|"
    r"temporary|fixed-term|trial|f2f|d['’]embauche|presencial|telefónica|superday|loop|"
    r"onsite)\b")
# Requisition numbers and codes: "R000112458", "JR7995", "Req. 4471", "#1794", "(Job ID 24-8)".
_CODE = re.compile(
    r"(?i)\((?:req\.?|job\s+id|ref\.?|referenz|posting|id)[^)]*\)|\b(?:req\.?|job\s+id|ref\.?|"
    r"referenz|posting)\s*#?\s*[\w-]*\d[\w-]*|#\s*[\w-]*\d[\w-]*|\b[A-Z]{0,3}\d{3,}[\w-]*\b|"
    r"\(m/w/d\)|\(w/m/d\)|\(f/h\)|\(h/f\)|\(m/f/d\)")
_SEGMENT = re.compile(r"\s+[-–—|:·/]\s+|\s*[|–—·:]\s*|\s+@\s+|\s*[()（）\[\]【】]\s*|,\s+")
_SPACE = re.compile(r"\s+")
# How long and on what terms: not part of the role.
_EMPLOYMENT = re.compile(r"(?i)\b(?:temp-to-hire|full-time|part-time|fixed-term|contract|"
                         r"hafta\s+sonu|yarı\s+zamanlı|tam\s+zamanlı|teilzeit|vollzeit|"
                         r"permanent|temporary|seasonal|\(paid\)|\(unpaid\))(?!\w)")
# Where a title segment's role ends: "Chef de Partie trial at Lilia", "barista @ Blue Bottle".
_AFTER_ROLE = re.compile(r"(?i)\s(?:at|with|w/|for|bei|mit|chez|avec|con|com|presso|@|via)\s.*")
# Where a note's first phrase ends.
_PHRASE_END = re.compile(r"[,.;\n(，。、；：]| - ")
# Who a note says the interview is with, rather than the job ("same recruiter", "store mgr").
INTERVIEWERS = frozenset("""recruiter manager mgr supervisor director lead head chef owner
    principal partner kierownik менеджер gerente jefe jefa responsable leiter""".split())
LEADING = frozenset("the a an our my your for as of on about regarding re to w".split())
# Everything up to the last word that comes before a role ("talk about the X role",
# "para la vacante de X"): the role starts after it.
_BEFORE_ROLE = re.compile(
    r"(?i)^.*(?:\b(?:the|a|an|about|to|for|of|as|our|your|my|his|her|la|el|le|les|los|las|"
    r"applying|position|role|stelle|stanowisko)\s+|\b(?:vacante|plaza|vaga|poste|puesto|cargo|"
    r"posizione|função|fonction)\s+(?:de\s+|di\s+|d['’]\s*)?)")
MAX_CHARS = 60


def role_name(title: str, text: str, company: str = "") -> str:
    """The job applied for, "" when nothing says. ``company`` is left out of it."""
    for source in (title, text[:3000]):
        role = _said(source, company)
        if role:
            return role
    for segment in _SEGMENT.split(title):
        role = _clean(_NOT_ROLE.sub(" ", _AFTER_ROLE.sub("", segment)), company)
        if role and JOB_WORD.search(role):
            return role
    return _in_note(text, company) if len(text) <= NOTE_CHARS else ""


def _in_note(text: str, company: str) -> str:
    """In a short note, the first phrase that is a job ("maintenance worker II, 4 panelists"),
    not one that names who the interview is with ("2nd round w/ senior manager")."""
    for phrase in _PHRASE_END.split(text)[:4]:
        if _AFTER_ROLE.search(phrase):
            continue
        role = _clean(_NOT_ROLE.sub(" ", phrase), company)
        jobs = [m.group(0).lower() for m in JOB_WORD.finditer(role)]
        if jobs and len(role.split()) <= 4 and not set(jobs) <= INTERVIEWERS:
            return role
    return ""


def _said(source: str, company: str) -> str:
    """A role the text states outright, if it holds a word for a job."""
    for pattern in (SAID_BEFORE, SAID_AFTER):
        for match in pattern.finditer(source):
            role = _clean(_BEFORE_ROLE.sub("", _last_listed(match.group("role"))), company)
            if role and JOB_WORD.search(role):
                return role
    return ""


def _last_listed(role: str) -> str:
    """Of "talent acquisition, 30 min, ops analyst", the last item when it is a job."""
    last = role.rpartition(",")[2]
    return last if last != role and JOB_WORD.search(last) else role


def _clean(raw: str, company: str) -> str:
    """A role as a short phrase: codes, the company and stray words gone; "" if too long."""
    role = _EMPLOYMENT.sub(" ", _CODE.sub(" ", raw))
    if company:  # "Atlassian Product Manager" -> "Product Manager", if a role is left
        without = re.sub(rf"(?i)(?<!\w){re.escape(company)}(?!\w)", " ", role)
        role = without if JOB_WORD.search(without) and len(without.split()) >= 2 else role
    role = _SPACE.sub(" ", role).strip(" .,-–—:'\"&")
    words = role.split()
    while words and words[0].lower() in LEADING:
        words.pop(0)
    role = " ".join(words)
    return role if 0 < len(words) <= MAX_WORDS and len(role) <= MAX_CHARS else ""
