"""The benchmark's pure parts: percentiles, medians over repeats, targets, the table, the JSON and Markdown files
and the plots. No measurement and no Kafka here, so a unit test can run all of it on made-up figures."""
from __future__ import annotations

import json
import math
import os
import platform
import statistics
from dataclasses import dataclass
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks; NaN for no values."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values: list[float]) -> float:
    xs = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(xs) if xs else math.nan


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    group: str


# every figure the bench reports, in table order; one repeat's measurements are a {key: value} dict
METRICS = (
    Metric("floor", "floor: one `re.findall(r'\\w+', body)` pass", "articles/s per core", "in-process"),
    Metric("clean", "clean stage (ingest + clean)", "articles/s per core", "in-process"),
    Metric("entities", "entities stage (NER, linking, quotes), cold word cache", "articles/s per core",
           "in-process"),
    Metric("pipeline", "whole pipeline, bytes in -> bytes out, cold word cache", "articles/s per core",
           "in-process"),
    Metric("pipeline_warm", "whole pipeline, second pass (warm word cache)", "articles/s per core", "in-process"),
    Metric("passthrough", "raw aiokafka passthrough (consume -> produce, no processing)", "messages/s", "Kafka"),
    Metric("kafka_1w", "pipeline, 1 worker (burst)", "articles/s", "Kafka"),
    Metric("kafka_2w", "pipeline, 2 workers (burst)", "articles/s", "Kafka"),
    Metric("kafka_1w_cpu", "pipeline, 1 worker: articles per worker CPU-second", "articles/s per core", "Kafka"),
    Metric("pipeline_cpu_ms", "CPU per article, in-process pipeline (cold word cache)", "ms", "CPU cost"),
    Metric("breaking_copies_cpu_ms", "CPU per article, in-process pipeline on N outlet-edited copies of one "
           "article (a breaking story)", "ms", "CPU cost"),
    Metric("breaking_distinct_cpu_ms", "CPU per article, in-process pipeline on N distinct articles, same run",
           "ms", "CPU cost"),
    Metric("breaking_stories_cpu_ms", "CPU per article, the story stage alone on those N copies", "ms",
           "CPU cost"),
    Metric("worker_cpu_ms", "CPU per article, 1 worker through Kafka (burst)", "ms", "CPU cost"),
    Metric("worker_stage_cpu_ms", "CPU per article inside the stages' own code, that worker (its "
           "akhbar_stage_cpu_seconds_total)", "ms", "CPU cost"),
    Metric("broker_cpu_ms", "CPU per article, the local Kafka broker during that burst", "ms", "CPU cost"),
    Metric("worker_cpu_ms_2w", "CPU per article, 2 workers together (burst)", "ms", "CPU cost"),
    Metric("broker_cpu_ms_2w", "CPU per article, the local Kafka broker during the 2-worker burst", "ms", "CPU cost"),
    Metric("half_rate", "offered rate for the latency run (half the 1-worker burst figure)", "articles/s",
           "latency"),
    Metric("half_p50", "end-to-end latency at half load, p50", "ms", "latency"),
    Metric("half_p95", "end-to-end latency at half load, p95", "ms", "latency"),
    Metric("half_p99", "end-to-end latency at half load, p99", "ms", "latency"),
    Metric("burst_p50", "end-to-end latency in the burst (all sent at once), p50", "ms", "latency"),
    Metric("burst_p95", "end-to-end latency in the burst, p95", "ms", "latency"),
    Metric("burst_p99", "end-to-end latency in the burst, p99", "ms", "latency"),
    Metric("rss_mb", "worker peak RSS (VmHWM, 1-worker run)", "MB", "worker"),
    Metric("startup_s", "worker start-up to ready (/ready answers 200; model load included)", "s", "worker"),
    Metric("plain", "plain aiokafka loop: the same stage functions, no Faust (burst)", "articles/s",
           "Faust vs plain loop"),
    Metric("plain_cpu_ms", "CPU per article, the plain loop's process (burst)", "ms", "Faust vs plain loop"),
    Metric("plain_stage_cpu_ms", "CPU per article inside the stage functions, plain loop (its own count)", "ms",
           "Faust vs plain loop"),
    Metric("plain_broker_cpu_ms", "CPU per article, the local Kafka broker during the plain loop's burst", "ms",
           "Faust vs plain loop"),
    Metric("plain_rss_mb", "plain loop peak RSS", "MB", "Faust vs plain loop"),
    Metric("linear_faust", "linear agents only (2 hops to articles.stories), 1 Faust worker (burst)", "articles/s",
           "Faust vs plain loop"),
    Metric("linear_faust_stage_cpu_ms", "CPU per article inside the stages' own code, that Faust worker", "ms",
           "Faust vs plain loop"),
    Metric("linear_plain", "the plain loop on the same 2 hops (burst)", "articles/s", "Faust vs plain loop"),
    Metric("linear_faust_cpu_ms", "CPU per article, 1 Faust worker, linear agents only", "ms",
           "Faust vs plain loop"),
    Metric("linear_plain_cpu_ms", "CPU per article, the plain loop on the same 2 hops", "ms", "Faust vs plain loop"),
    Metric("linear_plain_stage_cpu_ms", "CPU per article inside the stage functions, plain loop on 2 hops", "ms",
           "Faust vs plain loop"),
    Metric("kafka_copies", "breaking story, 1 worker: N outlet-edited copies of one article (burst)", "articles/s",
           "breaking story, Kafka"),
    Metric("kafka_distinct", "breaking story, 1 worker: N distinct articles, same run (burst)", "articles/s",
           "breaking story, Kafka"),
    Metric("kafka_copies_cpu_ms", "CPU per article, 1 worker, the N copies (burst)", "ms", "breaking story, Kafka"),
    Metric("kafka_distinct_cpu_ms", "CPU per article, 1 worker, the N distinct articles (burst)", "ms",
           "breaking story, Kafka"),
    Metric("kafka_copies_half_p99", "latency p99 at half load, more copies of the same story", "ms",
           "breaking story, Kafka"),
    Metric("kafka_distinct_half_p99", "latency p99 at half load, more distinct articles", "ms",
           "breaking story, Kafka"),
    Metric("kafka_copies_burst_p99", "latency p99 in the copies' burst", "ms", "breaking story, Kafka"),
    Metric("kafka_distinct_burst_p99", "latency p99 in the distinct articles' burst", "ms", "breaking story, Kafka"),
    Metric("kafka_copies_msgs", "records per article on the pipeline topics, the copies' run", "",
           "breaking story, Kafka"),
    Metric("kafka_distinct_msgs", "records per article on the pipeline topics, the distinct articles' run", "",
           "breaking story, Kafka"),
    Metric("kafka_copies_changelog", "changelog records per article, the copies' run", "",
           "breaking story, Kafka"),
    Metric("kafka_distinct_changelog", "changelog records per article, the distinct articles' run", "",
           "breaking story, Kafka"),
    Metric("alo", "pipeline, 1 worker, at_least_once (burst)", "articles/s", "delivery guarantee"),
    Metric("eos", "pipeline, 1 worker, exactly_once (default; burst)", "articles/s", "delivery guarantee"),
    Metric("alo_cpu_ms", "CPU per article, 1 worker, at_least_once", "ms", "delivery guarantee"),
    Metric("eos_cpu_ms", "CPU per article, 1 worker, exactly_once", "ms", "delivery guarantee"),
    Metric("alo_broker_cpu_ms", "CPU per article, the local broker, at_least_once burst", "ms",
           "delivery guarantee"),
    Metric("eos_broker_cpu_ms", "CPU per article, the local broker, exactly_once burst", "ms", "delivery guarantee"),
    Metric("alo_msgs", "records per article on the pipeline topics, at_least_once", "", "delivery guarantee"),
    Metric("eos_msgs", "records per article on the pipeline topics, exactly_once (transaction markers "
           "included)", "", "delivery guarantee"),
    Metric("alo_changelog", "changelog records per article, at_least_once", "", "delivery guarantee"),
    Metric("eos_changelog", "changelog records per article, exactly_once (markers included)", "",
           "delivery guarantee"),
    Metric("eos_missing", "articles of the exactly_once burst not in articles.enriched (read_committed)", "",
           "delivery guarantee"),
    Metric("load_1m_start", "machine load average (1 min) at the start of each repeat", "", "machine"),
    Metric("load_1m", "machine load average (1 min) at the end of each repeat", "", "machine"),
    Metric("codec_mean_bytes", "mean size of an EnrichedArticle record (orjson)", "bytes", "codec"),
    Metric("orjson_encode", "orjson encode of the EnrichedArticle dataclass (schemas.codec.encode)",
           "records/s per core", "codec"),
    Metric("orjson_encode_dict", "orjson encode of the same record as a dict", "records/s per core", "codec"),
    Metric("json_encode", "stdlib json encode of the dict", "records/s per core", "codec"),
    Metric("orjson_decode", "orjson decode", "records/s per core", "codec"),
    Metric("json_decode", "stdlib json decode", "records/s per core", "codec"),
)


