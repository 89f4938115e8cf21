"""Acks that bypass ``Consumer.ack``: Faust's compiled stream iterator writes them into the consumer's ack state
itself, so every fix that decides which acks count (transactions.py, revocation_commit.py) was skipped.

faust-streaming 0.15.3 ships a Cython ``StreamIterator`` (faust/_cython/streams.pyx, used whenever it is compiled and
``NO_CYTHON`` is unset). Its ``after()`` inlines ``Message.ack`` and ``Consumer.ack``: it appends the offset to
``Consumer._acked`` directly. The pure-Python iterator (``Stream._py_aiter``) acks through ``Event.ack`` ->
``ConsumerMessage.on_final_ack`` -> ``Consumer.ack``, the method the fixes wrap. The harm, under exactly_once: when a
rebalance holds the commit gate, the events queued behind it are skipped unprocessed (``Skip`` from the gate), and
the compiled iterator counted each as acked; the revocation's commit then committed their offsets without their
output. Seen as 13 consecutive `articles.stories` offsets committed with no enriched record and no changelog write
after a SIGKILL (26 articles lost of 1,500), and before that as articles lost in the older story hops.

The fix: Faust's pure-Python iterator (what ``NO_CYTHON=1`` selects at import), for every stream. It is no slower:
24-26 against 27-31 us an event of Faust's stream alone, CPU time (bench/stream_iter_bench.py, 2026-12-02). Drop this module once the fixes no longer patch ``Consumer.ack``, or once the compiled
iterator calls it (tests/regression/test_stream_acks.py).
"""
from __future__ import annotations

import faust.streams

compiled_iterator = faust.streams._CStreamIterator  # None when faust runs without its Cython extension


def apply() -> None:
    faust.streams._CStreamIterator = None
