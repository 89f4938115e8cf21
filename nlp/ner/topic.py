"""Document topic around a sentence, as a CRF feature: in sports reports, city and country names are mostly clubs and
national teams (ORG in ANERcorp: برشلونة، ليون، دينامو كييف), elsewhere places.

A sentence is "sport" when the sentences within ``RADIUS`` of it (same article) hold at least ``MIN_HITS`` sports
words. The same window is used in training (file order: ANERcorp's articles are contiguous), evaluation and
``Tagger.find`` (one article).
"""
from __future__ import annotations

from functools import lru_cache

from nlp.ner.tokens import norm

RADIUS = 5
MIN_HITS = 3

_SPORT_RAW = """مباراة المباراة مباريات المباريات الدوري دوري كأس الكأس بطولة البطولة المنتخب منتخب لاعب اللاعب لاعبي
لاعبين اللاعبين المدرب مدرب هدف هدفا أهداف الأهداف الهدف الملعب ملعب الفوز فاز تعادل التعادل الهزيمة خسر المرمى
الحارس حارس الشوط الدقيقة ركلة جزاء المونديال الأولمبية الأولمبي ميدالية الميدالية ذهبية الأبطال بطل البطل الموسم
سجل تأهل التأهل النهائي النهائية المجموعة نقطة نقاط النقاط الفريق فريق نادي النادي المصارعة الملاكمة التنس سباق
السباق الجولة الذهاب الإياب هزم تغلب""".split()
SPORT = frozenset(norm(w) for w in _SPORT_RAW)


@lru_cache(maxsize=100_000)
def is_sport(word: str) -> bool:
    n = norm(word)
    if n in SPORT:
        return True
    for p in ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "لل"):
        if n.startswith(p) and len(n) > len(p) + 2:
            if n[len(p):] in SPORT:
                return True
    if n.startswith("لل") and "ال" + n[2:] in SPORT:
        return True
    return False


def sentence_topics(sents: list[list[str]], radius: int = RADIUS, min_hits: int = MIN_HITS) -> list[bool]:
    """For each sentence: is the window of +-``radius`` sentences around it about sports?"""
    return windowed([sum(map(is_sport, ws)) for ws in sents], radius, min_hits)


def windowed(hits: list[int], radius: int = RADIUS, min_hits: int = MIN_HITS) -> list[bool]:
    """Per sentence: do the sentences within ``radius`` hold at least ``min_hits`` sports words together?"""
    n = len(hits)
    if not n:
        return []
    pre = [0]
    for h in hits:
        pre.append(pre[-1] + h)
    return [pre[min(n, i + radius + 1)] - pre[max(0, i - radius)] >= min_hits for i in range(n)]
