"""Exactly-once: one Kafka transaction per *source* partition, as in Kafka Streams (a task's producer, EOS v1).

faust-streaming 0.15.3's ``TransactionManager.send`` picks the transactional producer by the partition a record goes
**to** (``{app}-{group}-{destination partition}``), while ``commit`` commits a source offset in the transaction of
the partition the record came **from**. An output whose partition differs from its input's therefore rode in
another partition's transaction: it stayed invisible to ``read_committed`` readers until that partition happened
to commit, was aborted when the worker stopped, and with two workers both opened the same transactional id and
fenced each other (faust issue 323). And Faust commits from a timer task while agents go on processing, so a
transaction could hold the output of an event whose offset it did not commit: after a crash that event is
processed again and its output is there twice.

This module routes and commits by the event being processed:
- every record is sent in the transaction of the source partition of the event that produced it (Faust's
  ``current_event()``); a table's changelog write, which Faust's producer buffer sends later from its own task, is
  tagged with that partition when it is buffered and sent in its transaction;
- a commit closes a gate that new events wait at (a stream processor added to every agent's stream), waits for
  the events already past it to be acked, flushes the producer buffer (Faust's table writes), then commits each
  source partition's offsets in its own transaction (``send_offsets_to_transaction`` + ``commit_transaction``,
  Faust's own ``commit_transactions``), all of them at once, and opens the gate: a transaction holds exactly the
  output of the offsets it commits;
- an event that waited at the gate while its partition was revoked is skipped (the new owner processes it);
- a rebalance commits first: Faust forgets the acks of every revoked partition (all of them, the eager
  protocol) before its own revocation handler commits, which left the output of the events since the last
  commit in open transactions while those events were read again; the commit now runs before that, with the
  gate held closed until the new assignment, and an event of an earlier generation is never counted as acked;
- a revoked partition's producer is stopped, not just forgotten (upstream leaves it running), and a kept
  partition's producer is not asked to begin a transaction it is already in.
Transactional ids stay Faust's ``{app}-{group}-{partition}`` of the source partitions a worker is assigned, so a
new owner of a partition fences its old owner (a zombie), and two healthy workers never share one.

Upstream: faust/transport/consumer.py ``TransactionManager.send``/``commit``, ``Consumer.force_commit``,
``Consumer.on_partitions_revoked`` and ``Consumer.ack``,
faust/transport/drivers/aiokafka.py ``Producer.stop_transaction`` (faust-streaming 0.15.3). Drop this module once
Faust routes sends by the source partition and commits between events
(tests/regression/test_transactions.py).
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from contextvars import ContextVar
from time import monotonic
from typing import Any, Optional

from aiokafka.errors import ProducerFenced
from faust.agents.agent import Agent
from intervaltree import Interval, IntervalTree
from faust.exceptions import ProducerSendError, Skip
from faust.sensors.base import Sensor
from faust.streams import current_event
from faust.transport.consumer import Consumer, TransactionManager
from faust.transport.drivers.aiokafka import Producer
from faust.transport.producer import ProducerBuffer
from mode.utils.futures import notify

from streams.faust_fixes import producer_flush, skipped_offsets

log = logging.getLogger("akhbar.faust_fixes")

IDLE_TIMEOUT_S = 30.0  # how long a commit waits for the events in processing to be acked

# the transactional id a buffered record is sent in, while the producer buffer's task hands it over
_buffered_tid: ContextVar[Optional[str]] = ContextVar("akhbar_buffered_tid", default=None)


def transactional_id(app, topic: str, partition: int) -> str:
    """The id of the transaction that the records produced from `topic`[`partition`] ride in (Faust's format)."""
    return f"{app.conf.id}-{app.assignor.group_for_topic(topic)}-{partition}"


def _event_tid(app) -> Optional[str]:
    tid = _buffered_tid.get()
    if tid is not None:
        return tid
    event = current_event()
    if event is None:
        return None
    return transactional_id(app, event.message.topic, event.message.partition)


class Gate(Sensor):
    """Between a commit and the events: a commit closes it, new events wait at it, and the commit goes on once
    every event already past it has been acked (Faust acks an event when its stream takes the next one)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.open = asyncio.Event()
        self.open.set()
        self.idle = asyncio.Event()
        self.idle.set()
        self.inside: set[int] = set()  # id() of the events past the gate, not yet acked
        self.held = False  # closed from a revocation until the assignment that follows it
        self.holding = asyncio.Event()  # set while held: wakes the events waiting at the gate, to be skipped
        self.unprocessed: weakref.WeakSet = weakref.WeakSet()  # messages skipped here: their acks do not count
        self.sealed = False  # the revocation's commit is done: no ack counts until the assignment
        self.passed: weakref.WeakSet = weakref.WeakSet()  # messages let through: processed once acked

    def hold(self) -> None:
        self.held = True
        self.open.clear()
        self.holding.set()

    def release(self) -> None:
        self.held = self.sealed = False
        self.holding.clear()
        self.open.set()

    def reopen(self) -> None:
        """The end of a commit: open again, unless a rebalance holds the gate closed."""
        if not self.held:
            self.open.set()

    async def enter(self, app, value):
        """The stream processor: wait while a commit runs. An event that meets a rebalance here (the gate held),
        or whose partition was revoked while it waited, is skipped unprocessed: it is read again from the
        committed offset, by this worker or the partition's new owner."""
        event = current_event()
        if event is None:
            return value
        if not self.open.is_set():
            while not self.open.is_set() and not self.held:  # the next commit may close it again meanwhile
                await self._open_or_held()
            message = event.message
            if self.held or message.tp not in app.consumer.assignment() or \
                    message.generation_id != app.consumer_generation_id:
                self.unprocessed.add(message)
                raise Skip()
        self.passed.add(event.message)
        self.inside.add(id(event))
        self.idle.clear()
        return value

    async def _open_or_held(self) -> None:
        waits = [asyncio.ensure_future(self.open.wait()), asyncio.ensure_future(self.holding.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    def on_stream_event_out(self, tp, offset, stream, event, state=None) -> None:
        self.inside.discard(id(event))
        if not self.inside:
            self.idle.set()


def _gate(app) -> Gate:
    gate = app.__dict__.get("akhbar_gate")
    if gate is None:
        gate = app.__dict__["akhbar_gate"] = Gate()
        app.sensors.add(gate)
    return gate


def exactly_once(app) -> bool:
    guarantee = app.conf.processing_guarantee
    return getattr(guarantee, "value", guarantee) == "exactly_once"


def install(app) -> None:
    """Give `app` its gate (before any event flows, so its sensor sees every rebalance) when it runs
    exactly-once; nothing otherwise."""
    if exactly_once(app):
        _gate(app)


_upstream_send = TransactionManager.send


async def _send_in_source_transaction(self: TransactionManager, topic, key, value, partition, timestamp, headers,
                                      *, transactional_id: Optional[str] = None):
    tid = _event_tid(self.app)
    if tid is None:
        raise ProducerSendError(f"exactly_once: a record for {topic} was sent outside of any event's processing, "
                                f"so it belongs to no source partition's transaction")
    p = self.consumer.key_partition(topic, key, partition)
    fut = await self.producer.send(topic, key, value, p, timestamp, headers, transactional_id=tid)
    tally = _deliveries.setdefault(tid, [0, 0, 0])
    tally[0] += 1
    fut.add_done_callback(lambda f: _delivered(f, tid, topic, p))
    return fut


_deliveries: dict[str, list[int]] = {}  # tid -> [sent, delivered, failed] since its last commit (for the record)
_last_commit: dict[str, float] = {}  # tid -> monotonic time of its last commit


def _delivered(fut, tid: str, topic: str, partition: int) -> None:
    """aiokafka commits a transaction after a record of it failed for good (a non-retriable error): the record is
    not in Kafka while its offsets are. Say so."""
    tally = _deliveries.setdefault(tid, [0, 0, 0])
    if not fut.cancelled() and fut.exception() is not None:
        tally[2] += 1
        log.error("exactly_once: a record to %s[%d] in transaction %s failed: %r", topic, partition, tid,
                  fut.exception())
    else:
        tally[1] += 1


async def _send_and_wait_in_source_transaction(self: TransactionManager, topic, key, value, partition, timestamp,
                                               headers, *, transactional_id: Optional[str] = None):
    fut = await _send_in_source_transaction(self, topic, key, value, partition, timestamp, headers)
    return await fut


async def _commit_each_transaction_at_once(self: TransactionManager, offsets,
                                          start_new_transaction: bool = True) -> bool:
    """Faust's commit, with the source partitions' transactions committed concurrently rather than one after the
    other (each is a few broker round trips; one after the other they held the gate for seconds)."""
    by_tid: dict[str, dict] = {}
    for tp, offset in offsets.items():
        by_tid.setdefault(transactional_id(self.app, tp.topic, tp.partition), {})[tp] = offset
    async def commit(tid: str, tps: dict) -> None:
        producer = self.producer._transaction_producers.get(tid)
        if producer is not None and not producer._txn_manager.is_in_transaction():
            await self.producer.begin_transaction(tid)  # ended by the last commit (on a rebalance or a stop)
        t0 = monotonic()
        try:
            await self.producer.commit_transactions({tid: tps}, self.app.conf.id,
                                                    start_new_transaction=start_new_transaction)
        except BaseException as exc:
            log.warning("exactly_once: the commit of %s raised %r after %.1f s", tid, exc, monotonic() - t0)
            raise
        if monotonic() - t0 > 2.0:
            log.info("exactly_once: the commit of %s took %.1f s", tid, monotonic() - t0)
        _deliveries.pop(tid, None)
        _last_commit[tid] = monotonic()

    try:
        await asyncio.gather(*(commit(tid, tps) for tid, tps in by_tid.items()))
    except ProducerFenced as exc:  # a new owner of one of these partitions took over: this worker is a zombie
        log.warning("exactly_once: fenced (%s); stopping", exc)
        await self.app.crash(exc)
        return False
    thread = getattr(self.consumer, "_thread", None)  # what the livelock detector reads ("has not committed")
    if thread is not None:
        now = monotonic()
        thread.tp_last_committed_at.update({tp: now for tp in offsets})
    return True


_upstream_force_commit = Consumer.force_commit


async def _force_commit_between_events(self: Consumer, topics=None, start_new_transaction: bool = True) -> bool:
    if not self.in_transaction:
        return await _upstream_force_commit(self, topics, start_new_transaction=start_new_transaction)
    gate = _gate(self.app)
    gate.open.clear()
    try:
        return await _commit_what_is_processed(self, topics, start_new_transaction)
    except StillProcessing as exc:
        log.warning("exactly_once: %s; not committing this time", exc)
        return False
    finally:
        gate.reopen()


class StillProcessing(Exception):
    """Events past the gate were not acked within IDLE_TIMEOUT_S: nothing can be committed now."""


async def _commit_what_is_processed(self: Consumer, topics, start_new_transaction: bool,
                                    before_revoking: bool = False) -> bool:
    """With the gate closed: wait for the events past it to be acked (StillProcessing if they are not), then
    commit their offsets and output; False if there was nothing to commit."""
    gate = _gate(self.app)
    try:  # the events past the gate are acked: their offsets are Faust's acked offsets
        await asyncio.wait_for(gate.idle.wait(), timeout=IDLE_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise StillProcessing(f"{len(gate.inside)} event(s) still in processing after {IDLE_TIMEOUT_S:.0f} s")
    # their table writes are handed over to aiokafka, into their transactions; aiokafka's commit_transaction
    # then waits for every record in them to be delivered (Sender._do_txn_commit, flush_for_commit), so the
    # producer-wide flush Faust's commit does (each transactional producer in turn) only held the gate longer
    await self.app.producer.buffer.flush()
    if before_revoking:  # what a rebalance commits, for the record of a fault
        log.info("exactly_once: before revoking, committing through the last acked offsets %s; records "
                 "[sent, delivered, failed] per transaction since its last commit: %s",
                 {str(tp): max(acked) for tp, acked in self._acked.items() if acked},
                 {tid: (*n, f"last commit {monotonic() - _last_commit.get(tid, 0):.1f} s ago", _txn_state(self, tid))
                  for tid, n in sorted(_deliveries.items())})
    _acked_through_the_last_event(self)
    return await _upstream_force_commit(self, topics, start_new_transaction=start_new_transaction)


def _txn_state(consumer: Consumer, tid: str) -> str:
    producer = getattr(consumer.app.producer, "_transaction_producers", {}).get(tid)
    return producer._txn_manager.state.name if producer is not None else "no producer"


_upstream_revoked = Consumer.on_partitions_revoked
_upstream_assigned = Consumer.on_partitions_assigned


async def _commit_before_revoking(self: Consumer, revoked) -> None:
    """A rebalance revokes every partition (the eager protocol) and Faust then forgets the acks of every event
    processed since the last commit, while their output and table writes wait in open transactions (the kept
    partitions' producers go on with them). The worker then read those events again from the committed offsets
    into the same transactions (their output twice: 2-111 duplicates per SIGKILL run, none since), and replayed
    the committed changelog over tables that held newer values. Kafka Streams
    commits its tasks when their partitions are revoked; so does this: the gate is closed (and stays closed
    until the assignment), the events in processing are waited for, and every partition's offsets and output are
    committed and its transaction ended before Faust forgets anything. A worker that cannot commit then (events
    still in processing after IDLE_TIMEOUT_S) crashes rather than go on with state its offsets do not match."""
    if self.in_transaction and self.assignment() and not self.app.should_stop:
        gate = _gate(self.app)
        gate.hold()
        while self._commit_fut is not None:  # a timer commit under way ends first (Faust's Consumer.commit)
            await self.maybe_wait_for_commit_to_finish()
        self._commit_fut = asyncio.Future()  # and none starts until this one has ended
        try:
            await _commit_what_is_processed(self, None, start_new_transaction=False, before_revoking=True)
            gate.sealed = True
        except StillProcessing as exc:
            await self.app.crash(RuntimeError(f"exactly_once: cannot commit before the partitions are revoked: {exc}"))
            return
        finally:
            fut, self._commit_fut = self._commit_fut, None
            notify(fut)
    await _upstream_revoked(self, revoked)


async def _release_after_assigning(self: Consumer, assigned, generation_id: int = 0) -> None:
    try:
        await _upstream_assigned(self, assigned, generation_id)
    finally:  # events that waited at the gate are of the old generation: the gate skips them
        if self.in_transaction:
            _gate(self.app).release()


_upstream_ack = Consumer.ack


def _ack_of_this_generation(self: Consumer, message) -> bool:
    """Under exactly_once, an event skipped unprocessed is not counted as acked: it is read again from the
    committed offset, and its offset would let the next commit pass events not yet processed. Skipped are the
    events of an earlier generation, those the gate turns back, and every event acked between the revocation's
    commit and the assignment: no event is processed then (the gate is held), but Faust's streams skip and ack
    the events they take once its flow control is suspended, and its revocation handler then committed their
    offsets; and only an event let through the gate counts. It stops being waited for, as an ack does."""
    gate = _gate(self.app) if self.in_transaction else None
    if gate is not None and (gate.sealed or message.generation_id != self.app.consumer_generation_id
                             or message in gate.unprocessed or message not in gate.passed):
        if not message.acked:
            log.info("exactly_once: %s@%d acked unprocessed; not counted (%s)", message.tp, message.offset,
                     "sealed" if gate.sealed else "generation" if message.generation_id !=
                     self.app.consumer_generation_id else "turned back" if message in gate.unprocessed
                     else "never let through")
            message.acked = True
            self._unacked_messages.discard(message)
            notify(self._waiting_for_ack)  # Consumer.wait_empty waits for it
        return False
    return _upstream_ack(self, message)


def _acked_through_the_last_event(consumer: Consumer) -> None:
    """With no event in processing, every record a partition delivered up to its last acked one has been
    processed: what lies between acked offsets is transaction markers and aborted records, which never reach a
    stream. Faust's ack list passes such holes badly: its gap intervals include the record after the hole, so the
    ack list gets that offset twice and its run of consecutive offsets ends there; under exactly_once, with a
    marker after every transaction, each commit advanced one transaction at most, far behind the output the same
    transactions committed, and a crash then processed those events again (495 band replies twice in one SIGKILL
    run). Reduce the ack state to the last acked offset and one hole before it, so that the commit is that
    offset + 1."""
    delivered = skipped_offsets.seeks(consumer).delivered
    for tp, acked in consumer._acked.items():
        if not acked:
            continue
        committed = consumer._committed_offset.get(tp)
        low, high = min(acked), max(acked)
        start = low if committed is None else min(committed, low)
        since = delivered.pop(tp, [])
        done = set(acked)
        unacked = [o for o in since if start <= o < high and o not in done]
        if unacked:  # the premise fails: say so, for the record of a loss
            log.warning("exactly_once: %s: delivered offsets %s were never acked; committing through %d",
                        tp, unacked[:20], high)
        delivered[tp] = [o for o in since if o > high]
        acked[:] = [high]
        consumer._gap[tp] = IntervalTree([Interval(start, high)] if start < high else [])


_upstream_stream = Agent.stream


def _stream_through_the_gate(self: Agent, *args, **kwargs):
    stream = _upstream_stream(self, *args, **kwargs)
    if exactly_once(self.app):
        gate = _gate(self.app)
        app = self.app

        async def through_the_gate(value):
            return await gate.enter(app, value)

        stream.add_processor(through_the_gate)
    return stream


async def _stop_transaction_producer(self: Producer, transactional_id: str) -> None:
    producer = self._transaction_producers.pop(transactional_id, None)
    self._trn_locks.pop(transactional_id, None)
    if producer is None:
        return
    try:
        await asyncio.wait_for(producer.stop(), timeout=10.0)
    except Exception as exc:  # noqa: BLE001 - fenced or already gone: the new owner's producer took over
        log.info("stopping the producer of %s: %r", transactional_id, exc)


_upstream_maybe_begin = Producer.maybe_begin_transaction


async def _begin_unless_in_one(self: Producer, transactional_id: str) -> None:
    """Begin a transaction for `transactional_id` unless its producer is in one already (a partition this worker
    keeps through a rebalance: upstream logged an invalid state transition for each)."""
    producer = self._transaction_producers.get(transactional_id)
    if producer is not None and producer._txn_manager.is_in_transaction():
        return
    await _upstream_maybe_begin(self, transactional_id)


def _put_tagged(self: ProducerBuffer, fut) -> None:
    event = current_event()
    if event is not None:
        fut.akhbar_tid = transactional_id(self.app, event.message.topic, event.message.partition)
    producer_flush.put_counted(self, fut)


async def _send_pending_in_its_transaction(self: ProducerBuffer, fut) -> None:
    token = _buffered_tid.set(getattr(fut, "akhbar_tid", None))
    try:
        await producer_flush.send_counted(self, fut)
    finally:
        _buffered_tid.reset(token)


def apply() -> None:
    ProducerBuffer.put = _put_tagged  # around producer_flush's counting
    ProducerBuffer._send_pending = _send_pending_in_its_transaction
    TransactionManager.send = _send_in_source_transaction
    TransactionManager.send_and_wait = _send_and_wait_in_source_transaction
    TransactionManager.commit = _commit_each_transaction_at_once
    Consumer.force_commit = _force_commit_between_events
    Consumer.on_partitions_revoked = _commit_before_revoking
    Consumer.on_partitions_assigned = _release_after_assigning
    Consumer.ack = _ack_of_this_generation
    Agent.stream = _stream_through_the_gate
    Producer.stop_transaction = _stop_transaction_producer
    Producer.maybe_begin_transaction = _begin_unless_in_one
