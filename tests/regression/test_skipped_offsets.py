"""Regression: records fetched before a rebalance's seek and delivered after it made Faust ack the offsets between
as a hole, and pass them unprocessed (streams/faust_fixes/skipped_offsets.py; faust-streaming issues 216, 221).

A simulated partition as Faust's consumer sees it: a log (its offsets, with holes where transaction markers or
compaction leave them), a fetch position, batches of 5, Faust's drain loop (a record at or past the read offset is
processed; the offsets between it and the last one read are acked as a hole), and a rebalance that seeks the
partition to its committed offset while a batch is in hand."""
from __future__ import annotations

import asyncio
from collections import defaultdict

from faust.types import TP

from streams.faust_fixes import skipped_offsets
from streams.faust_fixes.skipped_offsets import seek_wrapped


class _Partition:
    tp = TP("tq.articles.raw", 4)

    def __init__(self, offsets, position=0):
        self.offsets, self.position, self.seeks = list(offsets), position, []
        self._read_offset = defaultdict(lambda: None)
        self.rebalance_at: tuple[int, int] | None = None  # (offset of the batch's first record, committed offset)
        self.fetched_during_seek = False

    def assignment(self):
        return {self.tp}

    async def seek(self, tp, offset):  # Faust's Consumer.seek
        self.seeks.append(offset)
        self.position, self._read_offset[tp] = offset, offset or None

    async def _rebalance(self, committed: int):
        async def seek_to_committed(consumer):
            await consumer.seek(consumer.tp, committed)
            if self.fetched_during_seek:  # the drain loop gets a fresh batch while the seek is under way
                self.pending = [o for o in self.offsets if o >= committed][:5]
                if self.pending:
                    self.position = self.pending[-1] + 1
        await seek_wrapped(self, seek_to_committed)

    async def batch(self, timeout):  # Faust's getmany: a batch fetched at the position, yielded across awaits
        records = getattr(self, "pending", None) or [o for o in self.offsets if o >= self.position][:5]
        self.pending = None
        if records:
            self.position = records[-1] + 1
        if self.rebalance_at and records and records[0] == self.rebalance_at[0]:
            committed, self.rebalance_at = self.rebalance_at[1], None
            await self._rebalance(committed)  # the seek happens while this batch is in hand
        for offset in records:
            yield self.tp, type("Message", (), {"offset": offset})

    def drain(self, getmany, rounds: int = 30) -> list[int]:
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


def _guarded(monkeypatch):
    skipped_offsets.apply({_Partition.tp.topic})
    monkeypatch.setattr(skipped_offsets, "_upstream_getmany", _Partition.batch)


def test_a_batch_fetched_before_the_seek_is_not_delivered_after_it_and_nothing_is_skipped(monkeypatch):
    _guarded(monkeypatch)
    part = _Partition(range(40), position=20)  # a stale position: the batch 20-24 was fetched from it
    part.rebalance_at = (20, 10)  # ... and the rebalance seeks to the committed offset 10 meanwhile
    done = part.drain(skipped_offsets._getmany_fresh)
    assert sorted(done) == list(range(10, 40)) and len(done) == len(set(done))

    plain = _Partition(range(40), position=20)  # Faust alone: 20 is taken after the seek, 10-19 never processed
    plain.rebalance_at = (20, 10)
    assert set(range(10, 20)).isdisjoint(plain.drain(_Partition.batch))


def test_a_fresh_batch_fetched_while_the_seek_is_under_way_is_read_again_once(monkeypatch):
    _guarded(monkeypatch)
    part = _Partition(range(30), position=20)
    part.rebalance_at, part.fetched_during_seek = (20, 10), True
    done = part.drain(skipped_offsets._getmany_fresh)
    assert sorted(done) == list(range(10, 30)) and len(done) == len(set(done))  # none twice, none skipped


def test_holes_and_transaction_markers_pass_without_a_seek(monkeypatch):
    _guarded(monkeypatch)
    log = [o for o in range(60) if o % 3 != 2]  # every third offset a transaction marker
    part = _Partition(log)
    assert part.drain(skipped_offsets._getmany_fresh) == log and part.seeks == []


def test_a_rebalance_with_no_batch_in_hand_seeks_once(monkeypatch):
    _guarded(monkeypatch)
    part = _Partition(range(20))
    part.rebalance_at = (10, 10)  # the batch 10-14 is fetched after... and sought to where it starts
    done = part.drain(skipped_offsets._getmany_fresh)
    assert sorted(done) == list(range(20)) and len(done) == len(set(done))


def test_topics_that_are_not_stream_topics_keep_faust_behaviour(monkeypatch):
    _guarded(monkeypatch)
    part = _Partition(range(40), position=20)
    part.tp = TP("some-changelog", 0)
    part.rebalance_at = (20, 10)
    assert 20 in part.drain(skipped_offsets._getmany_fresh)[:1]  # delivered as Faust would


