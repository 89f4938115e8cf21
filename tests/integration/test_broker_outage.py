"""The broker goes away: a short restart is ridden out with nothing lost; a long outage makes the worker exit
non-zero (so that its orchestrator restarts it) instead of hanging. Each test runs its own private broker."""
from __future__ import annotations

import time

from streams.topics import ENRICHED, RAW
from streams.watchdog import EXIT_BROKER_DOWN
from tests.integration.kafka_io import articles, lost_report, outcome, read, send


def test_broker_restart_mid_stream_is_ridden_out_and_loses_nothing(own_pipeline):
    p = own_pipeline
    worker = p.start_worker()
    s = p.settings
    ids, messages = articles(1000, "restart")
    send(s, s.topic(RAW), messages)
    read(s, s.topic(ENRICHED), count=100, timeout=120)
    p.broker.down()
    time.sleep(5)
    p.broker.up()
    records = read(s, s.topic(ENRICHED), ids=set(ids), timeout=240, settle=2.0)
    missing, duplicates = outcome("broker-restart", ids, records, p.workers)
    assert not missing, lost_report(p, missing)
    assert not duplicates, f"{duplicates} duplicate(s) in articles.enriched (read_committed)"
    assert worker.poll() is None, p.log(worker)[-3000:]
    assert "Kafka answers again" in p.log(worker)


def test_worker_exits_nonzero_when_every_broker_is_gone_too_long(own_pipeline):
    p = own_pipeline
    p.env["AKHBAR_BROKER_DOWN_TIMEOUT_S"] = "8"
    worker = p.start_worker()
    p.broker.down()
    t0 = time.monotonic()
    code = worker.wait(120)
    print(f"\nworker exited with {code} {time.monotonic() - t0:.1f}s after the broker stopped")
    assert code == EXIT_BROKER_DOWN
    assert "Kafka unreachable" in p.log(worker)
