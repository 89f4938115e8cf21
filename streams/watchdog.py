"""Broker watchdog: a worker that has lost every broker for too long exits non-zero, so that its
orchestrator restarts it, instead of hanging. Short broker restarts are ridden out by the clients."""
from __future__ import annotations

import asyncio
import logging
import os
import time

log = logging.getLogger("akhbar.watchdog")

EXIT_BROKER_DOWN = 69  # EX_UNAVAILABLE
PROBE_INTERVAL_S = 2.0


async def cluster_size(bootstrap: str, timeout: float = 5.0, **security) -> int:
    """A real metadata round trip: the number of brokers that answer."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000), **security)
    try:
        await asyncio.wait_for(admin.start(), timeout)
        cluster = await asyncio.wait_for(admin.describe_cluster(), timeout)
        return len(cluster["brokers"])
    finally:
        await admin.close()


class BrokerWatchdog:
    def __init__(self, settings, clock=time.monotonic):
        self.settings = settings
        self.clock = clock
        self.down_since: float | None = None

    def observe(self, ok: bool) -> float:
        """Record one probe; returns for how long the brokers have been unreachable (0 when up)."""
        if ok:
            if self.down_since is not None:
                log.warning("Kafka answers again after %.1fs", self.clock() - self.down_since)
            self.down_since = None
            return 0.0
        if self.down_since is None:
            self.down_since = self.clock()
        return self.clock() - self.down_since

    async def probe(self) -> bool:
        try:
            return await cluster_size(self.settings.bootstrap_servers, **self.settings.kafka_security()) > 0
        except Exception:
            return False

    async def tick(self) -> None:
        down_for = self.observe(await self.probe())
        if not down_for:
            return
        limit = self.settings.broker_down_timeout_s
        log.warning("no Kafka broker answers at %s for %.0fs (exit after %.0fs)",
                    self.settings.bootstrap_servers, down_for, limit)
        if down_for >= limit:
            log.critical("Kafka unreachable for %.0fs: exiting with status %d so the worker is restarted",
                         down_for, EXIT_BROKER_DOWN)
            logging.shutdown()
            os._exit(EXIT_BROKER_DOWN)  # a clean shutdown would block on the missing broker


def register_watchdog(app, settings) -> BrokerWatchdog:
    watchdog = BrokerWatchdog(settings)

    @app.timer(interval=PROBE_INTERVAL_S, name="akhbar.broker_watchdog")
    async def broker_watchdog():
        await watchdog.tick()

    return watchdog
