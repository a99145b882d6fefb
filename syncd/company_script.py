"""How a name written in another script may sound in Latin letters, to compare it with a domain.

Pure. A Korean or Japanese invitation writes its company in its own script ("카카오",
"メルカリ") while the sender's domain spells it in Latin letters ("kakaocorp.com",
"mercari.com"). Hangul syllables, kana and Cyrillic letters are read by rule (no dictionary),
and both sides are reduced to a consonant skeleton, since companies romanise their names
their own way ("삼성" is "samseong" by the rules, "samsung" on the domain): vowels and "h"
dropped, consonants that scripts confuse merged, doubles collapsed. Scripts that need a
dictionary (Chinese characters, kanji) read as nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

_INITIALS = "g kk n d tt r m b pp s ss - j jj ch k t p h".split()
_VOWELS = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()
_FINALS = ("- k k k n n n t l k m l l l p l m p p t t ng t t k t p t").split()

_KANA_ROWS = {
    "": "a i u e o", "k": "ka ki ku ke ko", "g": "ga gi gu ge go", "s": "sa shi su se so",
    "z": "za ji zu ze zo", "t": "ta chi tsu te to", "d": "da ji zu de do",
    "n": "na ni nu ne no", "h": "ha hi fu he ho", "b": "ba bi bu be bo",
    "p": "pa pi pu pe po", "m": "ma mi mu me mo", "y": "ya - yu - yo", "r": "ra ri ru re ro",
    "w": "wa - - - wo",
}
# The katakana of each row, in the order of _KANA_ROWS' syllables.
_KATAKANA = ("アイウエオ", "カキクケコ", "ガギグゲゴ", "サシスセソ", "ザジズゼゾ", "タチツテト",
             "ダヂヅデド", "ナニヌネノ", "ハヒフヘホ", "バビブベボ", "パピプペポ", "マミムメモ",
             "ヤ-ユ-ヨ", "ラリルレロ", "ワ---ヲ")
_KANA = {kana: sound for row, sounds in zip(_KATAKANA, _KANA_ROWS.values())
         for kana, sound in zip(row, sounds.split()) if kana != "-"}
_KANA.update({"ン": "n", "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o", "ャ": "ya",
              "ュ": "yu", "ョ": "yo", "ッ": "", "ー": "", "ヴ": "vu"})
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ", (
    "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g"
).split()))
_GREEK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω", (
    "a v g d e z i th i k l m n x o p r s s t y f ch ps o").split()))


@lru_cache(maxsize=4096)
def romanize(text: str) -> str:
    """The text in Latin letters by rule, lower case; letters it cannot read are dropped."""
    out: list[str] = []
    for char in text.casefold():
        code = ord(char)
        if 0xAC00 <= code <= 0xD7A3:  # a Hangul syllable: initial, vowel, final
            index = code - 0xAC00
            parts = (_INITIALS[index // 588], _VOWELS[index % 588 // 28], _FINALS[index % 28])
            out.append("".join(p for p in parts if p != "-"))
        elif 0x3041 <= code <= 0x3096:  # hiragana reads as the katakana 0x60 above it
            out.append(_KANA.get(chr(code + 0x60), ""))
        elif char in _KANA:
            out.append(_KANA[char])
        elif char.isascii():
            out.append(char if char.isalnum() else "")
        else:
            out.append(_CYRILLIC.get(char) or _GREEK.get(char) or "")
    return "".join(p for p in out if p != "-")


_MERGED = str.maketrans("cqgdbvfzjlx", "kkktpppssrk")


@lru_cache(maxsize=4096)
def skeleton(latin: str) -> str:
    """The consonants of a romanised name, merged as scripts confuse them, doubles collapsed:
    "samsung" and "samseong" -> "smsnk"."""
    plain = re.sub(r"[^a-z]", "", latin.casefold()).replace("ph", "f").replace("x", "ks").translate(_MERGED)
    return re.sub(r"[aeiouyhw]", "", re.sub(r"(.)\1+", r"\1", plain))


def foreign_skeleton(name: str) -> str:
    """The skeleton of a name with no Latin letters, "" for a Latin name or one unreadable."""
    if any("a" <= c <= "z" for c in name.casefold()):
        return ""
    found = skeleton(romanize(name))
    return found if len(found) >= 2 else ""


def latin_skeletons(latin: str) -> set[str]:
    """The skeletons a Latin name may have when another script writes it: as spelled, and
    without an "r" before a consonant, which kana and Hangul do not write ("starbucks")."""
    found = {skeleton(latin), skeleton(re.sub(r"r(?=[^aeiouy])", "", latin.casefold()))}
    return {s for s in found if len(s) >= 2}
