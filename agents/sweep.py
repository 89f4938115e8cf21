"""Bounded state: a per-partition sweep of expired table keys, run from within the stream (agents/clean.py,
agents/alerts.py). The story index expires its own state (agents/stories.py)."""
from __future__ import annotations

import logging

from nlp import stories

log = logging.getLogger("akhbar.sweep")

SWEEP_EVERY_MS = 10 * 60 * 1000  # event time between two sweeps of one partition's state


class Sweeper:
    """Per partition: when the event time has moved SWEEP_EVERY_MS since the last sweep, delete expired keys
    (values carrying their partition "p" and event time "ms", nlp.stories.sweep, or another `sweep`)."""

    def __init__(self, horizon_ms: int, sweep=None):
        self.horizon_ms = horizon_ms
        self.sweep = sweep   # (items, partition, now_ms) -> expired keys; None: stories.sweep with horizon_ms
        self.last: dict[tuple[str, int], int] = {}

    def due(self, mark, now_ms: int | None) -> bool:
        """Whether `mark` (a table and partition, or any key) is due a sweep at event time `now_ms`; the first
        call only starts the clock."""
        if not now_ms:  # no event time known: a sweep from epoch 0 would delete live state
            return False
        last = self.last.get(mark)
        if last is not None and now_ms - last < SWEEP_EVERY_MS:
            return False
        self.last[mark] = now_ms
        return last is not None

    def maybe(self, table, partition: int, now_ms: int | None) -> None:
        if not self.due((table.name, partition), now_ms):
            return
        items = list(table.items())
        expired = (self.sweep(items, partition, now_ms) if self.sweep is not None
                   else stories.sweep(items, partition, now_ms, self.horizon_ms))
        for key in expired:
            del table[key]
        if expired:
            log.info("swept %d expired key(s) from %s[%d]", len(expired), table.name, partition)
