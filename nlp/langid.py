"""Language of an article from its script and a few function words: ar, fa, en, or und."""
from __future__ import annotations

import re

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile("[A-Za-z]")
_PERSIAN_LETTERS = re.compile("[پچژگ]")
_WORD = re.compile(r"[\w\u200c]+")
# frequent Persian function words that Arabic does not use (Persian written with Arabic ي/ك still has them)
_PERSIAN_WORDS = {"است", "این", "که", "را", "می", "برای", "های", "هاى", "شده", "کرد", "كرد", "شد", "با", "تا",
                  "نیز", "نيز", "اين", "براي", "آن", "ها", "خود", "کند", "كند", "بود", "کرده", "كرده", "اند", "ای"}
_ARABIC_WORDS = {"في", "من", "على", "إلى", "الى", "التي", "الذي", "أن", "ان", "عن", "هذا", "هذه", "كان", "قد", "مع"}


def detect(text: str) -> str:
    arabic = len(_ARABIC_SCRIPT.findall(text))
    latin = len(_LATIN.findall(text))
    if arabic + latin < 10:
        return "und"
    if latin > arabic:
        return "en"
    words = _WORD.findall(text)
    fa = sum(w in _PERSIAN_WORDS for w in words) + 3 * len(_PERSIAN_LETTERS.findall(text))
    ar = sum(w in _ARABIC_WORDS for w in words)
    return "fa" if fa > ar else "ar"
