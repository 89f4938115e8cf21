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
