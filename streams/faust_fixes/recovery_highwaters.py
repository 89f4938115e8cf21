"""Table recovery under exactly_once read the changelogs' ends from the last fetch, which a worker may never have
made. ``AIOKafkaConsumerThread._highwaters`` returns aiokafka's ``last_stable_offset(tp)`` in a transaction, the
stable offset of the last fetch response for that partition: ``None`` for a changelog partition this consumer has
not fetched since it was assigned (an active table's changelog is written, not read). Recovery then took the
changelog for empty (highwater -1) and crashed the worker with ``ConsistencyError`` ("persisted offset ... is
higher than the last offset in that topic (103 > -1)"), seen in the SIGKILL test on the surviving worker. The
broker knows the stable end: aiokafka's ``end_offsets`` sends ListOffsets with the consumer's isolation level,
and Faust's consumer reads ``read_committed`` under exactly_once, so it returns the last stable offset.

Upstream: faust/transport/drivers/aiokafka.py ``AIOKafkaConsumerThread._highwaters`` (faust-streaming 0.15.3). Drop
this module once Faust asks the broker there (tests/regression/test_recovery_highwaters.py).
"""
from __future__ import annotations

from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread


_upstream_highwaters = AIOKafkaConsumerThread._highwaters


async def _highwaters_from_the_broker(self: AIOKafkaConsumerThread, partitions):
    return await self._ensure_consumer().end_offsets(partitions)


def apply() -> None:
    AIOKafkaConsumerThread._highwaters = _highwaters_from_the_broker
