"""Under exactly_once, commit as soon as the worker runs out of work, not only when the commit timer fires.

A record is visible to the next stage (read_committed) only once the transaction of its hop commits. With the
timer alone every hop of the pipeline waits for the next tick, so an article crossing five hops waited five
commit intervals (p50 576 ms at 0.1 s, docs/benchmarks/pipeline-notes.md). This sensor watches the events going
through the agents' streams; when the last one in processing is done and none has started for `quiet_s`, and
something was processed since the last commit, it starts the commit the timer would have started later. It is
the same commit (Faust's ``Consumer.commit``: one at a time, through the exactly-once gate of
streams/faust_fixes/transactions.py), only earlier. Under load the worker is never idle, so commits stay on the
timer and keep batching many events per transaction; at low load an article moves on one hop per commit round
trip instead of one hop per interval. As group commit in a database: commit now when nobody else is waiting.

Under at_least_once output is visible when it is written, so nothing is installed there.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from faust.sensors.base import Sensor

from streams.faust_fixes.transactions import exactly_once

log = logging.getLogger("akhbar.idle_commit")


class IdleCommit(Sensor):
    """Start a commit once no event has been in processing for `quiet_s` and some were processed since the
    last one."""

    def __init__(self, app, quiet_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.faust_app, self.quiet_s = app, quiet_s
        self.inside = 0  # events taken by a stream and not yet done
        self.taken = 0  # events taken so far: a later check sees whether any came meanwhile
        self.dirty = False  # an event was done since the last commit began
        self.scheduled = False
        self.pending: asyncio.Task | None = None

    def on_stream_event_in(self, tp, offset, stream, event) -> None:
        self.inside += 1
        self.taken += 1

    def on_stream_event_out(self, tp, offset, stream, event, state=None) -> None:
        self.inside = max(0, self.inside - 1)
        self.dirty = True
        if not self.inside:
            self._schedule()

    def _schedule(self) -> None:
        if not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_later(self.quiet_s, self._check, self.taken)

    def on_commit_initiated(self, consumer) -> None:
        # the exactly-once gate is closed and no event is in processing by now: everything done so far is in
        # this commit
        self.dirty = False

    def _check(self, taken: int) -> None:
        self.scheduled = False
        if self.inside or not self.dirty:
            return
        if self.taken != taken:  # events came and went meanwhile: the worker was not quiet; look again
            self._schedule()
            return
        consumer = self.faust_app.consumer
        if consumer._commit_fut is not None or self.faust_app.rebalancing or self.faust_app.should_stop or \
                (self.pending is not None and not self.pending.done()):
            return  # a commit is under way (it takes what is done) or the assignment is changing
        self.pending = asyncio.ensure_future(self._commit(consumer))

    async def _commit(self, consumer) -> None:
        try:
            await consumer.commit()
        except Exception as exc:  # noqa: BLE001 - the timer's next commit tries again, and reports for good
            log.warning("idle commit failed: %r", exc)


def install(app, quiet_ms: float) -> IdleCommit | None:
    """Add the sensor to `app` when it runs exactly-once and `quiet_ms` > 0; None otherwise."""
    if not exactly_once(app) or quiet_ms <= 0:
        return None
    sensor = IdleCommit(app, quiet_ms / 1000)
    app.sensors.add(sensor)
    return sensor
