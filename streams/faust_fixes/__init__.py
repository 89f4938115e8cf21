"""Fixes to faust-streaming 0.15.3 (and its use of aiokafka 0.14) that akhbar relies on: one module per bug, each
naming the upstream code it mends and when it can be dropped, each with its regression test in tests/regression/.
`apply` installs them all; streams.app calls it before the app is made.

- producer_flush: the flush before an offset commit returned with table changelog writes still queued.
- skipped_offsets: a record fetched before a rebalance and delivered after it made Faust ack the records between.
- uncommitted_offsets: partitions with no committed offset went on past records dropped in a rebalance.
- livelock_position: the livelock detector crashed the worker on a partition awaiting an offset reset.
- assignor: a worker joining (or left after a peer leaves) could get no partition, or two fewer than a peer.
"""
from __future__ import annotations

from typing import Iterable

from streams.faust_fixes import assignor, livelock_position, producer_flush, skipped_offsets, uncommitted_offsets


def apply(contiguous_topics: Iterable[str] = ()) -> None:
    """Install the fixes (idempotent); `contiguous_topics`: the topics whose offsets have no holes."""
    producer_flush.apply()
    skipped_offsets.apply(contiguous_topics)
    uncommitted_offsets.apply()
    livelock_position.apply()
    assignor.apply()
