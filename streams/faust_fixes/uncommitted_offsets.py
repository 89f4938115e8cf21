"""Partitions with no committed offset. After a rebalance Faust seeks every partition to its committed offset, but
aiokafka's seek_to_committed does nothing for a partition that has none, and Faust has already resumed fetching:
records fetched in between are dropped (the flow is still stopped) and the partition goes on after them. That is
the path that fits what was seen here: 164 articles lost, the first records of two articles.raw partitions, when a
new consumer group's first rebalance came while they were being produced. Such partitions are now sought to the
beginning, which is what auto_offset_reset "earliest" means.


Upstream: faust/transport/consumer.py ``Consumer.perform_seek`` with aiokafka's ``seek_to_committed``
(faust-streaming 0.15.3, aiokafka 0.14). Drop this module once Faust seeks partitions without a committed offset
by the reset policy before it resumes fetching (tests/regression/test_uncommitted_offsets.py).
"""
from __future__ import annotations

import logging

from aiokafka.structs import TopicPartition
from faust.transport.consumer import Consumer

from streams.faust_fixes.skipped_offsets import seek_wrapped, stream_topics

log = logging.getLogger("akhbar.faust_fixes")

_upstream_perform_seek = Consumer.perform_seek


async def _perform_seek_from_the_start(self: Consumer) -> None:
    """Faust's seek of every assigned partition to its committed offset, and of stream partitions with no
    committed offset yet to their first offset (auto_offset_reset "earliest"): aiokafka's seek_to_committed leaves
    them wherever a fetch during the rebalance left them, past records that were dropped unprocessed. Inside
    skipped_offsets' guard, which keeps records fetched before these seeks from being delivered after them."""
    await seek_wrapped(self, _seek_committed_and_the_rest_to_the_beginning)


async def _seek_committed_and_the_rest_to_the_beginning(self: Consumer) -> None:
    await _upstream_perform_seek(self)
    if self.app.conf.consumer_auto_offset_reset != "earliest":
        return
    fresh = sorted(tp for tp in self.assignment()
                   if tp.topic in stream_topics and self._committed_offset.get(tp) is None)
    if not fresh:
        return
    try:
        # on the aiokafka consumer's thread (Faust's consumer has no such call), with aiokafka's partition type;
        # to the first offset itself, not aiokafka's seek_to_beginning: that leaves the partition without a
        # position until the fetcher has reset it (after its in-flight fetch), and Faust's livelock detector
        # crashed the worker on such a partition meanwhile (livelock_position.py)
        first = await self._thread.earliest_offsets(*(TopicPartition(tp.topic, tp.partition) for tp in fresh))
        await self._thread.seek_wait(first)
    except Exception as exc:  # noqa: BLE001 - a rebalance in between: the next one seeks again
        log.warning("could not seek %d partition(s) without a committed offset to the beginning: %r",
                    len(fresh), exc)
        return
    for tp in fresh:
        self._read_offset[tp] = first[TopicPartition(tp.topic, tp.partition)]  # where it reads next
    log.info("%d partition(s) with no committed offset start from the beginning", len(fresh))


def apply() -> None:
    Consumer.perform_seek = _perform_seek_from_the_start
