"""The Faust application: settings applied, topics declared, the selected agents registered."""
from __future__ import annotations

import importlib
import logging

import faust

from agents import ALL_AGENTS, OTHERS, PIPELINE
from agents.dlq import DeadLetters
from agents.stage import pipeline_agent
from streams import faust_fixes, idle_commit
from streams.settings import Settings
from streams.topics import CATALOGUE
from streams.feed import register_feed
from streams.watchdog import register_watchdog
from streams.web import register_health


class _CommitTimerOverlaps(logging.Filter):
    """Drops mode's "Timer commit is overlapping" (and its livelock timer's, which runs at 2.5x the commit
    interval). Under exactly_once Faust's commit timer ticks every 0.1 s and a commit waits for the events in
    processing, so under load nearly every commit outlasts the interval: one warning per commit buried the log.
    A slow or failed commit is logged by streams/faust_fixes/transactions.py itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == "Timer %s is overlapping (interval=%r runtime=%r)"
                    and record.args and record.args[0] in ("commit", "livelock"))


def quiet_commit_timer_overlaps() -> None:
    logger = logging.getLogger("mode.timers")
    if not any(isinstance(f, _CommitTimerOverlaps) for f in logger.filters):
        logger.addFilter(_CommitTimerOverlaps())


def faust_topic(app: faust.App, name: str):
    """A topic of raw bytes: akhbar decodes and validates itself, so bad payloads reach the DLQ, not a crash."""
    return app.topic(name, key_serializer="raw", value_serializer="raw", allow_empty=True)


def create_app(settings: Settings, agent_names: list[str] | None = None) -> faust.App:
    agent_names = list(ALL_AGENTS) if agent_names is None else agent_names
    unknown = [n for n in agent_names if n not in ALL_AGENTS]
    if unknown:
        raise ValueError(f"unknown agent(s) {', '.join(unknown)}; choose from {', '.join(ALL_AGENTS)}")
    faust_fixes.apply(settings.topic(t.name) for t in CATALOGUE if t.cleanup_policy == "delete")
    quiet_commit_timer_overlaps()
    credentials = None
    if settings.security_protocol != "PLAINTEXT":
        credentials = _credentials(settings)
    app = faust.App(
        settings.app_id,
        broker=settings.broker,
        broker_credentials=credentials,
        autodiscover=False,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        processing_guarantee=settings.processing_guarantee,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        broker_rebalance_timeout=settings.rebalance_timeout_s,
        broker_commit_interval=settings.commit_interval_s,
        producer_max_request_size=4 * settings.max_message_bytes + 65536,
        consumer_max_fetch_size=4 * settings.max_message_bytes + 65536,
        web_bind=settings.web_bind,
        web_port=settings.web_port,
        web_host=settings.web_bind,
        datadir=settings.datadir,
        store="memory://",
        # no standbys: with memory:// a standby buys nothing. The store drops every key outside its active
        # partitions after each recovery (faust/stores/memory.py on_recovery_completed), and a promoted standby
        # recovers its changelog from the start anyway (persisted_offset is None; faust/tables/recovery.py
        # _add). Standbys only made each worker read its peers' changelogs too.
        table_standby_replicas=0,
    )
    faust_fixes.transactions.install(app)  # exactly_once: the gate between commits and events
    idle_commit.install(app, settings.idle_commit_ms)  # exactly_once: and a commit as soon as the worker is idle
    register_health(app)
    register_watchdog(app, settings)
    register_feed(app, settings)  # the newsroom feed, SSE and /metrics (streams/feed)
    dlq = DeadLetters(faust_topic(app, settings.topic(settings.dlq_topic)))
    for name in agent_names:
        if name in OTHERS:
            importlib.import_module(OTHERS[name]).register(app, settings, dlq)
            continue
        module_name, source, sink = PIPELINE[name]
        step = importlib.import_module(module_name).make_step(settings, app)
        pipeline_agent(app, name, faust_topic(app, settings.topic(source)), faust_topic(app, settings.topic(sink)),
                       dlq, step)
    return app


def internal_topics(app: faust.App) -> list[tuple[str, int, dict[str, str]]]:
    """(name, partitions, config) of the topics Faust would create for `app` while starting: each table's
    changelog (with the cleanup policy and retention Faust gives it) and the leader-election topic. The
    worker creates them first (streams.topics.create_topics says why)."""
    from mode.utils.times import want_seconds

    out = [(f"{app.conf.id}-__assignor-__leader", 1, {})]
    for table in app.tables.values():
        topic = table.changelog_topic
        config: dict[str, str] = {}
        policy = ",".join(p for p, on in (("compact", topic.compacting), ("delete", topic.deleting)) if on)
        if policy:
            config["cleanup.policy"] = policy
        if topic.retention:
            config["retention.ms"] = str(int(want_seconds(topic.retention) * 1000))
        config.update({k: str(v) for k, v in (topic.config or {}).items()})
        out.append((topic.get_topic_name(), topic.partitions or app.conf.topic_partitions, config))
    return out


def _credentials(settings: Settings):
    import ssl

    context = ssl.create_default_context(cafile=settings.ssl_cafile or None)
    if settings.security_protocol == "SSL":
        return faust.SSLCredentials(context)
    return faust.SASLCredentials(username=settings.sasl_username, password=settings.sasl_password,
                                 mechanism=settings.sasl_mechanism or "PLAIN", ssl_context=context
                                 if settings.security_protocol == "SASL_SSL" else None)
