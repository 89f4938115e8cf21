"""Where a pipeline worker's time goes: py-spy samples one `akhbar worker` (the bench's agents) during a burst.

    uv run --locked python -m bench.profile_worker [--n 300] [--seconds 30] [--raw prof.txt] [--no-spy]
        [--agents clean,entities] [--rate 10] [--guarantee at_least_once] [--idle 60] [--event-loop uvloop]

Starts one worker on a fresh topic set of AKHBAR_BROKER, warms it with the seed article, attaches py-spy (not with
`--no-spy`), sends `--n` dev articles at once and prints each thread's CPU per article (from /proc), the share of
the samples per thread and, for the event-loop thread, per kind of work. `--agents` runs a part of the pipeline (without stories, the sink is the last pipeline agent's:
articles.stories for `clean,entities`), to see what that part costs; `--idle` first measures the worker's CPU while it waits with nothing to do (its timers,
the broker watchdog, the metrics poller); `--rate` then sends `--n` other articles at that rate and prints their
end-to-end latency. A sample is charged to the innermost frame of a known kind (the stage code in nlp/, the
codec, the agents, Faust tables, aiokafka, Faust/mode machinery, asyncio, logging), so NumPy under the tagger
counts as entities and socket writes under aiokafka as aiokafka. The worker runs on asyncio's own event loop unless
`--event-loop uvloop` (the workers' default): uvloop's loop is C code that py-spy does not see into, so its waits and
its scheduling would be charged to whatever Python frame called it.
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import broker, dataset
from bench.report import percentile
from streams.settings import EVENT_LOOPS, GUARANTEES, Settings
from agents import PIPELINE
from streams.topics import ENRICHED, create_topics

# (label, path fragments), matched from the innermost frame outwards
KINDS = (
    ("stage: entities (NER, linking, quotes)", ("nlp/ner/", "nlp/entities.py", "nlp/linking.py", "nlp/quotes.py")),
    ("stage: clean", ("nlp/clean", "nlp/text.py", "nlp/langid.py", "nlp/segment.py", "nlp/rules.py")),
    ("stage: stories (MinHash, buckets)", ("nlp/stories.py",)),
    ("stage: validation (in the clean agent)", ("nlp/stages.py",)),
    ("codec (schemas/)", ("schemas/",)),
    ("stories agents (message routing, orjson)", ("agents/stories.py",)),
    ("pipeline agents and DLQ glue", ("agents/",)),
    ("Faust tables (state, changelog)", ("faust/tables/", "faust/stores/")),
    ("aiokafka client (produce, fetch, protocol)", ("aiokafka/",)),
    ("akhbar's Faust fixes (the exactly_once gate and commits, acks, seeks)", ("streams/faust_fixes/",)),
    ("logging", ("logging/",)),
    ("Faust / mode machinery (streams, agents, topics, commits)", ("faust/", "mode/")),
    ("waiting in epoll (py-spy counts it as active; not Python work)", ("selectors.py",)),
    ("asyncio event loop", ("asyncio/",)),
)


def kind(frames: list[str]) -> str:
    for frame in reversed(frames):
        where = frame.split(" (", 1)[1] if " (" in frame else frame
        for label, parts in KINDS:
            if any(p in where for p in parts):
                return label
    return "other"


def summarize(raw_lines: list[str]) -> tuple[Counter, Counter]:
    """(samples per thread, samples per kind of the main thread) from py-spy's raw (collapsed) output."""
    threads, kinds = Counter(), Counter()
    for line in raw_lines:
        if not line.strip():
            continue
        stack, count = line.rsplit(" ", 1)
        frames = stack.split(";")
        main = frames[0].startswith("_run_module_as_main") or "streams/cli/main.py" in stack
        threads["event-loop thread" if main else "other threads (Faust's consumer thread)"] += int(count)
        if main:
            kinds[kind(frames)] += int(count)
    return threads, kinds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--raw", type=Path, help="keep py-spy's raw output here")
    ap.add_argument("--no-spy", action="store_true",
                    help="do not attach py-spy (its pauses add to the worker's CPU): only each thread's CPU")
    ap.add_argument("--agents", default=broker.PIPELINE_AGENTS)
    ap.add_argument("--rate", type=float, help="afterwards, send --n other articles at this rate: latency")
    ap.add_argument("--event-loop", choices=EVENT_LOOPS, default="asyncio",
                    help="the worker's event loop (default asyncio, whose frames py-spy can attribute)")
    ap.add_argument("--guarantee", choices=GUARANTEES, help="the worker's processing guarantee (default: the default)")
    ap.add_argument("--idle", type=float, default=0.0,
                    help="before the burst, the worker's CPU over this many seconds with nothing to process")
    args = ap.parse_args(argv)
    bootstrap = Settings.from_env().bootstrap_servers
    articles = dataset.load(dataset.default_data(), 2 * args.n)
    payloads, others = dataset.payloads(articles[:args.n]), dataset.payloads(articles[args.n:])
    linear = [name for name in PIPELINE if name in args.agents.split(",")]
    sink = ENRICHED if "stories" in args.agents.split(",") else PIPELINE[linear[-1]][2]
    warm = dataset.warmup()
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-profile-"))
    raw = args.raw or tmp / "py-spy.txt"
    settings, env = broker.fresh_settings(bootstrap, tmp)
    if args.guarantee:
        env["AKHBAR_PROCESSING_GUARANTEE"] = args.guarantee
    env["AKHBAR_EVENT_LOOP"] = args.event_loop
    asyncio.run(create_topics(settings))
    group = broker.Workers(settings, env, tmp, agents=args.agents)
    latency = idle = None
    try:
        group.start(1)
        asyncio.run(broker.send_and_watch(settings, warm, None, 120, sink=sink))
        if args.idle:
            time.sleep(10)  # the warm-up's commits and the first metrics polls
            idle0 = group.cpu()
            time.sleep(args.idle)
            idle = group.cpu() - idle0
        pid = group.procs[0].proc.pid  # the one worker: py-spy and the per-thread figures watch it
        cpu0, threads0 = group.cpu(), broker.thread_cpu_seconds(pid)
        spy = None if args.no_spy else subprocess.Popen(
            [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
             "--format", "raw", "--rate", "100", "--duration", str(int(args.seconds)), "--output", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = asyncio.run(broker.send_and_watch(settings, payloads, None, 600, sink=sink))
        cpu, threads1 = group.cpu() - cpu0, broker.thread_cpu_seconds(pid)
        if spy:
            spy.wait()
        if args.rate:
            latency = asyncio.run(broker.send_and_watch(settings, others, args.rate, 600, sink=sink))
    finally:
        group.stop()
        asyncio.run(broker.delete_run_topics(settings))
    n = result["received"]
    spied = "" if args.no_spy else " (py-spy attached)"
    print(f"agents {args.agents}: {n} articles in {result['seconds']:.1f}s ({result['throughput']:.1f}/s), "
          f"worker CPU {1000 * cpu / n:.1f} ms per article{spied}")
    spent = {tid: threads1[tid] - threads0.get(tid, 0.0) for tid in threads1}
    main_cpu = spent.pop(pid, 0.0)
    print(f"  measured per thread (/proc): event-loop thread {1000 * main_cpu / n:.2f} ms per article, "
          f"the {len(spent)} other threads {1000 * sum(spent.values()) / n:.2f} ms")
    if idle is not None:
        print(f"idle worker: {idle:.2f} s of CPU over {args.idle:.0f} s ({100 * idle / args.idle:.1f}% of a core)")
    if latency:
        ms = [x * 1000 for x in latency["latencies_s"]]
        print(f"latency at {args.rate}/s over {latency['received']} articles: p50 {percentile(ms, 50):.0f} ms, "
              f"p95 {percentile(ms, 95):.0f} ms, p99 {percentile(ms, 99):.0f} ms")
    if args.no_spy:
        return 0
    threads, kinds = summarize(raw.read_text().splitlines())
    total, main_total = sum(threads.values()), sum(kinds.values())
    print(f"py-spy: {total} samples (active only; it counts a thread waiting in epoll as active, so trust the "
          f"measured CPU above over these shares), raw output {raw}")
    for name, count in threads.most_common():
        print(f"  {name}: {100 * count / total:.1f}% of the samples")
    print("\n| event-loop thread: kind of work | share |\n| --- | ---: |")
    for name, count in kinds.most_common():
        print(f"| {name} | {100 * count / main_total:.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
