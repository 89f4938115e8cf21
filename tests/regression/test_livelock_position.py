"""Regression: Faust's livelock detector crashed the worker on a partition awaiting an offset reset
(streams/faust_fixes/livelock_position.py). On the real broker: a consumer has fetched from a partition (its
highwater is known, records are buffered), then the partition is sought to its beginning, and Faust's own
``AIOKafkaConsumerThread.verify_event_path`` runs on it, as the detector does every 2.5 commit intervals."""
from __future__ import annotations

import asyncio
import logging
from time import monotonic
from types import SimpleNamespace

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

from streams.faust_fixes import livelock_position
from tests.regression.kafka import fresh_topic


class _Thread:
    """Faust's consumer thread as verify_event_path uses it, around a real aiokafka consumer."""

    _verify_aiokafka_event_path = AIOKafkaConsumerThread._verify_aiokafka_event_path
    log = logging.getLogger("test")
    _log_slow_processing_stream = _log_slow_processing = staticmethod(lambda *args, **kwargs: None)

    def __init__(self, consumer):
        self._consumer = consumer
        self.time_started = monotonic() - 600  # long started: every check applies
        self.tp_fetch_request_timeout_secs = self.tp_stream_timeout_secs = 300.0
        app = SimpleNamespace(monitor=SimpleNamespace(stream_inbound_time={}),
                              topics=SimpleNamespace(acks_enabled_for=lambda topic: True))
        self.consumer = SimpleNamespace(app=app)

    def _ensure_consumer(self):
        return self._consumer


async def _a_partition_awaiting_reset(bootstrap: str, check) -> None:
    topic = await fresh_topic(bootstrap, "livelock")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for i in range(200):
            await producer.send(topic, b"x" * 100)
        await producer.flush()
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                max_partition_fetch_bytes=4096)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        assert await consumer.getmany(tp, timeout_ms=10000, max_records=10)
        assert consumer.highwater(tp) == 200
        # what akhbar's first uncommitted_offsets fix did: until the fetcher has reset the partition (after its
        # in-flight fetch to that broker), it has no position; Faust's detector runs meanwhile
        seek = asyncio.ensure_future(consumer.seek_to_beginning(tp))
        await asyncio.sleep(0)
        check(_Thread(consumer), tp)
        await seek
    finally:
        await consumer.stop()


def test_upstream_detector_crashes_on_a_partition_awaiting_reset(kafka_broker):
    def upstream(thread, tp):
        with pytest.raises(AssertionError):  # aiokafka's TopicPartitionState.position: the worker's crash
            livelock_position._upstream_verify_event_path(thread, monotonic(), tp)

    asyncio.run(_a_partition_awaiting_reset(kafka_broker, upstream))


def test_fixed_detector_skips_a_partition_awaiting_reset(kafka_broker):
    def fixed(thread, tp):
        assert livelock_position._verify_event_path_with_a_position(thread, monotonic(), tp) is None

    asyncio.run(_a_partition_awaiting_reset(kafka_broker, fixed))
