"""Story clustering benchmark (not a test): added cost per article and state size per 100k articles.

    uv run python bench/stories_bench.py compute [--n 2000]      # in-process: µs per article
    uv run python bench/stories_bench.py state [--n 100000]      # state size per 100k articles
    uv run python bench/stories_bench.py broker [--n 3000]       # a `--agents stories` worker on the real broker
    uv run python bench/stories_bench.py breaking [--n 1000] [--before REV]   # one big story, before vs now
    uv run python bench/stories_bench.py same [--n 20000]         # same stories before and now, harder inputs
    uv run python bench/stories_bench.py files --n 600 --out DIR  # copies.jsonl, distinct.jsonl for `akhbar process`

`compute` times the stories agents' own work per article on cleaned dev articles: the signature, band keys
and sketch (stories-sign), and all state transitions in-process (`StoryIndex.add`: 16 bucket probes and
commits, candidate choice, story update). `state` feeds N synthetic articles (sentences of dev articles
shuffled into new texts, ~35% of them edited copies) through `StoryIndex` and measures the state the
tables hold: the JSON bytes of every key and value (what the changelog topics store and the worker keeps in
memory, before Python object overhead). `broker` writes cleaned+enriched dev articles and edited copies,
signed as the entities agent signs them, straight to `articles.stories` (isolating the story index), runs one
`akhbar worker --agents stories`, and reports wall time and the worker's CPU time per article (the signature,
~1 ms, is paid by the entities agent, not in this worker), plus the pair precision/recall of the stories
the broker path assigned to this burst (copies sent right behind their originals).
`breaking` times `StoryIndex.add` (CPU time) on N edited copies of the seed (one story growing to N) and on
N distinct cleaned dev articles, with the current nlp/stories.py and, in the same process, with the one of
git revision REV (default: the last before the bounded probes), alternately --repeat times each (the
fastest run shown), and checks both assign the same stories.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import stories_eval as ev  # noqa: E402
from nlp import stories  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def cleaned(n: int, seed: int = 8, copies: int = 2) -> list[dict]:
    from nlp.stages import clean
    from schemas.records import RawArticle

    rng = random.Random(seed)
    arts = ev.load()
    rng.shuffle(arts)
    items = ev.corpus(arts[: max(1, n // 2)], rng, copies)[:n]
    out = []
    for it in items:
        rec = clean(RawArticle(body=it["body"], id=it["id"], title=it.get("title"), source=it.get("source")))
        out.append({**it, "title": rec.title, "body": rec.body})
    return out


def cmd_compute(args) -> None:
    items = cleaned(args.n)
    texts = [stories.article_text(it["title"], it["body"]) for it in items]
    sign = []
    for text in texts:
        t0 = time.perf_counter()
        sig = stories.signature(text)
        stories.band_keys(sig), stories.sketch(sig)
        sign.append((time.perf_counter() - t0) * 1e6)
    index, add = stories.StoryIndex(), []
    t_base = 1_700_000_000
    for n, (it, text) in enumerate(zip(items, texts)):
        seen = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t_base + n)) + "Z"
        t0 = time.perf_counter()
        index.add(it["id"], text, seen)
        add.append((time.perf_counter() - t0) * 1e6)
    words = statistics.mean(len(stories.words(t)) for t in texts)
    print(f"{len(items)} cleaned dev articles and copies, {words:.0f} words on average")
    for name, xs in (("signature+bands+sketch (stories-sign)", sign), ("StoryIndex.add (all transitions)", add)):
        xs = sorted(xs)
        print(f"{name}: mean {statistics.mean(xs):.0f} µs, p50 {xs[len(xs) // 2]:.0f} µs, "
              f"p99 {xs[int(len(xs) * 0.99)]:.0f} µs per article")


def synthetic(n: int, seed: int = 8):
    """n distinct articles made of dev sentences, ~35% of them edited copies of an earlier one."""
    rng = random.Random(seed)
    sents = [s for a in ev.load() for s in ev._SENT.split(a["body"].replace("\n", " ")) if len(s) > 40]
    made = []
    for i in range(n):
        if made and rng.random() < 0.35:
            src = made[rng.randrange(max(0, len(made) - 500), len(made))]
            body = ev.edited_copy({"id": src[0], "title": "", "body": src[1]}, rng, 1)["body"]
        else:
            body = "\n".join(" ".join(rng.sample(sents, 3)) for _ in range(4))
        made.append((f"syn-{i:06d}", body))
        yield made[-1]
        if len(made) > 2000:
            del made[:1000]


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def cmd_state(args) -> None:
    index = stories.StoryIndex()
    t_base = 1_700_000_000
    per_hour = args.per_hour
    arts = list(synthetic(args.n))
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    for i, (aid, body) in enumerate(arts):
        seen = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t_base + i * 3600 / per_hour)) + "Z"
        index.add(aid, body, seen)
    elapsed = time.perf_counter() - t0
    rss1 = _rss_mb()

    def size(table):  # changelog bytes: JSON key + JSON value per key, as Faust's json serializer writes them
        return sum(len(json.dumps(k)) + len(json.dumps(v, separators=(",", ":"))) for k, v in table.items())

    art_bytes, story_bytes, bucket_bytes = size(index.articles), size(index.stories), size(index.buckets)
    entries = sum(len(v) for v in index.buckets.values())
    scale = 100_000 / args.n
    hours = args.n / per_hour
    print(f"{args.n} articles at {per_hour}/h ({hours:.0f} h of stream, horizon 72 h: "
          f"{'nothing expired yet' if hours <= 72 else 'older state expired'}), {elapsed:.0f}s")
    print(f"stories-articles: {len(index.articles)} articles, {art_bytes / 1e6:.1f} MB "
          f"-> {art_bytes * scale / 1e6:.1f} MB per 100k articles ({art_bytes / args.n:.0f} B/article)")
    print(f"stories-stories: {len(index.stories)} stories, {story_bytes / 1e6:.1f} MB "
          f"-> {story_bytes * scale / 1e6:.1f} MB per 100k articles")
    print(f"total {(art_bytes + story_bytes) * scale / 1e6:.1f} MB of table data (changelogs) per 100k articles")
    print(f"in memory only (derived, rebuilt on assignment): band buckets {len(index.buckets)} keys, {entries} "
          f"entries, {bucket_bytes / 1e6:.1f} MB as JSON")
    print(f"process RSS grew {rss1 - rss0:.0f} MB over the {args.n} adds: {(rss1 - rss0) * 1e6 / args.n:.0f} B "
          f"per article (the tables' values, the buckets and the index's Python objects)")
    t0 = time.perf_counter()
    rebuilt = stories.StoryIndex()
    rebuilt.restore(list(index.articles.items()), list(index.stories.items()))
    print(f"StoryIndex.restore from the two tables (what a worker does when the story partition is assigned to "
          f"it): {time.perf_counter() - t0:.1f} s; same buckets: {rebuilt.buckets == index.buckets}")


def cmd_broker(args) -> None:
    from agents.stories import signed_message
    from nlp.stages import enrich
    from schemas.records import CleanArticle, Processing
    from streams.reader import read_records
    from bench.broker import cpu_seconds, fresh_settings
    from streams.topics import ENRICHED, STORIES, create_topics

    items = cleaned(args.n)
    t_now = time.time()
    payloads = []
    for n, it in enumerate(items):  # as ingest stamps them: in order, 1 ms apart
        ms = int(t_now * 1000) + n
        ingested = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"
        rec = enrich(CleanArticle(id=it["id"], source=it.get("source"), url=None, published_at=None,
                                  ingested_at=ingested, lang="ar", title=it["title"], body=it["body"],
                                  paragraphs=[], removed=[], processing=Processing("bench")))
        payloads.append((it["id"].encode(), signed_message(rec)))  # as the entities agent sends it
    tmp = Path(tempfile.mkdtemp(prefix="stories-bench-"))
    settings, env = fresh_settings(args.broker.removeprefix("kafka://"), tmp)
    env["AKHBAR_LOG_LEVEL"] = "warning"
    asyncio.run(create_topics(settings))
    log = open(tmp / "worker.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "streams.cli.main", "worker", "--agents", "stories",
                             "--web-port", str(args.web_port), "--loglevel", "info"], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "Worker]: Ready" not in (tmp / "worker.log").read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker did not start:\n{(tmp / 'worker.log').read_text()[-2000:]}")
            time.sleep(0.3)
        time.sleep(2)
        cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()

        async def produce():
            from aiokafka import AIOKafkaProducer

            producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, linger_ms=5,
                                        max_request_size=8 * 1024 * 1024)
            await producer.start()
            try:
                futs = [await producer.send(settings.topic(STORIES), v, key=k) for k, v in payloads]
                await asyncio.gather(*futs)
            finally:
                await producer.stop()

        asyncio.run(produce())
        recs = asyncio.run(read_records(settings, settings.topic(ENRICHED), ids={it["id"] for it in items},
                                        timeout=args.timeout))
        wall, cpu = time.perf_counter() - t0, cpu_seconds(proc.pid) - cpu0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
    got = {r["id"]: r for r in recs}
    print(f"{len(items)} articles -> {len(got)} enriched with stories by one `--agents stories` worker "
          f"(2 shared cores, load {os.getloadavg()[0]:.1f})")
    print(f"wall {wall:.1f}s = {wall / len(items) * 1e6:.0f} µs per article; worker CPU {cpu:.1f}s = "
          f"{cpu / len(items) * 1e6:.0f} µs per article (2 agents, 1 hop)")
    assigned = {aid: stories.Assignment(r["story"]["id"], r["story"]["first_seen"], r["story"]["size"],
                                        r["duplicate_of"], r["similarity"]) for aid, r in got.items()}
    result = ev.evaluate([it for it in items if it["id"] in got], assigned)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            for it in items:
                r = got.get(it["id"], {})
                fh.write(json.dumps({"id": it["id"], "truth": it["truth"], "story": r.get("story"),
                                     "duplicate_of": r.get("duplicate_of"), "similarity": r.get("similarity"),
                                     "ingested_at": r.get("ingested_at"), "partition": r.get("_partition"),
                                     "offset": r.get("_offset")}) + "\n")
    print(f"burst quality on the broker path: precision {result['precision']:.4f}, recall {result['recall']:.4f} "
          f"({result['true_pairs']} true pairs)")


BEFORE = "4d91bb1"  # the last revision whose probes compared every entry of every bucket, pair by pair


def module_at(rev: str, path: str = "nlp/stories.py"):
    """nlp/stories.py as it was at git revision `rev`, imported as a module of its own."""
    import importlib.util

    source = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout
    name = f"stories_at_{rev}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:{path}", "exec"), module.__dict__)
    return module


def run_index(module, items: list[tuple[str, str]]) -> tuple[list[float], list, list[int]]:
    """StoryIndex.add over (id, text) one second apart: CPU ms per add, the assignments, and per add the
    sketches compared (the current module's `compared`; for an older one, its `similarity` calls)."""
    calls = [0]
    if not hasattr(module.StoryIndex, "compared"):
        plain = module.similarity

        def counted(a, b):
            calls[0] += 1
            return plain(a, b)
        module.similarity = counted
    index, ms, out, compared = module.StoryIndex(), [], [], []
    t_base = 1_700_000_000
    for n, (aid, text) in enumerate(items):
        seen = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t_base + n)) + "Z"
        before = calls[0]
        t0 = time.process_time()
        a = index.add(aid, text, seen)
        ms.append((time.process_time() - t0) * 1000)
        out.append((a.story_id, a.size, a.duplicate_of))
        compared.append(getattr(index, "compared", calls[0] - before))
    return ms, out, compared


