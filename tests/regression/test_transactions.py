"""Regression: faust-streaming 0.15.3's exactly_once put a record in the transaction of the partition it goes to,
not of the event it came from, and committed while events were being processed
(streams/faust_fixes/transactions.py). Faust's own TransactionManager, ProducerBuffer and Consumer.force_commit
run here, around a recording producer; tests/integration/test_fault_tolerance.py shows the whole on real workers."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from faust.streams import _current_event
from faust.transport.consumer import TransactionManager
from faust.transport.producer import ProducerBuffer

from streams import faust_fixes
from streams.faust_fixes import transactions


class _Message(SimpleNamespace):
    """A Kafka message as Faust's consumer keeps it: hashable, weakly referenced (Consumer._unacked_messages)."""

    __hash__ = object.__hash__


class _Producer:
    def __init__(self):
        self.sent: list[tuple[str, int, str]] = []  # (topic, partition, transactional id)

    async def send(self, topic, key, value, partition, timestamp, headers, *, transactional_id=None):
        self.sent.append((topic, partition, transactional_id))
        return asyncio.get_running_loop().create_future()


def _app():
    conf = SimpleNamespace(id="akhbar", processing_guarantee="exactly_once", producer_threaded=False)
    groups = {"articles.clean": 0, "articles.entities": 1, "stories-changelog": 1}
    return SimpleNamespace(conf=conf, assignor=SimpleNamespace(group_for_topic=groups.__getitem__))


def _manager(app, producer) -> TransactionManager:
    manager = TransactionManager.__new__(TransactionManager)  # its send needs no running service
    consumer = SimpleNamespace(key_partition=lambda topic, key, partition: 5 if partition is None else partition)
    manager.app, manager.consumer, manager.producer = app, consumer, producer
    return manager


def _event(topic: str, partition: int):
    return SimpleNamespace(message=SimpleNamespace(topic=topic, partition=partition))


def _in_event(event, coro_fn):
    """Run `coro_fn()` as an agent does, with `event` as Faust's current event."""
    async def run():
        token = _current_event.set(lambda: event)
        try:
            return await coro_fn()
        finally:
            _current_event.reset(token)

    return asyncio.run(run())


def test_a_record_rides_in_the_transaction_of_the_partition_it_came_from():
    app, upstream_producer, fixed_producer = _app(), _Producer(), _Producer()
    event = _event("articles.clean", 2)  # clean[2] -> entities[5]: the record changes partition

    upstream = _manager(app, upstream_producer)
    _in_event(event, lambda: transactions._upstream_send(upstream, "articles.entities", b"k", b"v", None, None,
                                                         None))
    assert upstream_producer.sent == [("articles.entities", 5, "akhbar-1-5")]  # the bug: entities[5]'s transaction

    faust_fixes.apply()
    fixed = _manager(app, fixed_producer)
    _in_event(event, lambda: fixed.send("articles.entities", b"k", b"v", None, None, None))
    assert fixed_producer.sent == [("articles.entities", 5, "akhbar-0-2")]  # clean[2]'s, whose offset it commits


def test_a_send_outside_any_event_is_refused_with_a_clear_error():
    faust_fixes.apply()
    manager = _manager(_app(), _Producer())
    with pytest.raises(Exception, match="outside of any event's processing"):
        asyncio.run(manager.send("articles.entities", b"k", b"v", None, None, None))


def test_a_buffered_table_write_is_sent_in_the_transaction_of_the_event_that_made_it():
    faust_fixes.apply()
    app, producer = _app(), _Producer()
    manager = _manager(app, producer)

    class Changelog:  # what the buffer hands over: channel.publish_message -> the transaction manager's send
        def __init__(self):
            self.message = SimpleNamespace(channel=self)

        async def publish_message(self, fut, wait=False):
            await manager.send("stories-changelog", b"k", b"v", 3, None, None)

    async def run():
        buffer = ProducerBuffer()
        buffer.app = app
        await buffer.start()
        try:
            token = _current_event.set(lambda: _event("articles.entities", 3))
            buffer.put(Changelog())  # table[key] = value, while processing entities[3]
            _current_event.reset(token)
            await buffer.flush()  # the buffer's own task sends it, with no current event
        finally:
            await buffer.stop()

    asyncio.run(run())
    assert producer.sent == [("stories-changelog", 3, "akhbar-1-3")]


