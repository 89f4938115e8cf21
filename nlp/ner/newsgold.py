"""The entity gold set of current news (``tests/gold/ner_news.jsonl``): scoring ``Tagger.find`` on it.

Each line is one article of ``../shared/data/news`` (the text itself is not in the repo: licenses)::

    {"dataset": "saudinewsnet", "id": "snn:okaz:...", "span": [0, 751], "entities": [[12, 20, "PER"], ...]}

``span`` is the annotated region and ``entities`` are offsets into the article's verbatim ``body`` (inside the
span); the conventions are in docs/ner.md ("A gold set of current news"). PER, LOC and ORG are annotated (MISC is
not, and is not scored). Scoring is exact match on (start, end, type), micro over the three types.
"""
from __future__ import annotations

import json
from pathlib import Path

from nlp.ner.evaluation import MAIN_TYPES

GOLD_FILE = Path(__file__).resolve().parents[2] / "tests" / "gold" / "ner_news.jsonl"


class GoldError(ValueError):
    pass


def read_gold(path: str | Path = GOLD_FILE) -> list[dict]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        rec = json.loads(line)
        s, e = rec["span"]
        for a, b, t in rec["entities"]:
            if not (s <= a < b <= e) or t not in MAIN_TYPES:
                raise GoldError(f"{path}:{n}: bad entity {[a, b, t]} in span {[s, e]}")
        out.append(rec)
    return out


def attach_texts(gold: list[dict], news_root: str | Path) -> list[tuple[dict, str]]:
    """(record, the article's body) pairs, the bodies read from ``news_root/<dataset>/articles.jsonl``."""
    news_root = Path(news_root)
    wanted: dict[str, set[str]] = {}
    for rec in gold:
        wanted.setdefault(rec["dataset"], set()).add(rec["id"])
    bodies: dict[tuple[str, str], str] = {}
    for ds, ids in wanted.items():
        path = news_root / ds / "articles.jsonl"
        if not path.is_file():
            raise GoldError(f"{path} not found (set --news-root)")
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                a = json.loads(line)
                if a.get("id") in ids:
                    bodies[(ds, a["id"])] = a["body"]
    missing = [r["id"] for r in gold if (r["dataset"], r["id"]) not in bodies]
    if missing:
        raise GoldError(f"articles not found under {news_root}: {', '.join(missing[:5])}")
    return [(r, bodies[(r["dataset"], r["id"])]) for r in gold]


def score_spans(gold: list[set[tuple[int, int, str]]], pred: list[set[tuple[int, int, str]]]) -> dict:
    """Exact-match P/R/F1 per type and micro over PER/LOC/ORG (predicted MISC is ignored)."""
    def prf(tp: int, ng: int, npred: int) -> dict:
        p = tp / npred if npred else 0.0
        r = tp / ng if ng else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                "gold": ng, "pred": npred}
    per_type, totals = {}, [0, 0, 0]
    for t in MAIN_TYPES:
        g = [{x for x in s if x[2] == t} for s in gold]
        p = [{x for x in s if x[2] == t} for s in pred]
        tp = sum(len(a & b) for a, b in zip(g, p))
        ng, npred = sum(map(len, g)), sum(map(len, p))
        per_type[t] = prf(tp, ng, npred)
        totals = [totals[0] + tp, totals[1] + ng, totals[2] + npred]
    return {"per_type": per_type, "micro": prf(*totals), "articles": len(gold)}


def evaluate_gold(tagger, pairs: list[tuple[dict, str]]) -> dict:
    """Score ``tagger.find`` on each article's annotated region, as the entity stage calls it (one article)."""
    gold, pred = [], []
    for rec, body in pairs:
        s, e = rec["span"]
        gold.append({(a, b, t) for a, b, t in rec["entities"]})
        pred.append({(m.start + s, m.end + s, m.type) for m in tagger.find(body[s:e]) if m.type in MAIN_TYPES})
    return score_spans(gold, pred)
