"""Regression: Faust's ``Consumer.seek`` ran aiokafka's seek on the caller's thread, not on the consumer's own
(streams/faust_fixes/consumer_thread_seek.py), so it raced with the consumer thread's fetcher (a worker crashed
with a KeyError in ``Fetcher.fetched_records``). On the real broker: Faust's aiokafka consumer thread is started,
assigned a partition, and Faust's ``Consumer.seek`` is called from the main loop; the thread aiokafka's
``Fetcher.seek_to`` runs on is recorded."""
from __future__ import annotations

import asyncio
import threading
import uuid

import faust
from aiokafka.consumer.fetcher import Fetcher
from aiokafka.structs import TopicPartition
from faust.transport.drivers.aiokafka import Consumer

from streams.faust_fixes import consumer_thread_seek
from tests.regression.kafka import fresh_topic


async def _threads_of_a_seek(bootstrap: str, seek) -> tuple[int, list[int]]:
    """(the main thread, the threads aiokafka's seek ran on) for a Faust seek done by `seek`."""
    topic = await fresh_topic(bootstrap, "seek")
    app = faust.App(f"regress-{uuid.uuid4().hex[:8]}", broker=f"kafka://{bootstrap}")
    consumer, thread = app.consumer, app.consumer._thread
    ran_on: list[int] = []
    upstream_seek_to = Fetcher.seek_to

    def seek_to(self, tp, offset):
        ran_on.append(threading.get_ident())
        return upstream_seek_to(self, tp, offset)

    saved = Consumer._seek
    Fetcher.seek_to, Consumer._seek = seek_to, seek
    await thread.start()
    try:
        tp = TopicPartition(topic, 0)
        await thread.call_thread(thread._ensure_consumer().assign, [tp])
        await consumer.seek(tp, 0)
    finally:
        Fetcher.seek_to, Consumer._seek = upstream_seek_to, saved
        await thread.stop()
    return threading.get_ident(), ran_on


def test_upstream_seeks_on_the_callers_thread(kafka_broker):
    main, ran_on = asyncio.run(_threads_of_a_seek(kafka_broker, consumer_thread_seek._upstream_seek))
    assert ran_on == [main]


def test_fixed_seeks_on_the_consumer_thread(kafka_broker):
    main, ran_on = asyncio.run(_threads_of_a_seek(kafka_broker, consumer_thread_seek._seek_on_the_consumer_thread))
    assert len(ran_on) == 1 and ran_on[0] != main
