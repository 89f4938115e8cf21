"""The clean agent's memory of recent titles (table `clean-titles`, agents/clean.py) on the real broker: a body
line equal to the title of an earlier article of the same source is removed, another source's article keeps it,
and after the group's offsets are reset (a redelivery of everything, the table recovered from its changelog
holding later titles too) every article comes out as the first time."""
from __future__ import annotations

import orjson

from streams.topics import CLEAN, RAW
from tests.integration.kafka_io import read, send
from tests.integration.test_redelivery import _replay_from_the_beginning, _wait_caught_up
from tests.unit.test_clean_stream_titles import BODY, T1, T2

AGENTS = "clean"


def _raw(aid: str, source: str, title: str, body: str, second: int) -> tuple[bytes, bytes, int]:
    raw = {"id": aid, "source": source, "title": title, "body": body,
           "ingested_at": f"2026-01-01T10:00:{second:02d}.000Z"}
    return aid.encode(), orjson.dumps(raw), 0   # one partition: the memory is per partition of articles.raw


def _by_id(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        out.setdefault(r["id"], []).append(r)
    return out


def test_a_line_equal_to_an_earlier_title_of_the_source_is_removed_and_stays_so_on_redelivery(pipeline):
    worker = pipeline.start_worker(agents=AGENTS)
    filler = "نص قصير عن موضوع آخر تماما في هذا اليوم."
    send(pipeline.settings, pipeline.topic(RAW), [
        _raw("t-first", "desk", T1, filler, 0),
        _raw("t-body", "desk", "عنوان الخبر", BODY, 1),
        _raw("t-other", "wire", "عنوان الخبر", BODY, 2),
        _raw("t-later", "desk", T2, filler, 3),   # titled like the body's other line, but later
    ])
    first = _by_id(read(pipeline.settings, pipeline.topic(CLEAN), count=4, timeout=90))
    (body,) = first["t-body"]
    assert T1 not in body["body"].split("\n") and T2 in body["body"].split("\n")
    assert [r["text"] for r in body["removed"] if r["reason"] == "related-headline"] == [T1]
    (other,) = first["t-other"]
    assert T1 in other["body"].split("\n") and not other["removed"]   # another source: kept

    _replay_from_the_beginning(pipeline, worker, AGENTS, pipeline.topic(RAW))
    _wait_caught_up(pipeline, AGENTS, [pipeline.topic(RAW)])
    both = _by_id(read(pipeline.settings, pipeline.topic(CLEAN), timeout=30, settle=2.0))
    assert set(both) == set(first)
    for aid, copies in both.items():  # at_least_once: a rebalance may add a copy; every copy is the first's
        assert len(copies) >= 2, aid
        assert all((c["body"], c["removed"]) == (first[aid][0]["body"], first[aid][0]["removed"]) for c in copies), aid
