"""The languages drafts are written in: choosing one, and dates, times and names in it. Pure.

Shipped template sets: English, German, French and Spanish. ``followup.language = "auto"``
picks the one the invitation is written in (its title and description), falling back to
English when the text says too little.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("en", "de", "fr", "es")
MAX_TEXT = 4000  # characters of an invitation read to tell its language
MIN_EVIDENCE = 3
_WORD = re.compile(r"[^\W\d_]+")
# Frequent function words (weight 1) and words an invitation to an interview uses (weight 3).
_CUES: dict[str, dict[str, int]] = {
    "en": {**dict.fromkeys("the and you your with for our we to of is are will please this "
                           "looking forward be at on in".split(), 1),
           **dict.fromkeys("interview interviews hiring candidate meeting".split(), 3)},
    "de": {**dict.fromkeys("der die das und ich sie mit für ihr ihre wir bitte uhr zum zur "
                           "ist nicht auf ein eine einen den dem wie sich".split(), 1),
           **dict.fromkeys("gespräch vorstellungsgespräch bewerbungsgespräch einladung termin "
                           "bewerbung kennenlernen".split(), 3)},
    "fr": {**dict.fromkeys("le la les et vous votre vos nous avec pour une des est pas sur "
                           "au aux du merci dans".split(), 1),
           **dict.fromkeys("entretien entretiens candidature poste rendez recrutement".split(), 3)},
    "es": {**dict.fromkeys("el los las y usted su sus con para una del es por nos gracias "
                           "en al le".split(), 1),
           **dict.fromkeys("entrevista entrevistas candidatura puesto vacante reunión "
                           "selección".split(), 3)},
}

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}
AND = {"en": "and", "de": "und", "fr": "et", "es": "y"}


def choose(setting: str, *texts: str) -> str:
    """The language to write in: ``setting`` when it names one, else the texts' language.

    Counts cue words of each shipped language in the texts (at most :data:`MAX_TEXT`
    characters); the best one wins if it has enough evidence, else English.
    """
    if setting in LANGUAGES:
        return setting
    words = _WORD.findall(" ".join(texts)[:MAX_TEXT].lower())
    scores = {lang: sum(cues.get(w, 0) for w in words) for lang, cues in _CUES.items()}
    best = max(LANGUAGES, key=lambda lang: scores[lang])  # ties go to the earlier, English first
    return best if scores[best] >= MIN_EVIDENCE else "en"


def event_zone(name: str, owner: ZoneInfo) -> ZoneInfo:
    """The zone the invitation states its time in (``name``), or the owner's if none or unknown."""
    if not name:
        return owner
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return owner


def zone_label(zone: ZoneInfo, owner: ZoneInfo, moment: datetime) -> str:
    """The place that names ``zone`` ("Paris", "New York") when its clock differs from the
    owner's at ``moment``; "" when both read the same time."""
    if zone.utcoffset(moment.replace(tzinfo=None)) == owner.utcoffset(moment.replace(tzinfo=None)):
        return ""
    return zone.key.rsplit("/", 1)[-1].replace("_", " ")


def format_date(lang: str, moment: datetime, now: datetime) -> str:
    """The date in words, with the year only when it is not ``now``'s year (in that zone)."""
    weekday, month = WEEKDAYS[lang][moment.weekday()], MONTHS[lang][moment.month - 1]
    year = "" if moment.year == now.astimezone(moment.tzinfo).year else f" {moment.year}"
    if lang == "de":
        return f"{weekday}, {moment.day}. {month}{year}"
    if lang == "fr":
        day = "1er" if moment.day == 1 else str(moment.day)
        return f"{weekday} {day} {month}{year}"
    if lang == "es":
        return f"{weekday} {moment.day} de {month}" + (f" de {moment.year}" if year else "")
    return f"{weekday} {moment.day} {month}{year}"


def format_time(lang: str, moment: datetime, place: str) -> str:
    """The clock time, with the zone's place named when there is one."""
    if lang == "fr":
        clock = f"{moment.hour}h{moment.minute:02d}"
        return clock + (f" (heure de {place})" if place else "")
    clock = f"{moment:%H:%M}"
    if lang == "de":
        return clock + " Uhr" + (f" (Ortszeit {place})" if place else "")
    if lang == "es":
        return clock + (f" (hora de {place})" if place else "")
    return clock + (f" {place} time" if place else "")


def format_when(lang: str, date: str, time: str, hour: int) -> str:
    """Date and time joined as the language joins them."""
    if lang == "de":
        return f"{date} um {time}"
    if lang == "fr":
        return f"{date} à {time}"
    if lang == "es":
        return f"{date} a la{'' if hour in (1, 13) else 's'} {time}"
    return f"{date} at {time}"


def role_phrase(lang: str, position: str, company: str) -> str:
    """The job as a noun phrase: "the Product Analyst role at Globex", "le poste ... chez ..."."""
    if lang == "de":
        return ("die Stelle" + (f" als {position}" if position else "")
                + (f" bei {company}" if company else ""))
    if lang == "fr":
        return ("le poste" + (f" de {position}" if position else "")
                + (f" chez {company}" if company else ""))
    if lang == "es":
        return ("el puesto" + (f" de {position}" if position else "")
                + (f" en {company}" if company else ""))
    return ("the " + (f"{position} " if position else "") + "role"
            + (f" at {company}" if company else ""))


def join_names(lang: str, names: list[str]) -> str:
    """"A", "A and B", "A, B and C" in the language; "" for none."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {AND[lang]} " + names[-1]
