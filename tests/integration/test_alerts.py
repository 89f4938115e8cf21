"""Alert rules through the real broker and a real `akhbar worker --agents alerts` process."""
from __future__ import annotations

import time

import orjson
import pytest

from streams.topics import ALERTS, ENRICHED
from tests.integration.alerting import add_rules, akhbar, as_message, enriched
from tests.integration.kafka_io import read, send


def alerts_for(pipeline, rule_ids, count, timeout=60.0, settle=0.0):
    got = read(pipeline.settings, pipeline.topic(ALERTS), count=count, timeout=timeout, settle=settle)
    return [a for a in got if a["rule_id"] in rule_ids]


def test_entity_and_keyword_rules_with_clitic(pipeline, tmp_path):
    add_rules(pipeline, tmp_path, """
rules:
  - id: iraq
    name: العراق
    severity: high
    match: {entities: {all: [العراق, سوريا]}}
    langs: [ar]
  - id: defections
    match: {keyword: انشقاق}
  - id: not-this-source
    match: {keyword: انشقاق}
    sources: [elsewhere]
""")
    pipeline.start_worker(agents="alerts")
    both = enriched("عنوان", "عاد الجنود من سوريا إلى العراق", entities=["سوريا", "العراق"])
    only_iraq = enriched("عنوان", "في العراق اليوم", entities=["العراق"])
    clitic = enriched("أخبار", "وتتوالى والانشقاقات في صفوف الجيش")
    nothing = enriched("أخبار", "شقاق ونفاق")
    send(pipeline.settings, pipeline.topic(ENRICHED), [as_message(a) for a in (both, only_iraq, clitic, nothing)])
    got = alerts_for(pipeline, {"iraq", "defections", "not-this-source"}, count=2, settle=3.0)
    by_rule = {a["rule_id"]: a for a in got}
    assert sorted(by_rule) == ["defections", "iraq"], got
    assert len(got) == 2, got
    assert by_rule["iraq"]["article_id"] == both["id"]
    assert by_rule["iraq"]["severity"] == "high"
    assert by_rule["iraq"]["matched"]["entities"] == ["العراق", "سوريا"]
    assert by_rule["defections"]["article_id"] == clitic["id"]
    assert by_rule["defections"]["matched"]["keywords"] == ["انشقاق"]
    assert by_rule["defections"]["_partition"] is not None


def test_suppression_and_live_rule_changes(pipeline, tmp_path):
    """A rule added while the worker runs takes effect; a second version of one story within the
    suppression window does not alert again; per-entity suppression; a removed rule stops alerting."""
    pipeline.start_worker(agents="alerts")
    add_rules(pipeline, tmp_path, """
- id: story
  match: {entity: العراق}
  suppress_minutes: 10
- id: per-entity
  match: {entity: العراق}
  suppress_by: entity
  suppress_minutes: 10
""")
    time.sleep(2)  # the global table picks the rules up from the compacted topic
    first = enriched("ت", "في العراق", entities=["العراق"])
    send(pipeline.settings, pipeline.topic(ENRICHED), [as_message(first)])
    assert len(alerts_for(pipeline, {"story", "per-entity"}, count=2)) == 2
    again = dict(first, title="ت2")  # a new version of the same article (same story)
    other = enriched("ت3", "العراق مرة أخرى", entities=["العراق"])
    send(pipeline.settings, pipeline.topic(ENRICHED), [as_message(again), as_message(other)])
    got = alerts_for(pipeline, {"story", "per-entity"}, count=3, settle=4.0)
    assert [(a["rule_id"], a["article_id"]) for a in got if a["article_id"] != first["id"]] == [
        ("story", other["id"])], got  # per-entity stays quiet for the other article: same entity, same window
    assert len(got) == 3
    akhbar(pipeline, "rules", "remove", "story")
    assert "story" not in akhbar(pipeline, "rules", "list").stdout
    time.sleep(2)
    send(pipeline.settings, pipeline.topic(ENRICHED), [as_message(enriched("ت4", "العراق", entities=["العراق"]))])
    time.sleep(4)
    assert len(alerts_for(pipeline, {"story", "per-entity"}, count=99, timeout=3)) == 3


