"""The benchmark's input: the dev news set (../shared/data/news/*/articles.jsonl), or the seeds when it is absent.

The articles are read at run time, never copied into the repo. Only articles the ingest stage accepts are kept
(an empty body would go to the dead-letter topic and never reach articles.enriched), in a fixed shuffled order
so every slice mixes the sources.
"""
from __future__ import annotations

import dataclasses
import os
import random
from pathlib import Path

from nlp import stages
from schemas.codec import encode
from schemas.records import RawArticle
from streams.inputs import read_articles
from streams.settings import REPO_ROOT

DEFAULT_NEWS = REPO_ROOT.parent / "shared" / "data" / "news"
SEEDS = REPO_ROOT / "seeds"
MAX_BYTES = 1_048_576


def default_data() -> Path:
    """$AKHBAR_NEWS_DATA, else ../shared/data/news next to the repo, else seeds/."""
    env = os.environ.get("AKHBAR_NEWS_DATA")
    if env:
        return Path(env)
    return DEFAULT_NEWS if DEFAULT_NEWS.is_dir() else SEEDS


def _files(data: Path) -> list[Path]:
    """A news folder's `<dataset>/articles.jsonl` files (not the raw originals beside them); else the path."""
    found = sorted(data.glob("*/articles.jsonl")) if data.is_dir() else []
    return found or [data]


def load(data: Path, n: int, seed: int = 7) -> list[RawArticle]:
    """`n` valid articles from `data` in a fixed shuffled order. When the folder holds fewer (the single seed
    article), they are repeated under new ids, so each one is still a distinct article in the stream."""
    pool = []
    for raw in read_articles(_files(data)):
        try:
            stages.ingest(encode(raw), MAX_BYTES)
        except stages.InvalidInput:
            continue
        pool.append(raw if raw.id else dataclasses.replace(raw, id=stages.article_id(raw.source, raw.title, raw.body)))
    if not pool:
        raise ValueError(f"no valid articles in {data}")
    random.Random(seed).shuffle(pool)
    out = []
    for i in range(n):
        raw = pool[i % len(pool)]
        if i >= len(pool):
            raw = dataclasses.replace(raw, id=f"{raw.id or 'a'}-r{i // len(pool)}")
        out.append(raw)
    return out


def payloads(articles: list[RawArticle]) -> list[tuple[bytes, bytes]]:
    """(key, value) messages for articles.raw, as a producer sends them."""
    return [(a.id.encode(), encode(a)) for a in articles]


def warmup() -> list[tuple[bytes, bytes]]:
    """The one message a run sends first and waits for (the seed article, id `bench-warmup`): a worker's
    caches, consumer assignment and first transaction are in place before anything is measured."""
    return payloads([dataclasses.replace(load(SEEDS, 1)[0], id="bench-warmup")])


def breaking(n: int, source: RawArticle | None = None, seed: int = 14) -> list[RawArticle]:
    """A breaking story: `n` copies of one article (the seed by default), each as another outlet reprints it,
    with the evaluation's outlet edits (bench.stories_eval.edited_copy: sentences reordered, a paragraph
    dropped, a byline, punctuation and diacritics; 1-4 of them at random), under ids `<id>~copyN`.

    For the breaking-story scenario next to `load(data, n)` distinct articles, in-process
    (`python -m bench.inprocess --passes breaking`) and through Kafka (`payloads(breaking(n))` as the burst)."""
    from bench.stories_eval import edited_copy

    src = source or load(SEEDS, 1)[0]
    rng = random.Random(seed)
    article = {"id": src.id, "title": src.title or "", "body": src.body}
    out = []
    for i in range(n):
        copy = edited_copy(article, rng, i + 1)
        out.append(dataclasses.replace(src, id=copy["id"], source=copy["source"], title=copy["title"] or None,
                                       body=copy["body"], url=None, ingested_at=None))
    return out
