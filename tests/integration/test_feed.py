"""The feed on a real worker's web server: /articles, /articles/{id}, SSE, /metrics, escaping."""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.request

import orjson
import pytest

from streams.topics import ALERTS, ALERTS_DLQ, ENRICHED, RAW
from tests.integration.alerting import add_rules, as_message, enriched
from tests.integration.kafka_io import read, send

BODY = ("سمحت السلطات العراقية بدخول المئات من الجنود السوريين الفارين من الجبهة إلى العراق عن طريق معبر القائم "
        "الحدودي، وقال مسؤول في بغداد إن عدد الجنود الذين دخلوا بلغ ألفين بين ضابط وجندي.")


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


def wait_live(port):
    """Until the worker's feed has read its history: what is produced from then on is new to it (counted in
    its histograms), not history."""
    assert wait_for(lambda: json.loads(get(port, "/feed/status")[2])["live"], 60)


def test_feed_pages_sse_and_metrics(pipeline, tmp_path):
    add_rules(pipeline, tmp_path, "id: iraq\nseverity: high\nmatch: {entity: العراق}\n")
    port = port_of(pipeline.start_worker(agents="alerts"))
    wait_live(port)
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
    send(pipeline.settings, pipeline.topic(ALERTS_DLQ), [(b"r", b"{}", None)])  # counted, whatever it holds
    time.sleep(6)  # one cluster poll of the metrics
    _, headers, body = get(port, "/metrics")
    text = body.decode()
    assert headers["Content-Type"].startswith("text/plain")
    for name in ("akhbar_stage_messages{", "akhbar_dlq_messages", "akhbar_alerts_dlq_messages", "akhbar_consumer_lag{",
                 "akhbar_alerts_total{",
                 "akhbar_stage_latency_seconds_bucket{", "akhbar_feed_articles_total"):
        assert name in text, name
    assert f'akhbar_stage_messages{{stage="stories",topic="{pipeline.topic(ENRICHED)}"}} 1.0' in text
    assert "\nakhbar_alerts_dlq_messages 1.0" in text
    print(f"feed SSE latency (produce -> event): {latency * 1000:.0f} ms")


def test_feed_collapses_a_story_and_keeps_redelivered_records_once(pipeline):
    """Through the whole pipeline (stories included): an original and a copy from another outlet are one story
    in /stories and in the `story` SSE events; a redelivered article and a redelivered alert are kept once, and
    /articles/{id} answers with an article's latest version."""
    port = port_of(pipeline.start_worker())
    wait_live(port)
    s = pipeline.settings
    stories, articles, stop = [], [], threading.Event()
    for path, out in (("/stories/stream", stories), ("/stream", articles)):
        threading.Thread(target=sse_events, args=(port, path, out, stop), daemon=True).start()
    time.sleep(1.0)
    title = "فرار المئات من القوات السورية إلى العراق"
    send(s, s.topic(RAW), [(b"orig-1", orjson.dumps({"id": "orig-1", "title": title, "body": BODY,
                                                       "source": "wire"}), None)])
    assert wait_for(lambda: any(d["id"] == "orig-1" for _, d in stories), 90), stories
    copy_body = "بغداد - " + BODY.replace("الحدودي،", "الحدودي ،")
    send(s, s.topic(RAW), [(b"copy-1", orjson.dumps({"id": "copy-1", "title": title, "body": copy_body,
                                                       "source": "outlet-b"}), None)])
    assert wait_for(lambda: any(d["id"] == "orig-1" and d["copies"] == 2 for _, d in stories)), stories
    assert {e for e, _ in stories} == {"story"}
    assert not any(d["id"] == "copy-1" for _, d in stories)  # the copy updated the story, it made no story
    _, _, body = get(port, "/stories")
    (story,) = [st for st in json.loads(body) if "copy-1" in [m["id"] for m in st["members"]]]
    assert story["id"] == "orig-1" and story["lead"]["id"] == "orig-1" and story["size"] == 2
    assert [m["id"] for m in story["members"]] == ["orig-1", "copy-1"] and story["sources"] == ["outlet-b", "wire"]
    (copy,) = [m for m in story["members"] if m["id"] == "copy-1"]
    assert copy["duplicate_of"] == "orig-1" and copy["similarity"] >= 0.5

    # redeliveries, as a consumer outside the transaction sees them: the copy's record again as it was,
    # then a re-processed version of it (a corrected title), and one alert twice
    (record,) = [r for r in read(s, s.topic(ENRICHED), ids={"copy-1"}, timeout=30) if r["id"] == "copy-1"]
    record = {k: v for k, v in record.items() if not k.startswith("_")}
    corrected = {**record, "title": title + " (مصحح)"}
    alert = {"id": "al-1", "rule_id": "r1", "article_id": "orig-1", "created_at": "2026-11-29T00:00:00Z",
             "severity": "high", "matched": {"entities": [], "keywords": []}, "schema_version": "1.0"}
    later = {**alert, "id": "al-2"}
    send(s, s.topic(ENRICHED), [as_message(record), as_message(corrected)])
    send(s, s.topic(ALERTS), [(b"r1", orjson.dumps(a), None) for a in (alert, alert, later)])
    assert wait_for(lambda: json.loads(get(port, "/articles/copy-1")[2])["title"] == corrected["title"])
    assert wait_for(lambda: any(a["id"] == "al-2" for a in json.loads(get(port, "/alerts")[2])))
    stop.set()
    _, _, body = get(port, "/articles?limit=1000")
    assert [a["id"] for a in json.loads(body)].count("copy-1") == 1
    assert [a["id"] for a in json.loads(get(port, "/alerts")[2])].count("al-1") == 1
    _, _, body = get(port, "/stories")
    (story,) = [st for st in json.loads(body) if st["id"] == "orig-1"]
    assert [m["id"] for m in story["members"]] == ["orig-1", "copy-1"]
    assert story["members"][1]["title"] == corrected["title"]
    # the record redelivered unchanged was not pushed again; its new version was
    assert [d["title"] for _, d in articles if d["id"] == "copy-1"] == [title, corrected["title"]]
    # /metrics: the CPU this worker spent in each stage's own code (its three stages enriched the two articles)
    text = get(port, "/metrics")[2].decode()
    for stage in ("clean", "entities", "stories"):
        spent = re.search(rf'^akhbar_stage_cpu_seconds_total{{stage="{stage}"}} (\S+)$', text, re.M)
        assert spent and float(spent.group(1)) > 0, (stage, text[-2000:])
