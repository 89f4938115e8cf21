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
              surnames: bool = True, keys: list[list[str]] | None = None,
              alts: list[list[str | None]] | None = None) -> list[list[str]]:
    """``keys``/``alts``: per-token ``_key``/``_alt`` when the caller has them already (computed here otherwise)."""
    tags = [list(t) for t in tags]
    if keys is None:
        keys = [[_key(w) for w in ws] for ws in words]
    if alts is None:
        alts = [[_alt(w) for w in ws] for ws in words]
    votes: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    found: list[list[tuple[int, int, str]]] = []
    for ks, ts in zip(keys, tags):
        cs = chunks(ts) if ts.count("O") != len(ts) else []
        found.append(cs)
        for s, e, t in cs:
            if e - s <= MAX_LEN:
                votes[tuple(ks[s:e])][t] += 1
    if not votes:
        return tags
    best: dict[tuple[str, ...], str] = {k: c.most_common(1)[0][0] for k, c in votes.items()}
    if surnames:
        for k, t in list(best.items()):
            if t == "PER" and len(k) >= 2 and len(k[-1]) >= 4 and (k[-1],) not in best:
                best[(k[-1],)] = "PER"
    if majority:
        for ks, ts, cs in zip(keys, tags, found):
            for s, e, t in cs:
                k = tuple(ks[s:e])
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
        for ks, als, ts in zip(keys, alts, tags):
            if firsts.keys().isdisjoint(ks) and firsts.keys().isdisjoint(als):
                continue
            i, L = 0, len(ks)
            while i < L:
                if ts[i] != "O":
                    i += 1
                    continue
                cands = firsts.get(ks[i])
                if cands is None:
                    alt = als[i]
                    cands = firsts.get(alt) if alt else None
                step = 1
                for k, t in cands or ():
                    n = len(k)
                    if i + n <= L and all(ts[i + j] == "O" and ks[i + j] == k[j] for j in range(1, n)):
                        ts[i] = "B-" + t
                        for j in range(1, n):
                            ts[i + j] = "I-" + t
                        step = n
                        break
                i += step
    return tags
