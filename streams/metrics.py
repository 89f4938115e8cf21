"""Prometheus metrics of one worker (prometheus-client), served at /metrics by streams/feed.

Counters the agents bump directly, and gauges refreshed from the cluster by the feed's poller:
per-stage output counts (topic end offsets), DLQ counts, consumer lag per group, and stage latency
histograms observed from each enriched article's `processing.stages_ms`.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

ALERT_CANDIDATES = Counter("akhbar_alert_candidates_total", "rule matches before suppression", ["kind"],
                           registry=REGISTRY)
ALERTS_SENT = Counter("akhbar_alerts_total", "alerts written to articles.alerts", ["severity"], registry=REGISTRY)
ALERTS_SUPPRESSED = Counter("akhbar_alerts_suppressed_total", "alerts dropped inside a rule's suppression window",
                            registry=REGISTRY)
STAGE_PROCESSED = Counter("akhbar_stage_processed_total", "records this worker's pipeline stage processed, by "
                          "outcome (sent on, or to the DLQ)", ["stage", "outcome"], registry=REGISTRY)
STAGE_CPU = Counter("akhbar_stage_cpu_seconds_total", "CPU seconds this worker spent inside each pipeline stage's "
                    "own code (the rest of its CPU is Kafka, Faust, its tables' changelogs and the web server)",
                    ["stage"], registry=REGISTRY)
FEED_ARTICLES = Counter("akhbar_feed_articles_total", "enriched articles seen by this worker's feed",
                        registry=REGISTRY)
FEED_CLIENTS = Gauge("akhbar_feed_sse_clients", "open Server-Sent Events connections", ["stream"], registry=REGISTRY)
STAGE_MESSAGES = Gauge("akhbar_stage_messages", "records written by each stage so far (end offsets of its output "
                       "topic, summed over partitions)", ["stage", "topic"], registry=REGISTRY)
DLQ_MESSAGES = Gauge("akhbar_dlq_messages", "dead letters on the DLQ topic (end offsets summed)", registry=REGISTRY)
ALERTS_DLQ_MESSAGES = Gauge("akhbar_alerts_dlq_messages", "alerts the webhook deliverers gave up on (end offsets of "
                            "articles.alerts-dlq summed)", registry=REGISTRY)
DLQ_BY_STAGE = Counter("akhbar_dlq_seen_total", "dead letters seen by this worker since it started, by failing stage",
                       ["stage"], registry=REGISTRY)
CONSUMER_LAG = Gauge("akhbar_consumer_lag", "end offset minus committed offset, summed over partitions",
                     ["group", "topic"], registry=REGISTRY)
STAGE_LATENCY = Histogram("akhbar_stage_latency_seconds", "time spent in each stage per article (from the "
                          "article's processing.stages_ms)", ["stage"], registry=REGISTRY,
                          buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
END_TO_END = Histogram("akhbar_end_to_end_seconds", "ingested_at to arrival in this worker's feed",
                       registry=REGISTRY, buckets=(.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