@dataclass(frozen=True)
class Target:
    name: str
    ratio: str  # key of the per-repeat ratio, computed by ratios()
    limit: float
    higher_is_better: bool
    measured: str  # how the ratio is formed, for the table


TARGETS = (
    Target("Kafka, 1 worker >= 80% of the in-process pipeline", "kafka_vs_inprocess", 0.8, True,
           "kafka_1w / pipeline"),
    Target("2 workers >= 1.5x one worker", "scaling", 1.5, True, "kafka_2w / kafka_1w"),
    Target("p99 at half load <= 250 ms", "half_p99", 250.0, False, "half_p99"),
    Target("worker peak RSS <= 400 MB", "rss_mb", 400.0, False, "rss_mb"),
    Target("breaking story in-process: copies no slower than distinct articles", "breaking_vs_distinct", 1.0,
           False, "breaking_copies_cpu_ms / breaking_distinct_cpu_ms"),
    Target("story stage <= 2 ms per article within the breaking story (N copies)", "breaking_stories_cpu_ms",
           2.0, False, "breaking_stories_cpu_ms"),
    Target("Kafka, 1 worker: CPU per article <= 1.25x the in-process pipeline's", "kafka_cpu_vs_inprocess_cpu",
           1.25, False, "worker_cpu_ms / pipeline_cpu_ms"),
    Target("2 workers: CPU per article <= 1.15x one worker's", "cpu_2w_vs_1w", 1.15, False,
           "worker_cpu_ms_2w / worker_cpu_ms"),
    Target("Faust pipeline within 1.5x of the plain aiokafka loop's CPU per article", "faust_vs_plain_cpu", 1.5,
           False, "worker_cpu_ms / plain_cpu_ms"),
    Target("breaking story through Kafka: worker CPU per article within 10% of distinct articles'",
           "breaking_kafka_cpu", 1.1, False, "kafka_copies_cpu_ms / kafka_distinct_cpu_ms"),
    Target("breaking story through Kafka: p99 at half load within 10% of distinct articles'", "breaking_kafka_p99",
           1.1, False, "kafka_copies_half_p99 / kafka_distinct_half_p99"),
    Target("exactly_once: at most 20% fewer articles/s than at_least_once", "eos_vs_alo", 0.8, True, "eos / alo"),
)