def test_a_commit_waits_for_the_event_in_processing_and_new_events_wait_for_the_commit(monkeypatch):
    faust_fixes.apply()
    order: list[str] = []

    async def upstream_force_commit(consumer, topics=None, start_new_transaction=True):  # offsets + commit
        order.append("commit")
        await asyncio.sleep(0.05)
        return True

    async def flush():
        order.append("flush")

    monkeypatch.setattr(transactions, "_upstream_force_commit", upstream_force_commit)

    async def run():
        app = SimpleNamespace(consumer=SimpleNamespace(assignment=lambda: {("t", 0)}), consumer_generation_id=1,
                              sensors=SimpleNamespace(add=lambda sensor: None),
                              producer=SimpleNamespace(buffer=SimpleNamespace(flush=flush)))
        consumer = SimpleNamespace(in_transaction=True, app=app, _acked={}, _committed_offset={}, _gap={})
        gate = transactions._gate(app)
        first, second = (SimpleNamespace(message=_Message(tp=("t", 0), generation_id=1)) for _ in range(2))

        async def process(event, name):
            token = _current_event.set(lambda: event)
            try:
                await gate.enter(app, None)
                order.append(f"{name} in")
                await asyncio.sleep(0.05)
                order.append(f"{name} acked")
                gate.on_stream_event_out(None, None, None, event)  # Faust acks it
            finally:
                _current_event.reset(token)

        one = asyncio.ensure_future(process(first, "first"))
        await asyncio.sleep(0.01)
        committing = asyncio.ensure_future(transactions._force_commit_between_events(consumer))
        await asyncio.sleep(0.01)
        two = asyncio.ensure_future(process(second, "second"))
        await asyncio.gather(one, committing, two)

    asyncio.run(run())
    assert order == ["first in", "first acked", "flush", "commit", "second in", "second acked"]


def test_an_event_whose_partition_was_revoked_while_it_waited_is_skipped():
    from faust.exceptions import Skip

    async def run():
        gate = transactions.Gate()
        app = SimpleNamespace(consumer=SimpleNamespace(assignment=lambda: set()), consumer_generation_id=2)
        event = SimpleNamespace(message=_Message(tp=("t", 0), generation_id=1))
        gate.open.clear()
        asyncio.get_running_loop().call_later(0.02, gate.open.set)
        token = _current_event.set(lambda: event)
        try:
            await gate.enter(app, None)
        finally:
            _current_event.reset(token)

    with pytest.raises(Skip):
        asyncio.run(run())


def test_with_no_event_in_processing_the_commit_passes_transaction_markers_up_to_the_last_acked_offset():
    from collections import defaultdict

    from faust.transport.consumer import Consumer
    from intervaltree import IntervalTree

    tp = ("join", 3)

    def consumer():
        """Faust's ack state after reading 56-60, 62-64, 66-90 (61 and 65 transaction markers), the gaps as
        Faust's drain loop records them (Consumer._add_gap: from the hole to the next record read, inclusive)."""
        c = SimpleNamespace(_acked=defaultdict(list, {tp: [*range(56, 61), *range(62, 65), *range(66, 91)]}),
                            _acked_index=defaultdict(set), _gap=defaultdict(IntervalTree),
                            _committed_offset=defaultdict(lambda: None, {tp: 56}))
        for hole, following in ((61, 62), (65, 66)):
            asyncio.run(Consumer._add_gap(c, tp, hole, following))
        return c

    upstream = consumer()
    assert Consumer._new_offset(upstream, tp) < 91  # the bug: the output of the events after it is committed
    fixed = consumer()
    transactions._acked_through_the_last_event(fixed)
    assert Consumer._new_offset(fixed, tp) == 91


def test_an_event_woken_by_one_commit_waits_for_the_next_one_that_closed_the_gate_meanwhile():
    order: list[str] = []

    async def run():
        gate = transactions.Gate()
        app = SimpleNamespace(consumer=SimpleNamespace(assignment=lambda: {("t", 0)}), consumer_generation_id=1)
        event = SimpleNamespace(message=_Message(tp=("t", 0), generation_id=1))
        gate.open.clear()  # commit A

        async def process():
            token = _current_event.set(lambda: event)
            try:
                await gate.enter(app, None)
                order.append("event in")
            finally:
                _current_event.reset(token)

        waiting = asyncio.ensure_future(process())
        await asyncio.sleep(0.01)
        gate.open.set()  # commit A done ...
        gate.open.clear()  # ... and commit B closes the gate before the event's task has run
        order.append("commit B")
        await asyncio.sleep(0.02)
        order.append("commit B done")
        gate.open.set()
        await waiting

    asyncio.run(run())
    assert order == ["commit B", "commit B done", "event in"]  # one wait let it in during commit B


