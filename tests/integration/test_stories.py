"""Story clustering through the real broker: two workers, copies on different partitions, state after restarts."""
from __future__ import annotations

import random
import re

import orjson
import pytest

from bench import stories_eval as ev
from nlp import stories
from streams.topics import CLEAN, ENRICHED, RAW, STORIES as STORY_TOPIC
from tests.integration.kafka_io import ends, read, send

STORIES = 6


def _partition(key: str, n: int = 6) -> int:
    from aiokafka.partitioner import DefaultPartitioner

    return DefaultPartitioner()(key.encode(), list(range(n)), list(range(n)))


def _originals(n: int = STORIES, seed: int = 80) -> list[dict]:
    """n distinct articles: real ones from the dev set when it is here (read at run time, never copied into
    the repo; known reprints left out), else generated Arabic text."""
    rng = random.Random(seed)
    if ev.DATA.exists():
        reprints = {aid for group in ev.REPRINTS for aid in group}
        arts = [a for a in ev.load(ev.DATA) if 800 < len(a["body"]) < 4000 and a["id"] not in reprints]
        return [{"id": f"orig-{i}", "title": a["title"], "body": a["body"]}
                for i, a in enumerate(rng.sample(arts, n))]
    words = "الحكومة الوزير بغداد دمشق الرياض القاهرة اجتماع قال أعلن المجلس البرلمان الاقتصاد النفط السوق".split()
    return [{"id": f"orig-{i}", "title": f"خبر {i}",
             "body": "\n".join(" ".join(rng.choice(words) for _ in range(60)) + "." for _ in range(4))}
            for i in range(n)]


def _copy_id(original: dict, n: int, avoid: set[int]) -> str:
    """An id for the n-th copy of `original` whose partition differs from those in `avoid`."""
    for salt in range(1000):
        cid = f"{original['id']}-copy{n}-{salt}"
        if _partition(cid) not in avoid:
            return cid
    raise AssertionError("no id found")


def _raw(article: dict, source: str) -> tuple[bytes, bytes, None]:
    return article["id"].encode(), orjson.dumps({**article, "source": source}), None


def test_copies_on_different_partitions_join_one_story_across_two_workers_and_restarts(pipeline):
    first, second = pipeline.start_worker(wait=False), pipeline.start_worker(wait=False)
    pipeline.wait_ready(first)
    pipeline.wait_ready(second)
    s = pipeline.settings
    rng = random.Random(8)
    originals = _originals()
    # 1. the originals: six stories of their own
    send(s, s.topic(RAW), [_raw(a, "wire") for a in originals])
    got = {r["id"]: r for r in read(s, s.topic(ENRICHED), ids={a["id"] for a in originals}, timeout=120)}
    for a in originals:
        rec = got[a["id"]]
        assert rec["story"]["id"] == a["id"] and rec["story"]["size"] == 1, rec["story"]
        assert rec["duplicate_of"] is None and rec["similarity"] is None
        assert rec["story"]["first_seen"] == rec["ingested_at"]

    # 2. two edited copies of each from other outlets, on partitions other than their original's
    copies = {}
    for a in originals:
        used = {_partition(a["id"])}
        for n in (1, 2):
            cid = _copy_id(a, n, used)
            used.add(_partition(cid))
            copy = ev.edited_copy(a, rng, n)
            copies[cid] = {"id": cid, "title": copy["title"], "body": copy["body"], "of": a["id"]}
    start = ends(s, s.topic(ENRICHED))
    send(s, s.topic(RAW), [_raw({k: v for k, v in c.items() if k != "of"}, "outlet") for c in copies.values()])
    recs = read(s, s.topic(ENRICHED), ids=set(copies), timeout=120, start=start)
    by_id = {r["id"]: r for r in recs}
    assert set(by_id) == set(copies)
    for cid, c in copies.items():
        rec = by_id[cid]
        assert rec["_partition"] != got[c["of"]]["_partition"]
        assert rec["story"]["id"] == c["of"], (cid, rec["story"], rec["similarity"])
        assert rec["duplicate_of"] == c["of"] and rec["similarity"] >= stories.THRESHOLD
        assert rec["story"]["first_seen"] == got[c["of"]]["ingested_at"]
    for a in originals:
        sizes = sorted(by_id[cid]["story"]["size"] for cid, c in copies.items() if c["of"] == a["id"])
        assert sizes == [2, 3], (a["id"], sizes)
    partitions = {r["_partition"] for r in [*got.values(), *recs]}
    assert len(partitions) >= 4
    # both workers signed articles (the entities agent, on partitions of articles.clean); the one story partition, with the whole
    # index, was assigned to a worker: the copies signed in both processes met there
    def holds(block: str, topic: str) -> bool:  # a row of the worker's "Topic Partition Set" table
        return re.search(rf"\| {re.escape(s.topic(topic))} +\|", block) is not None

    story_held = False
    for proc in (first, second):
        assigned = re.findall(r"Setting newly assigned partitions(.*?)for group", pipeline.log(proc), re.S)
        assert any(holds(block, CLEAN) for block in assigned), f"worker {proc.pid} signed nothing"
        story_held |= any(holds(block, STORY_TOPIC) for block in assigned)
    assert story_held, "no worker was assigned the story partition"

    # 3. stop both workers; a new one recovers the tables from their changelogs and a third copy joins
    pipeline.stop_all()
    pipeline.start_worker()
    late = {}
    for a in originals:
        cid = f"{a['id']}-late"
        late[cid] = {**ev.edited_copy(a, rng, 3), "id": cid, "of": a["id"]}
    start = ends(s, s.topic(ENRICHED))
    send(s, s.topic(RAW), [_raw({k: c[k] for k in ("id", "title", "body")}, "late") for c in late.values()])
    recs = {r["id"]: r for r in read(s, s.topic(ENRICHED), ids=set(late), timeout=120, start=start)}
    for cid, c in late.items():
        assert recs[cid]["story"]["id"] == c["of"] and recs[cid]["story"]["size"] == 4, recs[cid]["story"]