def ratios(run: dict) -> dict:
    """The targets' figures of one repeat (ratios formed within the repeat, so machine noise mostly cancels)."""
    def div(a, b):
        return run[a] / run[b] if run.get(a) is not None and run.get(b) else math.nan

    def outside(total, stages):  # CPU per article outside the stages' own code
        t, s = run.get(total), run.get(stages)
        return t - s if t is not None and s is not None else None

    faust_out = outside("linear_faust_cpu_ms", "linear_faust_stage_cpu_ms")
    plain_out = outside("linear_plain_cpu_ms", "linear_plain_stage_cpu_ms")

    return {"kafka_vs_inprocess": div("kafka_1w", "pipeline"), "scaling": div("kafka_2w", "kafka_1w"),
            "kafka_cpu_vs_inprocess": div("kafka_1w_cpu", "pipeline"),
            "half_p99": run.get("half_p99", math.nan), "rss_mb": run.get("rss_mb", math.nan),
            "breaking_vs_distinct": div("breaking_copies_cpu_ms", "breaking_distinct_cpu_ms"),
            "kafka_cpu_vs_inprocess_cpu": div("worker_cpu_ms", "pipeline_cpu_ms"),
            "cpu_2w_vs_1w": div("worker_cpu_ms_2w", "worker_cpu_ms"),
            "faust_vs_plain_cpu": div("worker_cpu_ms", "plain_cpu_ms"),
            "plain_cpu_vs_inprocess_cpu": div("plain_cpu_ms", "pipeline_cpu_ms"),
            "worker_stage_vs_inprocess_cpu": div("worker_stage_cpu_ms", "pipeline_cpu_ms"),
            "worker_vs_its_stages_cpu": div("worker_cpu_ms", "worker_stage_cpu_ms"),
            "linear_outside_faust_vs_plain": (faust_out / plain_out if faust_out is not None and plain_out
                                              and plain_out > 0 else math.nan),
            "faust_vs_plain_linear_cpu": div("linear_faust_cpu_ms", "linear_plain_cpu_ms"),
            "breaking_kafka_cpu": div("kafka_copies_cpu_ms", "kafka_distinct_cpu_ms"),
            "breaking_kafka_p99": div("kafka_copies_half_p99", "kafka_distinct_half_p99"),
            "breaking_kafka_vs_inprocess_cpu": div("kafka_copies_cpu_ms", "breaking_copies_cpu_ms"),
            "eos_vs_alo": div("eos", "alo"), "eos_cpu_vs_alo": div("eos_cpu_ms", "alo_cpu_ms")}


