"""Faust's ``Consumer.seek`` ran aiokafka's seek on the wrong thread.

faust-streaming runs its aiokafka consumer in a thread of its own (``AIOKafkaConsumerThread``, with its own event
loop), and every call into it goes through ``call_thread``, except the seek: the aiokafka driver's
``Consumer._seek`` calls ``AIOKafkaConsumerThread.seek``, which calls ``AIOKafkaConsumer.seek`` directly, on the
caller's (the worker's main) thread. aiokafka's ``Fetcher.seek_to`` then deletes the partition's fetched records
(``del self._records[tp]``) while the consumer thread's ``Fetcher.fetched_records`` may be between reading and
deleting the same entry. Seen under exactly_once in the SIGKILL test: right after a rebalance's seeks
(skipped_offsets.py seeks a partition again through ``Consumer.seek``) the restarted worker's fetcher crashed with
``KeyError(TopicPartition(topic='...articles.enriched', partition=1))`` at ``del self._records[tp]``, and the worker
exited. The seek now runs on the consumer's thread, like every other call into it.

Upstream: faust/transport/drivers/aiokafka.py ``Consumer._seek`` and ``AIOKafkaConsumerThread.seek``
(faust-streaming 0.15.3). Drop this module once Faust seeks through ``call_thread``
(tests/regression/test_consumer_thread_seek.py).
"""
from __future__ import annotations

from faust.transport.drivers.aiokafka import Consumer

_upstream_seek = Consumer._seek


async def _seek_on_the_consumer_thread(self: Consumer, partition, offset: int) -> None:
    await self._thread.call_thread(self._thread.seek, partition, offset)


def apply() -> None:
    Consumer._seek = _seek_on_the_consumer_thread
