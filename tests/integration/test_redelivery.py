"""A redelivered article changes no state (nlp/redelivery.py, agents/alerts.py, agents/stories.py): on the real
broker, a real worker processes articles; then the group's offsets of the source topic are reset to the beginning
while it is stopped (what a crash before a commit, or a rebalance, does to the uncommitted part), it restarts and
processes them all again, and the same records are sent once more (a redelivery through the pipeline gives them
new timestamps). Alerts and story sizes must be as before."""
from __future__ import annotations

import os
import random
import signal
import time

import pytest

from streams.cli.worker import group_id
from streams.topics import ALERT_CANDIDATES, ALERTS, ENRICHED, ENTITY_MENTIONS, STORIES
from tests.integration.alerting import add_rules, as_message, as_signed, enriched
from tests.integration.kafka_io import behind, committed, read, send
from tests.integration.test_alerts import send_at


def _replay_from_the_beginning(pipeline, worker, agents: str, topic: str):
    """Stop `worker` cleanly, reset its group's offsets on `topic` to 0, start a new worker with `agents`."""
    os.killpg(worker.pid, signal.SIGTERM)
    assert worker.wait(60) == 0
    group = group_id(pipeline.settings.app_id, agents.split(","))
    reset = committed(pipeline.settings, group, topic, reset=True)
    assert reset and set(reset.values()) == {0}, reset
    return pipeline.start_worker(agents=agents)


def _wait_caught_up(pipeline, agents: str, topics: list[str], timeout: float = 120.0) -> None:
    """Until the group has committed past the last record of every partition of `topics` (each one processed)."""
    group = group_id(pipeline.settings.app_id, agents.split(","))
    deadline = time.monotonic() + timeout
    while True:
        late = behind(pipeline.settings, group, topics)
        if not late:
            return
        assert time.monotonic() < deadline, f"group {group} still behind (committed, last record + 1): {late}"
        time.sleep(1.0)


def _alerts(pipeline, settle: float) -> list[dict]:
    return read(pipeline.settings, pipeline.topic(ALERTS), timeout=10, settle=settle)


@pytest.mark.timeout(420)
def test_a_replayed_partition_fires_no_false_spike_and_no_alert_twice(pipeline, tmp_path):
    # no suppression: only the alert ids and the per-article counts can stop a redelivery from alerting
    add_rules(pipeline, tmp_path, """
- id: basra-spike
  kind: spike
  entity: البصرة
  window: {size_s: 600}
  threshold: 3
  suppress_minutes: 0
- id: basra-match
  match: {entity: البصرة}
  suppress_minutes: 0
""")
    agents = "alerts"
    worker = pipeline.start_worker(agents=agents)
    s = pipeline.settings
    base = (time.time() // 600) * 600 - 300  # the middle of the last whole 10-minute window: one window
    two = [(base + i, enriched(f"خبر {i}", "في البصرة", entities=["البصرة"], id=f"basra-{i}")) for i in range(2)]
    send_at(s, pipeline.topic(ENRICHED), two)
    first = [a for a in read(s, pipeline.topic(ALERTS), count=2, timeout=60) if a["rule_id"] == "basra-match"]
    assert sorted(a["article_id"] for a in first) == ["basra-0", "basra-1"]
    topics = [pipeline.topic(t) for t in (ENRICHED, ENTITY_MENTIONS, ALERT_CANDIDATES)]
    _wait_caught_up(pipeline, agents, topics)
    before = _alerts(pipeline, settle=1.0)
    assert [a["rule_id"] for a in before] == ["basra-match"] * 2  # 2 mentions < threshold 3

    worker = _replay_from_the_beginning(pipeline, worker, agents, pipeline.topic(ENRICHED))
    _wait_caught_up(pipeline, agents, topics)
    send(s, pipeline.topic(ENRICHED), [as_message(a) for _, a in two])  # again, with new record timestamps
    _wait_caught_up(pipeline, agents, topics)
    after = _alerts(pipeline, settle=3.0)
    assert [(a["id"], a["rule_id"]) for a in after] == [(a["id"], a["rule_id"]) for a in before], \
        "the replay and the redelivery changed the alerts"

    third = enriched("خبر 2", "في البصرة", entities=["البصرة"], id="basra-2")
    send_at(s, pipeline.topic(ENRICHED), [(base + 2, third)])
    _wait_caught_up(pipeline, agents, topics)
    spikes = [a for a in _alerts(pipeline, settle=3.0) if a["rule_id"] == "basra-spike"]
    assert [(a["article_id"], a["window"]["count"]) for a in spikes] == [("basra-2", 3)], spikes
    assert worker.poll() is None


def _story_articles(n: int, seed: int = 12) -> list[dict]:
    """One wire story and n - 1 lightly edited copies of it (EnrichedArticles before their story)."""
    rng = random.Random(seed)
    words = "الحكومة الوزير بغداد دمشق الرياض القاهرة اجتماع قال أعلن المجلس البرلمان الاقتصاد النفط السوق".split()
    sentences = [" ".join(rng.choice(words) for _ in range(40)) + "." for _ in range(4)]
    out = []
    for i in range(n):
        body = "\n".join(sentences if i == 0 else sentences[:-1] + [sentences[-1] + " وانتهى."])
        out.append(enriched(f"خبر {i}", body, id=f"wire-{i}", ingested_at=f"2026-12-01T10:0{i}:00.000Z"))
    return out


@pytest.mark.timeout(420)
def test_a_replayed_partition_leaves_story_sizes_unchanged(pipeline):
    agents = "stories"
    worker = pipeline.start_worker(agents=agents)
    s = pipeline.settings
    arts = _story_articles(3)
    sizes = {}
    for art in arts:  # one at a time: the story grows 1, 2, 3
        send(s, pipeline.topic(STORIES), [as_signed(art)])
        (rec,) = [r for r in read(s, pipeline.topic(ENRICHED), ids={art["id"]}, timeout=60) if r["id"] == art["id"]]
        sizes[art["id"]] = (rec["story"]["id"], rec["story"]["size"])
    assert sizes == {"wire-0": ("wire-0", 1), "wire-1": ("wire-0", 2), "wire-2": ("wire-0", 3)}
    topics = [pipeline.topic(STORIES)]
    _wait_caught_up(pipeline, agents, topics)

    worker = _replay_from_the_beginning(pipeline, worker, agents, pipeline.topic(STORIES))
    _wait_caught_up(pipeline, agents, topics)
    send(s, pipeline.topic(STORIES), [as_signed(a) for a in arts])  # again, with new record timestamps
    _wait_caught_up(pipeline, agents, topics)
    records = read(s, pipeline.topic(ENRICHED), timeout=10, settle=2.0)
    by_id = {a["id"]: [(r["story"]["id"], r["story"]["size"]) for r in sorted(records, key=lambda r: r["_offset"])
                       if r["id"] == a["id"]] for a in arts}  # one article id: one partition, in order
    assert by_id == {aid: [first, ("wire-0", 3), ("wire-0", 3)] for aid, first in sizes.items()}, by_id
    assert worker.poll() is None
