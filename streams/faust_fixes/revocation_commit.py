"""at_least_once: a rebalance commits what was processed before Faust forgets it.

faust-streaming 0.15.3's ``Consumer.on_partitions_revoked`` pops the ack state (``_acked``, ``_acked_index``,
``_committed_offset``) of every revoked partition, which is all of them under the eager protocol, *before* it runs
the app's revocation handler (``App._on_partitions_revoked``: wait_empty, then commit). That commit finds nothing to
commit, so every event processed since the last timer commit (up to ``commit_interval_s``) is read again by its
partition's next owner and published twice: at every rebalance (a worker joining or leaving, a restart), not only
after a crash. The streams meanwhile skip, and ack, the events they take while flow control is suspended, and the
acks that arrive after the pop are the only ones that commit counts.

This commits the acked offsets with Faust's own commit (producer flush, then offsets) before upstream forgets them,
and from then until the new assignment no ack counts: an event that finishes after that commit is read again by
the next owner (the at-least-once promise), and none is committed past unprocessed. Under exactly_once
transactions.py does the same inside its transactions; this leaves that guarantee alone.

Upstream: faust/transport/consumer.py ``Consumer.on_partitions_revoked`` and ``Consumer.ack``, faust/app/base.py
``App._on_partitions_revoked`` (faust-streaming 0.15.3). Drop this module once Faust commits a revoked partition's
acked offsets before it forgets them (tests/regression/test_revocation_commit.py).
"""
from __future__ import annotations

import logging

from faust.transport.consumer import Consumer
from mode.utils.futures import notify

log = logging.getLogger("akhbar.faust_fixes")

_upstream: dict = {}  # what was installed when apply() ran: other fixes wrap the same methods


def _at_least_once(consumer: Consumer) -> bool:
    return not consumer.in_transaction


async def _commit_before_revoking(self: Consumer, revoked) -> None:
    if _at_least_once(self) and self.assignment() and not self.app.should_stop:
        await self.maybe_wait_for_commit_to_finish()  # a timer commit in flight took acks up to its start only
        try:
            await self.commit()
        except Exception as exc:  # the next owner reads again from the last commit: duplicates, nothing lost
            log.warning("before revoking, the commit of the processed offsets failed: %r", exc)
        self._akhbar_sealed = True
    await _upstream["revoked"](self, revoked)


async def _unseal_after_assigning(self: Consumer, assigned, generation_id: int = 0) -> None:
    try:
        await _upstream["assigned"](self, assigned, generation_id)
    finally:
        self._akhbar_sealed = False


def _ack_unless_sealed(self: Consumer, message) -> bool:
    """Between the revocation's commit and the assignment an ack is not counted: the event is read again by the
    partition's next owner. It stops being waited for, as an ack does (Consumer.wait_empty)."""
    if getattr(self, "_akhbar_sealed", False) and _at_least_once(self):
        if not message.acked:
            message.acked = True
            self._unacked_messages.discard(message)
            notify(self._waiting_for_ack)
        return False
    return _upstream["ack"](self, message)


def apply() -> None:
    if _upstream:
        return
    _upstream.update(revoked=Consumer.on_partitions_revoked, assigned=Consumer.on_partitions_assigned,
                     ack=Consumer.ack)
    Consumer.on_partitions_revoked = _commit_before_revoking
    Consumer.on_partitions_assigned = _unseal_after_assigning
    Consumer.ack = _ack_unless_sealed
