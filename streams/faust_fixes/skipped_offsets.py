"""Skipped offsets. Faust takes a jump in the offsets it reads from a partition for a hole in the log (compaction,
transaction markers) and acks the missing offsets, so the next commit passes them. Seen here once: 13 consecutive
articles.raw offsets never ingested, and committed past, while a 4th worker joined; most likely a record fetched
from the position before a rebalance, delivered after the partition was sought back to its committed offset
(faust-streaming issues 216, 221), so the jump was records never processed. With this fix in, the records read
first after such a rebalance were seen to lie 2-3 offsets past the committed offsets just sought to, on 3
partitions. In the topics akhbar declares offsets have no holes (no compaction, no transactions), so there a jump
is a skip: the partition is sought back to the offset expected next (right after a seek, the offset sought to), and
the records are read from there. A second jump from the same place is a real hole (records deleted by retention, or
a transactional producer writing to articles.raw) and is let through, as Faust would.

Upstream: faust/transport/consumer.py, ``Consumer.getmany`` and the gap acking in ``Consumer._new_offset``
(faust-streaming 0.15.3; issues 216 and 221). Drop this module once a record fetched before a rebalance is no longer
delivered after the partition was sought back (tests/regression/test_skipped_offsets.py).
"""
from __future__ import annotations

import logging
from typing import Iterable

from faust.transport.consumer import Consumer

log = logging.getLogger("akhbar.faust_fixes")

_upstream_getmany = Consumer.getmany
contiguous: set[str] = set()  # topics whose offsets have no holes (filled by apply)


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
        if tp.topic not in contiguous:
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


def apply(contiguous_topics: Iterable[str]) -> None:
    contiguous.update(contiguous_topics)
    Consumer.getmany = _getmany_without_skips
