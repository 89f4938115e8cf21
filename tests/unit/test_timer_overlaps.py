"""The worker's log keeps mode's timer-overlap warnings except the commit timer's (streams/app.py), which under
exactly_once would be one a commit."""
from __future__ import annotations

import logging

from mode.timers import logger as timers_logger

from streams.app import quiet_commit_timer_overlaps


def test_commit_timer_overlaps_are_dropped_and_other_timers_kept(caplog):
    quiet_commit_timer_overlaps()
    quiet_commit_timer_overlaps()  # idempotent: one filter
    assert len(logging.getLogger("mode.timers").filters) == 1
    with caplog.at_level(logging.WARNING, logger="mode.timers"):
        for name in ("commit", "livelock", "flush"):
            timers_logger.warning("Timer %s is overlapping (interval=%r runtime=%r)", name, 0.1, 0.4)
        timers_logger.warning("something else about %s", "commit")
    assert [r.getMessage() for r in caplog.records] == [
        "Timer flush is overlapping (interval=0.1 runtime=0.4)", "something else about commit"]
