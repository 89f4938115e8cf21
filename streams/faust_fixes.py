"""Fixes to faust-streaming behaviour that akhbar relies on, applied once by streams.app.

Producer buffer flush. Table writes are queued in the producer's buffer (``ProducerBuffer``) and a background
task hands them to aiokafka. Before committing offsets, Faust flushes the producer, but faust-streaming 0.15.3's
``ProducerBuffer.flush`` returns as soon as no message left the buffer for 0.1 s, even with messages still in
it. On a loaded host the offsets of events were then committed before their changelog writes had left the
buffer: a worker that crashed just after, or another worker that took the partition over and restored the
table before the late writes landed, lost that state (the story hop's pending article: a record that never
reached articles.enriched). The fixed flush drains the buffer fully, as its docstring says it does.
"""
from __future__ import annotations

import asyncio
import contextlib

from faust.transport.producer import ProducerBuffer

_upstream_send = ProducerBuffer._send_pending


async def _send_counted(self: ProducerBuffer, fut) -> None:
    """The upstream hand-over to aiokafka, counted: a message taken off the queue but not yet handed over is
    no longer in ``size``, and a flush must still wait for it."""
    self.akhbar_sending = getattr(self, "akhbar_sending", 0) + 1
    try:
        await _upstream_send(self, fut)
    finally:
        self.akhbar_sending -= 1


async def _flush_all(self: ProducerBuffer) -> None:
    """Flush all messages (draining the buffer): wait until none is queued or being handed over, however
    slowly the buffer drains. Raises, as upstream does, if the buffer is not running but still holds messages."""
    while self.size or getattr(self, "akhbar_sending", 0):
        if self.state != "running" and self.size:
            raise RuntimeError("Cannot flush: Producer not Running")
        self.message_sent.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.message_sent.wait(), timeout=0.1)


def apply() -> None:
    """Install the fixes (idempotent)."""
    ProducerBuffer._send_pending = _send_counted
    ProducerBuffer.flush = _flush_all
