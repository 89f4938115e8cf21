"""Transliteration shape: how much a word looks like a foreign name written in Arabic letters (مايكروسوفت، موتورولا،
يونايتد، فرانكفورت), a CRF feature (``tl=1``, ``tl=2``).

A character-trigram log-likelihood ratio between two word sets, computed when the model loads (no file of its own):
the single words of the arwikicats lists (``nlp.ner.lists``: club, city, place and people names, most of them
transliterated from Latin script) against the words seen at least ``NATIVE_MIN`` times in the unlabelled news
(``clusters.tsv`` frequencies: mostly Arabic words). A word's score is the mean ratio over its trigrams (with word
boundaries), on its bare stem (article and proclitics removed).
"""
from __future__ import annotations

import math
from collections import Counter

NATIVE_MIN = 20
THRESHOLDS = (0.5, 1.0)  # score above -> tl=1, tl=2


def _grams(w: str) -> list[str]:
    s = f"^{w}$"
    return [s[i:i + 3] for i in range(len(s) - 2)]


class ForeignShape:
    def __init__(self, foreign: set[str], native: set[str]):
        native = native - foreign
        cf, cn = Counter(), Counter()
        for w in sorted(foreign):
            cf.update(_grams(w))
        for w in sorted(native):
            cn.update(_grams(w))
        nf, nn = sum(cf.values()) or 1, sum(cn.values()) or 1
        v = len(set(cf) | set(cn)) or 1
        self.ratio = {g: math.log((cf[g] + 0.5) / (nf + 0.5 * v)) - math.log((cn[g] + 0.5) / (nn + 0.5 * v))
                      for g in set(cf) | set(cn)}
        self.active = bool(foreign) and bool(native)

    def score(self, bare: str) -> float:
        g = _grams(bare)
        return sum(self.ratio.get(x, 0.0) for x in g) / len(g) if g else 0.0

    def bucket(self, bare: str) -> str | None:
        """"tl=2" / "tl=1" for words of 4+ letters that look foreign, else None."""
        if not self.active or len(bare) < 4 or not bare.isalpha():
            return None
        s = self.score(bare)
        return "tl=2" if s > THRESHOLDS[1] else "tl=1" if s > THRESHOLDS[0] else None


def from_lists(lists: dict[str, set[str]], counts: dict[str, int] | None) -> ForeignShape | None:
    """The shape model of a model folder: its lists' single words against its frequent news words; None without
    either."""
    if not lists or not counts:
        return None
    foreign = {w for t in sorted(lists) for e in lists[t] for w in e.split() if len(w) >= 3 and not w.startswith("ال")}
    native = {w for w, k in counts.items() if k >= NATIVE_MIN and w.isalpha()}
    return ForeignShape(foreign, native)
