"""Measurements through the real broker: raw aiokafka passthrough, the pipeline with real `akhbar worker`
processes, end-to-end latency, worker start-up time and peak RSS.

Every run gets a fresh topic prefix and application id (as the integration tests do), so runs never see each
other's records or consumer offsets; its topics are deleted afterwards.
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from prometheus_client.parser import text_string_to_metric_families

from streams.settings import REPO_ROOT, Settings
from agents import PIPELINE
from streams.topics import ENRICHED, RAW, STORIES, admin_client, create_topics

# the agents of `akhbar process`'s pipeline: clean (with validation), entities and story clustering (alerting is
# not part of the in-process pipeline it is compared with)
PIPELINE_AGENTS = "clean,entities,stories"


def fresh_settings(bootstrap: str, tmp: Path) -> tuple[Settings, dict]:
    """Settings and a worker environment with a new topic prefix, app id and data directory; every other
    setting as configured (the workers run as users run them)."""
    tag = f"bench{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    env.update(AKHBAR_TOPIC_PREFIX=f"{tag}.", AKHBAR_APP_ID=f"akhbar-{tag}", AKHBAR_DATADIR=str(tmp / "data"),
               AKHBAR_BROKER=f"kafka://{bootstrap}")
    return Settings.from_env(env), env


async def run_topic_records(settings: Settings) -> dict[str, int]:
    """Records written so far to each of the run's topics (its prefix, and Faust's internal topics named after
    its app id: the tables' changelogs): the sum of the partitions' end offsets. Under exactly_once these
    offsets count the transaction markers too (one per partition per transaction)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    async with admin_client(settings) as admin:
        names = [t for t in await admin.list_topics()
                 if t.startswith(settings.topic_prefix) or t.startswith(settings.app_id)]
        metas = await admin.describe_topics(names) if names else []
    tps = [TopicPartition(m["topic"], p["partition"]) for m in metas for p in m["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, **settings.kafka_security())
    await consumer.start()
    try:
        ends = await consumer.end_offsets(tps) if tps else {}
    finally:
        await consumer.stop()
    out: dict[str, int] = {}
    for tp, end in ends.items():
        out[tp.topic] = out.get(tp.topic, 0) + end
    return out


async def delete_run_topics(settings: Settings) -> None:
    """Remove the run's topics: its prefix, and Faust's internal topics named after its app id."""
    async with admin_client(settings) as admin:
        names = [t for t in await admin.list_topics()
                 if t.startswith(settings.topic_prefix) or t.startswith(settings.app_id)]
        if names:
            await admin.delete_topics(names)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return out


def _stat_cpu(stat: Path) -> float:
    """User + system CPU seconds in a /proc stat file (0.0 once the process or thread is gone)."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (from /proc)."""
    return sum(_stat_cpu(Path(f"/proc/{p}/stat")) for p in _tree(pid))


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU seconds of each live thread of one process, by thread id (the main thread's is `pid`)."""
    try:
        tids = [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()]
    except OSError:
        return {}
    return {tid: _stat_cpu(Path(f"/proc/{pid}/task/{tid}/stat")) for tid in tids}


def peak_rss_mb(pid: int) -> float:
    """Peak resident set (VmHWM) summed over a process tree, MB."""
    kb = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    kb += int(line.split()[1])
        except OSError:
            pass
    return kb / 1024


def stage_cpu_seconds(port: int) -> float:
    """A worker's akhbar_stage_cpu_seconds_total, summed over its stages, from its /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "akhbar_stage_cpu_seconds_total")


@dataclass
class Worker:
    proc: subprocess.Popen
    port: int
    log_path: Path
    started: float
    ready_s: float | None = None

    def is_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ready", timeout=1) as resp:
                return resp.status == 200
        except OSError:
            return False


@dataclass
class Workers:
    """Real `akhbar worker` processes on one fresh topic set."""
    settings: Settings
    env: dict
    tmp: Path
    agents: str = PIPELINE_AGENTS
    procs: list[Worker] = field(default_factory=list)

    def start(self, count: int, timeout: float = 120.0) -> None:
        for n in range(count):
            port = _free_port()
            log_path = self.tmp / f"worker-{n}.log"
            cmd = [sys.executable, "-m", "streams.cli.main", "worker", "--agents", self.agents,
                   "--web-port", str(port)]
            with open(log_path, "wb") as log:
                proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
            self.procs.append(Worker(proc, port, log_path, time.monotonic()))
        deadline = time.monotonic() + timeout
        while not all(w.ready_s is not None for w in self.procs):
            for w in self.procs:
                if w.proc.poll() is not None:
                    raise RuntimeError(f"worker exited with {w.proc.returncode}:\n"
                                       f"{w.log_path.read_text(errors='replace')[-3000:]}")
                if w.ready_s is None and w.is_ready():
                    w.ready_s = time.monotonic() - w.started
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not ready within {timeout:.0f}s")
            time.sleep(0.1)

    def all_ready(self) -> bool:
        return all(w.is_ready() for w in self.procs)

    def cpu(self) -> float:
        return sum(cpu_seconds(w.proc.pid) for w in self.procs)

    def stage_cpu(self) -> float:
        """CPU seconds spent inside the stages' own code so far, summed over the workers (each worker's
        akhbar_stage_cpu_seconds_total at /metrics)."""
        return sum(stage_cpu_seconds(w.port) for w in self.procs)

    def rss_mb(self) -> list[float]:
        return [peak_rss_mb(w.proc.pid) for w in self.procs]

    def stop(self) -> None:
        for w in self.procs:
            if w.proc.poll() is None:
                os.killpg(w.proc.pid, signal.SIGTERM)
        for w in self.procs:
            try:
                w.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(w.proc.pid, signal.SIGKILL)
                w.proc.wait()


@asynccontextmanager
async def clients(settings: Settings, sink: str):
    """A producer, and a consumer assigned to every partition of `sink` from its current end."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    from streams.topics import partition_ids

    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, linger_ms=2, acks="all",
                                max_request_size=4 * settings.max_message_bytes)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                                fetch_max_bytes=32 * 1024 * 1024, fetch_max_wait_ms=20,
                                isolation_level="read_committed")
    await producer.start()
    await consumer.start()
    try:
        tps = [TopicPartition(sink, p) for p in await partition_ids(settings, sink)]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)
        yield producer, consumer
    finally:
        await consumer.stop()
        await producer.stop()


