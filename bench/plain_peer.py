"""The Faust pipeline's plain peer: the same stage functions on one aiokafka consume -> stage -> produce loop.

    python -m bench.plain_peer            # settings from the environment (AKHBAR_BROKER, AKHBAR_TOPIC_PREFIX, ...)
    python -m bench.plain_peer --linear   # the two linear agents' hops instead, no story index
    python -m bench.plain_peer --per-partition   # exactly_once with Faust's producer layout (see serve)

No Faust: one consumer (group `<app id>-plain`) reads articles.raw, each message goes through the steps the
agents call (agents.clean and agents.entities `make_step`: decode, stage function, encode, as each agent does
per hop; the entities step signs the article for the story index) and the story agent's step on one in-memory
StoryIndex (`add_signed`, then agents.stories.with_story: the index the stories agent runs, its state kept in
two tables there), and one producer writes the EnrichedArticle to
articles.enriched (a failure: a DeadLetter to the DLQ, as the agents route it). The delivery guarantee is the
workers' (AKHBAR_PROCESSING_GUARANTEE), so that the two sides pay for the same one: under exactly_once the loop's
one transactional producer commits the output and the input offsets together (`send_offsets_to_transaction`)
every commit interval (AKHBAR_COMMIT_INTERVAL_S, the workers' too), as Kafka Streams' EOS v2 does with one
producer per thread; at least once, a fetched batch's records are acknowledged by the broker before its offsets
are committed. It runs on the workers' event loop (AKHBAR_EVENT_LOOP).

What this loop does not do, and the Faust worker does: the two intermediate topics (articles.clean,
articles.stories) and the changelogged tables (state survives a restart there, not here), partition-scoped
scaling, the web server and metrics. So "Faust pipeline / plain loop" in CPU per article measures Faust and
the topology together, against the cheapest loop that produces the same records.

`--linear` is the peer of a worker running `--agents clean,entities`: the same two hops as those agents
(articles.raw -> clean -> articles.clean -> entities -> articles.stories, one consumer subscribed to the two
source topics, each message through its topic's step and produced to the next topic), so the two differ only
by Faust's machinery, not by the topology.

It prints `ready` once its partitions are assigned, after each batch one JSON line of its running counts
(messages, and the CPU seconds spent inside the stage functions: `stage_cpu_s`), and on SIGTERM the same
with the process's own CPU seconds.
"""
from __future__ import annotations

import asyncio
import importlib
import signal
import sys
import time

import orjson

from agents import PIPELINE
from agents import clean as clean_agent
from agents import entities as entities_agent
from agents import stories as stories_agent
from agents.dlq import dead_letter, failed_stage
from nlp.stories import StoryIndex
from schemas.codec import encode
from streams.cli.worker import use_event_loop
from streams.settings import Settings
from streams.topics import ENRICHED, RAW


class LinearHops:
    """The linear agents' hops: a message of a source topic through that agent's step, to its sink topic."""

    def __init__(self, settings: Settings):
        self.routes = {settings.topic(source): (name, importlib.import_module(module).make_step(settings),
                                                settings.topic(sink))
                       for name, (module, source, sink) in PIPELINE.items()}
        self.sources = list(self.routes)
        self.dlq = settings.topic(settings.dlq_topic)

    def process(self, payload: bytes, message) -> tuple[str, bytes | None, bytes]:
        stage, step, sink = self.routes[message.topic]
        try:
            key, value = step(payload)
            return sink, key, value
        except Exception as exc:  # noqa: BLE001 - routed to the DLQ, as the agents do
            return self.dlq, getattr(message, "key", None), _dead_letter(stage, exc, payload, message)


def _dead_letter(stage: str, exc: Exception, payload: bytes, message) -> bytes:
    """As agents.stage routes a failure."""
    return encode(dead_letter(failed_stage(stage, exc), exc, payload, message))


