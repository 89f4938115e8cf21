"""Quotations and their speakers.

Quoted spans are “...”, «...» and "..." (straight quotes paired in order), within one paragraph. A speaker is
found when a reporting verb (قال، أكد، أشار، لفت، أعلن، اعتبر، أضاف ...) governs the quote: the words between
the verb and إن/أن/: before the quote ("وقال مسؤول أمني عراقي إن “...”"), or after a quote ("“...”، قال فلان").
The subject may also stand before the verb ("وكان مسؤول حكومي أشار إلى أن"), or, for a verb opening its sentence
without one, be the previous sentence's. A participle continuing the previous sentence ("لافتا إلى أن “...”",
"مؤكدين أن") inherits the previous quote's speaker. When
the speaker span contains a linked person or organization, the speaker is that entity and ``speaker_canonical`` its
canonical form; otherwise the description is kept (مسؤول أمني عراقي).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.ner.tokens import norm, tokenize

_PAIRS = {"“": "”", "«": "»", "„": "“"}
MAX_QUOTE = 2000


@dataclass(slots=True)
class Quote:
    text: str
    start: int
    end: int
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    speaker_canonical: str | None


def _n(words: str) -> set[str]:
    return {norm(w) for w in words.split()}


_VERBS = _n("""قال قالت قالوا يقول تقول أكد أكدت أكدوا يؤكد تؤكد أشار أشارت أشاروا يشير تشير لفت لفتت يلفت أعلن أعلنت
أعلنوا يعلن اعتبر اعتبرت اعتبروا يعتبر أضاف أضافت أضافوا يضيف تضيف أوضح أوضحت يوضح ذكر ذكرت صرح صرحت يصرح رأى رأت
يرى شدد شددت يشدد كشف كشفت يكشف تابع تابعت نقل نقلت أفاد أفادت يفيد بين بينت أوضحوا رد ردت علق علقت كتب كتبت
غرد غردت حذر حذرت طالب طالبت دعا دعت وصف وصفت نفى نفت اعترف اعترفت تساءل تساءلت""")
_PARTICIPLES = _n("""قائلا قائلة لافتا لافتة مشيرا مشيرة مؤكدا مؤكدة مضيفا مضيفة معتبرا معتبرة موضحا موضحة
مشددا مشددة متابعا متابعة محذرا محذرة مبينا مبينة قائلين لافتين مشيرين مؤكدين مضيفين معتبرين موضحين
مشددين محذرين مبينين""")
_STOP = _n("""إن أن إنه أنه إنها أنها إنهم أنهم بأن بأنه بأنها إلى الى على في عن من خلال عبر لـ ل قد لقد
أيضا كذلك بعد قبل""")
_TIME = _n("""اليوم أمس الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت مساء صباح ظهر ليل ليلة
الليلة فجر غداة سابقا لاحقا حينها حين عندما وقت خلال""")
_KANA = _n("كان كانت كانوا وكان وكانت وكانوا فكان")  # "وكان مسؤول حكومي أشار ...": the subject comes first
_RELATIVE = _n("الذي التي الذين اللذان اللتان اللواتي")
_SPEAKER_TYPES = ("PER", "ORG")
_MAX_SPEAKER_WORDS = 12


def _strip_conj(n: str) -> str:
    return n[1:] if len(n) > 3 and n[0] in "وف" else n


def _is_verb(n: str) -> bool:
    return n in _VERBS or _strip_conj(n) in _VERBS


_MARKS = re.compile('[“«„"\n]')


def _spans(text: str) -> list[tuple[int, int]]:
    """(open_index, close_index) of quote marks (not nested), within a paragraph."""
    out: list[tuple[int, int]] = []
    L = len(text)
    pos = 0
    straight_open = None
    while True:
        m = _MARKS.search(text, pos)
        if m is None:
            break
        i = m.start()
        c = text[i]
        pos = i + 1
        if c == "\n":
            straight_open = None
        elif c == '"':
            if straight_open is None:
                straight_open = i
            else:
                if i > straight_open + 1:
                    out.append((straight_open, i))
                straight_open = None
        else:
            close = _PAIRS[c]
            j = text.find(close, i + 1, min(L, i + 1 + MAX_QUOTE))
            if j > i + 1 and text.find("\n", i + 1, j) < 0:
                out.append((i, j))
                pos = j + 1
    out.sort()
    return out


def find_quotes(text: str, entities) -> list[Quote]:
    try:
        return _find_quotes(text, entities or [])
    except Exception:
        return []


def _find_quotes(text: str, entities) -> list[Quote]:
    if not isinstance(text, str) or not text:
        return []
    spans = _spans(text)
    if not spans:
        return []
    ents = sorted((e for e in entities if e.type in _SPEAKER_TYPES), key=lambda e: e.start)
    out: list[Quote] = []
    prev: Quote | None = None
    prev_close = 0
    for o, c in spans:
        qs, qe = o + 1, c
        while qs < qe and text[qs].isspace():
            qs += 1
        while qe > qs and text[qe - 1].isspace():
            qe -= 1
        if qs >= qe:
            continue
        q = Quote(text[qs:qe], qs, qe, None, None, None, None)
        if _is_title(text, o, qs, qe):  # «عكاظ» in "قالت مصادر لـ«عكاظ»": a name in quote marks, not speech
            out.append(q)
            prev_close = c + 1
            continue
        left_from = max(prev_close, text.rfind("\n", 0, o) + 1, o - 400)
        found = _speaker_before(text, left_from, o)
        if found == "inherit":
            if prev is not None and prev.speaker and o - prev.end < 400 and "\n" not in text[prev.end:o]:
                q.speaker, q.speaker_start, q.speaker_end = prev.speaker, prev.speaker_start, prev.speaker_end
                q.speaker_canonical = prev.speaker_canonical
        elif found:
            _set_speaker(q, text, found, ents)
        else:
            after = _speaker_after(text, c + 1)
            if after:
                _set_speaker(q, text, after, ents)
        out.append(q)
        prev = q
        prev_close = c + 1
    return out


_MEDIA = {norm(w) for w in "صحيفة لصحيفة جريدة لجريدة موقع لموقع قناة لقناة وكالة لوكالة مجلة لمجلة برنامج فيلم كتاب".split()}


def _is_title(text: str, o: int, qs: int, qe: int) -> bool:
    """A short quoted name after لـ / a media word (صحيفة، قناة ...) is a title, not a quotation."""
    if len(text[qs:qe].split()) > 3:
        return False
    before = text[max(0, o - 20):o].rstrip()
    if before.endswith(("لـ", "ل")) and (len(before) < 2 or not before[-2:-1].isalpha() or before.endswith("لـ")):
        return True
    words = before.split()
    return bool(words) and norm(words[-1]) in _MEDIA


def _set_speaker(q: Quote, text: str, span: tuple[int, int], ents) -> None:
    a, b = span
    inside = [e for e in ents if e.start >= a and e.end <= b]
    if inside:
        e = next((e for e in inside if e.type == "PER"), inside[0])
        q.speaker, q.speaker_start, q.speaker_end, q.speaker_canonical = e.text, e.start, e.end, e.canonical
    else:
        q.speaker, q.speaker_start, q.speaker_end = text[a:b], a, b


def _speaker_before(text: str, lo: int, hi: int):
    """Speaker span in text[lo:hi] (the words before a quote), "inherit" for a subjectless participle, or None.

    The subject is looked for after the reporting verb ("وقال مسؤول أمني إن"), then before it ("وكان مسؤول
    حكومي أشار إلى أن"); a verb that opens its sentence with neither ("... النظام. قال الاثنين إنه") takes the
    subject of the sentence before ("وكان فصيل كتائب حزب الله الذي ...")."""
    toks = tokenize(text[lo:hi])
    if not toks:
        return None
    norms = [norm(t) for t, _, _ in toks]
    # the last reporting verb or participle before the quote, with at most a few words of subject/complement
    for k in range(len(toks) - 1, max(-1, len(toks) - 25), -1):
        n = norms[k]
        if n in _PARTICIPLES or _strip_conj(n) in _PARTICIPLES:
            return "inherit"
        if _is_verb(n):
            j = k + 1
            while j < len(toks) and norms[j] in _TIME:  # "قال الاثنين فلان"
                j += 1
            words = _phrase(toks, norms, j)
            if not words:
                words = _subject_before(toks, norms, k)
            if words:
                return lo + toks[words[0]][1], lo + toks[words[-1]][2]
            if k == 0 or toks[k - 1][0] in ".!؟?":
                return _previous_subject(text, lo + toks[k][1])
            return None
        if toks[k][0] in ".!؟?":
            break
    return None


def _phrase(toks, norms, j: int) -> list[int]:
    """Token indices of the noun phrase starting at j: up to a particle, a time word, a relative pronoun or
    punctuation, at most _MAX_SPEAKER_WORDS."""
    words = []
    while j < len(toks):
        nj = norms[j]
        if (nj in _STOP or nj in _TIME or nj in _RELATIVE or not toks[j][0][0].isalpha()
                or len(words) >= _MAX_SPEAKER_WORDS or _is_verb(nj)):
            break
        words.append(j)
        j += 1
    return words


def _subject_before(toks, norms, k: int) -> list[int]:
    """"وكان مسؤول حكومي أشار": the words between كان and the verb at k."""
    for i in range(k - 1, max(-1, k - _MAX_SPEAKER_WORDS - 2), -1):
        if norms[i] in _KANA:
            words = _phrase(toks, norms, i + 1)
            return words if words and words[-1] == k - 1 else []
        if not toks[i][0][0].isalpha():
            return []
    return []


def _previous_subject(text: str, verb_at: int):
    """The subject of the sentence before `verb_at` when it opens with كان or a reporting verb."""
    end = text.rfind(".", 0, verb_at)
    if end < 0:
        return None
    start = max(text.rfind(".", 0, end), text.rfind("\n", 0, end)) + 1
    toks = tokenize(text[start:end])
    norms = [norm(t) for t, _, _ in toks]
    if not toks or not (norms[0] in _KANA or _is_verb(norms[0])):
        return None
    words = _phrase(toks, norms, 1)
    return (start + toks[words[0]][1], start + toks[words[-1]][2]) if words else None


def _speaker_after(text: str, pos: int):
    """"“...”، قال فلان" / "“...”، بحسب فلان": the words after the verb, up to punctuation."""
    seg = text[pos:pos + 200]
    toks = tokenize(seg)
    k = 0
    while k < len(toks) and not toks[k][0][0].isalpha():
        if toks[k][0] in ".!؟?":
            return None
        k += 1
    if k >= len(toks):
        return None
    n = norm(toks[k][0])
    if not (_is_verb(n) or n in ("بحسب", "حسب", "وفق", "وفقا")):
        return None
    words = []
    for j in range(k + 1, len(toks)):
        nj = norm(toks[j][0])
        if nj in _STOP or nj in _TIME or not toks[j][0][0].isalpha() or len(words) >= _MAX_SPEAKER_WORDS:
            break
        words.append(j)
    if not words:
        return None
    return pos + toks[words[0]][1], pos + toks[words[-1]][2]
