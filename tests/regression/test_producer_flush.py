"""Regression: faust-streaming 0.15.3's ProducerBuffer.flush returned with messages still queued or being handed over
(streams/faust_fixes/producer_flush.py). Runs Faust's real ProducerBuffer; without the fix 2 of these fail (3 of
4 messages sent) and the steady-load one hangs."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from faust.transport.producer import ProducerBuffer

from streams import faust_fixes


class _Message:
    """What the buffer hands over: `fut.message.channel.publish_message(fut, wait=False)`, here slow."""

    def __init__(self, sent: list, delay: float):
        self.message = SimpleNamespace(channel=self)
        self.sent, self.delay = sent, delay

    async def publish_message(self, fut, wait: bool = False):
        await asyncio.sleep(self.delay)
        self.sent.append(fut)


def _buffer() -> ProducerBuffer:
    buffer = ProducerBuffer()
    buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
    return buffer


@pytest.mark.parametrize("delay", [0.0, 0.25])
def test_flush_returns_only_when_every_buffered_message_was_handed_over(delay):
    faust_fixes.apply()

    async def run():
        buffer, sent = _buffer(), []
        await buffer.start()
        try:
            messages = [_Message(sent, delay) for _ in range(4)]
            for m in messages:
                buffer.put(m)
            await buffer.flush()
            return len(sent), buffer.size
        finally:
            await buffer.stop()

    assert asyncio.run(run()) == (4, 0)  # a hand-over slower than 0.1 s made the upstream flush return early


def test_flush_under_a_steady_load_ends_once_what_was_queued_before_it_is_handed_over():
    faust_fixes.apply()

    async def run():
        buffer, sent = _buffer(), []
        await buffer.start()
        before = [_Message(sent, 0.05) for _ in range(5)]
        for m in before:
            buffer.put(m)

        async def keep_putting():
            while True:
                buffer.put(_Message(sent, 0.05))
                await asyncio.sleep(0.02)  # faster than the buffer drains: it is never empty

        feeder = asyncio.create_task(keep_putting())
        try:
            await asyncio.wait_for(buffer.flush(), timeout=10)
            return set(before) <= set(sent), buffer.size
        finally:
            feeder.cancel()
            await buffer.flush()  # what the feeder left, before the buffer stops
            await buffer.stop()

    handed_over, left = asyncio.run(run())
    assert handed_over and left > 0


def test_flush_of_a_stopped_buffer_that_still_holds_messages_raises():
    faust_fixes.apply()

    async def run():
        buffer = _buffer()
        await buffer.start()
        await buffer.stop()
        buffer.put(_Message([], 0.0))
        with pytest.raises(RuntimeError, match="not Running"):
            await buffer.flush()

    asyncio.run(run())