def cmd_breaking(args) -> None:
    from bench import dataset
    from nlp.stages import clean

    def texts(raws):
        out = []
        for raw in raws:
            rec = clean(raw)
            out.append((raw.id, stories.article_text(rec.title, rec.body)))
        return out

    copies = texts(dataset.breaking(args.n))
    distinct = texts(dataset.load(dataset.default_data(), args.n))
    before = module_at(args.before)
    words = statistics.mean(len(stories.words(t)) for _, t in copies)
    print(f"{args.n} edited copies of the seed ({words:.0f} words on average) and {args.n} distinct articles "
          f"from {dataset.default_data()}; CPU ms per StoryIndex.add (load {os.getloadavg()[0]:.1f})")
    seg = max(1, args.n // 5)
    for label, items in (("copies", copies), ("distinct", distinct)):
        runs = {}
        for rep in range(args.repeat):  # alternately, the faster of the repeats: less noise on a shared machine
            for name, mod in (("before", before), ("now", stories))[::1 if rep % 2 == 0 else -1]:
                run = run_index(mod, items)
                if name not in runs or statistics.mean(run[0]) < statistics.mean(runs[name][0]):
                    runs[name] = run
        runs = {"before": runs["before"], "now": runs["now"]}
        same = runs["before"][1] == runs["now"][1]
        n_stories = len({a[0] for a in runs["now"][1]})
        print(f"{label}: {n_stories} stories; same assignments before and now: {same}")
        for name, (ms, _, compared) in runs.items():
            parts = []
            for lo in range(0, len(ms), seg):
                xs = ms[lo:lo + seg]
                parts.append(f"{lo + 1}-{lo + len(xs)}: {statistics.mean(xs):.2f}")
            xs = sorted(ms)
            version = args.before if name == "before" else "worktree"
            print(f"  {name:6s} ({version}): mean {statistics.mean(ms):.2f} ms, "
                  f"p50 {xs[len(xs) // 2]:.2f}, p99 {xs[int(len(xs) * 0.99)]:.2f}; by position {'; '.join(parts)}")
            print(f"         sketches compared per add: mean {statistics.mean(compared):.0f}, "
                  f"max {max(compared)}, last {compared[-1]}")
    sign = []
    for _, text in copies:
        t0 = time.process_time()
        sig = stories.signature(text)
        stories.band_keys(sig), stories.sketch(sig)
        sign.append((time.process_time() - t0) * 1000)
    print(f"of which signature + band keys + sketch (copies): mean {statistics.mean(sign):.2f} ms")


def drifting(stories_n: int = 5, size: int = 300, from_previous: bool = False, seed: int = 4):
    """`stories_n` stories of `size` articles, each copy an edited copy of a random earlier one of its story
    (or of the previous one: a chain that drifts away from its start), the stories interleaved."""
    rng = random.Random(seed)
    arts = ev.load()
    rng.shuffle(arts)
    items = []
    for a in arts[:stories_n]:
        made = [a["body"]]
        for i in range(size - 1):
            src = made[-1] if from_previous else made[rng.randrange(len(made))]
            made.append(ev.edited_copy({"id": a["id"], "title": "", "body": src}, rng, i)["body"])
        items += [(f"{a['id']}#{i}", (i, rng.random()), body) for i, body in enumerate(made)]
    return [(aid, body) for aid, _, body in sorted(items, key=lambda it: it[1])]


def cmd_same(args) -> None:
    """Inputs where bounding a story's entries could change the outcome: copies of copies, drifting chains."""
    before = module_at(args.before)
    inputs = (("synthetic, ~35% copies of recent articles or copies", list(synthetic(args.n))),
              ("5 stories of 300, each copy from a random earlier one", drifting()),
              ("5 stories of 300, each copy from the previous one", drifting(from_previous=True)))
    for label, items in inputs:
        runs = {name: run_index(mod, items) for name, mod in (("before", before), ("now", stories))}
        ids = {name: [a[0] for a in run[1]] for name, run in runs.items()}
        print(f"{label}: {len(items)} articles, stories before {len(set(ids['before']))}, now "
              f"{len(set(ids['now']))}; assignments that differ: "
              f"{sum(a != b for a, b in zip(runs['before'][1], runs['now'][1]))}; CPU ms per add before "
              f"{statistics.mean(runs['before'][0]):.2f}, now {statistics.mean(runs['now'][0]):.2f}")


def cmd_files(args) -> None:
    """The breaking-story scenario as input files for `akhbar process` (outside the repo: dev articles)."""
    from bench import dataset
    from schemas.codec import to_dict

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scenario = (("copies", dataset.breaking(args.n)), ("distinct", dataset.load(dataset.default_data(), args.n)))
    for name, raws in scenario:
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for raw in raws:
                fh.write(json.dumps({k: v for k, v in to_dict(raw).items() if v is not None}, ensure_ascii=False)
                         + "\n")
        print(f"wrote {len(raws)} articles to {out / f'{name}.jsonl'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compute")
    c.add_argument("--n", type=int, default=2000)
    s = sub.add_parser("state")
    s.add_argument("--n", type=int, default=100_000)
    s.add_argument("--per-hour", type=int, default=2000, help="articles per hour of stream (event time)")
    b = sub.add_parser("broker")
    b.add_argument("--n", type=int, default=3000)
    b.add_argument("--broker", default="kafka://127.0.0.1:19092")
    b.add_argument("--web-port", type=int, default=16499)
    b.add_argument("--timeout", type=float, default=600)
    b.add_argument("--dump", help="write each article's truth and assigned story to this JSONL file")
    k = sub.add_parser("breaking")
    k.add_argument("--n", type=int, default=1000)
    k.add_argument("--before", default=BEFORE, help="git revision of nlp/stories.py to compare with")
    k.add_argument("--repeat", type=int, default=2, help="runs of each version (the fastest is shown)")
    m = sub.add_parser("same")
    m.add_argument("--n", type=int, default=20_000)
    m.add_argument("--before", default=BEFORE)
    f = sub.add_parser("files")
    f.add_argument("--n", type=int, default=600)
    f.add_argument("--out", required=True, help="a folder outside the repo")
    args = ap.parse_args(argv)
    {"compute": cmd_compute, "state": cmd_state, "broker": cmd_broker, "breaking": cmd_breaking,
     "same": cmd_same, "files": cmd_files}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
