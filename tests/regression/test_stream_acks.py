"""Regression: faust-streaming 0.15.3's compiled stream iterator acked events without calling Consumer.ack, so the
fixes that decide which acks count were skipped: under exactly_once, events the commit gate skipped unprocessed at
a rebalance had their offsets committed without their output (streams/faust_fixes/stream_acks.py). Faust's own
Stream, Event and ConsumerMessage run here; the EOS SIGKILL test of tests/integration/test_fault_tolerance.py shows
the loss on real workers."""
from __future__ import annotations

import asyncio

import faust
import faust.streams
import pytest
from faust.events import Event
from faust.exceptions import Skip
from faust.types.tuples import ConsumerMessage

from streams.faust_fixes import stream_acks

TOPIC = "regression-stream-acks"


def _stream_over(offsets, iterator):
    """Run a Faust stream over `offsets` of one partition, with a processor that skips the odd ones, until it has
    processed two events: (offsets processed, offsets that went through Consumer.ack, Faust's ack state)."""
    async def run():
        saved = faust.streams._CStreamIterator
        faust.streams._CStreamIterator = iterator
        try:
            app = faust.App("regression-stream-acks", broker="kafka://127.0.0.1:9")  # never connected
            app.flow_control.resume()
            app.topics._acking_topics.add(TOPIC)
            consumer = app.consumer
            through_ack = []
            upstream_ack = type(consumer).ack
            consumer.ack = lambda message: through_ack.append(message.offset) or upstream_ack(consumer, message)
            stream = app.channel().stream()

            def skip_odd(value):
                if int(value) % 2:
                    raise Skip()
                return value

            stream.add_processor(skip_odd)
            for offset in offsets:
                message = ConsumerMessage(topic=TOPIC, partition=0, offset=offset, timestamp=0.0, timestamp_type=0,
                                          headers=[], key=None, value=str(offset).encode(), checksum=None,
                                          generation_id=app.consumer_generation_id)
                stream.channel.queue.put_nowait(Event(app, None, str(offset), {}, message))
            processed = []
            async for event in stream.events():
                processed.append(int(event.value))
                if len(processed) == 2:
                    break
            return processed, list(through_ack), sorted(consumer._acked[next(iter(consumer._acked))])
        finally:
            faust.streams._CStreamIterator = saved

    return asyncio.run(asyncio.wait_for(run(), timeout=20))


@pytest.mark.skipif(stream_acks.compiled_iterator is None, reason="faust runs without its Cython extension here")
def test_upstream_compiled_iterator_acks_behind_consumer_ack():
    processed, through_ack, acked = _stream_over(range(4), stream_acks.compiled_iterator)
    assert processed == [0, 2]
    assert acked == [0, 1]  # the skipped event 1 counts as acked ...
    assert through_ack == []  # ... and no Consumer.ack, so no fix had a say in it


def test_fixed_every_ack_goes_through_consumer_ack():
    stream_acks.apply()
    processed, through_ack, acked = _stream_over(range(4), faust.streams._CStreamIterator)
    assert faust.streams._CStreamIterator is None
    assert processed == [0, 2]
    assert through_ack == acked == [0, 1]
