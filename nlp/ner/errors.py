"""Error analysis of one entity type on held-out folds of the *training* data (never the dev sets), for
``akhbar ner errors``.

Each gold entity of the type that is not predicted exactly gets one class:

- ``missed``: no predicted entity overlaps it;
- ``type:X``: the same span, predicted as X (an ORG tagged LOC: ``type:LOC``);
- ``boundary``: an overlapping prediction of the same type with other bounds, with the side(s) that differ:
  ``start+`` (the prediction starts earlier: [نادي ليون] for نادي [ليون]), ``start-``, ``end+``, ``end-``;
- ``overlap:X``: overlapping predictions of other types only.

Each predicted entity of the type that is not in the gold gets ``FP-spurious`` (no gold entity there), ``FP-type:X``,
``FP-boundary`` or ``FP-overlap:X``. Flags say more about an error: ``head`` (the entity's first word is an organization
head: وزارة، شركة، نادي ...), ``head-before`` (the word before it is one), ``unseen`` (its text, in matching form, is
never an entity of the type in the fold's training part), ``latin``, ``sport`` (a sports-context sentence), ``len1``
... ``len4`` (words, 4 = 4 or more).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from nlp.ner.evaluation import chunks
from nlp.ner.gazetteers import TRIGGERS
from nlp.ner.tokens import norm

_LATIN = re.compile(r"[A-Za-z]")


def _head(word: str) -> bool:
    from nlp.ner.features import clitic_split, proclitic_candidate
    n = norm(word)
    cand = proclitic_candidate(n)
    return any(TRIGGERS.get(k) == "ORGH" for k in (n, clitic_split(n)[1], cand[1] if cand else None) if k)


def entity_key(words: list[str]) -> str:
    """The matching form of an entity's text, its first word without proclitics (للأمم المتحدة = الأمم المتحدة)."""
    from nlp.ner.features import clitic_split
    first = clitic_split(norm(words[0]))[1]
    return " ".join([first] + [norm(w) for w in words[1:]])


@dataclass
class ErrorReport:
    typ: str
    gold: int = 0
    counts: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=lambda: defaultdict(list))

    def rows(self) -> list[tuple[str, int, dict[str, int]]]:
        """(class, count, {flag: count}) sorted by count."""
        flags: dict[str, Counter] = defaultdict(Counter)
        for key, n in self.counts.items():
            cls, _, flag = key.partition("|")
            if flag:
                flags[cls][flag] += n
        classes = [(k, n) for k, n in self.counts.items() if "|" not in k]
        return [(k, n, dict(sorted(flags[k].items()))) for k, n in sorted(classes, key=lambda x: (-x[1], x[0]))]


def classify(sentences, predictions, typ: str = "ORG", seen: set[str] | None = None, sport=None,
             report: ErrorReport | None = None, max_examples: int = 30) -> ErrorReport:
    """Classify the errors on ``typ`` of ``predictions`` (IOB2 per sentence) against ``sentences`` (tokens, gold)
    into ``report``; ``seen``: entity keys (``entity_key``) of that type in the training part."""
    rep = report or ErrorReport(typ)
    for k, ((toks, gold), pred) in enumerate(zip(sentences, predictions)):
        gc, pc = chunks(gold), chunks(pred)
        gs, ps = set(gc), set(pc)
        sp = bool(sport[k]) if sport is not None else False
        for s, e, t in gc:
            if t != typ:
                continue
            rep.gold += 1
            if (s, e, t) in ps:
                continue
            ov = [(a, b, u) for a, b, u in pc if a < e and s < b]
            same = [(a, b, u) for a, b, u in ov if u == typ]
            exact = [u for a, b, u in ov if (a, b) == (s, e)]
            if not ov:
                cls = "missed"
            elif exact:
                cls = "type:" + exact[0]
            elif same:
                a, b, _ = same[0]
                cls = "boundary"
                sides = [x for x, on in (("start+", a < s), ("start-", a > s), ("end+", b > e), ("end-", b < e)) if on]
            else:
                cls = "overlap:" + ",".join(sorted({u for _, _, u in ov}))
            flags = _flags(toks, s, e, sp, seen)
            if cls == "boundary":
                flags += sides
            _add(rep, cls, flags, toks, s, e, ov, max_examples)
        for s, e, t in pc:
            if t != typ or (s, e, t) in gs:
                continue
            ov = [(a, b, u) for a, b, u in gc if a < e and s < b]
            exact = [u for a, b, u in ov if (a, b) == (s, e)]
            if not ov:
                cls = "FP-spurious"
            elif exact:
                cls = "FP-type:" + exact[0]
            elif any(u == typ for _, _, u in ov):
                cls = "FP-boundary"
            else:
                cls = "FP-overlap:" + ",".join(sorted({u for _, _, u in ov}))
            _add(rep, cls, _flags(toks, s, e, sp, None), toks, s, e, ov, max_examples)
    return rep


def _flags(toks, s, e, sport, seen) -> list[str]:
    out = []
    if _head(toks[s]):
        out.append("head")
    if s and _head(toks[s - 1]):
        out.append("head-before")
    if seen is not None and entity_key(toks[s:e]) not in seen:
        out.append("unseen")
    if _LATIN.search(" ".join(toks[s:e])):
        out.append("latin")
    if sport:
        out.append("sport")
    out.append(f"len{min(e - s, 4)}")
    return out


def _add(rep, cls, flags, toks, s, e, other, max_examples) -> None:
    rep.counts[cls] += 1
    for f in flags:
        rep.counts[f"{cls}|{f}"] += 1
    if len(rep.examples[cls]) < max_examples:
        ctx = " ".join(toks[max(0, s - 2):s]) + " [" + " ".join(toks[s:e]) + "] " + " ".join(toks[e:e + 2])
        rest = ", ".join(f"{' '.join(toks[a:b])}/{u}" for a, b, u in other) or "-"
        rep.examples[cls].append(f"{ctx.strip()}    other: {rest}")


def seen_keys(sentences, typ: str) -> set[str]:
    return {entity_key(toks[s:e]) for toks, tags in sentences for s, e, t in chunks(tags) if t == typ}