def _revoking_consumer(acked: dict):
    from collections import defaultdict

    from intervaltree import IntervalTree

    app = SimpleNamespace(should_stop=False, consumer_generation_id=1, sensors=SimpleNamespace(add=lambda s: None))
    app.consumer = SimpleNamespace(assignment=lambda: set(acked))
    consumer = SimpleNamespace(
        in_transaction=True, app=app, assignment=lambda: set(acked), _active_partitions=None,
        _paused_partitions=set(), _acked=defaultdict(list, {tp: list(o) for tp, o in acked.items()}),
        _acked_index=defaultdict(set), _gap=defaultdict(IntervalTree), _read_offset={},
        _committed_offset=defaultdict(lambda: None, {tp: min(o) for tp, o in acked.items()}), _commit_fut=None)
    from faust.transport.consumer import Consumer
    consumer.maybe_wait_for_commit_to_finish = lambda: Consumer.maybe_wait_for_commit_to_finish(consumer)
    return app, consumer


def test_upstream_forgets_the_acks_of_processed_events_when_partitions_are_revoked():
    """Faust pops the ack state of every revoked partition (all of them: the eager protocol) before the app's
    revocation handler commits, so the output of the events since the last commit stays in open transactions
    while their offsets are read again."""
    from faust.transport.consumer import Consumer

    tp = ("gather", 0)
    app, consumer = _revoking_consumer({tp: range(100, 110)})
    committable: list = []

    async def app_handler(revoked):  # App._on_partitions_revoked: wait_empty -> commit
        committable.extend(Consumer._filter_tps_with_pending_acks(consumer))

    consumer._on_partitions_revoked = app_handler
    consumer.app._start_span_from_rebalancing = lambda name: __import__("contextlib").nullcontext()
    consumer.diag = SimpleNamespace(set_flag=lambda flag: None, unset_flag=lambda flag: None)
    asyncio.run(transactions._upstream_revoked(consumer, {tp}))  # Faust's own, not the fix
    assert committable == []  # ten processed events, nothing left to commit


def test_a_rebalance_commits_what_was_processed_first_and_holds_the_gate_until_the_assignment(monkeypatch):
    tp = ("gather", 0)
    app, consumer = _revoking_consumer({tp: range(100, 110)})
    order: list = []

    async def upstream_force_commit(c, topics=None, start_new_transaction=True):
        order.append(("commit", Consumer_new_offset(c, tp), start_new_transaction))
        return True

    async def upstream_revoked(c, revoked):
        order.append("faust forgets the acks")
        c._acked.clear()

    async def upstream_assigned(c, assigned, generation_id=0):
        order.append("assigned")

    async def flush():
        order.append("flush")

    from faust.transport.consumer import Consumer
    Consumer_new_offset = Consumer._new_offset
    app.producer = SimpleNamespace(buffer=SimpleNamespace(flush=flush))
    monkeypatch.setattr(transactions, "_upstream_force_commit", upstream_force_commit)
    monkeypatch.setattr(transactions, "_upstream_revoked", upstream_revoked)
    monkeypatch.setattr(transactions, "_upstream_assigned", upstream_assigned)

    async def run():
        gate = transactions._gate(app)
        await transactions._commit_before_revoking(consumer, {tp})
        assert not gate.open.is_set() and gate.sealed  # no event is processed between that commit and the new generation
        await transactions._force_commit_between_events(consumer)  # Faust's own commit during the rebalance
        assert not gate.open.is_set()
        await transactions._release_after_assigning(consumer, {tp}, 2)
        assert gate.open.is_set()

    asyncio.run(run())
    assert order[:3] == ["flush", ("commit", 110, False), "faust forgets the acks"]
    assert order[-1] == "assigned"


