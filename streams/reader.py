"""Reading records back from a topic until expected ids (or a count) arrive: used by `demo` and the tests."""
from __future__ import annotations

import asyncio
import time

import orjson

from streams.settings import Settings
from streams.topics import partition_ids


async def end_offsets(settings: Settings, topic: str) -> dict[int, int]:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    tps = [TopicPartition(topic, p) for p in await partition_ids(settings, topic)]
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, **settings.kafka_security())
    await consumer.start()
    try:
        return {tp.partition: off for tp, off in (await consumer.end_offsets(tps)).items()}
    finally:
        await consumer.stop()


async def assign_from_committed(consumer, tps) -> dict:
    """Assign `tps` to a consumer of a group that remembers its progress (the replay commands), each partition
    resuming at the group's committed offset, or at the beginning where it has none; returns the end offsets
    at this moment: what this run has to get through."""
    consumer.assign(tps)
    end = await consumer.end_offsets(tps)
    for tp in tps:
        if await consumer.committed(tp) is None:
            await consumer.seek_to_beginning(tp)
    return end


async def read_records(settings: Settings, topic: str, *, ids: set[str] | None = None, count: int | None = None,
                       timeout: float = 60.0, start: dict[int, int] | None = None,
                       settle: float = 0.0) -> list[dict]:
    """Records (decoded JSON, with `_partition`/`_offset` added) from `start` offsets (default: beginning)
    until every id in `ids` (matched on the record's `id`, or the DeadLetter's `key`) or `count` records
    have arrived, or `timeout` passes. With neither, until the end offsets seen at the start are reached.
    With `settle`, keep reading that many seconds more (to catch duplicates).
    """
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                                isolation_level="read_committed", fetch_max_bytes=16 * 1024 * 1024,
                                **settings.kafka_security())
    tps = [TopicPartition(topic, p) for p in await partition_ids(settings, topic)]
    if not tps:
        raise LookupError(f"topic {topic} does not exist")
    await consumer.start()
    out: list[dict] = []
    seen: set[str] = set()
    try:
        consumer.assign(tps)
        for tp in tps:
            if start and tp.partition in start:
                consumer.seek(tp, start[tp.partition])
            else:
                await consumer.seek_to_beginning(tp)
        end = await consumer.end_offsets(tps) if ids is None and count is None else None
        deadline = time.monotonic() + timeout
        done_at = None
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for tp, messages in batch.items():
                for m in messages:
                    rec = orjson.loads(m.value)
                    if isinstance(rec, dict):
                        rec["_partition"], rec["_offset"] = tp.partition, m.offset
                        seen.add(rec.get("id") or rec.get("key"))
                    out.append(rec)
            if end is not None:
                complete = all([await consumer.position(tp) >= end[tp] for tp in tps])
            else:
                complete = (ids is not None and ids <= seen) or (count is not None and len(out) >= count)
            if complete:
                if done_at is None:
                    done_at = time.monotonic()
                if time.monotonic() - done_at >= settle:
                    break
            await asyncio.sleep(0)
        return out
    finally:
        await consumer.stop()
