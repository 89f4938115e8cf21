"""Regression: under at_least_once, faust-streaming 0.15.3 forgets the acks of every revoked partition before its
revocation handler commits them, so a rebalance redelivers everything processed since the last timer commit
(streams/faust_fixes/revocation_commit.py). Real workers on the real broker; the timer commit is pushed out of
the way, so only the rebalance can commit."""
from __future__ import annotations

import collections
import time
from types import SimpleNamespace

import pytest

from streams.faust_fixes import revocation_commit
from streams.topics import CLEAN, RAW
from tests.integration.conftest import pipeline  # noqa: F401  (the fixture: fresh topics, real workers)
from tests.integration.kafka_io import articles, read, send


@pytest.mark.akhbar_env(AKHBAR_PROCESSING_GUARANTEE="at_least_once", AKHBAR_COMMIT_INTERVAL_S="300")
def test_a_worker_joining_makes_the_first_one_redeliver_nothing_it_processed(pipeline):  # noqa: F811
    first = pipeline.start_worker(agents="clean")
    s = pipeline.settings
    ids, messages = articles(60, "revoke")
    send(s, s.topic(RAW), messages)
    assert len(read(s, s.topic(CLEAN), ids=set(ids), timeout=60)) == len(ids)  # processed, not yet committed
    second = pipeline.start_worker(agents="clean")  # a rebalance revokes every partition of the first worker
    time.sleep(5.0)  # the new owners have read from the committed offsets by now
    counts = collections.Counter(r["id"] for r in read(s, s.topic(CLEAN), timeout=10, settle=3.0))
    assert counts == collections.Counter(ids), {i: n for i, n in counts.items() if n != 1}
    assert first.poll() is None and second.poll() is None


class _Message(SimpleNamespace):
    __hash__ = object.__hash__


def test_between_the_revocation_commit_and_the_assignment_no_ack_counts(monkeypatch):
    """An event that finishes, or is skipped by a suspended stream, after the revocation's commit is read again by
    the next owner; its ack must not let a later commit pass it."""
    counted, order = [], []

    async def upstream_revoked(consumer, revoked):
        order.append("faust forgets the acks")
        revocation_commit._ack_unless_sealed(consumer, late)

    async def upstream_assigned(consumer, assigned, generation_id=0):
        order.append("assigned")

    async def commit():
        order.append("commit")
        return True

    async def no_commit_in_flight():
        return False

    monkeypatch.setitem(revocation_commit._upstream, "revoked", upstream_revoked)
    monkeypatch.setitem(revocation_commit._upstream, "assigned", upstream_assigned)
    monkeypatch.setitem(revocation_commit._upstream, "ack", lambda consumer, message: counted.append(message))
    late = _Message(acked=False)
    consumer = SimpleNamespace(in_transaction=False, assignment=lambda: {("raw", 0)},
                               app=SimpleNamespace(should_stop=False), commit=commit,
                               maybe_wait_for_commit_to_finish=no_commit_in_flight,
                               _unacked_messages={late}, _waiting_for_ack=None)

    import asyncio
    asyncio.run(revocation_commit._commit_before_revoking(consumer, {("raw", 0)}))
    assert order == ["commit", "faust forgets the acks"]
    assert counted == [] and late.acked and late not in consumer._unacked_messages
    asyncio.run(revocation_commit._unseal_after_assigning(consumer, {("raw", 0)}, 2))
    after = _Message(acked=False)
    revocation_commit._ack_unless_sealed(consumer, after)
    assert counted == [after]  # the new generation's acks count again
