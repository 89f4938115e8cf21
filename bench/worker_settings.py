"""One worker's CPU per article and latency under variants of its settings, alternated run by run.

    AKHBAR_BROKER=kafka://127.0.0.1:19092 uv run --locked python -m bench.worker_settings \\
        AKHBAR_EVENT_LOOP=asyncio AKHBAR_EVENT_LOOP=uvloop [--repeat 3] [--n 300] [--rate 25]

Each variant is a comma-separated list of settings (`AKHBAR_X=v,AKHBAR_Y=w`) on top of the defaults. Each repeat
runs every variant in turn, the order the same in every repeat: one fresh worker (the whole pipeline) on a fresh
topic set of AKHBAR_BROKER, a warm-up article, a burst of `--n` dev articles (throughput, worker CPU per article),
then 15 s of other articles at `--rate` articles/s (end-to-end latency, read_committed, as `akhbar bench` measures
it; default: half the run's burst throughput). Prints one row a run, then each variant's medians.
"""
from __future__ import annotations

import argparse
import os
import statistics

from bench import broker, dataset
from bench.report import percentile
from streams.settings import Settings


def parse_variant(text: str) -> dict[str, str]:
    """`AKHBAR_X=v,AKHBAR_Y=w` -> {"AKHBAR_X": "v", "AKHBAR_Y": "w"}; a clear error for anything else."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.startswith("AKHBAR_"):
            raise SystemExit(f"a variant is AKHBAR_NAME=value[,AKHBAR_NAME=value...], not {text!r}")
        out[name] = value
    Settings.from_env(out)  # a bad value fails here, before any worker starts
    return out


def run(variants: list[tuple[str, dict[str, str]]], repeat: int, n: int, rate: float | None) -> None:
    """Each repeat, every (label, settings) variant in turn on one fresh worker; one row a run, then the medians."""
    bootstrap = Settings.from_env().bootstrap_servers
    articles = dataset.load(dataset.default_data(), 3 * n)
    burst, rated = dataset.payloads(articles[:n]), dataset.payloads(articles[n:])
    warm = dataset.warmup()
    print("| variant | burst articles/s | worker CPU per article | latency run rate | p50 | p99 "
          "| worker CPU per article, latency run | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    cpu: dict[str, list[float]] = {name: [] for name, _ in variants}
    p99: dict[str, list[float]] = {name: [] for name, _ in variants}
    for _ in range(repeat):
        for name, env in variants:
            res = broker.pipeline_run(bootstrap, 1, burst, rated, warmup=warm, env=env, rate=rate)
            b, r = res["burst"], res["rated"]
            ms = [x * 1000 for x in r["latencies_s"]]
            cpu[name].append(1000 * b["worker_cpu_s"] / b["received"])
            p99[name].append(percentile(ms, 99))
            print(f"| {name} | {b['throughput']:.1f} | {cpu[name][-1]:.1f} ms | {r['rate']:.1f}/s "
                  f"| {percentile(ms, 50):.0f} ms | {p99[name][-1]:.0f} ms "
                  f"| {1000 * r['worker_cpu_s'] / r['received']:.1f} ms | {os.getloadavg()[0]:.1f} |", flush=True)
    for name, _ in variants:
        print(f"| {name}: median of {repeat} | | {statistics.median(cpu[name]):.1f} ms | | "
              f"| {statistics.median(p99[name]):.0f} ms | | |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variants", nargs="+", help="AKHBAR_NAME=value[,AKHBAR_NAME=value...], one per variant")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--rate", type=float, default=None, help="articles/s of every latency run")
    args = ap.parse_args(argv)
    run([(v, parse_variant(v)) for v in args.variants], args.repeat, args.n, args.rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