def test_an_event_of_an_earlier_generation_is_not_counted_as_acked():
    """A stale ack (an event skipped after a rebalance) in the ack list let the next commit pass events that had
    not been processed again."""
    from collections import defaultdict

    from faust.transport.consumer import Consumer

    tp = ("gather", 0)

    def consumer():
        c = SimpleNamespace(in_transaction=True, app=SimpleNamespace(consumer_generation_id=2,
                                                                      sensors=SimpleNamespace(add=lambda s: None),
                                                                      topics=SimpleNamespace(acks_enabled_for=lambda t: True)),
                            _acked=defaultdict(list), _acked_index=defaultdict(set), _unacked_messages=set(),
                            _committed_offset=defaultdict(lambda: 100), _n_acked=0, _waiting_for_ack=None)
        return c

    def stale():
        return _Message(acked=False, tp=tp, offset=140, topic="gather", generation_id=1)

    upstream = consumer()
    transactions._upstream_ack(upstream, stale())  # Faust's own
    assert upstream._acked[tp] == [140]  # the bug
    fixed = consumer()
    assert transactions._ack_of_this_generation(fixed, stale()) is False
    assert fixed._acked[tp] == []


def test_an_event_waiting_at_the_gate_when_a_rebalance_holds_it_is_skipped_at_once_and_not_counted():
    """Faust's revocation waits for every event taken from the queues to be acked (Consumer.wait_empty): an event
    left waiting at the gate until the assignment deadlocked the rebalance (a worker that never stopped)."""
    from faust.exceptions import Skip

    async def run():
        gate = transactions.Gate()
        app = SimpleNamespace(consumer=SimpleNamespace(assignment=lambda: {("t", 0)}), consumer_generation_id=1)
        message = _Message(tp=("t", 0), generation_id=1)
        event = SimpleNamespace(message=message)
        gate.open.clear()  # a commit runs

        async def process():
            token = _current_event.set(lambda: event)
            try:
                await gate.enter(app, None)
            finally:
                _current_event.reset(token)

        waiting = asyncio.ensure_future(process())
        await asyncio.sleep(0.01)
        gate.hold()  # the revocation
        with pytest.raises(Skip):
            await asyncio.wait_for(waiting, timeout=1.0)  # not held until the assignment
        assert message in gate.unprocessed

    asyncio.run(run())


def test_once_the_revocation_committed_no_ack_counts_until_the_assignment():
    """Faust's streams skip and ack the events they take while its flow control is suspended (the revocation),
    and its revocation handler commits those acks: offsets of events never processed."""
    tp = ("gather", 1)
    app, consumer = _revoking_consumer({tp: range(100, 110)})
    consumer._unacked_messages, consumer._waiting_for_ack = set(), None
    gate = transactions._gate(app)
    gate.hold()
    gate.sealed = True  # as _commit_before_revoking leaves it
    skipped = _Message(acked=False, tp=tp, offset=120, topic="gather", generation_id=1)
    assert transactions._ack_of_this_generation(consumer, skipped) is False and skipped.acked
    gate.release()
    assert not gate.sealed


def test_a_rebalance_during_a_timer_commit_commits_after_it_and_no_commit_starts_meanwhile(monkeypatch):
    """Both commits at once ended transactions under each other: the timer commit then sent offsets to a
    transaction the revocation had ended (IllegalOperation, the surviving worker crashed) and the revocation found
    the acks the timer commit had taken."""
    tp = ("gather", 2)
    app, consumer = _revoking_consumer({tp: range(100, 110)})
    order: list = []

    async def upstream_force_commit(c, topics=None, start_new_transaction=True):
        order.append(("revocation commit", c._commit_fut is not None))
        return True

    async def upstream_revoked(c, revoked):
        order.append("faust forgets the acks")

    async def flush():
        pass

    app.producer = SimpleNamespace(buffer=SimpleNamespace(flush=flush))
    monkeypatch.setattr(transactions, "_upstream_force_commit", upstream_force_commit)
    monkeypatch.setattr(transactions, "_upstream_revoked", upstream_revoked)

    async def run():
        timer = consumer._commit_fut = asyncio.get_running_loop().create_future()  # a timer commit under way
        revoking = asyncio.ensure_future(transactions._commit_before_revoking(consumer, {tp}))
        await asyncio.sleep(0.05)
        assert order == []  # waits for the timer commit
        order.append("timer commit ends")
        consumer._commit_fut = None
        timer.set_result(None)
        await revoking
        assert consumer._commit_fut is None

    asyncio.run(run())
    assert order == ["timer commit ends", ("revocation commit", True), "faust forgets the acks"]
