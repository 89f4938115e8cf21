"""Faust fixes: the producer buffer that holds table changelog writes is flushed before offsets are committed, a
record read past a partition's next offset seeks back rather than skip (and ack) records, and a partition with no
committed offset is read from its beginning after a rebalance."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace

import pytest
from aiokafka.structs import TopicPartition
from faust.transport.producer import ProducerBuffer
from faust.types import TP

from streams import faust_fixes


class _Message:
    """What the buffer hands over: `fut.message.channel.publish_message(fut, wait=False)`, here slow."""

    def __init__(self, sent: list, delay: float):
        self.message = SimpleNamespace(channel=self)
        self.sent, self.delay = sent, delay

    async def publish_message(self, fut, wait: bool = False):
        await asyncio.sleep(self.delay)
        self.sent.append(fut)


def _buffer() -> ProducerBuffer:
    buffer = ProducerBuffer()
    buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
    return buffer


@pytest.mark.parametrize("delay", [0.0, 0.25])
def test_flush_returns_only_when_every_buffered_message_was_handed_over(delay):
    faust_fixes.apply()

    async def run():
        buffer, sent = _buffer(), []
        await buffer.start()
        try:
            messages = [_Message(sent, delay) for _ in range(4)]
            for m in messages:
                buffer.put(m)
            await buffer.flush()
            return len(sent), buffer.size
        finally:
            await buffer.stop()

    assert asyncio.run(run()) == (4, 0)  # a hand-over slower than 0.1 s made the upstream flush return early


def test_flush_under_a_steady_load_ends_once_what_was_queued_before_it_is_handed_over():
    faust_fixes.apply()

    async def run():
        buffer, sent = _buffer(), []
        await buffer.start()
        before = [_Message(sent, 0.05) for _ in range(5)]
        for m in before:
            buffer.put(m)

        async def keep_putting():
            while True:
                buffer.put(_Message(sent, 0.05))
                await asyncio.sleep(0.02)  # faster than the buffer drains: it is never empty

        feeder = asyncio.create_task(keep_putting())
        try:
            await asyncio.wait_for(buffer.flush(), timeout=10)
            return set(before) <= set(sent), buffer.size
        finally:
            feeder.cancel()
            await buffer.flush()  # what the feeder left, before the buffer stops
            await buffer.stop()

    handed_over, left = asyncio.run(run())
    assert handed_over and left > 0


def test_flush_of_a_stopped_buffer_that_still_holds_messages_raises():
    faust_fixes.apply()

    async def run():
        buffer = _buffer()
        await buffer.start()
        await buffer.stop()
        buffer.put(_Message([], 0.0))
        with pytest.raises(RuntimeError, match="not Running"):
            await buffer.flush()

    asyncio.run(run())


class _Partition:
    """One partition as Faust's consumer sees it: a log (the offsets in it), a fetch position, `_read_offset`
    (what Faust's drain last read, or where `seek` put it) and batches of 5; `stale` records are delivered once,
    first, as if fetched from the position before a rebalance."""

    tp = TP("tq.articles.raw", 4)

    def __init__(self, offsets, stale=()):
        self.offsets, self.stale, self.position, self.seeks = list(offsets), list(stale), 0, []
        self._read_offset = defaultdict(lambda: None)

    async def seek(self, tp, offset):
        self.seeks.append(offset)
        self.position, self._read_offset[tp] = offset, offset or None

    async def batch(self, timeout):
        records = self.stale or [o for o in self.offsets if o >= self.position][:5]
        self.stale = []
        if records:
            self.position = records[-1] + 1
        for offset in records:
            yield self.tp, SimpleNamespace(offset=offset)

    def drain(self, getmany, rounds: int = 20) -> list[int]:
        """Faust's drain loop: a record at or past the read offset is processed, an earlier one dropped."""
        async def run():
            done = []
            for _ in range(rounds):
                async for tp, message in getmany(self, 1.0):
                    last = self._read_offset[tp]
                    if last is None or message.offset >= last:
                        done.append(message.offset)
                        self._read_offset[tp] = message.offset
            return done

        return asyncio.run(run())


def test_a_stale_record_after_a_rebalance_seeks_back_and_nothing_is_skipped(monkeypatch):
    faust_fixes.apply({_Partition.tp.topic})
    part = _Partition(range(30))
    monkeypatch.setattr(faust_fixes, "_upstream_getmany", _Partition.batch)
    first = part.drain(faust_fixes._getmany_without_skips, rounds=2)  # offsets 0-9
    part.stale = [20, 21, 22]  # fetched before the rebalance, delivered after it
    rest = part.drain(faust_fixes._getmany_without_skips)
    assert first == list(range(10)) and part.seeks == [10]
    assert set(first + rest) == set(range(30))

    plain = _Partition(range(30))  # Faust alone: the jump is taken, 10-19 never processed
    plain.drain(_Partition.batch, rounds=2)
    plain.stale = [20, 21, 22]
    assert set(range(10, 20)).isdisjoint(plain.drain(_Partition.batch))


def test_a_real_hole_in_the_log_is_let_through_after_one_look(monkeypatch):
    faust_fixes.apply({_Partition.tp.topic})
    part = _Partition([*range(10), *range(20, 30)])  # 10-19 deleted
    monkeypatch.setattr(faust_fixes, "_upstream_getmany", _Partition.batch)
    done = part.drain(faust_fixes._getmany_without_skips)
    assert part.seeks == [10] and sorted(set(done)) == [*range(10), *range(20, 30)]


def test_a_stale_record_after_the_seek_to_the_beginning_is_sought_back_too(monkeypatch):
    faust_fixes.apply({_Partition.tp.topic})
    part = _Partition(range(12), stale=[5, 6, 7])  # fetched before the seek, delivered after it
    part._read_offset[part.tp] = 0  # where the seek to the beginning leaves it: 0 is the next offset
    part.akhbar_sought = {part.tp: 0}
    monkeypatch.setattr(faust_fixes, "_upstream_getmany", _Partition.batch)
    assert set(part.drain(faust_fixes._getmany_without_skips)) == set(range(12)) and part.seeks == [0]


def test_a_stale_record_one_past_the_committed_offset_is_sought_back_too(monkeypatch):
    faust_fixes.apply({_Partition.tp.topic})
    part = _Partition(range(20), stale=[11, 12])  # committed 10: the next offset is 10, and 11 came first
    part.position, part._read_offset[part.tp], part.akhbar_sought = 10, 10, {part.tp: 10}
    monkeypatch.setattr(faust_fixes, "_upstream_getmany", _Partition.batch)
    assert set(part.drain(faust_fixes._getmany_without_skips)) == set(range(10, 20)) and part.seeks == [10]


def test_topics_not_declared_contiguous_keep_faust_behaviour(monkeypatch):
    part = _Partition([*range(10), *range(20, 30)])
    part.tp = TP("some-changelog", 0)  # compacted: holes are normal
    monkeypatch.setattr(faust_fixes, "_upstream_getmany", _Partition.batch)
    part.drain(faust_fixes._getmany_without_skips)
    assert part.seeks == []


def test_after_a_rebalance_partitions_with_no_committed_offset_are_sought_to_the_beginning(monkeypatch):
    raw0, raw1, changelog = TP("tq.articles.raw", 0), TP("tq.articles.raw", 1), TP("akhbar-stories-changelog", 0)
    faust_fixes.apply({raw0.topic})
    sought = []

    class Consumer:
        app = SimpleNamespace(conf=SimpleNamespace(consumer_auto_offset_reset="earliest"))
        _committed_offset = defaultdict(lambda: None, {raw0: 120})  # raw1 was never committed
        _read_offset = defaultdict(lambda: None, {raw0: 120, raw1: 7})  # 0-6 of raw1 dropped in the rebalance

        def assignment(self):
            return {raw0, raw1, changelog}

    class Thread:  # Faust's aiokafka consumer thread: where seek_to_beginning is, taking aiokafka's type
        async def seek_to_beginning(self, *tps):
            assert all(isinstance(tp, TopicPartition) for tp in tps)
            sought.extend(TP(tp.topic, tp.partition) for tp in tps)

    async def upstream(self):  # aiokafka's seek_to_committed: no seek where nothing is committed
        pass

    monkeypatch.setattr(faust_fixes, "_upstream_perform_seek", upstream)
    consumer = Consumer()
    consumer._thread = Thread()
    asyncio.run(faust_fixes._perform_seek_from_the_start(consumer))
    assert sought == [raw1]  # not the committed one, not the compacted changelog
    assert consumer._read_offset[raw1] == 0 and consumer._read_offset[raw0] == 120
