"""Records fetched before a seek, delivered after it. Faust's drain loop iterates a batch of fetched records across
awaits; when a rebalance seeks a partition to its committed offset meanwhile, the rest of the old batch is still
delivered, and Faust takes the first such record's offset for the new read position: it acks the offsets between
the committed offset and that record as a hole in the log, and the next commit passes them unprocessed (faust-streaming
issues 216, 221). Seen here: 13 consecutive articles.raw offsets never ingested and committed past while a 4th
worker joined, and, with an earlier version of this fix in place, first records read 2-3 offsets past the offsets
just sought to, on 3 partitions at once.

That version detected the symptom (a jump past the next offset) and sought back. Under exactly_once a jump is
normal (every transaction leaves a marker offset), and the seek-back reprocessed records already processed after
the seek: 5 duplicates of 3,000 in the SIGKILL test. This version removes the cause: each stream partition has a
seek epoch, raised when a seek of it starts and again when it ends; a batch remembers the epochs from before it
was fetched, and a record of a partition sought since (or being sought) is not delivered: the partition is sought
(again) to its next offset (the one sought to, then one past each record delivered), where the fetcher reads it
afresh. No offset arithmetic, so holes, compaction and transaction markers pass as Faust passes them. A partition
whose records were dropped while the rebalance's seek was under way is sought back by the drain loop itself, before
its next batch: sought back by the rebalance, one partition at a time while the drain loop went on, a partition
was read on from the position those dropped records had moved it to, and 1,262 articles.stories records in a row
were never processed (a 4th worker joining, under exactly_once, in CI on 2026-12-03).

Upstream: faust/transport/consumer.py ``Consumer.getmany``, ``Consumer._drain_messages`` and ``perform_seek``
(faust-streaming 0.15.3; issues 216 and 221). Drop this module once Faust discards the batch fetched before a
seek (tests/regression/test_skipped_offsets.py).
"""
from __future__ import annotations

import logging
from typing import Iterable

from faust.transport.consumer import Consumer

log = logging.getLogger("akhbar.faust_fixes")

_upstream_getmany = Consumer.getmany
JUMP_LOGGED = 8  # a jump in delivered offsets wider than this is logged (a few markers between transactions are not)
stream_topics: set[str] = set()  # the topics whose partitions are guarded (filled by apply)


class Seeks:
    """Per consumer: each stream partition's seek epoch, the partitions being sought, and the next offset."""

    def __init__(self) -> None:
        self.epoch: dict = {}  # tp -> int
        self.seeking: set = set()
        self.next: dict = {}  # tp -> the offset the partition reads next
        self.dropped: set = set()  # partitions whose records were dropped while being sought
        self.resought: set = set()  # ... and are to be sought back to their next offset before the next batch
        self.delivered: dict = {}  # tp -> offsets delivered since the last commit (exactly_once only)

    def start(self, tps) -> None:
        for tp in tps:
            self.epoch[tp] = self.epoch.get(tp, 0) + 1
            self.seeking.add(tp)

    def done(self, tps) -> None:
        for tp in tps:
            self.epoch[tp] = self.epoch.get(tp, 0) + 1
            self.seeking.discard(tp)


def seeks(consumer: Consumer) -> Seeks:
    state = consumer.__dict__.get("akhbar_seeks")
    if state is None:
        state = consumer.__dict__["akhbar_seeks"] = Seeks()
    return state


async def _getmany_fresh(self: Consumer, timeout: float):
    """Faust's batch of (tp, message), less the records of stream partitions sought since the batch was asked
    for; such a partition is sought to its next offset, once per batch."""
    state = seeks(self)
    if state.resought:
        # sought back here, by the drain loop, which is what takes records from the fetcher: sought back by the
        # rebalance one at a time while the drain loop went on, one partition was read on from its moved position
        # while another was being sought, and the records between were never processed (1,262
        # articles.stories records in one CI run)
        pending, state.resought = state.resought, set()
        assigned = self.assignment()
        for tp in sorted(pending):
            if tp in state.next and tp in assigned:  # one revoked since is sought by its next rebalance
                await _seek(self, state, tp, state.next[tp])
    before = dict(state.epoch)
    sought_again: set = set()
    async for tp, message in _upstream_getmany(self, timeout):
        if tp.topic not in stream_topics:
            yield tp, message
            continue
        if tp not in state.seeking and state.epoch.get(tp, 0) == before.get(tp, 0):
            expected = state.next.get(tp)
            if expected is not None and message.offset > expected + JUMP_LOGGED:
                log.info("%s[%d]: offsets %d-%d not delivered (transaction markers, aborted records)",
                         tp.topic, tp.partition, expected, message.offset - 1)
            state.next[tp] = message.offset + 1
            if getattr(self, "in_transaction", False):
                state.delivered.setdefault(tp, []).append(message.offset)
            yield tp, message
            continue
        if tp in state.seeking:  # sought again once that seek is done (the record may have been fetched after it)
            state.dropped.add(tp)
            continue
        if tp in sought_again:
            continue
        offset = state.next.get(tp)
        if offset is None:  # where it reads next is not known: Faust's behaviour
            yield tp, message
            continue
        sought_again.add(tp)
        log.info("%s[%d]: offset %d was fetched before the partition was sought; reading again from %d",
                 tp.topic, tp.partition, message.offset, offset)
        await _seek(self, state, tp, offset)


async def _seek(consumer: Consumer, state: Seeks, tp, offset: int) -> None:
    state.start([tp])
    try:
        await consumer.seek(tp, offset)
    finally:
        state.done([tp])


async def seek_wrapped(consumer: Consumer, inner) -> None:
    """Run `inner(consumer)`, a seek of every assigned stream partition, with the epochs raised around it, and
    take the offsets it left in Faust's read offsets as the partitions' next offsets. A partition whose records
    were dropped meanwhile (the fetcher went on after its seek, and handing those records over moved its position
    past them) is sought back by the drain loop before its next batch (`_getmany_fresh`)."""
    state = seeks(consumer)
    tps = [tp for tp in consumer.assignment() if tp.topic in stream_topics]
    state.start(tps)
    try:
        await inner(consumer)
    finally:
        state.done(tps)
    if getattr(consumer, "in_transaction", False):
        # what was acked past the offsets sought to was not committed, so its output was aborted: those
        # records are processed again, and their old acks must not be committed meanwhile (transactions.py
        # commits through the last acked offset)
        for tp in tps:
            consumer._acked.pop(tp, None)
            consumer._acked_index.pop(tp, None)
            consumer._gap.pop(tp, None)
    for tp in tps:
        state.delivered.pop(tp, None)  # read again from the offset sought to
        offset = consumer._read_offset.get(tp)
        if offset is not None:
            state.next[tp] = offset
        else:
            state.next.pop(tp, None)
    dropped, state.dropped = state.dropped, set()
    state.resought |= dropped & set(tps)


def apply(topics: Iterable[str]) -> None:
    stream_topics.update(topics)
    Consumer.getmany = _getmany_fresh
