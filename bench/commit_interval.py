"""Latency against the commit interval under exactly_once: a record is visible downstream only once the transaction
of its hop commits, so the interval is paid at each of the pipeline's hops.

    uv run --locked python -m bench.commit_interval [--intervals 0.03,0.05,0.1] [--idle-commit-ms 0,2]
        [--repeat 2] [--n 300] [--rate R]

For each interval and idle-commit quiet time in turn (AKHBAR_COMMIT_INTERVAL_S, AKHBAR_IDLE_COMMIT_MS; 0 turns
the idle commit off, streams/idle_commit.py; the order the same in every repeat), one fresh worker on a fresh topic set of
AKHBAR_BROKER: a burst of `--n` dev articles (throughput, worker CPU per article), then 15 s of other articles at
half that throughput, or at `--rate` articles/s in every run so that the latencies compare at one load
(end-to-end latency, read_committed, as `akhbar bench` measures it). Prints one row a run, then each
variant's medians (bench/worker_settings.py runs them).
"""
from __future__ import annotations

import argparse

from bench.worker_settings import run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--intervals", default="0.03,0.05,0.1", help="commit intervals in seconds, comma-separated")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--rate", type=float, default=None,
                    help="articles/s of every latency run (default: half of that run's burst throughput)")
    ap.add_argument("--idle-commit-ms", default="0,2",
                    help="idle-commit quiet times in milliseconds, comma-separated (0: off)")
    args = ap.parse_args(argv)
    intervals = [float(x) for x in args.intervals.split(",")]
    quiets = [float(x) for x in args.idle_commit_ms.split(",")]
    variants = [(f"{i:g} s, idle commit {f'{q:g} ms' if q else 'off'}",
                 {"AKHBAR_PROCESSING_GUARANTEE": "exactly_once", "AKHBAR_COMMIT_INTERVAL_S": str(i),
                  "AKHBAR_IDLE_COMMIT_MS": str(q)}) for i in intervals for q in quiets]
    run(variants, args.repeat, args.n, args.rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
