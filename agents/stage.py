"""The one shape every pipeline agent has: bytes in, stage function, bytes out, failures to the DLQ."""
from __future__ import annotations

import time
from typing import Callable

from agents.dlq import DeadLetters, failed_stage
from streams import metrics


def pipeline_agent(app, name: str, source, sink, dlq: DeadLetters, step: Callable[..., tuple[bytes, bytes]]):
    """Register agent `name` reading `source` and writing `sink`.

    `step(payload, event) -> (key, value)` is pure but for the tables it may own (the event says which source
    partition and offset is being processed); any exception it raises sends the message to the DLQ with
    its topic/partition/offset, and the agent moves on to the next message (its offset is committed,
    so a poison message is never retried forever and never lost), charged to agents.dlq.failed_stage.
    """

    sent, failed = (metrics.STAGE_PROCESSED.labels(stage=name, outcome=o) for o in ("sent", "dlq"))
    cpu = metrics.STAGE_CPU.labels(stage=name)
    clock = time.thread_time

    async def run(stream):
        async for event in stream.events():
            t0 = clock()
            try:
                key, value = step(event.value, event)
            except Exception as exc:  # noqa: BLE001 - every failure is routed, none crashes the worker
                cpu.inc(clock() - t0)
                await dlq.send(failed_stage(name, exc), exc, event)
                failed.inc()
                continue
            cpu.inc(clock() - t0)
            await sink.send(key=key, value=value)
            sent.inc()

    run.__name__ = run.__qualname__ = name
    return app.agent(source, name=f"akhbar.{name}")(run)