@pytest.mark.akhbar_env(AKHBAR_ALERTS_BUCKET_S="5")
def test_spike_rule_over_a_window(pipeline, tmp_path):
    add_rules(pipeline, tmp_path, """
id: iraq-spike
kind: spike
entity: العراق
window: {size_s: 300, step_s: 5}   # hopping: the window holds the last ~5 minutes whatever the clock
threshold: 3
suppress_minutes: 5
""")
    pipeline.start_worker(agents="alerts")
    arts = [enriched(f"خبر {i}", "في العراق", entities=["العراق"]) for i in range(2)]
    send(pipeline.settings, pipeline.topic(ENRICHED), [as_message(a) for a in arts])
    time.sleep(3)
    assert alerts_for(pipeline, {"iraq-spike"}, count=1, timeout=2) == []  # 2 mentions < threshold 3
    more = [enriched(f"خبر {i}", "العراق", entities=["العراق"]) for i in range(2, 5)]
    send(pipeline.settings, pipeline.topic(ENRICHED), [as_message(a) for a in more])
    got = alerts_for(pipeline, {"iraq-spike"}, count=1, settle=3.0)
    assert len(got) == 1, got  # the 4th and 5th mention are suppressed: same entity, same rule, within 5 min
    (alert,) = got
    assert alert["kind"] == "spike" and alert["severity"] == "warning" and alert["subject"] == "العراق"
    assert alert["window"]["count"] == 3 and alert["window"]["threshold"] == 3 and alert["window"]["size_s"] == 300
    assert alert["article_id"] in {a["id"] for a in more}


def send_at(settings, topic, timed):
    """Send (epoch seconds, article) pairs with those record timestamps: spike windows use event time."""
    import asyncio

    from aiokafka import AIOKafkaProducer

    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all")
        await producer.start()
        try:
            for ts, art in timed:
                await producer.send_and_wait(topic, orjson.dumps(art), key=art["id"].encode(),
                                             timestamp_ms=int(ts * 1000))
        finally:
            await producer.stop()

    asyncio.run(run())


@pytest.mark.akhbar_env(AKHBAR_ALERTS_BUCKET_S="1", AKHBAR_ALERTS_HISTORY_S="300")
def test_spike_rule_above_its_trailing_baseline(pipeline, tmp_path):
    """One mention per 10 s window is the baseline; a burst of 4 in one window exceeds 2 x baseline and the
    threshold; the steady mentions never do. Record timestamps set the event time, so the test is exact."""
    add_rules(pipeline, tmp_path, """
id: burst
kind: spike
entity: بغداد
window: {size_s: 10}
threshold: 3
baseline: {windows: 3, factor: 2}
""")
    pipeline.start_worker(agents="alerts")
    base = (time.time() // 10) * 10 - 60
    steady = [(base + 10 * w + 5, enriched(f"ب{w}", "بغداد", entities=["بغداد"])) for w in range(3)]
    burst = [(base + 35 + i, enriched(f"ط{i}", "بغداد", entities=["بغداد"])) for i in range(4)]
    send_at(pipeline.settings, pipeline.topic(ENRICHED), steady)
    time.sleep(2)
    send_at(pipeline.settings, pipeline.topic(ENRICHED), burst)
    got = alerts_for(pipeline, {"burst"}, count=1, settle=3.0)
    assert len(got) == 1, got  # the 4th mention of the burst is suppressed (same entity)
    (alert,) = got
    assert alert["article_id"] in {a["id"] for _, a in burst}  # the burst's mentions may arrive in any order
    w = alert["window"]
    assert (w["count"], w["previous"], w["baseline"], w["size_s"]) == (3, [1, 1, 1], 1.0, 10), w
