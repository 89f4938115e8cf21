"""`akhbar alerts deliver` against a real local HTTP server, on the real broker."""
from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import orjson
import pytest

from streams.topics import ALERTS, ALERTS_DLQ
from tests.integration.conftest import REPO
from tests.integration.kafka_io import read, send


class Hook(http.server.ThreadingHTTPServer):
    """Records every POST; answers 503 to the first `fail_first` requests of each alert id (or always)."""

    def __init__(self, fail_first=0, always_fail=False):
        self.fail_first, self.always_fail = fail_first, always_fail
        self.requests: list[tuple[str, dict, float]] = []  # (status, body, time)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def delivered(self):
        with self.lock:
            return [body for status, body, _ in self.requests if status == 200]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv = self.server
        with srv.lock:
            tries = sum(1 for _, b, _ in srv.requests if b["id"] == body["id"])
            status = 503 if srv.always_fail or tries < srv.fail_first else 200
            assert self.headers["Idempotency-Key"] == body["id"]
            srv.requests.append((status, body, time.monotonic()))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def alert(rule="r1", n=0):
    return {"id": uuid.uuid4().hex[:20], "rule_id": rule, "article_id": f"a{n}", "created_at": "2026-11-29T00:00:00Z",
            "severity": "high", "matched": {"entities": ["العراق"], "keywords": []}, "schema_version": "1.0"}


def send_alerts(pipeline, alerts):
    send(pipeline.settings, pipeline.topic(ALERTS), [(a["rule_id"].encode(), orjson.dumps(a), None) for a in alerts])


