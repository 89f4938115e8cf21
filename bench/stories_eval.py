"""Precision and recall of story clustering on the dev news set plus lightly edited copies.

    uv run python bench/stories_eval.py [--data /work/shared/data/news] [--copies 1] [--seed 8]

The dev articles are read where they lie (never copied into the repo). Each original gets 0-2 edited
copies (sentences reordered, a paragraph dropped, another outlet's byline, punctuation and diacritic
changes, in random combinations); the ground truth is "an original and its copies are one story, every
other pair is not". Articles pass through the clean stage (as in the pipeline), then `StoryIndex` in a
shuffled streaming order. Pair precision/recall are reported, and same-topic same-day pairs (articles
mentioning one place, published on one day) are checked for false merges.
"""
from __future__ import annotations

import argparse
import collections
import itertools
import json
import random
import re
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp import stories  # noqa: E402

DATA = Path("/work/shared/data/news")
BYLINES = ["دبي - العربية.نت", "بيروت - (رويترز) -", "القاهرة - سكاي نيوز عربية", "الرياض - واس",
           "لندن - بي بي سي عربي", "عمّان - (أ ف ب) -"]
DIACRITICS = "\u064e\u064f\u0650\u0652\u0651\u064b"
# Natural reprints in the dev set: originals from different papers (or one paper twice) that carry one
# story, judged by hand from their titles, dates and leads (ids only; no text is copied). They belong to one
# story in the ground truth. Judged NOT one story and kept apart in the truth: snn:aawsat:b2cb39458183 (the
# deputy king's reception of 5 August) vs snn:alwatan:7587aeaea917 / snn:sabq:672ff861826d (the reception of
# 4 August): templated text, two different days.
REPRINTS = [
    ["snn:alriyadh:c6c27a0b2468", "snn:aljazirah:7f7f1812544e"],
    ["snn:alriyadh:15898df9d5d0", "snn:alyaum:f93eba3f524d"],
    ["snn:alriyadh:3f2da4631a33", "snn:sabq:1381d01f7cd9"],
    ["snn:alriyadh:d2ee9543ecd7", "snn:alriyadh:bf18ab72b3af", "snn:aljazirah:330925cc15bc"],
    ["snn:alriyadh:103b3458ce84", "snn:alyaum:14b2b62f235c"],
    ["snn:alriyadh:ed5abd0b31b4", "snn:alyaum:5a220277f27b", "snn:alwatan:f69fb4b29908"],
    ["snn:aljazirah:6412275e794f", "snn:alyaum:1fcfa2f1c236"],
    ["snn:aljazirah:bbf853b8d8c9", "snn:alwatan:90b3c549aa8c"],
    ["snn:aljazirah:0d27fd345db2", "snn:alwatan:bbe7159abdcb"],
    ["snn:aljazirah:570bd367b3a5", "snn:sabq:7d796d8fc9de"],
    ["snn:aljazirah:b95c60d4d9c2", "snn:okaz:eda0b1dc3a72"],
    ["snn:aljazirah:dfbf12afe4da", "snn:sabq:a4e2c77b0dd1"],
    ["snn:alyaum:e2ca8a33eec1", "snn:okaz:d587a4ee2458"],
    ["snn:alyaum:a48537e9d094", "snn:aleqtisadiya:4e6cd80e04a5"],
    ["snn:alyaum:de20ab1b58f4", "snn:aleqtisadiya:6d8b40654cde"],
    ["snn:alyaum:ef5ba7e1e3b8", "snn:aawsat:2367c36b5e47"],
    ["snn:alyaum:33b217e906ac", "snn:alyaum:4915c2afad35"],
    ["snn:aleqtisadiya:033a0d6f40ea", "snn:sabq:a0cd0e6d7006"],
    ["snn:aleqtisadiya:d0d6d5ced33c", "snn:okaz:f9c8f4d1c03d"],
    ["snn:aleqtisadiya:70597a260caa", "snn:alwatan:b75e9a42c743"],
    ["snn:okaz:774ce443d71f", "snn:okaz:2b56fc14e636"],
    ["snn:alwatan:7587aeaea917", "snn:sabq:672ff861826d"],
]
_SENT = re.compile(r"(?<=[.!؟?])\s+")


