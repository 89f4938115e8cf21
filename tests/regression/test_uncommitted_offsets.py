"""Regression: after a rebalance aiokafka's seek_to_committed left partitions with no committed offset past records
dropped unprocessed (streams/faust_fixes/uncommitted_offsets.py)."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace

from aiokafka.structs import TopicPartition
from faust.types import TP

from streams.faust_fixes import skipped_offsets, uncommitted_offsets


def test_after_a_rebalance_partitions_with_no_committed_offset_are_sought_to_the_beginning(monkeypatch):
    raw0, raw1, changelog = TP("tq.articles.raw", 0), TP("tq.articles.raw", 1), TP("akhbar-stories-changelog", 0)
    skipped_offsets.apply({raw0.topic})
    uncommitted_offsets.apply()
    sought = []

    class Consumer:
        app = SimpleNamespace(conf=SimpleNamespace(consumer_auto_offset_reset="earliest"))
        _committed_offset = defaultdict(lambda: None, {raw0: 120})  # raw1 was never committed
        _read_offset = defaultdict(lambda: None, {raw0: 120, raw1: 7})  # 0-6 of raw1 dropped in the rebalance

        def assignment(self):
            return {raw0, raw1, changelog}

    class Thread:  # Faust's aiokafka consumer thread, taking aiokafka's partition type
        async def earliest_offsets(self, *tps):
            assert all(isinstance(tp, TopicPartition) for tp in tps)
            return {tp: 3 for tp in tps}  # 0-2 deleted by retention: the first offset is 3

        async def seek_wait(self, offsets):  # a seek to a concrete offset: the partition has a position
            sought.extend((TP(tp.topic, tp.partition), offset) for tp, offset in offsets.items())

    async def upstream(self):  # aiokafka's seek_to_committed: no seek where nothing is committed
        pass

    monkeypatch.setattr(uncommitted_offsets, "_upstream_perform_seek", upstream)
    consumer = Consumer()
    consumer._thread = Thread()
    asyncio.run(uncommitted_offsets._perform_seek_from_the_start(consumer))
    assert sought == [(raw1, 3)]  # not the committed one, not the compacted changelog
    assert consumer._read_offset[raw1] == 3 and consumer._read_offset[raw0] == 120
