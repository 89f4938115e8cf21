"""Entity-level exact-match scoring with conlleval semantics.

A chunk starts at ``B-X``, or at ``I-X`` when the previous tag is not of type X (conlleval's lenient reading of
ill-formed IOB); it ends before the next ``B``, ``O`` or a change of type. An entity counts as correct only when
both boundaries and the type match. Micro figures are over PER/LOC/ORG; MISC is reported separately.
"""
from __future__ import annotations

from collections import Counter

MAIN_TYPES = ("PER", "LOC", "ORG")


def chunks(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end_exclusive, type) of each entity in an IOB2 tag sequence."""
    out: list[tuple[int, int, str]] = []
    start, typ = 0, None
    for i, tag in enumerate(tags):
        if tag == "O":
            if typ is not None:
                out.append((start, i, typ))
                typ = None
            continue
        t = tag[2:]
        if tag[0] != "I" or t != typ:  # B-X, or I-X not continuing an X chunk
            if typ is not None:
                out.append((start, i, typ))
            start, typ = i, t
    if typ is not None:
        out.append((start, len(tags), typ))
    return out


def _prf(tp: int, pred: int, gold: int) -> dict:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": pred, "gold": gold}


def score(gold_seqs: list[list[str]], pred_seqs: list[list[str]]) -> dict:
    """{"micro": {...} over PER/LOC/ORG, "per_type": {T: {...}} for every type seen, "sentences": n}."""
    tp, npred, ngold = Counter(), Counter(), Counter()
    for g, p in zip(gold_seqs, pred_seqs, strict=True):
        gc, pc = set(chunks(g)), set(chunks(p))
        for c in gc:
            ngold[c[2]] += 1
        for c in pc:
            npred[c[2]] += 1
        for c in gc & pc:
            tp[c[2]] += 1
    types = sorted(set(ngold) | set(npred), key=lambda t: (t not in MAIN_TYPES, t))
    per_type = {t: _prf(tp[t], npred[t], ngold[t]) for t in types}
    micro = _prf(sum(tp[t] for t in MAIN_TYPES), sum(npred[t] for t in MAIN_TYPES), sum(ngold[t] for t in MAIN_TYPES))
    return {"micro": micro, "per_type": per_type, "sentences": len(gold_seqs)}
