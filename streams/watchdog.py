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


class ClusterProbe:
    """Asks the cluster how many brokers it has, over one client kept between probes.

    Each probe is one metadata request that names no topic (an empty list, Metadata v1+), so its answer is the
    broker list alone. A new admin client per probe, asking `describe_cluster()`, cost a bootstrap and the
    metadata of *every* topic of the cluster, twice, every PROBE_INTERVAL_S: with a few thousand partitions
    on the cluster, decoding those answers took 12-20% of a worker's event loop (py-spy, issue 14). After a
    failed probe the client is closed and the next probe connects anew."""

    def __init__(self, bootstrap: str, timeout: float = 5.0, **security):
        self.bootstrap, self.timeout, self.security = bootstrap, timeout, security
        self._client = None

    async def brokers(self) -> int:
        from aiokafka.client import AIOKafkaClient
        from aiokafka.protocol.metadata import MetadataRequest

        try:
            if self._client is None:
                client = AIOKafkaClient(bootstrap_servers=self.bootstrap,
                                        request_timeout_ms=int(self.timeout * 1000), **self.security)
                self._client = client
                await asyncio.wait_for(client.bootstrap(), self.timeout)
            node = self._client.get_random_node()
            if node is None:
                return 0
            answer = await asyncio.wait_for(self._client.send(node, MetadataRequest([])), self.timeout)
            return len(answer.brokers)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()


async def cluster_size(bootstrap: str, timeout: float = 5.0, **security) -> int:
    """A real metadata round trip: the number of brokers that answer (one probe, on a client of its own)."""
    probe = ClusterProbe(bootstrap, timeout, **security)
    try:
        return await probe.brokers()
    finally:
        await probe.close()


class BrokerWatchdog:
    def __init__(self, settings, clock=time.monotonic):
        self.settings = settings
        self.clock = clock
        self.down_since: float | None = None
        self.cluster = ClusterProbe(settings.bootstrap_servers, **settings.kafka_security())

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
            return await self.cluster.brokers() > 0
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
