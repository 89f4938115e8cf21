import base64
from types import SimpleNamespace

from agents.dlq import dead_letter


def test_dead_letter_keeps_the_payload_and_where_it_came_from():
    msg = SimpleNamespace(topic="articles.raw", partition=3, offset=42, key=b"k1")
    rec = dead_letter("ingest", ValueError("boom"), "خبر".encode(), msg)
    assert (rec.topic, rec.partition, rec.offset, rec.key) == ("articles.raw", 3, 42, "k1")
    assert rec.payload == "خبر" and rec.payload_encoding == "utf-8"
    assert (rec.stage, rec.error_type, rec.error) == ("ingest", "ValueError", "boom")


def test_binary_payloads_are_base64():
    raw = b"\x00\xff\xfe garbage"
    rec = dead_letter("ingest", UnicodeDecodeError("utf-8", raw, 1, 2, "bad"), raw)
    assert rec.payload_encoding == "base64" and base64.b64decode(rec.payload) == raw
    assert rec.topic is None and rec.offset is None


def test_a_letter_of_a_retired_topic_replays_where_its_records_go_now():
    from streams.cli.dlq import replay_target
    from streams.settings import Settings

    settings = Settings.from_env({"AKHBAR_TOPIC_PREFIX": "t."})
    assert replay_target(settings, "t.articles.clean") == "t.articles.clean"
    assert replay_target(settings, "t.articles.validated") == "t.articles.raw"  # validation is now in clean
    assert replay_target(settings, "t.articles.entities") is None  # no agent reads that shape any more
