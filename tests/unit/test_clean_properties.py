"""Properties of the cleaning stage that must hold for any input (hypothesis, bounded runs)."""
from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nlp.clean import clean_article
from nlp.text import _CONTROLS, display_line

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text that looks like scraped Arabic news: Arabic letters, diacritics, tatweel, digits, punctuation, separators,
# controls, NBSP, entities, tags and the trigger words of the rules, mixed with arbitrary unicode
_PIECES = st.sampled_from([
    "في", "من", "قال", "الرئيس", "اقرأ أيضاً:", "-", "----", "جميع الحقوق محفوظة", "تصفح المزيد", "17 اب",
    "اليوم 02:38", "pic.twitter.com/abc", "#وسم", "سبق- جدة:", "(CNN)--", "بقلم: فلان", "* خدمة «نيويورك تايمز»",
    "&quot;", "&amp;quot;", "<b>", "</p>", "\u00a0", "\u200f", "\u202b", "\u200c", "\u0640", "\u064e", " .و", " ،",
    ".", "؟", "..", "\n", "\n\n", "\r\n", "\u2028", "«", "»", '"', "١٢", "۱۲", "Next", "Previous", "e@x.com",
])
_ARABIC_TEXT = st.lists(st.one_of(_PIECES, st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
                                                   max_size=12), st.just(" ")), max_size=60).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=300), _ARABIC_TEXT)
TITLE = st.one_of(st.none(), st.text(max_size=40), _ARABIC_TEXT)


@SETTINGS
@given(TITLE, ANY_TEXT)
def test_never_raises_and_offsets_point_at_their_text(title, body):
    r = clean_article(title, body)
    assert isinstance(r.body, str) and isinstance(r.title, str)
    assert not any(f.startswith("cleaning-error") for f in r.flags), r.flags
    parts = r.body.split("\n") if r.body else []
    assert len(parts) == len(r.paragraphs)
    for span, part in zip(r.paragraphs, parts):
        assert r.body[span.start:span.end] == part and part == part.strip() and part
    for s in r.sentences:
        text = r.body[s.start:s.end]
        assert text and text == text.strip() and "\n" not in text
        assert any(p.start <= s.start and s.end <= p.end for p in r.paragraphs)
    assert "\n" not in r.title and r.title == r.title.strip()
    for rem in r.removed:
        assert rem.line is None or rem.line >= 1


@SETTINGS
@given(TITLE, ANY_TEXT)
@example("0", "(00)-0")               # a prefix whose remainder equals the title
@example("0", "(::)-1")               # a prefix whose remainder is a bare number
@example(None, "\u0300\u061c\u0316")   # a control between two accents (NFC after removing it)
@example("\u0600", "@A")              # the title line must not count towards the page's script
def test_idempotent(title, body):
    first = clean_article(title, body)
    if not first.title:
        return  # nothing at all survived: there is no title line to feed back
    second = clean_article(None, first.title + "\n" + first.body)
    assert second.title == first.title
    assert second.body == first.body
    assert second.paragraphs == first.paragraphs and second.sentences == first.sentences


_AR_LETTER = re.compile("[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff]")


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_characters="&<"), max_size=200) | _ARABIC_TEXT.map(
    lambda s: s.replace("&", "").replace("<", "")))
def test_display_text_keeps_every_arabic_letter(line):
    """Display text may only drop invisible controls/markup and move spaces: the sequence of Arabic letters (after
    NFC, the documented composition) is unchanged, and so are diacritics and tatweel."""
    out = display_line(line)
    nfc = unicodedata.normalize("NFC", _CONTROLS.sub("", line))  # documented: invisible controls go, then NFC
    keep = re.compile("[\u0621-\u065f\u0670-\u06d3\u06fa-\u06ff]")
    assert keep.findall(out) == keep.findall(nfc)
    assert _AR_LETTER.findall(out) == _AR_LETTER.findall(nfc)


@SETTINGS
@given(st.text(max_size=200))
def test_display_line_is_idempotent_and_single_line(line):
    out = display_line(line)
    assert display_line(out) == out
    assert out.splitlines() == ([out] if out else [])


@SETTINGS
@given(ANY_TEXT)
def test_display_line_whitespace_is_single_spaces(raw):
    """nlp/clean.py counts a display line's words as its spaces plus one."""
    out = display_line(raw)
    assert out == out.strip() and "  " not in out and all(ch == " " or not ch.isspace() for ch in out)
    assert not out or len(out.split()) == out.count(" ") + 1
