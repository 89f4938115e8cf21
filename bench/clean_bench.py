"""Throughput of the clean stage on one core, next to a single regex pass over the same texts (the floor).

    uv run python bench/clean_bench.py [--data DIR] [--set gold|all] [--repeats 7] [--memory]

The texts are the gold-set articles (--set gold, default) or every article of the news data folder (--set all),
read from --data, else $AKHBAR_NEWS_DATA, else ../shared/data/news. Both measurements run in the same process,
interleaved, on the same texts; each figure is the median of --repeats timed passes after one warm-up pass.
Peak memory: tracemalloc peak of one extra (untimed) cleaning pass, and the process's max RSS.
--memory: as the clean agent runs, with the memory of recent titles (nlp.headlines.StreamTitles over a dict in
place of its Faust table; each article the next offset of one partition, its title remembered after cleaning).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from clean_eval import data_dir  # noqa: E402
from nlp.clean import clean_article  # noqa: E402
from nlp.headlines import StreamTitles  # noqa: E402

_WORD = re.compile(r"\w+")


def load(path: Path, which: str) -> list[tuple[str | None, str, str]]:
    datasets = sorted(p.name for p in path.iterdir() if (p / "articles.jsonl").is_file())
    wanted = None
    if which == "gold":
        gold = ROOT / "tests" / "gold" / "cleaning_labels.jsonl"
        wanted = {json.loads(x)["id"] for x in gold.read_text(encoding="utf-8").splitlines() if x.strip()}
    out = []
    for ds in datasets:
        with (path / ds / "articles.jsonl").open(encoding="utf-8") as f:
            for line in f:
                a = json.loads(line)
                if wanted is None or a["id"] in wanted:
                    out.append((a["title"], a["body"], a.get("source") or ds))
    return out


def clean_pass(texts):
    for title, body, _source in texts:
        clean_article(title, body)


def memory_pass(texts):
    """A fresh table per pass, so every pass does the same work (the later articles find the earlier titles)."""
    table: dict = {}
    for offset, (title, body, source) in enumerate(texts):
        titles = StreamTitles(table, 0, offset)
        now = 1.7e9 + offset
        result = clean_article(title, body, titles.known(source, now))
        titles.add(source, result.title, now)


def floor_pass(texts):
    for _title, body, _source in texts:
        _WORD.findall(body)


def timed(fn, texts) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for one pass."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn(texts)
    return time.perf_counter() - w0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--set", default="gold", choices=["gold", "all"])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--memory", action="store_true", help="with the stream's memory of recent titles")
    args = ap.parse_args(argv)
    run = memory_pass if args.memory else clean_pass
    texts = load(data_dir(args.data), args.set)
    if not texts:
        sys.exit("clean_bench: no articles found")
    chars = sum(len(b) for _, b, _ in texts)

    run(texts)  # warm-up: imports, regex compilation, camel-tools tables
    floor_pass(texts)
    clean_t, floor_t = [], []
    for _ in range(args.repeats):
        clean_t.append(timed(run, texts))
        floor_t.append(timed(floor_pass, texts))
    tracemalloc.start()
    run(texts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    n = len(texts)
    cw, cc = statistics.median(w for w, _ in clean_t), statistics.median(c for _, c in clean_t)
    fw, fc = statistics.median(w for w, _ in floor_t), statistics.median(c for _, c in floor_t)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus visible, one core used; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"articles: {n} ({args.set}), {chars / 1e6:.2f} M characters; median of {args.repeats} passes\n")
    print("Per core = articles per CPU-second of this process (not inflated by other processes on a shared machine);")
    print("wall = articles per elapsed second.\n")
    print("| pass | articles/s per core (CPU time) | µs CPU / article | articles/s (wall) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| clean_article{' + memory' if args.memory else ''} | {n / cc:,.0f} | {1e6 * cc / n:,.1f} | {n / cw:,.0f} |")
    print(f"| floor: re.findall(r'\\w+', body) | {n / fc:,.0f} | {1e6 * fc / n:,.1f} | {n / fw:,.0f} |")
    print(f"\nclean_article costs {cc / fc:.1f}x the single regex pass (CPU time)")
    print(f"peak traced memory of one cleaning pass: {peak / 1e6:.2f} MB; process max RSS: {rss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
