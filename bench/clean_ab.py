"""Two cleaners, interleaved in one process: the one of an older source tree and the current one (each with and
without the stream's memory of recent titles), on the same texts, median CPU time of --rounds passes each.

    git archive COMMIT nlp schemas | tar -x -C /tmp/base
    uv run python bench/clean_ab.py --baseline-root /tmp/base [--set gold|all] [--rounds 25]

On a shared machine the load changes between two runs of bench/clean_bench.py more than the cleaners differ;
interleaving the passes in one process gives both the same load. The older `nlp/` is copied to a temporary
folder as the package `nlp_base` (its `nlp` imports rewritten), so both import side by side; `schemas` is the
current one.
"""
from __future__ import annotations

import argparse
import importlib
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import clean_bench as B  # noqa: E402
from clean_eval import data_dir  # noqa: E402

_IMPORT = re.compile(r"\b(from|import) nlp\b")


def load_baseline(root: Path, into: Path):
    pkg = into / "nlp_base"
    shutil.copytree(root / "nlp", pkg)
    for f in pkg.rglob("*.py"):
        f.write_text(_IMPORT.sub(r"\1 nlp_base", f.read_text(encoding="utf-8")), encoding="utf-8")
    sys.path.insert(0, str(into))
    clean = importlib.import_module("nlp_base.clean").clean_article
    try:
        headlines = importlib.import_module("nlp_base.headlines")
    except ImportError:   # a tree from before the memory of recent titles
        headlines = None
    return clean, headlines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline-root", required=True)
    ap.add_argument("--data")
    ap.add_argument("--set", default="gold", choices=["gold", "all"])
    ap.add_argument("--rounds", type=int, default=25)
    args = ap.parse_args(argv)
    texts = B.load(data_dir(args.data), args.set)
    with tempfile.TemporaryDirectory() as tmp:
        base_clean, base_headlines = load_baseline(Path(args.baseline_root), Path(tmp))

        def base_pass(t):
            for title, body, _ in t:
                base_clean(title, body)

        def base_memory_pass(t):   # B.memory_pass with the older cleaner and its StreamTitles
            table: dict = {}
            for offset, (title, body, source) in enumerate(t):
                titles = base_headlines.StreamTitles(table, 0, offset)
                now = 1.7e9 + offset
                result = base_clean(title, body, titles.known(source, now))
                titles.add(source, result.title, now)

        passes = {f"baseline ({args.baseline_root})": base_pass, "current clean_article": B.clean_pass}
        if hasattr(base_headlines, "StreamTitles"):   # an older tree has no stream memory to compare with
            passes["baseline + stream memory"] = base_memory_pass
        passes["current + stream memory"] = B.memory_pass
        for f in passes.values():
            f(texts)  # warm-up
        cpu: dict[str, list[float]] = {k: [] for k in passes}
        for _ in range(args.rounds):
            for k, f in passes.items():
                c0 = time.process_time()
                f(texts)
                cpu[k].append(time.process_time() - c0)
    n = len(texts)
    print(f"{n} articles ({args.set}), {args.rounds} interleaved rounds\n")
    print("| cleaner | articles/s per core (median CPU) | µs / article | best pass |")
    print("| --- | ---: | ---: | ---: |")
    for k, v in cpu.items():
        m = statistics.median(v)
        print(f"| {k} | {n / m:,.0f} | {1e6 * m / n:,.0f} | {n / min(v):,.0f}/s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
