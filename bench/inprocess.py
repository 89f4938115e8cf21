"""In-process stage throughput and the codec comparison, with exactly the stage functions the agents call.

Each run is a fresh Python process (`python -m bench.inprocess`), so the tagger's per-word caches start cold,
as in a freshly started worker; a second pass over the same texts shows the warm figure. Throughput is
articles per CPU-second of this process ("per core"), which other load on a shared machine does not inflate;
wall-clock figures are kept too.

    python -m bench.inprocess --passes floor,clean,entities,codec --n 600 [--data DIR]
    python -m bench.inprocess --passes pipeline,pipeline --n 600
    python -m bench.inprocess --passes breaking --n 600

prints one JSON object: {"passes": [{"name", "n", "cpu_s", "wall_s"}...], "codec": {...}, "load_s": ...}.

`breaking` is the breaking-story scenario: the whole pipeline (a fresh StoryIndex each) on N copies of the
seed with outlet edits (`dataset.breaking`: one story of N articles), then on N distinct articles, in the
same process; its two passes ("breaking_copies", "breaking_distinct") also carry the story stage's own
CPU milliseconds per article ("stories_cpu_ms": mean, p50, p99, and the mean of the last tenth, where the
story is largest) and the number of stories.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import orjson

from bench import dataset
from nlp import stages
from nlp.stories import StoryIndex, article_text
from schemas.codec import encode, to_dict

WORD = re.compile(r"\w+")
PASSES = ("floor", "clean", "entities", "pipeline", "breaking", "codec")


def _timed(name: str, n: int, fn) -> tuple[dict, object]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return {"name": name, "n": n, "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - w0}, out


def floor_pass(payloads):
    """The floor: one regex tokenization of each body, nothing else."""
    for raw in payloads:
        WORD.findall(raw.body)


def clean_pass(payloads):
    return [stages.clean(stages.ingest(value, dataset.MAX_BYTES)) for _, value in payloads]


def entities_pass(cleaned):
    return [stages.enrich(article) for article in cleaned]


def pipeline_pass(payloads):
    """Bytes in, bytes out, as `akhbar process` runs it: validate, clean, enrich, cluster into stories, encode."""
    index = StoryIndex()
    return [encode(stages.process(stages.ingest(value, dataset.MAX_BYTES), index)) for _, value in payloads]


def story_stage_cpu_ms(records: list[bytes]) -> dict:
    """The story stage alone, CPU milliseconds per article (not inflated by other load on the machine): the
    records' title and body through a fresh StoryIndex in the same order, as `akhbar process` adds them."""
    index, ms = StoryIndex(), []
    for blob in records:
        rec = orjson.loads(blob)
        text = article_text(rec["title"], rec["body"])
        t0 = time.process_time()
        index.add(rec["id"], text, rec["ingested_at"])
        ms.append((time.process_time() - t0) * 1000)
    xs = sorted(ms)
    tail = ms[len(ms) - max(1, len(ms) // 10):]
    return {"mean": sum(xs) / len(xs), "p50": xs[len(xs) // 2], "p99": xs[min(len(xs) - 1, int(len(xs) * 0.99))],
            "last_tenth_mean": sum(tail) / len(tail)}


def breaking_passes(copies, distinct) -> list[dict]:
    """The breaking-story scenario: the pipeline on the copies, then on as many distinct articles; with each
    pass, its story stage alone in CPU time and the number of stories."""
    out = []
    for name, payloads in (("breaking_copies", copies), ("breaking_distinct", distinct)):
        timing, records = _timed(name, len(payloads), lambda: pipeline_pass(payloads))
        timing["stories_cpu_ms"] = story_stage_cpu_ms(records)
        timing["stories"] = len({orjson.loads(r)["story"]["id"] for r in records})
        out.append(timing)
    return out


def codec(records: list, min_seconds: float = 0.3) -> dict:
    """orjson vs the stdlib json on EnrichedArticle records, records per CPU-second: encode (orjson on the
    dataclass, as schemas.codec.encode does; orjson and json on the same record as a dict) and decode."""
    dicts = [to_dict(r) for r in records]
    blobs = [orjson.dumps(d) for d in dicts]
    size = sum(len(b) for b in blobs)

    def rate(fn, items) -> float:
        loops, t0 = 0, time.process_time()
        while True:
            for item in items:
                fn(item)
            loops += 1
            elapsed = time.process_time() - t0
            if elapsed >= min_seconds:
                return loops * len(items) / elapsed

    def json_dumps(d):
        return json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    out = {"records": len(records), "mean_bytes": size / len(records),
           "orjson_encode": rate(orjson.dumps, records),  # what schemas.codec.encode does: the dataclass
           "orjson_encode_dict": rate(orjson.dumps, dicts),
           "json_encode": rate(json_dumps, dicts),
           "orjson_decode": rate(orjson.loads, blobs),
           "json_decode": rate(json.loads, blobs)}
    return out


def run(names: list[str], data: Path, n: int) -> dict:
    articles = dataset.load(data, n)
    payloads = dataset.payloads(articles)
    t0 = time.perf_counter()
    from nlp.ner import load_tagger

    load_tagger()
    load_s = time.perf_counter() - t0
    # imports, regexes and camel-tools tables warmed on the seed article (not part of the measured texts)
    warm = dataset.payloads(dataset.load(dataset.SEEDS, 1))
    pipeline_pass(warm)
    floor_pass(articles[:5])
    result: dict = {"passes": [], "load_s": load_s, "articles": len(articles),
                    "chars": sum(len(a.body) for a in articles)}
    cleaned = enriched = None
    for name in names:
        if name == "floor":
            timing, _ = _timed(name, n, lambda: floor_pass(articles))
        elif name == "clean":
            timing, cleaned = _timed(name, n, lambda: clean_pass(payloads))
        elif name == "entities":
            cleaned = cleaned or clean_pass(payloads)
            timing, enriched = _timed(name, n, lambda: entities_pass(cleaned))
        elif name == "pipeline":
            timing, _ = _timed(name, n, lambda: pipeline_pass(payloads))
        elif name == "breaking":
            result["passes"] += breaking_passes(dataset.payloads(dataset.breaking(n)), payloads)
            continue
        elif name == "codec":
            enriched = enriched or entities_pass(cleaned or clean_pass(payloads))
            result["codec"] = codec(enriched)
            continue
        else:
            raise ValueError(f"unknown pass {name!r}; choose from {', '.join(PASSES)}")
        result["passes"].append(timing)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--passes", default="floor,clean,entities,pipeline")
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--data", type=Path, default=None)
    args = ap.parse_args(argv)
    result = run([p for p in args.passes.split(",") if p], args.data or dataset.default_data(), args.n)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
