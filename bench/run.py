"""One benchmark session: per repeat, the in-process passes (in fresh processes) and, with a broker, the
sections chosen (all by default, in this order):

- `pipeline`: the raw aiokafka passthrough, the 1-worker run (burst, then the latency run at half its
  throughput) and the 2-worker run;
- `peer`: the plain aiokafka loop (bench/plain_peer.py: the same stage functions, no Faust) on the same burst,
  right after the 1-worker run it is compared with (which it runs itself without `pipeline`); then a worker
  running only the linear agents (clean, entities) and the plain loop on the same two hops
  (`--linear`), so Faust's machinery is compared on one topology;
- `breaking`: the breaking story through Kafka: N outlet-edited copies of one article and N distinct
  articles, each on a fresh worker (burst, then the latency run at half its throughput), their order
  alternating between repeats;
- `guarantee`: the same burst on a fresh worker under exactly_once (the default) and under
  `AKHBAR_PROCESSING_GUARANTEE=at_least_once`, each with its own commit interval, back to back, their order
  alternating between repeats (the other sections run the default).

Each repeat's measurements become one flat {metric: value} dict (keys of bench.report.METRICS)."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from agents import PIPELINE
from bench import dataset, report
from streams.settings import REPO_ROOT
from streams.topics import STORIES

LINEAR_AGENTS = ",".join(PIPELINE)  # clean,entities: raw -> clean -> stories


SECTIONS = ("pipeline", "peer", "breaking", "guarantee")


def parse_sections(text: str | None) -> tuple[str, ...]:
    """`pipeline,peer` -> ("pipeline", "peer"), in SECTIONS order; None or "" or "all": every section."""
    if not text or text == "all":
        return SECTIONS
    chosen = {s.strip() for s in text.split(",") if s.strip()}
    unknown = chosen - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    return tuple(s for s in SECTIONS if s in chosen)


@dataclass(frozen=True)
class Plan:
    data: Path
    n: int  # burst articles (and in-process articles)
    repeat: int
    rated_seconds: float  # length of the latency run at half load
    bootstrap: str | None  # None: in-process only
    quick: bool = False
    broker_pid: int | None = None  # the local broker's process, to measure its CPU
    sections: tuple[str, ...] = SECTIONS  # the broker sections to run

    @classmethod
    def make(cls, data: Path, repeat: int | None, quick: bool, bootstrap: str | None, n: int | None = None,
             broker_pid: int | None = None, sections: tuple[str, ...] = SECTIONS):
        return cls(data=data, n=n or (30 if quick else 300), repeat=repeat or (1 if quick else 3),
                   rated_seconds=3.0 if quick else 15.0, bootstrap=bootstrap, quick=quick, broker_pid=broker_pid,
                   sections=sections)


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


def _ms_per_article(result: dict, cpu_key: str) -> float | None:
    """CPU milliseconds per article enriched in a burst (None when nothing arrived or nothing was measured)."""
    burst = result["burst"]
    if burst.get(cpu_key) is None or not burst["received"]:
        return None
    return 1000 * burst[cpu_key] / burst["received"]


@dataclass(frozen=True)
class Inputs:
    """The messages of one session: the distinct burst and latency-run articles, the breaking story's copies
    (burst and latency run), and the warm-up article."""
    burst: list
    rated: list
    copies: list
    copies_rated: list
    warmup: list

    @classmethod
    def make(cls, plan: "Plan") -> "Inputs":
        articles = dataset.load(plan.data, plan.n * 3)
        rated = dataset.payloads(articles[plan.n:])
        copies = dataset.payloads(dataset.breaking(plan.n + len(rated)))  # one story: the copies go on growing it
        warmup = dataset.warmup()
        return cls(dataset.payloads(articles[:plan.n]), rated, copies[:plan.n], copies[plan.n:], warmup)


def records_per_article(result: dict) -> tuple[float | None, float | None]:
    """Records written per article sent in a worker run: to the pipeline topics, and to the tables'
    changelogs (Faust's internal topics end in `-changelog`)."""
    counts, n = result.get("topic_records"), result.get("articles_sent")
    if not counts or not n:
        return None, None
    changelog = sum(v for k, v in counts.items() if k.endswith("-changelog"))
    return (sum(counts.values()) - changelog) / n, changelog / n


def kafka_figures(plan: Plan, inputs: Inputs, say, repeat: int = 0) -> dict:
    """The broker sections of one repeat (plan.sections); `repeat` alternates the order of compared runs."""
    from bench import broker

    def bar(label):
        marks = set()

        def progress(got, total):
            step = int(4 * got / total)
            if step not in marks:
                marks.add(step)
                say(f"    {label}: {got}/{total} enriched")
        return progress

    burst, rated, warmup = inputs.burst, inputs.rated, inputs.warmup
    out = {}
    one = None
    if "pipeline" in plan.sections:
        say("  raw aiokafka passthrough")
        out["passthrough"] = asyncio.run(broker.passthrough(plan.bootstrap, burst))["throughput"]
        say("  pipeline, 1 worker: start, burst, latency at half load")
        one = broker.pipeline_run(plan.bootstrap, 1, burst, rated, rated_seconds=plan.rated_seconds, warmup=warmup,
                                  progress=bar("1 worker"), rated_progress=bar("1 worker, half load"),
                                  broker_pid=plan.broker_pid)
        lat_burst = [x * 1000 for x in one["burst"]["latencies_s"]]
        lat_half = [x * 1000 for x in one["rated"]["latencies_s"]]
        out.update(startup_s=one["startup_s"][0], rss_mb=one["rss_mb"][0],
                   half_rate=one["rated"]["rate"], half_sent=one["rated"]["sent"],
                   half_received=one["rated"]["received"], burst_received=one["burst"]["received"])
        out["burst_latencies_ms"] = sorted(round(x, 1) for x in lat_burst)  # for the arrival plot
        out["half_latencies_ms"] = sorted(round(x, 1) for x in lat_half)
        for q in (50, 95, 99):
            out[f"burst_p{q}"] = report.percentile(lat_burst, q)
            out[f"half_p{q}"] = report.percentile(lat_half, q)
    if "peer" in plan.sections:
        if one is None:
            say("  pipeline, 1 worker: start, burst (what the plain loop is compared with)")
            one = broker.pipeline_run(plan.bootstrap, 1, burst, warmup=warmup, progress=bar("1 worker"),
                                      broker_pid=plan.broker_pid)
        say("  plain aiokafka loop (the same stage functions, no Faust): start, burst")
        peer = broker.peer_run(plan.bootstrap, burst, warmup=warmup, progress=bar("plain loop"),
                               broker_pid=plan.broker_pid)
        out.update(plain=peer["burst"]["throughput"], plain_cpu_ms=_ms_per_article(peer, "peer_cpu_s"),
                   plain_broker_cpu_ms=_ms_per_article(peer, "broker_cpu_s"), plain_rss_mb=peer["rss_mb"],
                   plain_received=peer["burst"]["received"],
                   plain_stage_cpu_ms=_ms_per_article(peer, "stage_cpu_s"))
        say("  the linear agents (clean, entities), 1 Faust worker, then the plain loop on the same two hops: "
            "start, burst")
        linear = broker.pipeline_run(plan.bootstrap, 1, burst, warmup=warmup, progress=bar("linear, Faust"),
                                     broker_pid=plan.broker_pid, agents=LINEAR_AGENTS, sink=STORIES)
        plain_linear = broker.peer_run(plan.bootstrap, burst, warmup=warmup, progress=bar("linear, plain loop"),
                                       broker_pid=plan.broker_pid, linear=True)
        out.update(linear_faust=linear["burst"]["throughput"],
                   linear_faust_cpu_ms=_ms_per_article(linear, "worker_cpu_s"),
                   linear_faust_stage_cpu_ms=_ms_per_article(linear, "stage_cpu_s"),
                   linear_plain=plain_linear["burst"]["throughput"],
                   linear_plain_cpu_ms=_ms_per_article(plain_linear, "peer_cpu_s"),
                   linear_plain_stage_cpu_ms=_ms_per_article(plain_linear, "stage_cpu_s"))
    if one is not None:
        out.update(kafka_1w=one["burst"]["throughput"],
                   kafka_1w_cpu=one["burst"]["received"] / one["burst"]["worker_cpu_s"]
                   if one["burst"]["worker_cpu_s"] else None,
                   worker_cpu_ms=_ms_per_article(one, "worker_cpu_s"),
                   worker_stage_cpu_ms=_ms_per_article(one, "stage_cpu_s"),
                   broker_cpu_ms=_ms_per_article(one, "broker_cpu_s"))
    if "pipeline" in plan.sections:
        say("  pipeline, 2 workers: start, burst")
        two = broker.pipeline_run(plan.bootstrap, 2, burst, warmup=warmup, progress=bar("2 workers"),
                                  broker_pid=plan.broker_pid)
        out.update(kafka_2w=two["burst"]["throughput"], rss_mb_2w=max(two["rss_mb"]),
                   startup_s_2w=max(two["startup_s"]),
                   worker_cpu_ms_2w=_ms_per_article(two, "worker_cpu_s"),
                   broker_cpu_ms_2w=_ms_per_article(two, "broker_cpu_s"))
    if "breaking" in plan.sections:
        runs = [("copies", inputs.copies, inputs.copies_rated), ("distinct", burst, rated)]
        for label, b, r in runs[::-1 if repeat % 2 else 1]:
            say(f"  breaking story through Kafka, {label}: 1 worker, burst, latency at half load")
            res = broker.pipeline_run(plan.bootstrap, 1, b, r, rated_seconds=plan.rated_seconds, warmup=warmup,
                                      progress=bar(f"{label}"), rated_progress=bar(f"{label}, half load"),
                                      broker_pid=plan.broker_pid)
            out[f"kafka_{label}"] = res["burst"]["throughput"]
            out[f"kafka_{label}_cpu_ms"] = _ms_per_article(res, "worker_cpu_s")
            out[f"kafka_{label}_half_rate"] = res["rated"]["rate"]
            out[f"kafka_{label}_half_p99"] = report.percentile([x * 1000 for x in res["rated"]["latencies_s"]], 99)
            out[f"kafka_{label}_burst_p99"] = report.percentile([x * 1000 for x in res["burst"]["latencies_s"]], 99)
            out[f"kafka_{label}_msgs"], out[f"kafka_{label}_changelog"] = records_per_article(res)
    if "guarantee" in plan.sections:
        runs = [("alo", "at_least_once"), ("eos", "exactly_once")]  # each with its own commit interval
        for label, name in runs[::-1 if repeat % 2 else 1]:
            env = {"AKHBAR_PROCESSING_GUARANTEE": name}
            say(f"  pipeline, 1 worker, {name}: start, burst")
            res = broker.pipeline_run(plan.bootstrap, 1, burst, warmup=warmup, progress=bar(name),
                                      broker_pid=plan.broker_pid, env=env)
            out[label] = res["burst"]["throughput"]
            out[f"{label}_cpu_ms"] = _ms_per_article(res, "worker_cpu_s")
            out[f"{label}_broker_cpu_ms"] = _ms_per_article(res, "broker_cpu_s")
            out[f"{label}_missing"] = res["burst"]["sent"] - res["burst"]["received"]
            out[f"{label}_msgs"], out[f"{label}_changelog"] = records_per_article(res)
    return out


def run(plan: Plan, say=print) -> dict:
    """All repeats; the results dict that report.write_json / report.markdown / report.plots take."""
    from bench.broker import PIPELINE_AGENTS

    machine = report.machine()  # the load average at the start
    inputs = Inputs.make(plan) if plan.bootstrap else None
    runs = []
    t0 = time.monotonic()
    for i in range(plan.repeat):
        say(f"[repeat {i + 1}/{plan.repeat}] in-process stages and pipeline ({plan.n} articles, fresh processes)")
        load_start = os.getloadavg()[0]
        figures = in_process_figures(plan)
        figures["load_1m_start"] = load_start
        if plan.bootstrap:
            figures.update(kafka_figures(plan, inputs, say, repeat=i))
        figures["load_1m"] = os.getloadavg()[0]
        runs.append(figures)
        say(f"[repeat {i + 1}/{plan.repeat}] done, {time.monotonic() - t0:.0f}s so far")
    summary = report.summarize(runs)
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine,
            "setup": {"data": str(plan.data), "articles": plan.n, "repeat": plan.repeat, "quick": plan.quick,
                      "rated_articles": 2 * plan.n, "rated_seconds": plan.rated_seconds,
                      "sections": list(plan.sections) if plan.bootstrap else [],
                      "broker": plan.bootstrap, "worker_agents": PIPELINE_AGENTS},
            "runs": runs, "summary": summary, "targets": report.verdicts(summary)}