class PlainPipeline:
    """One message in, one (topic, key, value) out: the agents' steps in pipeline order, then the story stage."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.steps = [("clean", clean_agent.make_step(settings)), ("entities", entities_agent.make_step(settings))]
        self.index = StoryIndex()
        self.sink, self.dlq = settings.topic(ENRICHED), settings.topic(settings.dlq_topic)
        self.sources = [settings.topic(RAW)]

    def process(self, payload: bytes, message=None) -> tuple[str, bytes | None, bytes]:
        value, key, stage = payload, None, "clean"
        try:
            for stage, step in self.steps:
                key, value = step(value)
            stage = "stories"
            msg = orjson.loads(value)
            t0 = time.perf_counter()
            record = msg.pop("record")
            assignment, _ = self.index.add_signed(msg)
            return self.sink, key, stories_agent.with_story(record, msg, assignment, t0)
        except Exception as exc:  # noqa: BLE001 - routed to the DLQ, as the agents do
            return self.dlq, getattr(message, "key", None), _dead_letter(stage, exc, value, message)


async def serve(settings: Settings, stop: asyncio.Event, out=sys.stdout, linear: bool = False,
                per_partition: bool = False) -> dict:
    """`per_partition`: under exactly_once, one transactional producer per source partition number instead of
    one for the loop (Faust's layout, EOS v1: transactional id `<group>-producer-<partition>`), each committing
    its partitions' offsets in its own transaction every commit interval."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    pipeline = LinearHops(settings) if linear else PlainPipeline(settings)
    group_id = f"{settings.app_id}-plain"
    consumer = AIOKafkaConsumer(*pipeline.sources, bootstrap_servers=settings.bootstrap_servers,
                                group_id=group_id, enable_auto_commit=False,
                                auto_offset_reset="earliest", isolation_level="read_committed",
                                max_partition_fetch_bytes=4 * settings.max_message_bytes + 65536,
                                **settings.kafka_security())
    transactional = settings.processing_guarantee == "exactly_once"
    per_partition = per_partition and transactional
    ids = ([f"{group_id}-producer-{p}" for p in range(settings.partitions)] if per_partition
           else [f"{group_id}-producer" if transactional else None])
    producers = [AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all",
                                  max_request_size=4 * settings.max_message_bytes + 65536,
                                  transactional_id=tid, **settings.kafka_security()) for tid in ids]
    for producer in producers:
        await producer.start()
    await consumer.start()
    counts = {"messages": 0, "stage_cpu_s": 0.0}
    ready = False
    offsets: list[dict] = [{} for _ in producers]  # under exactly_once, each producer's: the next offset of
    last_commit = time.monotonic()                 # each partition it read, not committed yet

    def index(tp) -> int:
        return tp.partition % len(producers) if per_partition else 0

    async def commit_when_due() -> None:
        """Under exactly_once, once the commit interval has passed: commit each open transaction with the input
        offsets it holds, and begin the next one."""
        nonlocal last_commit
        if transactional and any(offsets) and time.monotonic() - last_commit >= settings.commit_interval_s:
            for producer, held in zip(producers, offsets):
                if held:
                    await producer.send_offsets_to_transaction(dict(held), group_id)
                    await producer.commit_transaction()
                    held.clear()
                    await producer.begin_transaction()
            last_commit = time.monotonic()

    if transactional:
        for producer in producers:
            await producer.begin_transaction()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100, max_records=100)
            if not ready and consumer.assignment():
                ready = True
                out.write("ready\n")
                out.flush()
            acks = []
            for tp, messages in batch.items():
                i = index(tp)
                for m in messages:
                    t0 = time.thread_time()
                    topic, key, value = pipeline.process(m.value, m)
                    counts["stage_cpu_s"] += time.thread_time() - t0
                    acks.append(await producers[i].send(topic, value, key=key))
                    counts["messages"] += 1
                    offsets[i][tp] = m.offset + 1
                    await commit_when_due()
            await commit_when_due()
            if acks and not transactional:
                await asyncio.gather(*acks)
                await consumer.commit()
                offsets[0].clear()
            if acks:
                out.write(orjson.dumps(counts).decode() + "\n")  # the bench reads the last line before and after
                out.flush()
    finally:
        await consumer.stop()
        for producer in producers:
            await producer.stop()
    return {**counts, "process_cpu_s": time.process_time()}


def main() -> int:
    settings = Settings.from_env()
    use_event_loop(settings.event_loop)  # the workers' loop, so that the two sides differ by Faust alone
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    result = loop.run_until_complete(serve(settings, stop, linear="--linear" in sys.argv[1:],
                                           per_partition="--per-partition" in sys.argv[1:]))
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