# the ratios shown in their own table (each formed within a repeat, then the median over repeats)
RATIOS = {
    "kafka_cpu_vs_inprocess_cpu": "CPU per article: 1 worker / in-process pipeline",
    "cpu_2w_vs_1w": "CPU per article: 2 workers / 1 worker",
    "faust_vs_plain_cpu": "CPU per article: Faust worker / plain aiokafka loop (same burst, back to back)",
    "worker_stage_vs_inprocess_cpu": "the 1-worker ratio, part 1: CPU per article inside the stages, 1 worker / "
                                     "in-process pipeline",
    "worker_vs_its_stages_cpu": "the 1-worker ratio, part 2: 1 worker's CPU per article / its CPU inside the "
                                "stages (the cost of Kafka, Faust and the tables, same moment)",
    "plain_cpu_vs_inprocess_cpu": "CPU per article: plain aiokafka loop / in-process pipeline",
    "faust_vs_plain_linear_cpu": "CPU per article, linear agents only (same 2 hops): Faust worker / plain loop",
    "linear_outside_faust_vs_plain": "CPU per article outside the stages, same 2 hops: Faust worker / plain loop",
    "breaking_kafka_cpu": "CPU per article through Kafka: breaking-story copies / distinct articles",
    "breaking_kafka_p99": "p99 at half load through Kafka: breaking-story copies / distinct articles",
    "breaking_kafka_vs_inprocess_cpu": "CPU per article on the copies: 1 worker / in-process",
    "breaking_vs_distinct": "CPU per article in-process: breaking-story copies / distinct articles",
    "eos_vs_alo": "articles/s: exactly_once / at_least_once (same burst, back to back)",
    "eos_cpu_vs_alo": "worker CPU per article: exactly_once / at_least_once",
}