async def send_and_watch(settings: Settings, payloads: list[tuple[bytes, bytes]], rate: float | None,
                         timeout: float, progress=None, sink: str = ENRICHED) -> dict:
    """Send `payloads` to articles.raw (all at once, or at `rate` per second) while a consumer of
    `sink` (articles.enriched) notes when each article's record becomes visible. Latency: visible - sent."""
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    want = {k.decode() for k, _ in payloads}
    async with clients(settings, settings.topic(sink)) as (producer, consumer):
        async def watch():
            deadline = time.monotonic() + timeout
            while not want <= seen.keys() and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=50)
                now = time.time()
                for messages in batch.values():
                    for m in messages:
                        aid = orjson.loads(m.value).get("id")
                        if aid in want and aid not in seen:
                            seen[aid] = now
                if progress and batch:
                    progress(len(seen), len(want))

        watcher = asyncio.create_task(watch())
        t0, futures = time.monotonic(), []
        for i, (key, value) in enumerate(payloads):
            if rate:
                delay = t0 + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            sent[key.decode()] = time.time()
            futures.append(await producer.send(settings.topic(RAW), value, key=key))
        await asyncio.gather(*futures)
        await watcher
    lat = [seen[k] - sent[k] for k in sent if k in seen]
    first, last = min(sent.values()), max(seen.values(), default=min(sent.values()))
    return {"sent": len(sent), "received": len(seen), "seconds": last - first,
            "throughput": len(seen) / (last - first) if last > first else 0.0, "latencies_s": lat}


