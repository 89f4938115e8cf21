"""The topic catalogue (names, partitions, retention) and its creation on the cluster.

Faust creates only its own internal topics, and the broker runs with auto-creation off, so every
topic akhbar reads or writes is declared here and created by `akhbar topics create` (and by the
worker before it starts).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

from streams.settings import Settings

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    purpose: str
    retention_ms: int
    max_message_bytes: int = 2_097_152
    cleanup_policy: str = "delete"
    partitions: int | None = None  # None: the configured pipeline partition count

    def config(self) -> dict[str, str]:
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy,
                "max.message.bytes": str(self.max_message_bytes)}


RAW = "articles.raw"
CLEAN = "articles.clean"
ENRICHED = "articles.enriched"
STORIES = "articles.stories"
ALERTS = "articles.alerts"
DLQ = "articles.dlq"
ALERT_RULES = "articles.alert-rules"
ALERT_CANDIDATES = "articles.alert-candidates"
ENTITY_MENTIONS = "articles.entity-mentions"
ALERTS_DLQ = "articles.alerts-dlq"

# Topics of earlier versions that no agent reads any more -> where their records go now (None: nowhere). A
# validated RawArticle is a valid raw message (validation keeps its id and ingested_at); an EnrichedArticle
# before its signature has no reader left. `akhbar dlq replay` sends a dead letter of a retired topic there.
RETIRED: dict[str, str | None] = {"articles.validated": RAW, "articles.entities": None}

CATALOGUE: tuple[TopicSpec, ...] = (
    TopicSpec(RAW, "raw articles from scrapers and wires (RawArticle JSON, or anything: it is validated)", 7 * DAY_MS),
    TopicSpec(CLEAN, "CleanArticle: display text, paragraphs, removed pieces (clean -> entities)", 3 * DAY_MS),
    # one partition: the whole story index in one place, the arrival order total (docs/stories.md)
    TopicSpec(STORIES, "EnrichedArticles without their story, signed (sketch, band keys), on their way to the "
              "story index (entities -> stories)",
              DAY_MS, partitions=1),
    TopicSpec(ENRICHED, "EnrichedArticle: the product, read by the feed, alerts and other consumers", 30 * DAY_MS),
    TopicSpec(ALERTS, "Alert records keyed by rule", 30 * DAY_MS),
    # alerting (agents/alerts.py): every worker reads all of the rules topic (a global table)
    TopicSpec(ALERT_RULES, "alert rules keyed by rule id (YAML-written, JSON-stored); a tombstone removes one",
              -1, cleanup_policy="compact"),
    TopicSpec(ALERT_CANDIDATES, "alerts before suppression, keyed by rule id (alerts.match/spike -> alerts.suppress)",
              1 * DAY_MS),
    TopicSpec(ENTITY_MENTIONS, "mentions of entities counted by spike rules, keyed by entity (-> alerts.spike)",
              1 * DAY_MS),
    TopicSpec(ALERTS_DLQ, "alerts the webhook deliverer gave up on after its retries, with the last error",
              30 * DAY_MS),
    # base64 of a 2 MiB raw message plus the envelope must fit
    TopicSpec(DLQ, "DeadLetter: bad input and stage failures, with the original payload, for replay",
              30 * DAY_MS, max_message_bytes=4_194_304),
)


def catalogue(settings: Settings) -> list[tuple[str, TopicSpec, int]]:
    """(full name, spec, partitions) for every topic, with the prefix and partition count applied."""
    out = []
    for spec in CATALOGUE:
        name = settings.dlq_topic if spec.name == DLQ else spec.name
        out.append((settings.topic(name), spec, spec.partitions or settings.partitions))
    return out


@contextlib.asynccontextmanager
async def admin_client(settings: Settings):
    """A started aiokafka admin client for the configured cluster, closed on exit."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, **settings.kafka_security())
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def create_topics(settings: Settings, extra: list[tuple[str, int, dict[str, str]]] = (),
                        timeout: float = 30.0) -> list[str]:
    """Create the catalogue's missing topics, and `extra` ones given as (full name, partitions, config), then
    wait until the cluster's metadata shows a leader for every partition of each; returns the names created.
    Existing topics are left as they are.

    `extra` is for Faust's own topics (table changelogs, the leader-election topic; streams.app.internal_topics).
    Faust creates them itself while the worker starts, milliseconds before its consumer subscribes, and a topic
    the broker's metadata does not show yet at that moment is left out of the partition assignment ("Ignoring
    missing topic") and counted with 0 partitions: every write to its table then fails with PartitionsMismatch
    (a dead letter per message) until the next metadata refresh, 5 minutes later. Created and visible before the
    worker starts, they are assigned like any other topic.
    """
    import asyncio
    import time

    from aiokafka.admin import NewTopic

    wanted = [(name, partitions, spec.config()) for name, spec, partitions in catalogue(settings)] + list(extra)
    async with admin_client(settings) as admin:
        existing = await partitions_of(admin, [name for name, _, _ in wanted])
        new = [NewTopic(name, partitions, settings.replication_factor, topic_configs=config)
               for name, partitions, config in wanted if name not in existing]
        if new:
            await admin.create_topics(new)
        waiting = {name: partitions for name, partitions, _ in wanted}
        deadline = time.monotonic() + timeout
        while waiting:
            for meta in await admin.describe_topics(sorted(waiting)):
                parts = meta.get("partitions") or []
                if meta.get("error_code", 0) == 0 and len(parts) >= waiting[meta["topic"]] and \
                        all(p.get("leader", -1) >= 0 for p in parts):
                    del waiting[meta["topic"]]
            if not waiting:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics without a leader after {timeout:.0f}s: {', '.join(sorted(waiting))}")
            await asyncio.sleep(0.2)
        return [t.name for t in new]


async def partitions_of(admin, names) -> dict[str, list[int]]:
    """Topic name -> its partition numbers, for those of `names` that exist on the cluster, from one metadata
    request that names just them. `admin.list_topics()` asks for the metadata of every topic of the cluster
    (thousands of partitions on a shared one) and `admin.describe_topics()` asks with topic auto-creation on,
    so that a broker with auto.create.topics.enable would create the missing ones."""
    from aiokafka.protocol.metadata import MetadataRequest

    if not names:
        return {}
    answer = await admin._send_request(MetadataRequest(sorted(names), allow_auto_topic_creation=False))
    return {meta["topic"]: sorted(p["partition"] for p in meta["partitions"])
            for meta in answer.to_object()["topics"] if meta["error_code"] == 0}


async def describe_topics(settings: Settings) -> dict[str, int | None]:
    """Full topic name -> partition count on the cluster (None when missing)."""
    async with admin_client(settings) as admin:
        names = [name for name, _, _ in catalogue(settings)]
        found = await partitions_of(admin, names)
        return {name: len(found[name]) if name in found else None for name in names}


async def partition_ids(settings: Settings, topic: str) -> list[int]:
    """The partition numbers of `topic` on the cluster ([] when it does not exist)."""
    async with admin_client(settings) as admin:
        return (await partitions_of(admin, [topic])).get(topic, [])