def ratios_table(summary: dict) -> str:
    lines = ["| ratio | median | min – max |", "| --- | ---: | ---: |"]
    for key, label in RATIOS.items():
        s = summary.get(key)
        if s and s["n"]:
            lines.append(f"| {label} | {_fmt(s['median'])} | {_fmt(s['min'])} – {_fmt(s['max'])} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def summarize(runs: list[dict]) -> dict:
    """Medians (and min/max) over repeats of every metric and every target figure."""
    rows = [{**r, **ratios(r)} for r in runs]
    keys = [m.key for m in METRICS] + [k for k in ratios({}) if k not in {m.key for m in METRICS}]
    out = {}
    for key in keys:
        xs = [r[key] for r in rows if r.get(key) is not None and not math.isnan(r[key])]
        out[key] = {"median": median(xs), "min": min(xs) if xs else math.nan, "max": max(xs) if xs else math.nan,
                    "n": len(xs)}
    return out


def verdicts(summary: dict) -> list[dict]:
    """Each target: met or missed, and the measured figure over the limit (the ratio to the target)."""
    out = []
    for t in TARGETS:
        value = summary[t.ratio]["median"]
        if math.isnan(value):
            out.append({"target": t.name, "value": value, "limit": t.limit, "met": None, "of_target": math.nan})
            continue
        met = value >= t.limit if t.higher_is_better else value <= t.limit
        out.append({"target": t.name, "value": value, "limit": t.limit, "met": met,
                    "of_target": value / t.limit})
    return out


def _fmt(value: float, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit in ("s",) or abs(value) < 10:
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def table(summary: dict) -> str:
    """The results as a Markdown table (also printed by `akhbar bench`)."""
    lines = ["| group | measurement | median | min – max | unit |", "| --- | --- | ---: | ---: | --- |"]
    for m in METRICS:
        s = summary.get(m.key)
        if not s or not s["n"]:
            continue
        lines.append(f"| {m.group} | {m.label} | {_fmt(s['median'], m.unit)} | "
                     f"{_fmt(s['min'], m.unit)} – {_fmt(s['max'], m.unit)} | {m.unit} |")
    return "\n".join(lines)


def targets_table(results: list[dict]) -> str:
    lines = ["| target | measured (median of the per-repeat figures) | of target | verdict |",
             "| --- | ---: | ---: | --- |"]
    for v in results:
        verdict = "n/a" if v["met"] is None else ("met" if v["met"] else "**missed**")
        lines.append(f"| {v['target']} | {_fmt(v['value'])} | {_fmt(v['of_target'])}x | {verdict} |")
    return "\n".join(lines)


def machine() -> dict:
    """Cores, CPU model, RAM, OS, Python and the load average at the start."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = math.nan
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cores": cores, "cpu": model, "ram_gb": round(ram_gb, 1), "os": platform.platform(),
            "python": platform.python_version(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def _clean(obj):
    """JSON has no NaN: missing figures become null."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def read_json(path: Path) -> dict:
    """Results written by write_json, missing figures back to NaN (for re-rendering the Markdown and plots)."""
    def nan(obj):
        if obj is None:
            return math.nan
        if isinstance(obj, dict):
            return {k: nan(v) for k, v in obj.items()}
        return obj

    results = json.loads(path.read_text(encoding="utf-8"))
    results["summary"] = nan(results["summary"])
    results["targets"] = [{**t, **{k: nan(t[k]) for k in ("value", "of_target")}} for t in results["targets"]]
    return results


def write_json(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_clean(results), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _shown(path: str) -> str:
    """A data path as seen from the repository (../shared/data/news), else as given."""
    from streams.settings import REPO_ROOT

    return os.path.relpath(path, REPO_ROOT) if os.path.isabs(path) else path


def markdown(results: dict, notes: str = "") -> str:
    m, s = results["machine"], results["setup"]
    plots = "\n".join(f"![{p}]({p})" for p in results.get("plots", []))
    commands = "\n".join(results["commands"])
    return f"""# Pipeline benchmarks: throughput, latency, scaling, memory

Generated by `akhbar bench` on {results['date']} (do not edit the tables by hand; rerun the bench).

Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, {m['os']}, Python {m['python']},
Kafka {results.get('kafka_version') or 'n/a'} (local single-node broker on the same cores); load average at the
start {', '.join(map(str, m['load_average']))}. Input: {s['articles']} articles of `{_shown(s['data'])}` for the
in-process passes and each burst, then {s['rated_seconds']:g} s of other articles at half the 1-worker burst throughput
for the latency run; medians over {s['repeat']} repeat(s){' (quick mode)' if s['quick'] else ''}. Workers run the
agents {s.get('worker_agents', 'of the pipeline')}: what `akhbar process` does in-process (alerting is not part of it).
Broker sections run: {', '.join(s.get('sections') or []) or 'none'} (`akhbar bench --sections`; see bench/run.py).

To reproduce:
```sh
{commands}
```

## Targets
{targets_table(results['targets'])}

## Ratios (formed within each repeat)
{ratios_table(results['summary']) or 'none measured'}

## Figures
{table(results['summary'])}

"Per core" figures are articles per CPU-second of the measuring process (in-process) or of the worker
(Kafka), so other load on a shared machine does not inflate them; the Kafka pipeline and passthrough figures
are wall-clock (first message sent to last record visible to a consumer), on cores shared with the broker,
the bench's own producer and consumer, and any other work on the machine.

{plots}

{notes}"""


SHORT = {"floor": "regex floor", "clean": "clean", "entities": "entities (cold)", "pipeline": "pipeline (cold)",
         "pipeline_warm": "pipeline (warm)", "passthrough": "Kafka passthrough", "kafka_1w": "Kafka, 1 worker",
         "kafka_2w": "Kafka, 2 workers", "kafka_1w_cpu": "Kafka, 1 worker, per CPU-s"}


def plots(results: dict, outdir: Path) -> list[str]:
    """Throughput and latency charts as PNG files (matplotlib, Agg backend); returns their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = results["summary"]
    names = []

    keys = [k for k in ("floor", "clean", "entities", "pipeline", "pipeline_warm", "passthrough", "kafka_1w",
                        "kafka_2w", "kafka_1w_cpu") if s.get(k, {}).get("n")]
    if keys:
        fig, ax = plt.subplots(figsize=(9, 4.5))
        vals = [s[k]["median"] for k in keys]
        errs = [[s[k]["median"] - s[k]["min"] for k in keys], [s[k]["max"] - s[k]["median"] for k in keys]]
        colors = ["#999999" if k in ("floor", "passthrough") else "#4477aa" if k in
                  ("clean", "entities", "pipeline", "pipeline_warm") else "#ee6677" for k in keys]
        ax.barh([SHORT.get(k, k) for k in keys], vals, xerr=errs, color=colors)
        ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set_xlabel("articles (messages) per second, log scale; bars: median, whiskers: min-max")
        ax.set_title("Throughput: in-process (blue), through Kafka (red), floors (grey)")
        for y, v in enumerate(vals):
            ax.text(v, y, f" {v:,.0f}", va="center", fontsize=8)
        fig.tight_layout()
        fig.savefig(outdir / "pipeline-throughput.png", dpi=110)
        plt.close(fig)
        names.append("pipeline-throughput.png")

    groups = [("half load", "half"), ("burst", "burst")]
    if any(s.get(f"{g}_p50", {}).get("n") for _, g in groups):
        fig, ax = plt.subplots(figsize=(7, 4))
        width = 0.25
        for i, q in enumerate(("p50", "p95", "p99")):
            vals = [s.get(f"{g}_{q}", {}).get("median", math.nan) for _, g in groups]
            ax.bar([x + i * width for x in range(len(groups))], vals, width, label=q)
        ax.axhline(250, color="black", linestyle="--", linewidth=1, label="target p99 at half load")
        ax.set_yscale("log")
        ax.set_xticks([x + width for x in range(len(groups))], [name for name, _ in groups])
        ax.set_ylabel("end-to-end latency, ms (log scale)")
        ax.set_title("Produce to enriched record visible, 1 worker")
        ax.legend()
        fig.tight_layout()
        fig.savefig(outdir / "pipeline-latency.png", dpi=110)
        plt.close(fig)
        names.append("pipeline-latency.png")

    curves = [(i, r) for i, r in enumerate(results.get("runs", [])) if r.get("burst_latencies_ms")]
    if curves:
        fig, ax = plt.subplots(figsize=(7, 4))
        for i, r in curves:
            for key, style in (("burst_latencies_ms", "-"), ("half_latencies_ms", ":")):
                xs = r.get(key) or []
                if xs:
                    ax.plot([x / 1000 for x in xs], [(n + 1) / len(xs) for n in range(len(xs))], style,
                            label=f"repeat {i + 1}, {'burst' if key.startswith('burst') else 'half load'}")
        ax.set_xscale("log")
        ax.set_xlabel("end-to-end latency, s (log scale)")
        ax.set_ylabel("share of the articles enriched")
        ax.set_title("Latency distribution, 1 worker")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(outdir / "pipeline-latency-cdf.png", dpi=110)
        plt.close(fig)
        names.append("pipeline-latency-cdf.png")
    return names
