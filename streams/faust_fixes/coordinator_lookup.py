"""A transactional producer died when its connection dropped during a transaction-coordinator lookup.

aiokafka 0.14's ``Sender._find_coordinator`` retries a lookup that fails with ``CoordinatorNotAvailableError``,
``NodeNotReadyError`` or ``RequestTimedOutError``, and turns every other ``KafkaError`` into a plain ``KafkaError``.
A ``KafkaConnectionError`` (the connection closed under the request, as when the broker restarts) is retriable, but
raised there it ends the sender routine: ``Sender._fail_all`` fails every pending batch with "Unexpected error
during batch delivery" and puts the transaction manager in a fatal state, so that producer can never send again.
Seen under exactly_once in ``test_broker_restart_mid_stream_is_ridden_out_and_loses_nothing``: the lookup for an
``AddPartitionsToTxn`` met the broker going down, the record to ``articles.validated[5]`` failed and the worker
crashed (in about one run of twelve; the lookup has to be in flight as the connection closes).

The lookup is now retried, after aiokafka's retry backoff, when the error it raised was caused by a retriable one
(``KafkaError.retriable``); non-retriable errors (authorization, fencing) are raised as before. A broker that does
not come back is the watchdog's to report (streams/watchdog.py exits the worker).

Upstream: aiokafka/producer/sender.py ``Sender._find_coordinator`` (aiokafka 0.14.0). Drop this module once it
retries retriable errors (tests/regression/test_coordinator_lookup.py).
"""
from __future__ import annotations

import asyncio
import logging

from aiokafka.errors import KafkaError
from aiokafka.producer.sender import Sender

log = logging.getLogger(__name__)

_upstream_find_coordinator = Sender._find_coordinator


async def _find_coordinator_retrying(self: Sender, coordinator_type, coordinator_key):
    while True:
        try:
            return await _upstream_find_coordinator(self, coordinator_type, coordinator_key)
        except KafkaError as err:
            cause = err.__cause__
            if not (isinstance(cause, KafkaError) and cause.retriable):
                raise
            log.warning("transaction coordinator lookup for %s failed (%r); retrying", coordinator_key, cause)
            await asyncio.sleep(self._retry_backoff)


def apply() -> None:
    Sender._find_coordinator = _find_coordinator_retrying
