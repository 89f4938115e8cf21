"""Fixes to faust-streaming 0.15.3 (and its use of aiokafka 0.14) that akhbar relies on: one module per bug, each
naming the upstream code it mends and when it can be dropped, each with its regression test in tests/regression/.
`apply` installs them all; streams.app calls it before the app is made.

- producer_flush: the flush before an offset commit returned with table changelog writes still queued.
- skipped_offsets: a record fetched before a rebalance's seek and delivered after it made Faust ack the records
  between.
- uncommitted_offsets: partitions with no committed offset went on past records dropped in a rebalance.
- livelock_position: the livelock detector crashed the worker on a partition awaiting an offset reset.
- revocation_commit: at_least_once, a rebalance redelivered everything processed since the last timer commit.
- transactions: exactly_once put records in the transaction of their destination partition, not their source's.
- recovery_highwaters: under exactly_once, table recovery took changelogs never fetched for empty.
- stream_acks: Faust's compiled stream iterator acked without Consumer.ack, past the fixes that decide which acks count.
- assignor: a worker joining (or left after a peer leaves) could get no partition, or two fewer than a peer.
- consumer_thread_seek: Faust's Consumer.seek ran aiokafka's seek off the consumer's thread, racing its fetcher.
- coordinator_lookup: aiokafka's transactional producer died when its connection dropped during a coordinator
  lookup (a broker restart under exactly_once).
"""
from __future__ import annotations

from typing import Iterable

from streams.faust_fixes import (assignor, consumer_thread_seek, coordinator_lookup, livelock_position,
                                 producer_flush, recovery_highwaters, revocation_commit, skipped_offsets, stream_acks,
                                 transactions, uncommitted_offsets)


def apply(stream_topics: Iterable[str] = ()) -> None:
    """Install the fixes (idempotent); `stream_topics`: the topics akhbar's agents read (not changelogs)."""
    stream_acks.apply()  # the acks below go through Consumer.ack
    producer_flush.apply()
    skipped_offsets.apply(stream_topics)
    uncommitted_offsets.apply()
    livelock_position.apply()
    transactions.apply()  # after producer_flush: it wraps the buffer's counting
    revocation_commit.apply()  # after transactions: it wraps the consumer methods transactions installs
    recovery_highwaters.apply()
    assignor.apply()
    coordinator_lookup.apply()
    consumer_thread_seek.apply()
