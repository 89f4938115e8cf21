"""The seed and bad input through real Kafka and a real `akhbar worker` process."""
from __future__ import annotations

import base64
import json
import subprocess
import sys

import orjson
import pytest

from nlp.stages import article_id
from streams.topics import CLEAN, DLQ, ENRICHED, RAW
from tests.conftest import REPO, SEED, without_timing
from tests.integration.kafka_io import read, send


def test_seed_through_kafka_matches_process(pipeline):
    pipeline.start_worker()
    produced = subprocess.run([sys.executable, "-m", "streams.cli.main", "produce", "seeds/"], cwd=REPO,
                              env=pipeline.env, capture_output=True, text=True, timeout=60)
    assert produced.returncode == 0, produced.stderr
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    seed_id = article_id("seeds", title.strip(), body)
    (rec,) = read(pipeline.settings, pipeline.topic(ENRICHED), ids={seed_id}, timeout=90)

    assert rec["title"] == title.strip()
    related = [line for line in body.splitlines() if line.strip() and len(line.split()) < 20
               and not line.strip().endswith(".") and line.strip() != "-"]
    assert related, "the seed has related headlines"
    for headline in related:
        assert headline.strip() not in rec["body"]
        assert any(r["text"] == headline.strip() and r["reason"] for r in rec["removed"])
    assert "\n-\n" not in f"\n{rec['body']}\n"
    assert "(قسد). وبموافقة" in rec["body"]
    assert rec["entities"], "the entity stage found nothing"
    for ent in rec["entities"]:
        assert rec["body"][ent["start"]:ent["end"]] == ent["text"]
    assert set(rec["processing"]["stages_ms"]) >= {"clean", "entities", "stories"}
    assert rec["story"] == {"id": seed_id, "first_seen": rec["ingested_at"], "size": 1}
    assert rec["duplicate_of"] is None and rec["similarity"] is None

    offline = subprocess.run([sys.executable, "-m", "streams.cli.main", "process", "seeds/"], cwd=REPO,
                             env=pipeline.env, capture_output=True, timeout=120)
    assert offline.returncode == 0, offline.stderr
    (local,) = [orjson.loads(line) for line in offline.stdout.splitlines()]
    assert without_timing(local) == without_timing(rec)


BAD_INPUTS = {
    # key: (payload, stage expected, error type expected)
    "not-json": (b'{"body": "unterminated', "ingest", "InvalidInput"),
    "not-utf8": (b'{"body": "\xff\xfe broken"}', "ingest", "InvalidInput"),
    "not-an-object": (b'["body"]', "ingest", "InvalidInput"),
    "wrong-type": (b'{"body": 42, "title": "x"}', "ingest", "InvalidInput"),
    "missing-body": (b'{"title": "no body here"}', "ingest", "InvalidInput"),
    "empty-body": (b'{"body": "  \\n  "}', "ingest", "InvalidInput"),
    "too-big": (orjson.dumps({"body": "خبر " * 6000}), "ingest", "InvalidInput"),
}


@pytest.mark.akhbar_env(AKHBAR_MAX_MESSAGE_BYTES="20000")
def test_bad_input_goes_to_dlq_and_the_stream_goes_on(pipeline):
    pipeline.start_worker()
    s = pipeline.settings
    messages = [(key.encode(), payload, 0) for key, (payload, _, _) in BAD_INPUTS.items()]
    good = {"id": "good-after-bad", "title": "خبر", "body": "وقال وزير الخارجية إن العراق يدعم الحل السياسي."}
    messages.append((b"good-after-bad", orjson.dumps(good), 0))
    metas = send(s, s.topic(RAW), messages)
    # a record that passed ingest but breaks a later stage (e.g. written by an older, buggy version)
    (poison_meta,) = send(s, s.topic(CLEAN), [(b"stage-failure", b'{"id": "stage-failure", "body": 1}', 2)])

    enriched = read(s, s.topic(ENRICHED), ids={"good-after-bad"}, timeout=90)
    assert [r["id"] for r in enriched] == ["good-after-bad"]
    keys = set(BAD_INPUTS) | {"stage-failure"}
    dead = read(s, s.topic(DLQ), ids=keys, timeout=60, settle=2.0)
    by_key = {}
    for rec in dead:
        by_key.setdefault(rec["key"], []).append(rec)
    assert {k: len(v) for k, v in by_key.items()} == {k: 1 for k in keys}, "exactly one dead letter each"

    for (key, (payload, stage, error_type)), meta in zip(BAD_INPUTS.items(), metas):
        (rec,) = by_key[key]
        assert (rec["stage"], rec["error_type"]) == (stage, error_type), rec
        assert (rec["topic"], rec["partition"], rec["offset"]) == (s.topic(RAW), meta.partition, meta.offset)
        original = base64.b64decode(rec["payload"]) if rec["payload_encoding"] == "base64" \
            else rec["payload"].encode("utf-8")
        assert original == payload
        assert rec["error"]
    assert by_key["not-utf8"][0]["payload_encoding"] == "base64"
    assert "UTF-8" in by_key["not-utf8"][0]["error"]
    assert "over the limit" in by_key["too-big"][0]["error"]
    assert "body" in by_key["wrong-type"][0]["error"] and "body" in by_key["missing-body"][0]["error"]
    (stage_failure,) = by_key["stage-failure"]
    assert stage_failure["stage"] == "entities" and stage_failure["error_type"] == "RecordError"
    assert (stage_failure["partition"], stage_failure["offset"]) == (poison_meta.partition, poison_meta.offset)
    json.loads(json.dumps(stage_failure))  # plain JSON for non-Python consumers


def test_worker_reports_health_and_readiness(pipeline):
    import urllib.request

    proc = pipeline.start_worker()
    port = proc.args[proc.args.index("--web-port") + 1]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as resp:
        assert resp.status == 200 and json.load(resp)["status"] == "ok"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=10) as resp:
        body = json.load(resp)
    assert resp.status == 200 and body["ready"] is True
    assert pipeline.topic(RAW) in body["topics"]


@pytest.mark.akhbar_env(AKHBAR_COMMIT_INTERVAL_S="600")
def test_an_idle_worker_commits_each_hop_without_waiting_for_the_commit_interval(pipeline):
    """exactly_once (the default) with a 10-minute commit interval: on the timer alone, the seed's record on each
    of the five hops would stay invisible to the next (read_committed) until the timer's first commit, and
    articles.enriched would see it after ten minutes at the earliest. The idle commit (streams/idle_commit.py)
    commits as soon as the worker has nothing in processing, so the article crosses all of them now."""
    pipeline.start_worker()
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    seed_id = article_id("seeds", title.strip(), body)
    send(pipeline.settings, pipeline.topic(RAW),
         [(seed_id.encode(), orjson.dumps({"id": seed_id, "source": "seeds", "title": title, "body": body}), None)])
    (rec,) = read(pipeline.settings, pipeline.topic(ENRICHED), ids={seed_id}, timeout=60)
    assert rec["entities"] and rec["story"]["id"] == seed_id
