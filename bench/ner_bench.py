"""Entity-stage benchmark (not a test): find + link + quotes over the Arabic dev news.

    uv run python bench/ner_bench.py [--news '../shared/data/news/*/articles.jsonl'] [--repeats 3]

Prints model load time, sentences/s, tokens/s and articles/s per core (single process, measured in process CPU
time so other load on the machine does not skew it; wall clock shown too), and peak RSS.
Bodies are given a light clean first (NFC, controls and NBSP removed, spacing fixed) so the figures reflect
display text; that cleaning is not timed.
"""
from __future__ import annotations

import argparse
import glob
import resource
import sys
import time
import unicodedata
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def load_articles(pattern: str) -> list[str]:
    out = []
    for f in sorted(glob.glob(pattern)):
        with open(f, "rb") as fh:
            for line in fh:
                d = orjson.loads(line)
                if d.get("lang") != "ar":
                    continue
                text = unicodedata.normalize("NFC", (d.get("title") or "") + "\n" + (d.get("body") or ""))
                text = text.replace("\u00a0", " ").replace("\u200f", "").replace("\u200e", "")
                out.append(text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    repo = Path(__file__).resolve().parents[1]
    ap.add_argument("--news", default=str(repo.parent / "shared" / "data" / "news" / "*" / "articles.jsonl"))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    texts = load_articles(args.news)
    if not texts:
        sys.exit(f"no Arabic articles under {args.news}")

    t0 = time.perf_counter()
    from nlp.ner import load_tagger
    tagger = load_tagger()
    load_s = time.perf_counter() - t0
    from nlp.linking import link
    from nlp.ner.tokens import sentences
    from nlp.quotes import find_quotes

    n_sent = sum(len(sentences(t)) for t in texts)
    n_tok = sum(len(s) for t in texts for s in sentences(t))
    # one warm-up pass (feature cache, lazy imports), then timed passes; the best pass is reported
    best = None
    cold = None
    counts = None
    for r in range(args.repeats + 1):
        t = time.process_time()  # CPU time of this process: "per core", robust to other load on the machine
        w = time.perf_counter()
        ents = quotes = 0
        for text in texts:
            linked = link(text, tagger.find(text))
            ents += len(linked)
            quotes += len(find_quotes(text, linked))
        dt = time.process_time() - t
        wall = time.perf_counter() - w
        if r == 0:
            cold = dt
        if r and (best is None or dt < best):
            best, best_wall = dt, wall
        counts = (ents, quotes)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {len(texts)}  sentences: {n_sent}  tokens: {n_tok}  entities: {counts[0]}  quotes: {counts[1]}")
    print(f"model load: {load_s * 1000:.0f} ms (imports + model + clusters + gazetteer + names)")
    print(f"find+link+quotes, 1 core: {len(texts) / best:.0f} articles/s, {n_sent / best:.0f} sentences/s, "
          f"{n_tok / best:.0f} tokens/s  (CPU time; best of {args.repeats} after a warm-up pass; "
          f"wall clock {len(texts) / best_wall:.0f} articles/s)")
    print(f"first (cold-cache) pass: {len(texts) / cold:.0f} articles/s, {n_tok / cold:.0f} tokens/s")
    print(f"peak RSS: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
