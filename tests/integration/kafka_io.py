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
