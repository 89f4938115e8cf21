"""The feed on a real worker's web server: /articles, /articles/{id}, SSE, /metrics, escaping."""
from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest

from streams.topics import ENRICHED
from tests.integration.alerting import add_rules, as_message, enriched
from tests.integration.kafka_io import send


def port_of(proc) -> int:
    return int(proc.args[proc.args.index("--web-port") + 1])


def get(port, path, timeout=10):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.status, dict(r.headers), r.read()


def sse_events(port, path, out: list, stop: threading.Event):
    """Collect (event, data) pairs from an SSE endpoint until `stop` is set."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
        event = None
        for raw in r:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                out.append((event, json.loads(line[6:])))
            if stop.is_set():
                return


def wait_for(cond, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_feed_pages_sse_and_metrics(pipeline, tmp_path):
    add_rules(pipeline, tmp_path, "id: iraq\nseverity: high\nmatch: {entity: العراق}\n")
    port = port_of(pipeline.start_worker(agents="alerts"))
    status, headers, body = get(port, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert b'dir="rtl"' in body
    articles, alerts, stop = [], [], threading.Event()
    for path, out in (("/stream", articles), ("/alerts/stream", alerts)):
        threading.Thread(target=sse_events, args=(port, path, out, stop), daemon=True).start()
    time.sleep(1.0)
    evil = enriched("<script>alert(1)</script>", "قال مسؤول في العراق <b>اليوم</b>", entities=["العراق"],
                    source="wire-x")
    t0 = time.monotonic()
    send(pipeline.settings, pipeline.topic(ENRICHED), [as_message(evil)])
    assert wait_for(lambda: any(d["id"] == evil["id"] for _, d in articles)), articles
    latency = time.monotonic() - t0
    assert latency < 3.0, latency
    assert wait_for(lambda: any(d["article_id"] == evil["id"] for _, d in alerts)), alerts
    stop.set()
    (event, data), = [(e, d) for e, d in articles if d["id"] == evil["id"]]
    assert event == "article" and data["title"] == "<script>alert(1)</script>"  # JSON text, the page escapes it
    status, headers, body = get(port, f"/articles/{evil['id']}")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["entities"][0]["canonical"] == "العراق"
    _, _, body = get(port, "/articles?entity=العراق&source=wire-x".replace("العراق", "%D8%A7%D9%84%D8%B9%D8%B1%D8%A7%D9%82"))
    assert [a["id"] for a in json.loads(body)] == [evil["id"]]
    with pytest.raises(urllib.error.HTTPError) as err:
        get(port, "/articles/no-such-id")
    assert err.value.code == 404
    time.sleep(6)  # one cluster poll of the metrics
    _, headers, body = get(port, "/metrics")
    text = body.decode()
    assert headers["Content-Type"].startswith("text/plain")
    for name in ("akhbar_stage_messages{", "akhbar_dlq_messages", "akhbar_consumer_lag{", "akhbar_alerts_total{",
                 "akhbar_stage_latency_seconds_bucket{", "akhbar_feed_articles_total"):
        assert name in text, name
    assert f'akhbar_stage_messages{{stage="entities",topic="{pipeline.topic(ENRICHED)}"}} 1.0' in text
    print(f"feed SSE latency (produce -> event): {latency * 1000:.0f} ms")
