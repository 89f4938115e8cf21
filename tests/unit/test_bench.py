"""The benchmark harness's pure parts (percentiles, medians, targets, files) and a tiny in-process run.
No timing assertions: only that the figures are computed, judged and written as documented."""
import json
import math

import orjson
import pytest
from click.testing import CliRunner

from bench import dataset, report
from streams.cli import cli
from streams.settings import REPO_ROOT


def test_percentile_interpolates_between_ranks():
    xs = list(range(1, 101))  # 1..100
    assert report.percentile(xs, 50) == pytest.approx(50.5)
    assert report.percentile(xs, 99) == pytest.approx(99.01)
    assert report.percentile(list(reversed(xs)), 0) == 1 and report.percentile(xs, 100) == 100
    assert report.percentile([7.0], 95) == 7.0
    assert math.isnan(report.percentile([], 50))


def _run(pipeline, kafka_1w, kafka_2w, p99, rss):
    return {"pipeline": pipeline, "kafka_1w": kafka_1w, "kafka_2w": kafka_2w, "half_p99": p99, "rss_mb": rss}


def test_targets_are_judged_on_medians_of_per_repeat_ratios():
    runs = [_run(100, 90, 170, 200, 300), _run(50, 30, 40, 400, 500), _run(200, 170, 300, 240, 390)]
    summary = report.summarize(runs)
    # per repeat 0.9, 0.6, 0.85 -> median 0.85 (the ratio of the medians would be 90/100 = 0.9)
    assert summary["kafka_vs_inprocess"]["median"] == pytest.approx(0.85)
    assert summary["kafka_1w"] == {"median": 90, "min": 30, "max": 170, "n": 3}
    verdicts = {v["target"]: v for v in report.verdicts(summary)}
    kafka = verdicts["Kafka, 1 worker >= 80% of the in-process pipeline"]
    assert kafka["met"] is True and kafka["of_target"] == pytest.approx(0.85 / 0.8)
    scaling = verdicts["2 workers >= 1.5x one worker"]  # 1.89, 1.33, 1.76 -> 1.76
    assert scaling["met"] is True
    assert verdicts["p99 at half load <= 250 ms"]["met"] is True  # median 240
    rss = verdicts["worker peak RSS <= 400 MB"]
    assert rss["met"] is True and rss["value"] == 390


def test_missed_and_unmeasured_targets():
    summary = report.summarize([_run(100, 40, 50, 900, 410)] + [{"pipeline": 100}])
    verdicts = {v["target"]: v for v in report.verdicts(summary)}
    assert verdicts["Kafka, 1 worker >= 80% of the in-process pipeline"]["met"] is False
    assert verdicts["p99 at half load <= 250 ms"]["of_target"] == pytest.approx(3.6)
    assert verdicts["worker peak RSS <= 400 MB"]["met"] is False
    in_process_only = report.verdicts(report.summarize([{"pipeline": 100, "clean": 2000}]))
    assert all(v["met"] is None for v in in_process_only)
    assert "n/a" in report.targets_table(in_process_only)


def test_table_lists_only_measured_figures():
    text = report.table(report.summarize([{"clean": 1500.0}, {"clean": 2500.0}, {"clean": 1000.0}]))
    assert "| in-process | clean stage (ingest + clean) | 1,500 | 1,000 – 2,500 | articles/s per core |" in text
    assert "passthrough" not in text


def test_json_has_no_nan(tmp_path):
    path = tmp_path / "out" / "pipeline.json"
    report.write_json(path, {"summary": report.summarize([{"clean": 3.0}])})
    data = json.loads(path.read_text())  # strict JSON: NaN would be invalid
    assert data["summary"]["clean"]["median"] == 3.0
    assert data["summary"]["kafka_1w"]["median"] is None


def test_dataset_repeats_a_small_folder_under_new_ids():
    articles = dataset.load(dataset.SEEDS, 3)
    assert len({a.id for a in articles}) == 3
    assert len({a.body for a in articles}) == 1
    keys = [k for k, _ in dataset.payloads(articles)]
    assert [orjson.loads(v)["id"].encode() for _, v in dataset.payloads(articles)] == keys


