"""Language of an article from its script and a few function words: "ar", "fa", "en", or "und" (too little text,
or another language: French in Latin script, Russian, Urdu-only vocabulary and so on are not told apart).

Persian written with Arabic ي/ك (older archives) has no ی/ک to give it away, so Persian is recognised by its own
letters (پ چ ژ گ), ZWNJ (U+200C, constant in Persian, practically absent in Arabic) and frequent function words
that Arabic does not use.
"""
from __future__ import annotations

import re
from itertools import repeat

_ARABIC = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefe"
# a non-ASCII character outside the Arabic script: few in Arabic text, so cheaper to count than its letters
_OTHER_NON_ASCII = re.compile(f"[^\\x00-\\x7f{_ARABIC}]")
_WORD = re.compile(r"[\w\u200c]+")
# frequent Persian function words that Arabic does not use (both with Persian and with Arabic ي/ك)
_PERSIAN_WORDS = {
    "است", "این", "اين", "که", "كه", "را", "می", "مي", "برای", "براي", "های", "هاى", "هاي", "شده", "کرد", "كرد", "شد",
    "نیز", "نيز", "آن", "ها", "خود", "کند", "كند", "بود", "کرده", "كرده", "اند", "ای", "اي", "در", "از", "یک", "يك",
    "وی", "وي", "همچنین", "همچنين", "گفت", "کشور", "كشور", "باید", "بايد", "نمی", "نمي", "شود", "کنند", "كنند",
}
_ARABIC_WORDS = {"في", "من", "على", "إلى", "الى", "التي", "الذي", "أن", "ان", "عن", "هذا", "هذه", "كان", "قد", "مع",
                 "إن", "لم", "بين", "بعد", "وقال", "قال", "كما", "أو", "ذلك", "التي", "الذين"}
_ENGLISH_WORDS = {"the", "of", "and", "to", "in", "is", "that", "for", "on", "with", "was", "said", "by", "it", "as",
                  "at", "he", "be", "are", "has", "have", "from", "will", "but", "not", "an", "this", "which"}
# a function word's vote in `detect`: +1 Persian, -1 Arabic (the two lists share no word)
_VOTES = {**{w: 1 for w in _PERSIAN_WORDS}, **{w: -1 for w in _ARABIC_WORDS}}
_LATIN_WORD = re.compile(r"[A-Za-z']+")


_SAMPLE = 1200  # characters: enough to tell the language of an article, and keeps the cost flat


_ASCII_NON_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())
_PROBE = 400


def script_counts(text: str) -> tuple[int, int]:
    """(Arabic-script letters, Latin letters) in the first few thousand characters of `text`, estimated cheaply:
    ASCII letters are counted exactly; the non-ASCII characters are scaled by the Arabic-script share found in a
    short probe, so Cyrillic or CJK text does not pass for Arabic."""
    sample = text[:_SAMPLE]
    ascii_bytes = sample.encode("ascii", "ignore")
    latin = len(ascii_bytes.translate(None, _ASCII_NON_LETTERS))
    non_ascii = len(sample) - len(ascii_bytes)
    if not non_ascii:
        return 0, latin
    probe = sample[:_PROBE]
    probe_non_ascii = len(probe) - len(probe.encode("ascii", "ignore"))
    if not probe_non_ascii:
        probe = sample
        probe_non_ascii = non_ascii
    share = (probe_non_ascii - len(_OTHER_NON_ASCII.findall(probe))) / probe_non_ascii   # Arabic-script share
    return round(non_ascii * share), latin


def detect(text: str) -> str:
    text = text[:_SAMPLE]
    arabic, latin = script_counts(text)
    if arabic + latin < 10:
        return "und"
    if latin > arabic:
        words = _LATIN_WORD.findall(text.lower())
        english = sum(w in _ENGLISH_WORDS for w in words)
        return "en" if words and (english >= 0.08 * len(words) or (len(words) < 12 and english)) else "und"
    # Persian evidence (its function words, 3 per letter of its own, ZWNJ) against Arabic function words, in one
    # pass over the words
    votes = sum(map(_VOTES.get, _WORD.findall(text), repeat(0)))
    persian_letters = text.count("پ") + text.count("چ") + text.count("ژ") + text.count("گ")
    return "fa" if votes + 3 * persian_letters + text.count("\u200c") > 0 else "ar"
