"""Character-level normalization: the display text a reader sees and the matching text models use.

Display text keeps the author's letters, diacritics and quotes; it only fixes encoding noise
(entities, markup, invisible controls, odd spaces) and punctuation spacing. Matching text is
derived from display text and is never shown: diacritics and tatweel removed, alef/ya/teh-marbuta
normalized, digits unified. See docs/cleaning.md for the full list.
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

# Invisible format characters that scrapers leave behind: zero-width, bidi marks, embeddings, overrides and
# isolates, BOM, soft hyphen, Arabic letter mark, and C0/C1 control characters (e.g. U+001A used as a bullet).
# ZWNJ (U+200C) is kept: Persian spelling needs it.
_CONTROLS = re.compile(
    "[\u200b\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u061c"
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufff9-\ufffb]"
)
# Every kind of space, and the characters str.splitlines() would break on, become one space inside a line.
# A run is matched unless it is a single plain space (replacing that changes nothing), so a line's word gaps are not
# matches to build; the pattern opens with a character class, which re skips ahead to (see nlp/segment.py).
_SPACE_CHARS = "[ \t\n\r\x0b\x0c\x1c-\x1f\x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_SPACES = re.compile(f"{_SPACE_CHARS}(?:(?<! )|(?={_SPACE_CHARS})){_SPACE_CHARS}*")
_ASCII_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f]")
# anything _CONTROLS or _SPACES would change: a control, an odd space (every whitespace character but ' ' is one),
# or two spaces in a row (tested with `in`): re scans for a bare character class much faster than for an alternation.
_ODD_CHAR = re.compile(
    "[\u200b\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u061c"
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufff9-\ufffb"
    "\t\n\r\x0b\x0c\x1c-\x1f\x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_TAGS = re.compile(r"<(?:/?[A-Za-z][^<>]{0,500}|!--[^<>]{0,2000}?--)>")
_PUNCT = ".,،؛:!?؟"
# cheap pre-checks: most lines need no punctuation fix. When they run, the only whitespace left in the line is
# ' ' (a line with any other went through the space rewrite above, and NFC makes none), so a literal space stands
# for \s: re finds a literal prefix much faster than a category.
_SPACE_PUNCT = re.compile(rf" [{_PUNCT}]")
# " .وبموافقة" -> ". وبموافقة": a mark glued to the next word after a space moves to the previous word
_GLUED = re.compile(rf"(?<=\S)\s+([{_PUNCT}]+)(?=[^\W\d_])")
# no space before these marks (when they end a word: followed by space or end of line)
_SPACE_BEFORE = re.compile(rf"(?<=[^\s{_PUNCT}])\s+([{_PUNCT}]+)(?=\s|$)")
# one space after a mark that is followed directly by an Arabic letter (not after ':' in "12:30", not in "1.5")
_LETTERS = "\u0621-\u063a\u0641-\u064a"   # Arabic letters (no tatweel)
_NO_SPACE_AFTER = re.compile(rf"([{_PUNCT}])(?=[{_LETTERS}])")
_PUNCT_LETTER = _NO_SPACE_AFTER
# either of the two pre-checks in one scan (a mark after a space, or before an Arabic letter): few lines have one
_PUNCT_FIX = re.compile(rf"[{_PUNCT}](?:(?<= .)|(?=[{_LETTERS}]))")

TATWEEL = "\u0640"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _display_once(line: str) -> tuple[str, bool]:
    """One round of display normalization; the flag says whether a step that can expose new work ran."""
    again = False
    if "&" in line:
        unescaped = html.unescape(line)
        again = unescaped != line
        line = unescaped
    if "<" in line:
        line, n = _TAGS.subn(" ", line)
        again = again or n > 0
    if not line.isascii():
        # do the two rewrites below have anything to do? (every odd character is unprintable: most lines are not)
        if (not line.isprintable() and _ODD_CHAR.search(line)) or "  " in line:
            line = _CONTROLS.sub("", line)  # before NFC: dropping a mark between two accents must not unorder them
            line = unicodedata.normalize("NFC", line)
            line = _SPACES.sub(" ", line)
        else:
            line = unicodedata.normalize("NFC", line)
    else:
        if _ASCII_CONTROLS.search(line):
            line = _ASCII_CONTROLS.sub("", line)
        line = _SPACES.sub(" ", line)
    if _PUNCT_FIX.search(line):
        if _SPACE_PUNCT.search(line):
            line, a = _GLUED.subn(r"\1 ", line)
            line, b = _SPACE_BEFORE.subn(r"\1", line)
            again = again or a + b > 0
        if _PUNCT_LETTER.search(line):
            line = _NO_SPACE_AFTER.sub(r"\1 ", line)
            again = True
    return line.strip(), again


def display_line(line: str) -> str:
    """Normalize one line of raw text for display (the result has no line breaks).

    Repeated while a round decoded entities/markup or moved punctuation (at most 4 rounds), so that doubly
    escaped entities (`&amp;quot;`) are decoded and display_line(display_line(x)) == display_line(x).
    """
    out, again = _display_once(line)
    rounds = 1
    while again and rounds < 4:
        prev = out
        out, again = _display_once(out)
        rounds += 1
        if out == prev:
            break
    return out


def matching_text(text: str) -> str:
    """The form models, rules and dedup compare: same length is NOT guaranteed, never use its offsets."""
    text = dediac_ar(text).replace(TATWEEL, "")
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    text = normalize_teh_marbuta_ar(text)
    return text.translate(_DIGITS)
