"""Character-level normalization: the display text a reader sees and the matching text models use.

Display text keeps the author's letters, diacritics and quotes; it only fixes encoding noise
(entities, markup, invisible controls, odd spaces) and punctuation spacing. Matching text is
derived from display text and is never shown: diacritics and tatweel removed, alef/ya/teh-marbuta
normalized, digits unified.
"""
from __future__ import annotations

import html
import re
import unicodedata

from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

# Invisible format characters that scrapers leave behind: zero-width, bidi marks and overrides, BOM, soft hyphen.
# ZWNJ (U+200C) is kept: Persian spelling needs it.
_CONTROLS = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\u061c]")
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_TAGS = re.compile(r"<(?:/?[A-Za-z][^<>]{0,500}|!--.*?--)>", re.S)
_PUNCT = ".,،؛:!?؟"
# " .وبموافقة" -> ". وبموافقة": a mark glued to the next word after a space moves to the previous word
_GLUED = re.compile(rf"\s+([{_PUNCT}]+)(?=[^\W\d_])")
# no space before these marks
_SPACE_BEFORE = re.compile(rf"\s+([{_PUNCT}])(?=\s|$)")
# one space after a mark that is followed directly by an Arabic letter
_NO_SPACE_AFTER = re.compile(rf"([{_PUNCT}])(?=[\u0621-\u064a])")

TATWEEL = "\u0640"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def display_line(line: str) -> str:
    """Normalize one line of raw text for display (no line breaks in the result)."""
    if "&" in line:
        line = html.unescape(line)
    if "<" in line:
        line = _TAGS.sub(" ", line)
    line = unicodedata.normalize("NFC", line)
    line = _CONTROLS.sub("", line)
    line = _SPACES.sub(" ", line)
    line = _GLUED.sub(r"\1 ", line)
    line = _SPACE_BEFORE.sub(r"\1", line)
    line = _NO_SPACE_AFTER.sub(r"\1 ", line)
    return line.strip()


def matching_text(text: str) -> str:
    """The form models, rules and dedup compare: same length is NOT guaranteed, never use its offsets."""
    text = dediac_ar(text).replace(TATWEEL, "")
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    text = normalize_teh_marbuta_ar(text)
    return text.translate(_DIGITS)