def load(data: Path = DATA, langs=("ar",)) -> list[dict]:
    out = []
    for path in sorted(data.glob("*/articles.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec.get("lang") in langs and len(rec.get("body") or "") > 200:
                    out.append(rec)
    return out


def reorder_sentences(body: str, rng: random.Random) -> str:
    paras = body.split("\n")
    out = []
    for p in paras:
        sents = _SENT.split(p)
        if len(sents) > 2 and rng.random() < 0.6:
            i = rng.randrange(len(sents) - 1)
            sents[i], sents[i + 1] = sents[i + 1], sents[i]
        out.append(" ".join(sents))
    if len([p for p in out if p.strip()]) > 3 and rng.random() < 0.5:
        idx = [i for i, p in enumerate(out) if p.strip()]
        a, b = rng.sample(idx[1:], 2)
        out[a], out[b] = out[b], out[a]
    return "\n".join(out)


def drop_paragraph(body: str, rng: random.Random) -> str:
    paras = [p for p in body.split("\n") if p.strip()]
    if len(paras) < 3:
        return body
    i = rng.randrange(1, len(paras))
    if len(paras[i]) > 0.4 * len(body):  # never the bulk of the article
        return body
    del paras[i]
    return "\n".join(paras)


def byline(body: str, rng: random.Random) -> str:
    return f"{rng.choice(BYLINES)}\n{body}"


def punctuation_and_diacritics(body: str, rng: random.Random) -> str:
    out = []
    for ch in body:
        if ch == "،" and rng.random() < 0.5:
            ch = ","
        elif ch in ".،" and rng.random() < 0.2:
            ch = ""
        out.append(ch)
        if "\u0621" <= ch <= "\u064a" and rng.random() < 0.08:
            out.append(rng.choice(DIACRITICS))
        if ch == " " and rng.random() < 0.05:
            out.append("«")
    text = "".join(out)
    return text.replace("ا", "ا", 1).replace("لا", "لـا", 2)


EDITS = {"reorder": reorder_sentences, "drop-paragraph": drop_paragraph, "byline": byline,
         "punct-diacritics": punctuation_and_diacritics}


def edited_copy(article: dict, rng: random.Random, n: int) -> dict:
    """A lightly edited copy from another outlet: 1-4 random edits, a new id and source."""
    names = rng.sample(list(EDITS), rng.randint(1, len(EDITS)))
    body = article["body"]
    for name in names:
        body = EDITS[name](body, rng)
    title = article.get("title") or ""
    if rng.random() < 0.3:
        title = punctuation_and_diacritics(title, rng)
    return {**article, "id": f"{article['id']}~copy{n}", "source": f"outlet-{n}", "title": title, "body": body,
            "edits": names}


def corpus(articles: list[dict], rng: random.Random, max_copies: int = 2, reprints: bool = True) -> list[dict]:
    """Originals and their copies, each tagged with `truth` (the story: the original's id, or the first id of
    its REPRINTS group), in a shuffled order in which every copy comes after its original."""
    story_of = {aid: group[0] for group in REPRINTS for aid in group} if reprints else {}
    items = []
    for art in articles:
        truth = story_of.get(art["id"], art["id"])
        items.append({**art, "truth": truth, "original": art["id"]})
        for n in range(rng.randint(0, max_copies)):
            items.append({**edited_copy(art, rng, n + 1), "truth": truth, "original": art["id"]})
    order = list(range(len(items)))
    rng.shuffle(order)
    # keep each original before its copies (stable: an original takes the first slot its group gets)
    slots = collections.defaultdict(list)
    for pos, i in enumerate(order):
        slots[items[i]["original"]].append(pos)
    placed = [None] * len(items)
    groups = collections.defaultdict(list)
    for it in items:
        groups[it["original"]].append(it)
    for truth, members in groups.items():
        for pos, it in zip(sorted(slots[truth]), members):
            placed[pos] = it
    return placed


def pairs(labels: dict[str, str]) -> set[frozenset]:
    by = collections.defaultdict(list)
    for aid, lab in labels.items():
        by[lab].append(aid)
    return {frozenset(p) for members in by.values() for p in itertools.combinations(sorted(members), 2)}


def cluster(items: list[dict], use_clean: bool = True, t0_ms: int = 1_700_000_000_000) -> dict[str, object]:
    """Run StoryIndex over items in order (one second apart); returns article id -> Assignment."""
    from nlp.stages import clean
    from schemas.records import RawArticle

    index = stories.StoryIndex()
    out = {}
    for n, it in enumerate(items):
        title, body = it.get("title") or "", it["body"]
        if use_clean:
            rec = clean(RawArticle(body=body, id=it["id"], title=title, source=it.get("source")))
            title, body = rec.title, rec.body
        seen = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0_ms / 1000 + n)) + "Z"
        out[it["id"]] = index.add(it["id"], stories.article_text(title, body), seen)
    return out