def deliverer(pipeline, url, *extra):
    log = open(pipeline.tmp / f"deliver-{uuid.uuid4().hex[:4]}.log", "wb")
    return subprocess.Popen([sys.executable, "-m", "streams.cli.main", "alerts", "deliver", "--webhook", url, *extra],
                            cwd=REPO, env=pipeline.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(cond, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.akhbar_env(AKHBAR_WEBHOOK_BACKOFF_S="0.2")
def test_retries_with_backoff_then_success(pipeline):
    hook = Hook(fail_first=2)
    alerts = [alert(n=i) for i in range(3)]
    send_alerts(pipeline, alerts)
    proc = subprocess.run([sys.executable, "-m", "streams.cli.main", "alerts", "deliver", "--webhook", hook.url,
                           "--exit-when-idle", "3"], cwd=REPO, env=pipeline.env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "delivered 3, dead-lettered 0" in proc.stdout
    assert sorted(a["id"] for a in hook.delivered()) == sorted(a["id"] for a in alerts)
    for a in alerts:
        times = [t for _, body, t in hook.requests if body["id"] == a["id"]]
        statuses = [s for s, body, _ in hook.requests if body["id"] == a["id"]]
        assert statuses == [503, 503, 200]
        gaps = [b - a_ for a_, b in zip(times, times[1:])]
        assert gaps[0] >= 0.18 and gaps[1] >= 0.38, gaps  # exponential: 0.2 s, then 0.4 s
    hook.shutdown()


@pytest.mark.akhbar_env(AKHBAR_WEBHOOK_BACKOFF_S="0.05", AKHBAR_WEBHOOK_RETRIES="2")
def test_failures_go_to_the_alerts_dlq(pipeline):
    hook = Hook(always_fail=True)
    a = alert()
    send_alerts(pipeline, [a])
    proc = subprocess.run([sys.executable, "-m", "streams.cli.main", "alerts", "deliver", "--webhook", hook.url,
                           "--exit-when-idle", "2"], cwd=REPO, env=pipeline.env, capture_output=True, text=True,
                          timeout=120)
    assert "delivered 0, dead-lettered 1" in proc.stdout, proc.stdout + proc.stderr
    assert len(hook.requests) == 3  # 1 try + 2 retries
    (dead,) = read(pipeline.settings, pipeline.topic(ALERTS_DLQ), count=1, timeout=20)
    assert dead["stage"] == "alerts.deliver" and "HTTP 503" in dead["error"] and "3 attempt" in dead["error"]
    assert json.loads(dead["payload"])["id"] == a["id"] and dead["key"] == "r1"
    hook.shutdown()


def test_restart_does_not_redeliver(pipeline):
    hook = Hook()
    first = [alert(n=i) for i in range(5)]
    send_alerts(pipeline, first)
    proc = deliverer(pipeline, hook.url)
    assert wait_for(lambda: len(hook.delivered()) == 5, 60), hook.requests
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(30) == 0
    second = [alert(n=i) for i in range(5, 8)]
    send_alerts(pipeline, second)
    send_alerts(pipeline, [first[0]])  # the same alert again (a replay): skipped by id
    proc = deliverer(pipeline, hook.url)
    try:
        assert wait_for(lambda: len(hook.delivered()) >= 8, 60), hook.requests
        time.sleep(3)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    ids = [a["id"] for a in hook.delivered()]
    assert sorted(ids) == sorted(a["id"] for a in first + second), ids  # each exactly once


def akhbar_alerts(pipeline, *args):
    return subprocess.run([sys.executable, "-m", "streams.cli.main", "alerts", *args], cwd=REPO, env=pipeline.env,
                          capture_output=True, text=True, timeout=120)


def test_an_alert_redelivered_within_a_run_is_posted_once(pipeline):
    hook = Hook()
    a, b = alert(n=1), alert(n=2)
    send_alerts(pipeline, [a, a, b, a])  # the producer or a replay wrote `a` again: same id
    proc = akhbar_alerts(pipeline, "deliver", "--webhook", hook.url, "--exit-when-idle", "2")
    assert proc.returncode == 0, proc.stderr
    assert "delivered 2, dead-lettered 0, skipped duplicates 2" in proc.stdout
    assert sorted(x["id"] for x in hook.delivered()) == sorted([a["id"], b["id"]])
    hook.shutdown()


@pytest.mark.akhbar_env(AKHBAR_WEBHOOK_BACKOFF_S="0.05", AKHBAR_WEBHOOK_RETRIES="1")
def test_dead_lettered_alerts_are_replayed_once_the_webhook_works(pipeline):
    hook = Hook(always_fail=True)
    alerts = [alert(n=i) for i in range(2)]
    send_alerts(pipeline, alerts)
    proc = akhbar_alerts(pipeline, "deliver", "--webhook", hook.url, "--exit-when-idle", "2")
    assert "delivered 0, dead-lettered 2" in proc.stdout, proc.stdout + proc.stderr
    letters = read(pipeline.settings, pipeline.topic(ALERTS_DLQ), count=2, timeout=20)
    assert {x["target"] for x in letters} == {hook.url}
    # the same letter twice (a deliverer that crashed before its commit), another webhook's failure, junk
    first = {k: v for k, v in letters[0].items() if not k.startswith("_")}
    other = {**first, "target": "http://127.0.0.1:9/elsewhere", "payload": orjson.dumps(alert(n=9)).decode()}
    send(pipeline.settings, pipeline.topic(ALERTS_DLQ), [(b"r1", orjson.dumps(r), None) for r in (first, other)] +
         [(b"r1", b"not a dead letter", None)])

    # still failing: the replay stops at the first alert, commits nothing, exits non-zero
    proc = akhbar_alerts(pipeline, "replay", "--webhook", hook.url)
    assert proc.returncode == 1 and "stopped at" in proc.stderr and "HTTP 503" in proc.stderr, proc.stderr
    assert hook.delivered() == []

    proc = akhbar_alerts(pipeline, "replay", "--webhook", hook.url, "--dry-run")
    assert proc.returncode == 0 and "would replay 2, skipped 2, skipped duplicates 1" in proc.stdout, proc.stdout
    assert hook.delivered() == []

    hook.always_fail = False  # fixed
    proc = akhbar_alerts(pipeline, "replay", "--webhook", hook.url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "replayed 2, skipped 2, skipped duplicates 1" in proc.stdout
    delivered = [x["id"] for x in hook.delivered()]
    assert sorted(delivered) == sorted(a["id"] for a in alerts)  # each once, none of the other webhook's
    assert json.loads(letters[0]["payload"]) in hook.delivered()  # the alert as it was, byte for byte

    proc = akhbar_alerts(pipeline, "replay", "--webhook", hook.url)  # committed: nothing left to replay
    assert proc.returncode == 0 and "replayed 0, skipped 0" in proc.stdout, proc.stdout + proc.stderr
    assert len(hook.delivered()) == 2
    hook.shutdown()
