"""CPU per event of a Faust stream over an in-memory channel, with faust-streaming's compiled stream iterator and with
its pure-Python one (the one streams/faust_fixes/stream_acks.py selects), alternated in one process.
Run: uv run --locked python bench/stream_iter_bench.py"""
import asyncio, time, faust, faust.streams as fs
from faust.events import Event
from faust.types.tuples import ConsumerMessage
N = 20000
async def run(it):
    saved = fs._CStreamIterator; fs._CStreamIterator = it
    app = faust.App("bench-iter", broker="kafka://127.0.0.1:9")
    app.flow_control.resume(); app.topics._acking_topics.add("t")
    consumer = app.consumer
    stream = app.channel(maxsize=N + 10).stream()
    for o in range(N):
        m = ConsumerMessage(topic="t", partition=0, offset=o, timestamp=0.0, timestamp_type=0, headers=[], key=None,
                            value=b"x", checksum=None, generation_id=app.consumer_generation_id)
        stream.channel.queue.put_nowait(Event(app, None, "x", {}, m))
    n = 0; t0 = time.process_time()
    async for ev in stream.events():
        n += 1
        if n == N: break
    dt = time.process_time() - t0
    fs._CStreamIterator = saved
    return dt / N * 1e6
for r in range(3):  # noqa: B007
    c = asyncio.run(run(fs._CStreamIterator)); p = asyncio.run(run(None))
    print(f"compiled {c:.1f} us/event, python {p:.1f} us/event")
