"""Two worker processes on one host share a 6-partition pipeline."""
from __future__ import annotations

import collections
import re

import orjson

from streams.topics import ENRICHED, RAW
from tests.integration.kafka_io import read, send

N = 1000


def test_two_workers_share_partitions_and_deliver_every_article(pipeline):
    first = pipeline.start_worker(wait=False)
    second = pipeline.start_worker(wait=False)
    pipeline.wait_ready(first)
    pipeline.wait_ready(second)
    s = pipeline.settings
    ids = [f"scale-{i:05d}" for i in range(N)]
    send(s, s.topic(RAW), [(i.encode(), orjson.dumps({"id": i, "source": "test", "title": f"خبر رقم {n}",
                                                      "body": f"قال مسؤول في بغداد إن الاجتماع رقم {n} انتهى."}),
                            None) for n, i in enumerate(ids)])
    records = read(s, s.topic(ENRICHED), ids=set(ids), timeout=240, settle=3.0)
    counts = collections.Counter(r["id"] for r in records)
    missing = set(ids) - set(counts)
    duplicates = {k: v for k, v in counts.items() if v > 1}
    print(f"\n{N} articles: {len(counts)} distinct arrived, {len(missing)} missing, "
          f"{sum(duplicates.values()) - len(duplicates)} duplicate deliveries")
    assert not missing
    assert {r["_partition"] for r in records} == set(range(6))
    for proc in (first, second):
        log = pipeline.log(proc)
        assigned = re.findall(r"Setting newly assigned partitions(.*?)for group", log, re.S)
        assert any(s.topic(RAW) in block for block in assigned), f"worker {proc.pid} never got a raw partition"
