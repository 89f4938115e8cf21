"""A partition without a position crashed the worker. Faust's livelock detector (``Consumer.
_commit_livelock_detector``, every 2.5 commit intervals) calls ``AIOKafkaConsumerThread.verify_event_path`` for
every assigned partition, which reads aiokafka's ``TopicPartitionState.position``: an ``assert`` that fails while
the partition awaits an offset reset (after ``seek_to_beginning``/``seek_to_end``, a new assignment, or an out-of-
range offset). The AssertionError crashes the consumer, and with it the worker. Seen in the SIGKILL test: the
surviving worker crashed in the rebalance after the kill, on a partition that akhbar's uncommitted_offsets fix had
sought to its beginning: aiokafka's seek_to_beginning leaves the partition without a position until its fetcher has
reset it, which waits for the fetcher's in-flight fetch to that broker (a long poll), and the detector ran
meanwhile. The fix sought there now seeks to a concrete offset, and this one makes the detector skip a partition
that has no position yet (there is nothing to verify until the fetcher has one).

Upstream: faust/transport/drivers/aiokafka.py ``AIOKafkaConsumerThread.verify_event_path`` (faust-streaming
0.15.3; aiokafka 0.14's ``TopicPartitionState.position``). Drop this module once Faust checks
``has_valid_position`` there (tests/regression/test_livelock_position.py).
"""
from __future__ import annotations

from aiokafka.structs import TopicPartition
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

_upstream_verify_event_path = AIOKafkaConsumerThread.verify_event_path


def _verify_event_path_with_a_position(self: AIOKafkaConsumerThread, now: float, tp) -> None:
    assignment = self._ensure_consumer()._fetcher._subscriptions.subscription.assignment
    state = assignment.state_value(TopicPartition(tp.topic, tp.partition)) if assignment else None
    if state is not None and not state.has_valid_position:
        return None  # awaiting a reset: no position to compare with the highwater yet
    return _upstream_verify_event_path(self, now, tp)


def apply() -> None:
    AIOKafkaConsumerThread.verify_event_path = _verify_event_path_with_a_position
