"""Regression: a record fetched before a rebalance and delivered after the seek to the committed offset made Faust
ack the offsets in between (streams/faust_fixes/skipped_offsets.py; faust-streaming issues 216, 221)."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace

from faust.types import TP

from streams.faust_fixes import skipped_offsets


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
    skipped_offsets.apply({_Partition.tp.topic})
    part = _Partition(range(30))
    monkeypatch.setattr(skipped_offsets, "_upstream_getmany", _Partition.batch)
    first = part.drain(skipped_offsets._getmany_without_skips, rounds=2)  # offsets 0-9
    part.stale = [20, 21, 22]  # fetched before the rebalance, delivered after it
    rest = part.drain(skipped_offsets._getmany_without_skips)
    assert first == list(range(10)) and part.seeks == [10]
    assert set(first + rest) == set(range(30))

    plain = _Partition(range(30))  # Faust alone: the jump is taken, 10-19 never processed
    plain.drain(_Partition.batch, rounds=2)
    plain.stale = [20, 21, 22]
    assert set(range(10, 20)).isdisjoint(plain.drain(_Partition.batch))


def test_a_real_hole_in_the_log_is_let_through_after_one_look(monkeypatch):
    skipped_offsets.apply({_Partition.tp.topic})
    part = _Partition([*range(10), *range(20, 30)])  # 10-19 deleted
    monkeypatch.setattr(skipped_offsets, "_upstream_getmany", _Partition.batch)
    done = part.drain(skipped_offsets._getmany_without_skips)
    assert part.seeks == [10] and sorted(set(done)) == [*range(10), *range(20, 30)]


def test_a_stale_record_after_the_seek_to_the_beginning_is_sought_back_too(monkeypatch):
    skipped_offsets.apply({_Partition.tp.topic})
    part = _Partition(range(12), stale=[5, 6, 7])  # fetched before the seek, delivered after it
    part._read_offset[part.tp] = 0  # where the seek to the beginning leaves it: 0 is the next offset
    part.akhbar_sought = {part.tp: 0}
    monkeypatch.setattr(skipped_offsets, "_upstream_getmany", _Partition.batch)
    assert set(part.drain(skipped_offsets._getmany_without_skips)) == set(range(12)) and part.seeks == [0]


def test_a_stale_record_one_past_the_committed_offset_is_sought_back_too(monkeypatch):
    skipped_offsets.apply({_Partition.tp.topic})
    part = _Partition(range(20), stale=[11, 12])  # committed 10: the next offset is 10, and 11 came first
    part.position, part._read_offset[part.tp], part.akhbar_sought = 10, 10, {part.tp: 10}
    monkeypatch.setattr(skipped_offsets, "_upstream_getmany", _Partition.batch)
    assert set(part.drain(skipped_offsets._getmany_without_skips)) == set(range(10, 20)) and part.seeks == [10]


def test_topics_not_declared_contiguous_keep_faust_behaviour(monkeypatch):
    part = _Partition([*range(10), *range(20, 30)])
    part.tp = TP("some-changelog", 0)  # compacted: holes are normal
    monkeypatch.setattr(skipped_offsets, "_upstream_getmany", _Partition.batch)
    part.drain(skipped_offsets._getmany_without_skips)
    assert part.seeks == []
