"""Document-level consistency: a name is tagged alike across an article.

After the CRF tags every sentence, names it found (and the surname of a multi-word person name) are looked up in
the untagged stretches of the whole article and tagged with the type most often given to them; an entity tagged
with conflicting types takes the majority type. Keys compare clitic-stripped normalized forms, so بالعراق matches
العراق.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

from nlp.ner.evaluation import chunks
from nlp.ner.features import clitic_split, proclitic_candidate
from nlp.ner.tokens import norm

MAX_LEN = 5


@lru_cache(maxsize=100_000)
def _key(word: str) -> str:
    return clitic_split(norm(word))[1]


@lru_cache(maxsize=100_000)
def _alt(word: str) -> str | None:
    n = norm(word)
    if clitic_split(n)[0]:
        return None
    c = proclitic_candidate(n)
    return c[1] if c else None


def harmonize(words: list[list[str]], tags: list[list[str]], propagate: bool = True, majority: bool = True,
              surnames: bool = True) -> list[list[str]]:
    tags = [list(t) for t in tags]
    votes: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    found: list[list[tuple[int, int, str]]] = []
    for ws, ts in zip(words, tags):
        cs = chunks(ts)
        found.append(cs)
        for s, e, t in cs:
            if e - s <= MAX_LEN:
                votes[tuple(_key(w) for w in ws[s:e])][t] += 1
    if not votes:
        return tags
    best: dict[tuple[str, ...], str] = {k: c.most_common(1)[0][0] for k, c in votes.items()}
    if surnames:
        for k, t in list(best.items()):
            if t == "PER" and len(k) >= 2 and len(k[-1]) >= 4 and (k[-1],) not in best:
                best[(k[-1],)] = "PER"
    if majority:
        for ws, ts, cs in zip(words, tags, found):
            for s, e, t in cs:
                k = tuple(_key(w) for w in ws[s:e])
                c = votes.get(k)
                if c and len(c) > 1:
                    top, n = c.most_common(1)[0]
                    if top != t and n >= 2 * c[t]:
                        ts[s] = "B-" + top
                        for i in range(s + 1, e):
                            ts[i] = "I-" + top
    if propagate:
        firsts = defaultdict(list)
        for k, t in best.items():
            firsts[k[0]].append((k, t))
        for lst in firsts.values():
            lst.sort(key=lambda x: -len(x[0]))
        for ws, ts in zip(words, tags):
            keys = [_key(w) for w in ws]
            i, L = 0, len(ws)
            while i < L:
                if ts[i] != "O":
                    i += 1
                    continue
                cands = firsts.get(keys[i])
                if cands is None:
                    alt = _alt(ws[i])
                    cands = firsts.get(alt) if alt else None
                step = 1
                for k, t in cands or ():
                    n = len(k)
                    if i + n <= L and all(ts[i + j] == "O" and keys[i + j] == k[j] for j in range(1, n)):
                        ts[i] = "B-" + t
                        for j in range(1, n):
                            ts[i + j] = "I-" + t
                        step = n
                        break
                i += step
    return tags
