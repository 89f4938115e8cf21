"""Regression: under exactly_once, table recovery read a changelog's end from the last fetch response, which a
worker that never fetched that partition does not have (streams/faust_fixes/recovery_highwaters.py). On the real
broker: a transactional producer commits 3 records to a changelog-like topic; a read_committed consumer assigned to
it, that has fetched nothing, is asked for its highwaters as Faust's recovery asks."""
from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition

from streams.faust_fixes import recovery_highwaters
from tests.regression.kafka import fresh_topic


async def _highwaters(bootstrap: str, highwaters) -> dict:
    topic = await fresh_topic(bootstrap, "highwaters")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"regress-{uuid.uuid4().hex[:8]}")
    await producer.start()
    try:
        async with producer.transaction():
            for i in range(3):
                await producer.send(topic, b"v", key=str(i).encode())
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                isolation_level="read_committed")
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.position(tp)  # assigned and placed, as a recovering worker's changelog partition is
        thread = SimpleNamespace(consumer=SimpleNamespace(in_transaction=True), _ensure_consumer=lambda: consumer)
        return await highwaters(thread, [tp])
    finally:
        await consumer.stop()


def test_upstream_takes_a_changelog_never_fetched_for_empty(kafka_broker):
    (value,) = asyncio.run(_highwaters(kafka_broker, recovery_highwaters._upstream_highwaters)).values()
    assert value is None  # Faust's recovery: highwater -1, then ConsistencyError on the worker's own offsets


def test_fixed_asks_the_broker_for_the_last_stable_offset(kafka_broker):
    (value,) = asyncio.run(_highwaters(kafka_broker, recovery_highwaters._highwaters_from_the_broker)).values()
    assert value == 4  # 3 records and the commit marker
