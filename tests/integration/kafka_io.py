"""Producing test payloads (any bytes) and reading topics back, with aiokafka on the real broker."""
from __future__ import annotations

import asyncio

from streams.reader import end_offsets, read_records


async def _send(settings, topic, messages):
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all",
                                max_request_size=8 * 1024 * 1024)
    await producer.start()
    try:
        futures = [await producer.send(topic, value, key=key, partition=partition)
                   for key, value, partition in messages]
        return [await f for f in futures]
    finally:
        await producer.stop()


def send(settings, topic: str, messages: list[tuple[bytes | None, bytes, int | None]]):
    """Send (key, value, partition) triples; returns their RecordMetadata (partition, offset) in order."""
    return asyncio.run(_send(settings, topic, messages))


def read(settings, topic: str, **kwargs) -> list[dict]:
    return asyncio.run(read_records(settings, topic, **kwargs))


def ends(settings, topic: str) -> dict[int, int]:
    return asyncio.run(end_offsets(settings, topic))


async def _committed(settings, group: str, topic: str, reset: bool) -> dict[int, int]:
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.structs import OffsetAndMetadata

    from streams.topics import partition_ids

    tps = [TopicPartition(topic, p) for p in await partition_ids(settings, topic)]  # the topic's, from the cluster
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(tps)
        if reset:
            await consumer.commit({tp: OffsetAndMetadata(0, "") for tp in tps})
        done = {tp.partition: await consumer.committed(tp) for tp in tps}
        return {p: -1 if c is None else c for p, c in done.items()}
    finally:
        await consumer.stop()


def committed(settings, group: str, topic: str, reset: bool = False) -> dict[int, int]:
    """The group's committed offsets on `topic` by partition (-1: none); with `reset`, first set them to 0."""
    return asyncio.run(_committed(settings, group, topic, reset))


def record_ends(settings, topic: str) -> dict[int, int]:
    """Per partition, the offset after its last committed record: what a group that processed every record
    commits. Under exactly_once a topic's end offset lies past the marker of its last transaction, which no
    consumer's commit covers (Kafka's consumers commit the offset after the last record they processed)."""
    out: dict[int, int] = {}
    for r in read(settings, topic, timeout=10):
        out[r["_partition"]] = max(out.get(r["_partition"], 0), r["_offset"] + 1)
    return out


def behind(settings, group: str, topics: list[str]) -> dict[tuple[str, int], tuple[int, int]]:
    """The partitions of `topics` whose records `group` has not all processed: {(topic, partition): (committed
    offset, last record + 1)}. Empty: the group is caught up."""
    out = {}
    for topic in topics:
        end, done = record_ends(settings, topic), committed(settings, group, topic)
        out.update({(topic, p): (done.get(p, -1), e) for p, e in sorted(end.items()) if done.get(p, -1) < e})
    return out


def articles(n: int, tag: str) -> tuple[list[str], list[tuple[bytes, bytes, None]]]:
    """n distinct small Arabic articles: their ids and (key, value, partition) triples for `send`."""
    import orjson

    ids = [f"{tag}-{i:05d}" for i in range(n)]
    messages = [(i.encode(), orjson.dumps({"id": i, "source": "test", "title": f"خبر رقم {k}",
                                             "body": f"قال مسؤول في بغداد إن الاجتماع رقم {k} انتهى دون اتفاق."}),
                 None) for k, i in enumerate(ids)]
    return ids, messages


def tally(records: list[dict], ids: list[str]) -> tuple[set[str], int]:
    """(missing ids, number of duplicate deliveries)."""
    import collections

    counts = collections.Counter(r.get("id") for r in records)
    return set(ids) - set(counts), sum(c - 1 for c in counts.values() if c > 1)


def trace(settings, ids: set[str], logs: list[str] = ()) -> str:
    """Where each of `ids` got to, for a failure's report: the (partition, offset, type) of every message that
    names it on each topic of the chain, in pipeline order, and the worker log lines that mention it."""
    from streams.topics import CLEAN, DLQ, ENRICHED, RAW, STORIES

    lines = []
    for name in (RAW, CLEAN, STORIES, ENRICHED, DLQ):
        for rec in read(settings, settings.topic(name)):
            rid = (rec.get("id") or rec.get("key")) if isinstance(rec, dict) else None  # as read_records matches
            if rid in ids:
                lines.append(f"{rid} {name}[{rec['_partition']}]@{rec['_offset']} {rec.get('t', '')} "
                             f"{rec.get('story', '')}")
    for n, log in enumerate(logs):
        lines += [f"worker {n}: {line}" for line in log.splitlines() if any(i in line for i in ids)]
    return "\n".join(lines) or "no trace of them anywhere"


def lost_report(pipeline, missing: set[str]) -> str:
    """The failure message of a loss: how many, whether the workers were still behind when the read gave up (a
    slow run, not a loss) or had processed every record of every source topic (a loss), and where the first
    few got to."""
    from agents import ALL_AGENTS
    from streams.cli.worker import group_id
    from agents import PIPELINE
    from streams.topics import STORIES

    s = pipeline.settings
    sources = [source for _, source, _ in PIPELINE.values()] + [STORIES]
    late = behind(s, group_id(s.app_id, ALL_AGENTS), [s.topic(t) for t in sources])
    state = (f"the workers were still behind when the read ended, (committed, last record + 1): {late}" if late
             else "the workers had committed every record of every source topic")
    first = sorted(missing)[:3]
    return f"{len(missing)} missing; {state}\nwhere {', '.join(first)} got to:\n" + \
        trace(s, set(first), [pipeline.log(w) for w in pipeline.workers])


def outcome(scenario: str, ids: list[str], records: list[dict], workers=()) -> tuple[set[str], int]:
    """Tally a fault scenario (missing ids, duplicate deliveries), print it, and append it as one JSON line to
    $AKHBAR_SOAK_RESULTS when set (`akhbar soak` reads it): lost, duplicates, and worker exits (workers that
    stopped without being told to, with their exit codes)."""
    import json
    import os

    missing, dups = tally(records, ids)
    exits = [w.returncode for w in workers if w.poll() is not None and not getattr(w, "stopped_on_purpose", False)]
    print(f"\n{scenario}: {len(ids)} articles: {len(missing)} missing, {dups} duplicate deliveries, "
          f"{len(exits)} worker exit(s)")
    path = os.environ.get("AKHBAR_SOAK_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"scenario": scenario, "articles": len(ids), "lost": len(missing),
                                "duplicates": dups, "worker_exits": exits}) + "\n")
    return missing, dups