class _TwoPartitions:
    """Two stream partitions as Faust's consumer sees them while its drain loop runs next to a rebalance: a fetch
    position each, batches that consume up to 3 records at once (aiokafka advances its position
    as it hands them over, whether or not Faust delivers them), and a seek that yields to the event loop (it runs
    on the consumer's thread, through call_thread)."""
    tps = (TP("tq.articles.raw", 0), TP("tq.articles.raw", 1))

    def __init__(self, n: int):
        self.n = n
        self.position = {tp: 0 for tp in self.tps}
        self._read_offset = defaultdict(lambda: None)
        self.done = defaultdict(list)

    def assignment(self):
        return set(self.tps)

    async def seek(self, tp, offset):  # Faust's Consumer.seek: a round trip to the consumer's thread
        for _ in range(20):
            await asyncio.sleep(0)
        self.position[tp], self._read_offset[tp] = offset, offset or None

    async def batch(self, timeout):  # Faust's getmany: each batch the next partition's fetched records
        await asyncio.sleep(0)
        self.turn = tp = self.tps[(getattr(self, "turn", self.tps[-1]).partition + 1) % len(self.tps)]
        start = self.position[tp]
        self.position[tp] = min(start + 3, self.n)
        for offset in range(start, self.position[tp]):
            yield tp, type("Message", (), {"offset": offset})

    async def drain(self, getmany, stop: asyncio.Event) -> None:
        """Faust's drain loop: a record at or past the read offset is processed, an earlier one dropped."""
        while not stop.is_set():
            async for tp, message in getmany(self, 1.0):
                last = self._read_offset[tp]
                if last is None or message.offset >= last:
                    self.done[tp].append(message.offset)
                    self._read_offset[tp] = message.offset
                await asyncio.sleep(0)
            await asyncio.sleep(0)


def test_partitions_fetched_during_the_seek_are_all_sought_back_before_any_is_read_on(monkeypatch):
    """Seen in CI under exactly_once (a 4th worker joining): after a rebalance's seek, the records fetched while it
    ran were dropped on two or more partitions, and the partitions were sought back one at a time; while the first
    was sought, the drain loop read another on from where those dropped records had left its position: 1,262
    articles.stories records (offsets 552-2037) never processed, and committed past."""
    monkeypatch.setattr(skipped_offsets, "_upstream_getmany", _TwoPartitions.batch)
    skipped_offsets.apply({_TwoPartitions.tps[0].topic})

    async def run() -> _TwoPartitions:
        part, stop = _TwoPartitions(n=60), asyncio.Event()
        drain = asyncio.ensure_future(part.drain(skipped_offsets._getmany_fresh, stop))
        while len(part.done[part.tps[1]]) < 9:
            await asyncio.sleep(0)

        async def to_committed(consumer):  # aiokafka's seek_to_committed asks the broker partition by partition
            for tp in consumer.tps:
                await consumer.seek(tp, 6)
                for _ in range(5):
                    await asyncio.sleep(0)

        part.mark = {tp: len(part.done[tp]) for tp in part.tps}  # what is processed after this is what counts
        await seek_wrapped(part, to_committed)
        while any(part.position[tp] < part.n for tp in part.tps):
            await asyncio.sleep(0)
        for _ in range(50):
            await asyncio.sleep(0)
        stop.set()
        await drain
        return part

    part = asyncio.run(run())
    for tp in part.tps:  # the work done before the rebalance was not committed: from 6 on, all of it again
        again = set(part.done[tp][part.mark[tp]:])
        assert set(range(6, part.n)) <= again, \
            f"partition {tp.partition}: offsets not processed after the seek: {sorted(set(range(6, part.n)) - again)}"


def test_a_partition_revoked_before_it_is_sought_back_is_left_to_its_next_rebalance(monkeypatch):
    monkeypatch.setattr(skipped_offsets, "_upstream_getmany", _TwoPartitions.batch)
    skipped_offsets.apply({_TwoPartitions.tps[0].topic})
    part = _TwoPartitions(n=10)
    kept, revoked = part.tps
    part.assignment = lambda: {kept}  # aiokafka refuses to seek a partition that is not assigned
    sought = []

    async def seek(tp, offset):
        assert tp in part.assignment(), f"sought {tp}, which is not assigned"
        sought.append((tp, offset))

    part.seek = seek
    state = skipped_offsets.seeks(part)
    state.next.update({kept: 4, revoked: 7})
    state.resought |= {kept, revoked}

    async def one_batch():
        return [m.offset async for _, m in skipped_offsets._getmany_fresh(part, 1.0)]

    asyncio.run(one_batch())
    assert sought == [(kept, 4)] and not state.resought