def evaluate(items: list[dict], assigned: dict) -> dict:
    truth = pairs({it["id"]: it["truth"] for it in items})
    pred = pairs({aid: a.story_id for aid, a in assigned.items()})
    tp = len(truth & pred)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(truth) if truth else 1.0
    return {"articles": len(items), "true_pairs": len(truth), "predicted_pairs": len(pred), "tp": tp,
            "precision": round(precision, 4), "recall": round(recall, 4),
            "false_merges": sorted(tuple(sorted(p)) for p in pred - truth),
            "missed": sorted(tuple(sorted(p)) for p in truth - pred)}


def same_topic_same_day(articles: list[dict], word: str = "سوري") -> list[tuple[str, str]]:
    """Pairs of distinct originals that mention `word` in the title and were published on the same day."""
    by_day = collections.defaultdict(list)
    for a in articles:
        if a.get("published_at") and word in (a.get("title") or "") + a["body"][:300]:
            by_day[a["published_at"][:10]].append(a["id"])
    return [p for ids in by_day.values() for p in itertools.combinations(ids, 2)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--copies", type=int, default=2, help="at most this many edited copies per original")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N originals")
    ap.add_argument("--no-clean", action="store_true", help="skip the clean stage (raw title+body)")
    ap.add_argument("--no-reprints", action="store_true",
                    help="ground truth without the hand-judged natural reprints (every original its own story)")
    ap.add_argument("--show", type=int, default=5, help="print up to N false merges and misses")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    articles = load(args.data)
    if args.limit:
        articles = articles[:args.limit]
    items = corpus(articles, rng, args.copies, reprints=not args.no_reprints)
    t = time.perf_counter()
    assigned = cluster(items, use_clean=not args.no_clean)
    elapsed = time.perf_counter() - t
    result = evaluate(items, assigned)
    topical = same_topic_same_day(articles)
    merged = [p for p in topical if assigned[p[0]].story_id == assigned[p[1]].story_id]
    print(f"{len(articles)} originals + {len(items) - len(articles)} edited copies = {result['articles']} "
          f"articles ({elapsed:.1f}s incl. clean)")
    print(f"ground truth: originals and their copies{'' if args.no_reprints else f', plus {len(REPRINTS)} hand-judged natural reprint groups'}")
    print(f"same-story pairs: {result['true_pairs']} true, {result['predicted_pairs']} predicted, {result['tp']} "
          f"correct -> precision {result['precision']:.4f}, recall {result['recall']:.4f}")
    print(f"same-topic same-day pairs (\"سوري\", distinct originals): {len(topical)}, merged: {len(merged)}")
    by_id = {it["id"]: it for it in items}
    for a, b in result["false_merges"][:args.show]:
        print(f"  false merge: {a} ~ {b} sim={assigned[b].similarity} / {assigned[a].similarity}")
    for a, b in result["missed"][:args.show]:
        print(f"  missed: {a} ~ {b} edits={by_id[b].get('edits') or by_id[a].get('edits')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
