"""Labels for reporting the detector's quality: an event's language and its kind of negative.

The corpora say whether an event is an interview and why, but not in which language it is
written nor what kind of non-interview it is. These two guesses are for the report tables of
``make train`` only (never for the detector): the language from the script and the commonest
short words of the title and description, the kind of negative from the labeller's ``why``.
"""

from __future__ import annotations

import re
import unicodedata

# Scripts that name their language (or, for Han, decide between Chinese and Japanese).
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN = re.compile(r"[іїєґ]", re.I)

# A few of the commonest short words of each language written in Latin letters.
_STOPWORDS = {
    "en": "the and for with your you to of at on in is are will be this my me we our from",
    "de": "und der die das mit für bei ist sie ihr ihre wir zum zur im ein eine nicht uhr",
    "fr": "le la les et pour avec vous votre au du des un une est chez sur nous à",
    "es": "el la los las y para con usted tu su en un una es del por nos al",
    "pt": "o a os as e para com você seu sua em um uma é do da no na não",
    "it": "il lo la gli le e per con lei suo sua di un una è del della alle presso",
    "nl": "de het een en voor met je jouw u uw bij is van op naar wij we",
    "sv": "och för med du din att på är en ett av hos vi till om",
    "da": "og for med du din at på er en et af hos vi til om",
    "no": "og for med du din at på er en et av hos vi til om",
    "fi": "ja on kanssa sinun klo että ei se hän me",
    "pl": "i w z na do dla jest się pan pani oraz nie",
    "tr": "ve ile için bir bu da de mi sizin saat",
    "id": "dan untuk dengan di yang ini anda kami dari ke",
    "vi": "và với của cho tại là một các những không về",
    "cs": "a v s na do pro je se jste vás",
    "ro": "și pentru cu la de în este un o",
    "et": "ja on kell koos ning see ei",
    "ms": "dan untuk dengan di yang ini anda kami",
}
# One-letter words ("w/", "a", "e") say too little to count.
_WORDS = {lang: {w for w in text.split() if len(w) > 1} for lang, text in _STOPWORDS.items()}
_MARKS = {  # letters that only some languages use
    "de": "äß", "fr": "èàœùë", "es": "ñ¿¡", "pt": "ãõç", "pl": "łąęśźżń",
    "tr": "ğışİçöü", "cs": "řůěč", "vi": "ạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ",
    "sv": "å", "da": "æø", "no": "æø", "ro": "țș", "et": "õ",
}


def language(record: dict) -> str:
    """A two-letter guess at the language an event is written in."""
    text = f"{record.get('summary', '')}\n{record.get('description', '')[:600]}"
    for lang, script in _SCRIPTS:
        if script.search(text):
            return lang
    if _CYRILLIC.search(text):
        return "uk" if _UKRAINIAN.search(text) else "ru"
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return "en"
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}
    plain = unicodedata.normalize("NFC", text.lower())
    for lang, marks in _MARKS.items():
        scores[lang] += 2 * sum(plain.count(m) for m in marks)
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] else "en"


# Kinds of non-interview, tried in order against the labeller's explanation.
_KINDS = (
    ("cancelled", r"cancel|annul"),
    ("someone else's", r"\b(?:his|her|their|partner|wife|husband|son|daughter|child|kid|"
                       r"friend|brother|sister|mother|father|parent)(?:'s)?\b.*\binterview|"
                       r"someone else|another person's|the interview is \w+'s|"
                       r"rehearse for the"),
    ("owner on the hiring side", r"interviewer|on the panel|hiring side|assess(?:ing)? "
                                 r"(?:a |the )?candidate|scor(?:e|ing)|evaluat|feedback|"
                                 r"candidate|recruiter (?:registering|briefing)|hiring committee|"
                                 r"hiring manager|supervis|conducts?"),
    ("media", r"podcast|radio|press|journalis|\btv\b|television|media|reporter|on-air|"
              r"newspaper|magazine|reporting|broadcast|guest"),
    ("research", r"research|usability|study|thesis|oral.history|survey|participant"),
    ("practice", r"practi[cs]e|mock|rehears|prep(?:aration)?\b|coach|training|workshop"),
    ("admissions", r"admission|universit|college|school|mba|scholarship|student|academ"),
    ("government", r"visa|consulate|embassy|border|immigration|police|witness|government|"
                   r"citizenship|passport|court|jury"),
    ("post-offer or exit", r"offer|background check|onboarding|exit|resign|leaving|"
                           r"performance review|annual review|appraisal|reference"),
    ("volunteer", r"volunteer|unpaid"),
)
_KIND_PATTERNS = tuple((kind, re.compile(pattern, re.I)) for kind, pattern in _KINDS)


def negative_kind(record: dict) -> str:
    """What kind of non-interview a negative example is, from its ``why``."""
    why = record.get("why", "")
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(why):
            return kind
    return "everyday" if "interview" not in why.lower() else "other interview-like"
