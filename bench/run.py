"""One benchmark session: per repeat, the in-process passes (in fresh processes) and, with a broker, the
passthrough, the 1-worker run (burst, then the latency run at half its throughput) and the 2-worker run.
Each repeat's measurements become one flat {metric: value} dict (keys of bench.report.METRICS)."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bench import dataset, report
from streams.settings import REPO_ROOT


@dataclass(frozen=True)
class Plan:
    data: Path
    n: int  # burst articles (and in-process articles)
    repeat: int
    rated_seconds: float  # length of the latency run at half load
    bootstrap: str | None  # None: in-process only
    quick: bool = False
    broker_pid: int | None = None  # the local broker's process, to measure its CPU

    @classmethod
    def make(cls, data: Path, repeat: int | None, quick: bool, bootstrap: str | None, n: int | None = None,
             broker_pid: int | None = None):
        return cls(data=data, n=n or (30 if quick else 300), repeat=repeat or (1 if quick else 3),
                   rated_seconds=3.0 if quick else 15.0, bootstrap=bootstrap, quick=quick, broker_pid=broker_pid)


def in_process(plan: Plan, passes: str) -> dict:
    """One `python -m bench.inprocess` run in a fresh process (cold caches, as a fresh worker)."""
    cmd = [sys.executable, "-m", "bench.inprocess", "--passes", passes, "--n", str(plan.n), "--data", str(plan.data)]
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def in_process_figures(plan: Plan) -> dict:
    stages = in_process(plan, "floor,clean,entities,codec")
    pipe = in_process(plan, "pipeline,pipeline")
    rates = {p["name"]: p["n"] / p["cpu_s"] for p in stages["passes"]}
    cold, warm = (p["n"] / p["cpu_s"] for p in pipe["passes"])
    out = {**rates, "pipeline": cold, "pipeline_warm": warm, "pipeline_cpu_ms": 1000 / cold}
    out.update({k: stages["codec"][k] for k in ("orjson_encode", "orjson_encode_dict", "json_encode", "orjson_decode",
                                                  "json_decode")})
    out["codec_mean_bytes"] = stages["codec"]["mean_bytes"]
    breaking = {p["name"]: p for p in in_process(plan, "breaking")["passes"]}  # N copies of one story, N distinct
    copies, distinct = breaking["breaking_copies"], breaking["breaking_distinct"]
    out["breaking_copies_cpu_ms"] = 1000 * copies["cpu_s"] / copies["n"]
    out["breaking_distinct_cpu_ms"] = 1000 * distinct["cpu_s"] / distinct["n"]
    out["breaking_stories_cpu_ms"] = copies["stories_cpu_ms"]["mean"]
    return out


def kafka_figures(plan: Plan, burst: list, rated: list, warmup: list, say) -> dict:
    from bench import broker

    def bar(label):
        marks = set()

        def progress(got, total):
            step = int(4 * got / total)
            if step not in marks:
                marks.add(step)
                say(f"    {label}: {got}/{total} enriched")
        return progress

    out = {}
    say("  raw aiokafka passthrough")
    out["passthrough"] = asyncio.run(broker.passthrough(plan.bootstrap, burst))["throughput"]
    say("  pipeline, 1 worker: start, burst, latency at half load")
    one = broker.pipeline_run(plan.bootstrap, 1, burst, rated, rated_seconds=plan.rated_seconds, warmup=warmup,
                              progress=bar("1 worker"), rated_progress=bar("1 worker, half load"),
                              broker_pid=plan.broker_pid)
    lat_burst = [x * 1000 for x in one["burst"]["latencies_s"]]
    lat_half = [x * 1000 for x in one["rated"]["latencies_s"]]
    out.update(kafka_1w=one["burst"]["throughput"], startup_s=one["startup_s"][0], rss_mb=one["rss_mb"][0],
               kafka_1w_cpu=one["burst"]["received"] / one["burst"]["worker_cpu_s"]
               if one["burst"]["worker_cpu_s"] else None,
               half_rate=one["rated"]["rate"], half_sent=one["rated"]["sent"], half_received=one["rated"]["received"],
               burst_received=one["burst"]["received"],
               worker_cpu_ms=1000 * one["burst"]["worker_cpu_s"] / one["burst"]["received"],
               broker_cpu_ms=1000 * one["burst"]["broker_cpu_s"] / one["burst"]["received"]
               if one["burst"]["broker_cpu_s"] is not None else None)
    out["burst_latencies_ms"] = sorted(round(x, 1) for x in lat_burst)  # for the arrival plot
    out["half_latencies_ms"] = sorted(round(x, 1) for x in lat_half)
    for q in (50, 95, 99):
        out[f"burst_p{q}"] = report.percentile(lat_burst, q)
        out[f"half_p{q}"] = report.percentile(lat_half, q)
    say("  pipeline, 2 workers: start, burst")
    two = broker.pipeline_run(plan.bootstrap, 2, burst, warmup=warmup, progress=bar("2 workers"),
                              broker_pid=plan.broker_pid)
    out.update(kafka_2w=two["burst"]["throughput"], rss_mb_2w=max(two["rss_mb"]),
               startup_s_2w=max(two["startup_s"]),
               worker_cpu_ms_2w=1000 * two["burst"]["worker_cpu_s"] / two["burst"]["received"],
               broker_cpu_ms_2w=1000 * two["burst"]["broker_cpu_s"] / two["burst"]["received"]
               if two["burst"]["broker_cpu_s"] is not None else None)
    return out


def run(plan: Plan, say=print) -> dict:
    """All repeats; the results dict that report.write_json / report.markdown / report.plots take."""
    articles = dataset.load(plan.data, plan.n * 3)
    burst = dataset.payloads(articles[:plan.n])
    rated = dataset.payloads(articles[plan.n:])
    warmup = dataset.payloads([dataclasses.replace(dataset.load(dataset.SEEDS, 1)[0], id="bench-warmup")])
    runs = []
    t0 = time.monotonic()
    for i in range(plan.repeat):
        say(f"[repeat {i + 1}/{plan.repeat}] in-process stages and pipeline ({plan.n} articles, fresh processes)")
        figures = in_process_figures(plan)
        if plan.bootstrap:
            figures.update(kafka_figures(plan, burst, rated, warmup, say))
        figures["load_1m"] = os.getloadavg()[0]
        runs.append(figures)
        say(f"[repeat {i + 1}/{plan.repeat}] done, {time.monotonic() - t0:.0f}s so far")
    summary = report.summarize(runs)
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": report.machine(),
            "setup": {"data": str(plan.data), "articles": plan.n, "repeat": plan.repeat, "quick": plan.quick,
                      "rated_articles": len(rated), "rated_seconds": plan.rated_seconds,
                      "broker": plan.bootstrap, "worker_agents": "ingest,clean,entities,stories"},
            "runs": runs, "summary": summary, "targets": report.verdicts(summary)}
