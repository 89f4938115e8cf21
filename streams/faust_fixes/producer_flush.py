"""Producer buffer flush. Table writes are queued in the producer's buffer (``ProducerBuffer``) and a background task
hands them to aiokafka. Before committing offsets, Faust flushes the producer, but faust-streaming 0.15.3's
``ProducerBuffer.flush`` returns as soon as no message left the buffer for 0.1 s, even with messages still in it,
or as soon as the last message is taken off it, before that one is handed over. Offsets can then be committed
before the changelog writes of their events have left the buffer: a worker that crashes just after, or another
worker that takes the partition over and restores the table before the late writes land, loses that state (the
story hop's pending article: a record that never reaches articles.enriched). The fixed flush waits until every
message put before it has been handed to the Kafka client (whose own flush then waits for the broker's acks), as
its docstring promises.

Upstream: faust/transport/producer.py, ``ProducerBuffer.flush`` (faust-streaming 0.15.3). Drop this module once
upstream's flush waits for every message queued before it (tests/regression/test_producer_flush.py shows it).
"""
from __future__ import annotations

import asyncio
import contextlib

from faust.transport.producer import ProducerBuffer

_upstream_put = ProducerBuffer.put
_upstream_send = ProducerBuffer._send_pending
_upstream_flush = ProducerBuffer.flush


def put_counted(self: ProducerBuffer, fut) -> None:
    self.akhbar_put = getattr(self, "akhbar_put", 0) + 1
    _upstream_put(self, fut)


async def send_counted(self: ProducerBuffer, fut) -> None:
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


def apply() -> None:
    ProducerBuffer.put = put_counted
    ProducerBuffer._send_pending = send_counted
    ProducerBuffer.flush = _flush_all