def test_breaking_story_is_outlet_edited_copies_of_one_article_that_form_one_story():
    from nlp.stories import StoryIndex, article_text

    copies = dataset.breaking(20)
    seed = dataset.load(dataset.SEEDS, 1)[0]
    assert len({c.id for c in copies}) == 20 and len({c.source for c in copies}) == 20
    assert len({c.body for c in copies}) > 15 and all(c.body != seed.body for c in copies)
    index = StoryIndex()
    stories = {index.add(c.id, article_text(c.title, c.body), f"2026-12-01T10:00:{n:02d}Z").story_id
               for n, c in enumerate(copies)}
    assert stories == {copies[0].id}


def test_quick_in_process_bench_writes_the_report(tmp_path):
    out = tmp_path / "benchmarks"
    result = CliRunner().invoke(cli, ["bench", "--quick", "--in-process-only", "-n", "3",
                                      "--data", str(REPO_ROOT / "seeds"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "pipeline.json").read_text())
    assert data["setup"]["articles"] == 3 and len(data["runs"]) == 1
    for key in ("floor", "clean", "entities", "pipeline", "pipeline_warm", "orjson_encode", "json_decode",
                "breaking_copies_cpu_ms", "breaking_distinct_cpu_ms", "breaking_stories_cpu_ms"):
        assert data["summary"][key]["median"] > 0, key
    judged = {t["target"]: t for t in data["targets"]}
    assert judged["breaking story in-process: copies no slower than distinct articles"]["met"] is not None
    assert data["summary"]["kafka_1w"]["n"] == 0
    assert data["machine"]["cores"] >= 1 and data["machine"]["python"]
    md = (out / "pipeline.md").read_text()
    assert "uv run --locked akhbar bench" in md and "| clean stage (ingest + clean) |" in md
    assert (out / "pipeline-throughput.png").read_bytes()[:4] == b"\x89PNG"
    assert "whole pipeline" in result.output  # the table is printed

    # the hand-written analysis is appended when the report is re-rendered without measuring
    (out / "pipeline-notes.md").write_text("## Why a target was missed\nthe profile says so\n")
    again = CliRunner().invoke(cli, ["bench", "--report-only", "-o", str(out)])
    assert again.exit_code == 0, again.output
    md = (out / "pipeline.md").read_text()
    assert "the profile says so" in md and "| clean stage (ingest + clean) |" in md
    assert json.loads((out / "pipeline.json").read_text())["summary"]["kafka_1w"]["median"] is None


def test_report_only_needs_results(tmp_path):
    result = CliRunner().invoke(cli, ["bench", "--report-only", "-o", str(tmp_path)])
    assert result.exit_code == 1 and "run `akhbar bench` first" in result.output


def test_plots_from_broker_figures(tmp_path):
    runs = [{"pipeline": 70.0, "kafka_1w": 20.0, "kafka_2w": 35.0, "passthrough": 1200.0, "half_p50": 90.0,
             "half_p95": 180.0, "half_p99": 260.0, "burst_p50": 9000.0, "burst_p95": 15000.0, "burst_p99": 16000.0,
             "burst_latencies_ms": [100.0, 9000.0, 16000.0], "half_latencies_ms": [80.0, 90.0, 260.0]}]
    names = report.plots({"summary": report.summarize(runs), "runs": runs}, tmp_path)
    assert names == ["pipeline-throughput.png", "pipeline-latency.png", "pipeline-latency-cdf.png"]
    assert all((tmp_path / n).read_bytes()[:4] == b"\x89PNG" for n in names)


def test_plain_peer_runs_the_agents_stage_functions_and_routes_failures_to_the_dlq():
    from bench.plain_peer import PlainPipeline
    from nlp import stages
    from streams.settings import Settings

    settings = Settings.from_env({"AKHBAR_TOPIC_PREFIX": "t."})
    peer = PlainPipeline(settings)
    seed = dataset.load(dataset.SEEDS, 1)[0]
    (key, value), = dataset.payloads([seed])
    topic, out_key, out = peer.process(value)
    assert topic == "t.articles.enriched" and out_key == key
    record = orjson.loads(out)
    expected = stages.process(stages.ingest(value, settings.max_message_bytes))  # what `akhbar process` gives
    assert record["body"] == expected.body and record["entities"]
    assert [(e["text"], e["type"], e["start"]) for e in record["entities"]] == \
        [(e.text, e.type, e.start) for e in expected.entities]
    assert record["story"]["id"] == seed.id and set(record["processing"]["stages_ms"]) >= {"clean", "entities",
                                                                                           "stories"}
    # the peer keeps one story index: an outlet's copy joins the story of the article it copies
    copy = dataset.breaking(1, source=seed)[0]
    _, _, out = peer.process(dataset.payloads([copy])[0][1])
    assert orjson.loads(out)["story"] == {"id": seed.id, "first_seen": record["ingested_at"], "size": 2}

    topic, _, out = peer.process(b"\xff not json")
    letter = orjson.loads(out)
    assert topic == "t.articles.dlq" and letter["stage"] == "ingest" and letter["payload_encoding"] == "base64"


def test_sections_parse_in_run_order_and_reject_unknown_names():
    from bench import run

    assert run.parse_sections(None) == run.parse_sections("all") == run.SECTIONS
    assert run.parse_sections("guarantee, peer") == ("peer", "guarantee")
    with pytest.raises(ValueError, match="unknown section"):
        run.parse_sections("peer,eos")
    result = CliRunner().invoke(cli, ["bench", "--sections", "eos", "--in-process-only"])
    assert result.exit_code == 2 and "unknown section(s) eos" in result.output


def _fake_burst(payloads, cpu_ms, seconds=10.0, lost=0):
    n = len(payloads) - lost
    return {"sent": len(payloads), "received": n, "seconds": seconds, "throughput": n / seconds,
            "latencies_s": [0.1 * (i + 1) for i in range(n)], "worker_cpu_s": n * cpu_ms / 1000,
            "stage_cpu_s": n * 0.8 * cpu_ms / 1000, "broker_cpu_s": None}


def test_broker_sections_compare_the_runs_they_say(monkeypatch):
    """The broker sections with the broker calls replaced by fakes: which runs each section makes, with which
    inputs and worker settings, and how their figures become the targets' ratios."""
    from bench import broker, run

    calls = []

    def pipeline_run(bootstrap, workers, burst, rated=None, env=None, agents=broker.PIPELINE_AGENTS,
                     sink="articles.enriched", **kw):
        guarantee = (env or {}).get("AKHBAR_PROCESSING_GUARANTEE", "at_least_once")
        copies = all(b"~copy" in k for k, _ in burst)
        if agents != broker.PIPELINE_AGENTS:  # the linear agents alone, watched where they write
            calls.append(("linear workers", agents, sink))
            return {"burst": _fake_burst(burst, 30.0), "startup_s": [5.0], "rss_mb": [200.0]}
        calls.append(("workers", workers, guarantee, "copies" if copies else "distinct", rated is not None))
        cpu = {"exactly_once": 50.0}.get(guarantee, 60.0 if copies else 40.0)
        out = {"burst": _fake_burst(burst, cpu, seconds=20.0 if guarantee == "exactly_once" else 10.0),
               "startup_s": [5.0] * workers, "rss_mb": [200.0] * workers}
        if rated is not None:
            out["rated"] = {**_fake_burst(rated[:5], cpu), "rate": 3.0}
        sent = len(burst) + (5 if rated is not None else 0)
        out.update(articles_sent=sent, topic_records={"b.articles.raw": sent, "b.articles.enriched": sent,
                                                      "akhbar-b-stories-stories-changelog": 3 * sent})
        return out

    def peer_run(bootstrap, burst, linear=False, **kw):
        calls.append(("peer", len(burst), linear))
        cpu_s = len(burst) * (0.015 if linear else 0.02)
        return {"burst": {**_fake_burst(burst, 20.0), "peer_cpu_s": cpu_s, "stage_cpu_s": 0.1,
                          "messages": len(burst)}, "rss_mb": 120.0, "startup_s": 2.0}

    monkeypatch.setattr(broker, "pipeline_run", pipeline_run)
    monkeypatch.setattr(broker, "peer_run", peer_run)
    plan = run.Plan.make(dataset.SEEDS, 2, True, "127.0.0.1:1", n=4, sections=("peer", "breaking", "guarantee"))
    inputs = run.Inputs.make(plan)
    assert len(inputs.copies) == 4 and len(inputs.copies_rated) == 8
    assert not {k for k, _ in inputs.copies} & {k for k, _ in inputs.copies_rated}

    figures = [run.kafka_figures(plan, inputs, lambda line: None, repeat=r) for r in (0, 1)]
    assert calls[:8] == [("workers", 1, "at_least_once", "distinct", False), ("peer", 4, False),
                         ("linear workers", "clean,entities", "articles.stories"), ("peer", 4, True),
                         ("workers", 1, "at_least_once", "copies", True),
                         ("workers", 1, "at_least_once", "distinct", True),
                         ("workers", 1, "at_least_once", "distinct", False),
                         ("workers", 1, "exactly_once", "distinct", False)]
    # the second repeat runs each compared pair in the other order
    assert [c[2:4] for c in calls[12:16]] == [("at_least_once", "distinct"), ("at_least_once", "copies"),
                                              ("exactly_once", "distinct"), ("at_least_once", "distinct")]
    one = figures[0]
    assert one["worker_cpu_ms"] == pytest.approx(40.0) and one["plain_cpu_ms"] == pytest.approx(20.0)
    assert one["kafka_copies_cpu_ms"] == pytest.approx(60.0) and one["eos_missing"] == 0
    assert (one["eos_msgs"], one["eos_changelog"]) == (2.0, 3.0)
    assert "passthrough" not in one and "kafka_2w" not in one
    assert one["linear_faust_cpu_ms"] == pytest.approx(30.0) and one["linear_plain_cpu_ms"] == pytest.approx(15.0)
    assert one["plain_stage_cpu_ms"] == pytest.approx(25.0)  # 0.1 s over the 4 articles enriched
    summary = report.summarize(figures)
    judged = {v["target"]: v for v in report.verdicts(summary)}
    assert judged["Faust pipeline within 1.5x of the plain aiokafka loop's CPU per article"]["value"] == \
        pytest.approx(2.0)
    assert judged["Faust pipeline within 1.5x of the plain aiokafka loop's CPU per article"]["met"] is False
    assert judged["exactly_once: at most 20% fewer articles/s than at_least_once"]["value"] == pytest.approx(0.5)
    assert judged["exactly_once: at most 20% fewer articles/s than at_least_once"]["met"] is False
    cpu = judged["breaking story through Kafka: worker CPU per article within 10% of distinct articles'"]
    assert cpu["value"] == pytest.approx(1.5) and cpu["met"] is False
    assert summary["eos_cpu_vs_alo"]["median"] == pytest.approx(50 / 40)
    assert summary["faust_vs_plain_linear_cpu"]["median"] == pytest.approx(2.0)
    assert "| CPU per article: Faust worker / plain aiokafka loop" in report.ratios_table(summary)
    # the workers' own count of CPU inside the stages splits their CPU: 80% of it in the fakes
    assert one["worker_stage_cpu_ms"] == pytest.approx(32.0)
    assert summary["worker_vs_its_stages_cpu"]["median"] == pytest.approx(1.25)
    # outside the stages on the 2 hops: Faust 30 - 24 ms, the plain loop 15 - 25 ms (its stages cost more
    # than its process in the fakes): no ratio rather than a negative one
    assert math.isnan(summary["linear_outside_faust_vs_plain"]["median"])


def test_plain_linear_hops_route_each_topic_through_its_agents_step():
    from types import SimpleNamespace

    from bench.plain_peer import LinearHops
    from streams.settings import Settings

    hops = LinearHops(Settings.from_env({"AKHBAR_TOPIC_PREFIX": "t."}))
    assert hops.sources == ["t.articles.raw", "t.articles.clean"]
    (key, value), = dataset.payloads(dataset.load(dataset.SEEDS, 1))
    topic = "t.articles.raw"
    for expected in ("t.articles.clean", "t.articles.stories"):
        topic, key, value = hops.process(value, SimpleNamespace(topic=topic, key=key, partition=0, offset=0))
        assert topic == expected and key == dataset.load(dataset.SEEDS, 1)[0].id.encode()
    signed = orjson.loads(value)  # the entities agent's message: the signature, and the record before its story
    assert signed["id"] == key.decode() and signed["sk"] and signed["keys"]
    assert signed["record"]["entities"] and signed["record"].get("story") is None
    for source, stage in (("t.articles.raw", "ingest"), ("t.articles.clean", "entities")):
        topic, _, letter = hops.process(b"{}", SimpleNamespace(topic=source, key=b"k", partition=2, offset=7))
        assert topic == "t.articles.dlq" and orjson.loads(letter)["stage"] == stage


def test_thread_cpu_is_charged_to_the_thread_that_spent_it():
    import os
    import threading
    import time

    from bench import broker

    ids, spun, read = {}, threading.Event(), threading.Event()

    def spin():
        ids["tid"] = threading.get_native_id()
        end = time.thread_time() + 0.3
        while time.thread_time() < end:
            pass
        spun.set()
        read.wait(10)  # stay alive until the main thread has read /proc

    before = broker.thread_cpu_seconds(os.getpid())
    t = threading.Thread(target=spin)
    t.start()
    spun.wait(30)  # the main thread waits without spending CPU while the other spins
    during = broker.thread_cpu_seconds(os.getpid())
    read.set()
    t.join()
    assert during[ids["tid"]] >= 0.2
    assert during[os.getpid()] - before[os.getpid()] < 0.1
    assert broker.thread_cpu_seconds(2 ** 22 + 1) == {}  # no such process: nothing, not an error


def test_profile_charges_a_loop_waiting_in_epoll_as_waiting_not_as_asyncio_work():
    from bench.profile_worker import kind

    waiting = ["BaseEventLoop.run_forever (asyncio/base_events.py:607)",
               "BaseEventLoop._run_once (asyncio/base_events.py:1922)", "EpollSelector.select (selectors.py:468)"]
    scheduling = waiting[:2] + ["Handle._run (asyncio/events.py:84)"]
    assert kind(waiting).startswith("waiting in epoll")
    assert kind(scheduling) == "asyncio event loop"


def test_worker_settings_variants_are_checked_before_any_worker_starts():
    from bench.worker_settings import parse_variant

    assert parse_variant("AKHBAR_EVENT_LOOP=asyncio, AKHBAR_COMMIT_INTERVAL_S=0.25") == {
        "AKHBAR_EVENT_LOOP": "asyncio", "AKHBAR_COMMIT_INTERVAL_S": "0.25"}
    with pytest.raises(SystemExit, match="AKHBAR_NAME=value"):
        parse_variant("EVENT_LOOP=asyncio")
    with pytest.raises(ValueError, match="AKHBAR_EVENT_LOOP must be one of"):
        parse_variant("AKHBAR_EVENT_LOOP=trio")


def test_stage_cpu_is_read_from_a_workers_metrics_page():
    """What the bench charges to the stages: the sum over stages of akhbar_stage_cpu_seconds_total on the
    worker's /metrics (served here as the worker serves it), not its `_created` timestamps nor other counters."""
    import http.server
    import threading

    from prometheus_client import generate_latest

    from bench.broker import stage_cpu_seconds
    from streams import metrics

    class Metrics(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = generate_latest(metrics.REGISTRY)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Metrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        before = stage_cpu_seconds(server.server_address[1])
        metrics.STAGE_CPU.labels(stage="clean").inc(1.5)
        metrics.STAGE_CPU.labels(stage="stories").inc(2.25)
        metrics.STAGE_PROCESSED.labels(stage="clean", outcome="sent").inc(7)
        assert stage_cpu_seconds(server.server_address[1]) - before == pytest.approx(3.75)
    finally:
        server.shutdown()
