"""Fixes to faust-streaming behaviour that akhbar relies on, applied once by streams.app.

Producer buffer flush. Table writes are queued in the producer's buffer (``ProducerBuffer``) and a background task
hands them to aiokafka. Before committing offsets, Faust flushes the producer, but faust-streaming 0.15.3's
``ProducerBuffer.flush`` returns as soon as no message left the buffer for 0.1 s, even with messages still in it,
or as soon as the last message is taken off it, before that one is handed over. Offsets can then be committed
before the changelog writes of their events have left the buffer: a worker that crashes just after, or another
worker that takes the partition over and restores the table before the late writes land, loses that state (the
story hop's pending article: a record that never reaches articles.enriched). The fixed flush waits until every
message put before it has been handed to the Kafka client (whose own flush then waits for the broker's acks), as
its docstring promises.

Skipped offsets. Faust takes a jump in the offsets it reads from a partition for a hole in the log (compaction,
transaction markers) and acks the missing offsets, so the next commit passes them. Seen here once: 13 consecutive
articles.raw offsets never ingested, and committed past, while a 4th worker joined; most likely a record fetched
from the position before a rebalance, delivered after the partition was sought back to its committed offset
(faust-streaming issues 216, 221), so the jump was records never processed. With this fix in, the records read
first after such a rebalance were seen to lie 2-3 offsets past the committed offsets just sought to, on 3
partitions. In the topics akhbar declares offsets have no holes (no compaction, no transactions), so there a jump
is a skip: the partition is sought back to the offset expected next (right after a seek, the offset sought to), and
the records are read from there. A second jump from the same place is a real hole (records deleted by retention, or
a transactional producer writing to articles.raw) and is let through, as Faust would.

Partitions with no committed offset. After a rebalance Faust seeks every partition to its committed offset, but
aiokafka's seek_to_committed does nothing for a partition that has none, and Faust has already resumed fetching:
records fetched in between are dropped (the flow is still stopped) and the partition goes on after them. That is
the path that fits what was seen here: 164 articles lost, the first records of two articles.raw partitions, when a
new consumer group's first rebalance came while they were being produced. Such partitions are now sought to the
beginning, which is what auto_offset_reset "earliest" means.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Iterable

from aiokafka.structs import TopicPartition
from faust.transport.consumer import Consumer
from faust.transport.producer import ProducerBuffer

log = logging.getLogger("akhbar.faust_fixes")

_upstream_put = ProducerBuffer.put
_upstream_send = ProducerBuffer._send_pending
_upstream_flush = ProducerBuffer.flush


def _put_counted(self: ProducerBuffer, fut) -> None:
    self.akhbar_put = getattr(self, "akhbar_put", 0) + 1
    _upstream_put(self, fut)


async def _send_counted(self: ProducerBuffer, fut) -> None:
    """The upstream hand-over to aiokafka, counted once it is done (one task hands over, in queue order)."""
    try:
        await _upstream_send(self, fut)
    finally:
        self.akhbar_sent = getattr(self, "akhbar_sent", 0) + 1


async def _flush_all(self: ProducerBuffer) -> None:
    """Flush all messages (draining the buffer): wait until every message put before this call has been
    handed over to the Kafka client, however slowly the buffer drains. Messages put meanwhile are not waited
    for, so a flush ends under a steady load. Raises, as upstream does, if the buffer is not running but
    still holds messages (a stopped buffer that holds none has nothing left to hand over)."""
    if self.app is not None and self.app.conf.producer_threaded:  # another queue, not counted here
        return await _upstream_flush(self)
    target = getattr(self, "akhbar_put", 0)
    while getattr(self, "akhbar_sent", 0) < target:
        if self.state != "running":
            if self.size:
                raise RuntimeError("Cannot flush: Producer not Running")
            return
        self.message_sent.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.message_sent.wait(), timeout=0.1)


_upstream_getmany = Consumer.getmany
_contiguous: set[str] = set()  # topics whose offsets have no holes


async def _getmany_without_skips(self: Consumer, timeout: float):
    """Faust's batch of (tp, message), where a jump past the next offset of a contiguous topic seeks the
    partition back instead of passing it on (and drops the rest of that partition's stale batch).

    The next offset is the one the partition was last sought to (`akhbar_sought`, set by the seek after a
    rebalance), until that record is read; after that, the last offset read + 1."""
    rewound: set = set()
    rewinds = self.__dict__.setdefault("akhbar_rewinds", {})  # tp -> the offset last sought back to
    sought = self.__dict__.setdefault("akhbar_sought", {})  # tp -> the next offset, right after a seek
    async for tp, message in _upstream_getmany(self, timeout):
        if tp in rewound:
            continue
        if tp.topic not in _contiguous:
            yield tp, message
            continue
        last = self._read_offset.get(tp)  # the last offset read
        expected = sought.get(tp, None if last is None else last + 1)
        if expected is not None and message.offset > expected:
            if rewinds.get(tp) != expected:
                log.warning("%s[%d]: read offset %d where %d was next; seeking back to %d so that none is "
                            "skipped", tp.topic, tp.partition, message.offset, expected, expected)
                rewinds[tp] = sought[tp] = expected
                rewound.add(tp)
                await self.seek(tp, expected)
                self._read_offset[tp] = expected  # Faust's seek makes 0 None, which would let a stale record in
                continue
            log.info("%s[%d]: offsets %d-%d are not in the log; going on", tp.topic, tp.partition, expected,
                     message.offset - 1)
            sought.pop(tp, None)
        elif expected is not None and message.offset == expected:
            sought.pop(tp, None)  # the partition reads on from where it was sought to
            if tp in rewinds and message.offset > rewinds[tp]:
                del rewinds[tp]
        yield tp, message


_upstream_perform_seek = Consumer.perform_seek


async def _perform_seek_from_the_start(self: Consumer) -> None:
    """Faust's seek of every assigned partition to its committed offset, and of those in contiguous topics with
    no committed offset yet to the beginning (auto_offset_reset "earliest"): aiokafka's seek_to_committed leaves
    them wherever a fetch during the rebalance left them, past records that were dropped unprocessed."""
    await _upstream_perform_seek(self)
    sought = self.__dict__.setdefault("akhbar_sought", {})
    sought.clear()
    sought.update({tp: offset for tp, offset in self._read_offset.items()
                   if offset is not None and tp.topic in _contiguous})  # the committed offsets: next to read
    if self.app.conf.consumer_auto_offset_reset != "earliest":
        return
    fresh = sorted(tp for tp in self.assignment()
                   if tp.topic in _contiguous and self._committed_offset.get(tp) is None)
    if not fresh:
        return
    try:
        # on the aiokafka consumer's thread (Faust's consumer has no such call), with aiokafka's partition type
        await self._thread.seek_to_beginning(*(TopicPartition(tp.topic, tp.partition) for tp in fresh))
    except Exception as exc:  # noqa: BLE001 - a rebalance in between: the next one seeks again
        log.warning("could not seek %d partition(s) without a committed offset to the beginning: %r",
                    len(fresh), exc)
        return
    for tp in fresh:
        # 0, not None: a record fetched before this seek and delivered after it is then a jump, sought back
        # again; with None it would be taken, and the records before it dropped as already read
        self._read_offset[tp] = sought[tp] = 0
    log.info("%d partition(s) with no committed offset start from the beginning", len(fresh))


def apply(contiguous_topics: Iterable[str] = ()) -> None:
    """Install the fixes (idempotent); `contiguous_topics`: the topics whose offsets have no holes."""
    _contiguous.update(contiguous_topics)
    Consumer.perform_seek = _perform_seek_from_the_start
    Consumer.getmany = _getmany_without_skips
    ProducerBuffer.put = _put_counted
    ProducerBuffer._send_pending = _send_counted
    ProducerBuffer.flush = _flush_all