@pytest.mark.akhbar_env(AKHBAR_STORY_HORIZON_H="0.0005")  # 1.8 s
def test_a_copy_after_the_horizon_starts_a_new_story(pipeline):
    import time

    pipeline.start_worker()
    s = pipeline.settings
    (original,) = _originals()[:1]
    send(s, s.topic(RAW), [_raw(original, "wire")])
    read(s, s.topic(ENRICHED), ids={original["id"]}, timeout=90)
    time.sleep(3)
    copy = {**ev.edited_copy(original, random.Random(3), 1), "id": "late-copy"}
    send(s, s.topic(RAW), [_raw({k: copy[k] for k in ("id", "title", "body")}, "outlet")])
    recs = read(s, s.topic(ENRICHED), ids={"late-copy"}, timeout=90)
    (rec,) = [r for r in recs if r["id"] == "late-copy"]
    assert rec["story"] == {"id": "late-copy", "first_seen": rec["ingested_at"], "size": 1}


def test_a_burst_of_originals_and_copies_on_two_workers(pipeline):
    """Everything at once, signed on two workers: the story partition resolves the copies in its arrival
    order and keeps them together; nothing is lost."""
    first, second = pipeline.start_worker(wait=False), pipeline.start_worker(wait=False)
    pipeline.wait_ready(first)
    pipeline.wait_ready(second)
    s = pipeline.settings
    rng = random.Random(11)
    articles = []
    for a in _originals(n=20, seed=81):
        articles.append({**a, "truth": a["id"]})
        for n in (1, 2):
            copy = ev.edited_copy(a, rng, n)
            articles.append({"id": f"{a['id']}-burst{n}", "title": copy["title"], "body": copy["body"],
                             "truth": a["id"]})
    send(s, s.topic(RAW), [_raw({k: a[k] for k in ("id", "title", "body")}, "burst") for a in articles])
    recs = {r["id"]: r for r in read(s, s.topic(ENRICHED), ids={a["id"] for a in articles}, timeout=180)}
    assert set(recs) == {a["id"] for a in articles}, "every article comes out"
    assigned = {aid: stories.Assignment(r["story"]["id"], r["story"]["first_seen"], r["story"]["size"],
                                        r["duplicate_of"], r["similarity"]) for aid, r in recs.items()}
    result = ev.evaluate(articles, assigned)
    print(f"\nburst of {len(articles)}: precision {result['precision']}, recall {result['recall']}")
    assert result["precision"] == 1.0, result["false_merges"]
    assert result["recall"] >= 0.9, result["missed"]
    for r in recs.values():  # the fields are consistent whatever the arrival order
        assert r["duplicate_of"] in (None, r["story"]["id"]) and r["story"]["size"] >= 1
        assert (r["duplicate_of"] is None) == (r["story"]["id"] == r["id"])