async def passthrough(bootstrap: str, payloads: list[tuple[bytes, bytes]], partitions: int = 6) -> dict:
    """The transport's limit: an aiokafka consumer reads the payloads from one topic and a producer writes them
    unchanged to another, no processing, on the same broker. Timed from the first fetch to the last ack."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.admin import NewTopic

    settings = Settings.from_env({"AKHBAR_BROKER": f"kafka://{bootstrap}",
                                  "AKHBAR_TOPIC_PREFIX": f"bench{uuid.uuid4().hex[:8]}."})
    src, dst = settings.topic("passthrough.in"), settings.topic("passthrough.out")
    async with admin_client(settings) as admin:
        await admin.create_topics([NewTopic(t, partitions, 1) for t in (src, dst)])
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, linger_ms=2, acks="all",
                                max_request_size=4 * settings.max_message_bytes)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                                fetch_max_bytes=32 * 1024 * 1024, isolation_level="read_committed")
    await producer.start()
    await consumer.start()
    try:
        await asyncio.gather(*[await producer.send(src, v, key=k) for k, v in payloads])
        consumer.assign([TopicPartition(src, p) for p in range(partitions)])
        await consumer.seek_to_beginning()
        t0, moved, futures = time.perf_counter(), 0, []
        while moved < len(payloads):
            batch = await consumer.getmany(timeout_ms=200)
            for messages in batch.values():
                for m in messages:
                    futures.append(await producer.send(dst, m.value, key=m.key))
                    moved += 1
            if time.perf_counter() - t0 > 120:
                raise RuntimeError(f"passthrough moved only {moved}/{len(payloads)} in 120s")
        await asyncio.gather(*futures)
        seconds = time.perf_counter() - t0
    finally:
        await consumer.stop()
        await producer.stop()
        await delete_run_topics(settings)
    return {"messages": moved, "seconds": seconds, "throughput": moved / seconds}


def pipeline_run(bootstrap: str, workers: int, burst: list, rated: list | None = None,
                 rate_fraction: float = 0.5, rated_seconds: float = 15.0, warmup: list | None = None,
                 timeout: float = 600.0, progress=None, rated_progress=None, broker_pid: int | None = None,
                 env: dict | None = None, agents: str = PIPELINE_AGENTS, sink: str = ENRICHED,
                 rate: float | None = None) -> dict:
    """One fresh topic set: start `workers` worker processes (start-up to ready timed), send a warm-up article
    and wait for it, send `burst` all at once (throughput, burst latency, worker CPU), then, when `rated` is
    given, send `rated_seconds` worth of it at `rate_fraction` of the measured throughput, or at `rate` articles/s
    when given (latency at that load). Peak RSS at the end. With `broker_pid` (a local broker), the broker's CPU
    during the burst too.
    `env`: settings for the workers on top of the fresh ones (e.g. AKHBAR_PROCESSING_GUARANTEE); `agents` the
    workers run, and the `sink` topic whose records are watched (articles.stories for the linear agents)."""
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    settings, worker_env = fresh_settings(bootstrap, tmp)
    worker_env.update(env or {})
    settings, env = Settings.from_env(worker_env), worker_env
    asyncio.run(create_topics(settings))
    group = Workers(settings, env, tmp, agents=agents)
    try:
        group.start(workers)
        out: dict = {"workers": workers, "startup_s": [w.ready_s for w in group.procs]}
        if warmup:
            asyncio.run(send_and_watch(settings, warmup, None, timeout, sink=sink))
        deadline = time.monotonic() + 60
        while not group.all_ready() and time.monotonic() < deadline:  # settle any rebalance
            time.sleep(0.2)
        cpu0, broker0 = group.cpu(), cpu_seconds(broker_pid) if broker_pid else 0.0
        stage0 = group.stage_cpu()
        result = asyncio.run(send_and_watch(settings, burst, None, timeout, progress, sink=sink))
        out["burst"] = {**result, "worker_cpu_s": group.cpu() - cpu0, "stage_cpu_s": group.stage_cpu() - stage0,
                        "broker_cpu_s": cpu_seconds(broker_pid) - broker0 if broker_pid else None}
        if rated:
            rate = rate or max(1.0, rate_fraction * result["throughput"])
            chosen = rated[:max(5, int(rate * rated_seconds))]
            cpu1 = group.cpu()
            watched = asyncio.run(send_and_watch(settings, chosen, rate, timeout, rated_progress, sink=sink))
            out["rated"] = {**watched, "rate": rate, "worker_cpu_s": group.cpu() - cpu1}
        out["rss_mb"] = group.rss_mb()
        out["topic_records"] = asyncio.run(run_topic_records(settings))
        out["articles_sent"] = (len(warmup or []) + out["burst"]["sent"]
                                + (out["rated"]["sent"] if rated else 0))
        return out
    finally:
        group.stop()
        asyncio.run(delete_run_topics(settings))


def peer_run(bootstrap: str, burst: list, warmup: list | None = None, timeout: float = 600.0, progress=None,
             broker_pid: int | None = None, linear: bool = False, per_partition: bool = False,
             env: dict | None = None) -> dict:
    """The plain aiokafka peer (bench/plain_peer.py) on a fresh topic set, measured as pipeline_run measures a
    worker: start-up to `ready`, a warm-up article, then `burst` all at once (throughput, latency, the peer
    process's CPU from /proc, and the broker's), and its own count of the CPU spent in stage functions.
    `linear`: the peer of the two linear agents (`--linear`), watched on articles.stories; `per_partition`:
    Faust's transactional producer layout (`--per-partition`); `env`: settings on top of the fresh ones, as for
    pipeline_run."""
    sink = STORIES if linear else ENRICHED
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-peer-"))
    settings, peer_env = fresh_settings(bootstrap, tmp)
    peer_env.update(env or {})
    settings, env = Settings.from_env(peer_env), peer_env
    asyncio.run(create_topics(settings))
    out_path = tmp / "peer.out"
    log = open(tmp / "peer.log", "wb")
    started = time.monotonic()
    with open(out_path, "wb") as out_file:
        flags = [*(["--linear"] if linear else []), *(["--per-partition"] if per_partition else [])]
        proc = subprocess.Popen([sys.executable, "-m", "bench.plain_peer", *flags],
                                cwd=REPO_ROOT, env=env,
                                stdout=out_file, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "ready" not in out_path.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                log_text = (tmp / "peer.log").read_text(errors="replace")
                raise RuntimeError(f"plain peer did not start:\n{log_text[-3000:]}")
            time.sleep(0.1)
        result: dict = {"startup_s": time.monotonic() - started}
        hops = len(PIPELINE) if linear else 1  # messages the peer handles per article

        def counts_after(messages: int) -> dict:
            """Its counts once its line for `messages` handled is out (written after the acks and the commit)."""
            deadline, counts = time.monotonic() + 5, _peer_counts(out_path)
            while counts["messages"] < messages and time.monotonic() < deadline:
                time.sleep(0.05)
                counts = _peer_counts(out_path)
            return counts

        if warmup:
            asyncio.run(send_and_watch(settings, warmup, None, timeout, sink=sink))
        counts0 = counts_after(hops * len(warmup or []))
        cpu0, broker0 = cpu_seconds(proc.pid), cpu_seconds(broker_pid) if broker_pid else 0.0
        burst_result = asyncio.run(send_and_watch(settings, burst, None, timeout, progress, sink=sink))
        result["burst"] = {**burst_result, "peer_cpu_s": cpu_seconds(proc.pid) - cpu0,
                           "broker_cpu_s": cpu_seconds(broker_pid) - broker0 if broker_pid else None}
        counts1 = counts_after(counts0["messages"] + hops * burst_result["received"])
        result["burst"]["stage_cpu_s"] = counts1["stage_cpu_s"] - counts0["stage_cpu_s"]
        result["burst"]["messages"] = counts1["messages"] - counts0["messages"]
        result["rss_mb"] = peak_rss_mb(proc.pid)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        asyncio.run(delete_run_topics(settings))
    result["peer"] = _peer_counts(out_path)  # the whole run's, warm-up included, with its process CPU
    return result


def _peer_counts(path: Path) -> dict:
    """The plain peer's last complete line of running counts (messages, stage_cpu_s) in its output."""
    import json

    lines = [line for line in path.read_text(errors="replace").splitlines() if line.startswith("{")]
    for line in reversed(lines):
        try:
            return json.loads(line)
        except ValueError:  # a line being written
            continue
    return {"messages": 0, "stage_cpu_s": 0.0}
