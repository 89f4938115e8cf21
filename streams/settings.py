"""Every setting akhbar reads, from environment variables, in one place.

`Settings.from_env()` is the only reader of `os.environ` for configuration; the README's configuration
table is generated from `FIELDS` (see `akhbar config`), so the docs cannot drift from the code.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# exactly_once (the default): each source partition's outputs, table writes and offsets in one Kafka transaction
# (streams/faust_fixes/transactions.py mends Faust's routing; deploy/README.md has what it was measured to hold).
# at_least_once: redeliveries after a fault, deduplicated by article id downstream
GUARANTEES = ("at_least_once", "exactly_once")
# the commit interval when none is set, as Kafka Streams' commit.interval.ms: under exactly_once output is visible
# downstream (read_committed) only once its transaction commits, so every hop of the pipeline waits for a commit
COMMIT_INTERVALS = {"at_least_once": 1.0, "exactly_once": 0.1}
# the worker's event loop: uvloop (libuv's, in C) or the standard library's (streams/cli/worker.py)
EVENT_LOOPS = ("uvloop", "asyncio")


@dataclass(frozen=True, slots=True)
class Settings:
    broker: str = "kafka://127.0.0.1:19092"
    app_id: str = "akhbar"
    topic_prefix: str = ""
    partitions: int = 6
    replication_factor: int = 1
    web_bind: str = "127.0.0.1"
    web_port: int = 6066
    processing_guarantee: str = "exactly_once"
    max_message_bytes: int = 1_048_576
    dlq_topic: str = "articles.dlq"
    session_timeout_s: float = 10.0
    heartbeat_interval_s: float = 1.0
    rebalance_timeout_s: float = 20.0
    commit_interval_s: float = 0.0  # 0: the guarantee's own (COMMIT_INTERVALS)
    idle_commit_ms: float = 2.0
    event_loop: str = "uvloop"
    log_level: str = "info"
    datadir: str = ".akhbar-data"
    broker_down_timeout_s: float = 120.0
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = ""
    sasl_username: str = ""
    sasl_password: str = ""
    ssl_cafile: str = ""
    alerts_bucket_s: float = 60.0
    alerts_history_s: float = 86400.0
    feed_history: int = 200
    webhook_retries: int = 5
    webhook_backoff_s: float = 0.5
    webhook_timeout_s: float = 10.0
    story_horizon_h: float = 72.0

    def __post_init__(self) -> None:
        if self.commit_interval_s <= 0 and self.processing_guarantee in COMMIT_INTERVALS:
            object.__setattr__(self, "commit_interval_s", COMMIT_INTERVALS[self.processing_guarantee])

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = env_name(f.name)
            if name in env and env[name] != "":
                values[f.name] = _parse(f.name, f.type, env[name])
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if self.processing_guarantee not in GUARANTEES:
            raise ValueError(f"{env_name('processing_guarantee')} must be one of {', '.join(GUARANTEES)}, "
                             f"not {self.processing_guarantee!r}")
        if self.event_loop not in EVENT_LOOPS:
            raise ValueError(f"{env_name('event_loop')} must be one of {', '.join(EVENT_LOOPS)}, "
                             f"not {self.event_loop!r}")
        if self.partitions < 1:
            raise ValueError(f"{env_name('partitions')} must be >= 1")
        if self.alerts_bucket_s <= 0 or self.alerts_history_s < self.alerts_bucket_s:
            raise ValueError(f"{env_name('alerts_bucket_s')} must be > 0 and <= {env_name('alerts_history_s')}")
        if self.webhook_retries < 0 or self.webhook_backoff_s < 0 or self.webhook_timeout_s <= 0:
            raise ValueError(f"{env_name('webhook_retries')} and {env_name('webhook_backoff_s')} must be >= 0, "
                             f"{env_name('webhook_timeout_s')} > 0")
        if self.max_message_bytes < 1024:
            raise ValueError(f"{env_name('max_message_bytes')} must be >= 1024")
        if self.idle_commit_ms < 0:
            raise ValueError(f"{env_name('idle_commit_ms')} must be >= 0")
        if self.story_horizon_h <= 0:
            raise ValueError(f"{env_name('story_horizon_h')} must be > 0")

    @property
    def bootstrap_servers(self) -> str:
        """host:port[,host:port] for aiokafka, from the faust-style URL list."""
        return ",".join(part.split("://", 1)[-1] for part in self.broker.split(";") if part)

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def kafka_security(self) -> dict:
        """aiokafka keyword arguments for a secured cluster (nothing for PLAINTEXT)."""
        if self.security_protocol == "PLAINTEXT":
            return {}
        import ssl

        kwargs: dict = {"security_protocol": self.security_protocol}
        if "SSL" in self.security_protocol:
            kwargs["ssl_context"] = ssl.create_default_context(cafile=self.ssl_cafile or None)
        if self.sasl_mechanism:
            kwargs.update(sasl_mechanism=self.sasl_mechanism, sasl_plain_username=self.sasl_username,
                          sasl_plain_password=self.sasl_password)
        return kwargs


DESCRIPTIONS = {
    "broker": "Kafka bootstrap servers, faust URL form (`kafka://host:port`, `;`-separated for several)",
    "app_id": "Faust application id: the consumer group and the prefix of internal topics",
    "topic_prefix": "prefix for every akhbar topic name (isolates tests and tenants on one cluster)",
    "partitions": "partitions of the pipeline topics when akhbar creates them (bounds parallelism)",
    "replication_factor": "replication factor of topics akhbar creates",
    "web_bind": "address the worker's web server binds",
    "web_port": "port of the worker's web server (give each worker on one host its own)",
    "processing_guarantee": "`exactly_once` (each source partition's outputs, table writes and offsets in one "
                            "Kafka transaction; readers read_committed) or `at_least_once` (redeliveries after a "
                            "fault); see deploy/README.md for what each holds",
    "max_message_bytes": "largest raw article accepted; larger messages go to the dead-letter topic",
    "dlq_topic": "dead-letter topic name (before the prefix)",
    "session_timeout_s": "consumer session timeout, seconds",
    "heartbeat_interval_s": "consumer heartbeat interval, seconds",
    "rebalance_timeout_s": "consumer rebalance timeout, seconds",
    "commit_interval_s": "how often offsets (under exactly_once, transactions) are committed: the most work redone "
                         "after a crash, and under exactly_once the longest wait of each hop for its commit (a busy "
                         "worker's; see idle_commit_ms); 0: 0.1 under exactly_once, 1.0 under at_least_once",
    "idle_commit_ms": "under exactly_once, also commit as soon as no event has been in processing for this long, "
                      "so that at low load a hop waits for one commit, not for the interval (0: on the interval "
                      "only; streams/idle_commit.py)",
    "event_loop": "the worker's asyncio event loop: `uvloop` (less CPU per article; docs/benchmarks/pipeline-notes.md) "
                  "or `asyncio` (the standard library's)",
    "log_level": "worker log level",
    "datadir": "worker data directory (table stores)",
    "broker_down_timeout_s": "exit non-zero when no broker answers for this long (lets the orchestrator restart the worker)",
    "security_protocol": "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
    "sasl_mechanism": "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
    "sasl_username": "SASL user name",
    "sasl_password": "SASL password (from a secret; never in the repo)",
    "ssl_cafile": "CA bundle to verify the brokers' certificates",
    "alerts_bucket_s": "time bucket of the spike rules' windowed table, seconds (rule windows are whole buckets)",
    "alerts_history_s": "how long spike-rule buckets are kept (window plus baseline windows must fit), seconds",
    "feed_history": "recent articles and alerts each feed page starts with (kept in memory per worker)",
    "webhook_retries": "`akhbar alerts deliver` and `replay`: retries after a failed POST (deliver then sends the "
                       "alert to the alerts DLQ)",
    "webhook_backoff_s": "`akhbar alerts deliver` and `replay`: first retry delay, doubled on each retry, seconds",
    "webhook_timeout_s": "`akhbar alerts deliver` and `replay`: timeout of one POST, seconds",
    "story_horizon_h": "hours a story stays open: later near-duplicates start a new story, and its state expires",
}


def env_name(field_name: str) -> str:
    return "AKHBAR_" + field_name.upper()


def _parse(name: str, type_name, raw: str):
    type_name = type_name if isinstance(type_name, str) else type_name.__name__
    try:
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
    except ValueError:
        raise ValueError(f"{env_name(name)}={raw!r} is not a valid {type_name}") from None
    return raw


def config_table() -> str:
    """The README's configuration table, rendered from the dataclass."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for f in fields(Settings):
        default = f.default if f.default != "" else "(empty)"
        rows.append(f"| `{env_name(f.name)}` | `{default}` | {DESCRIPTIONS[f.name]} |")
    return "\n".join(rows)
