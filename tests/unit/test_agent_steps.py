"""The linear agents' steps without a broker (agents/clean.py, agents/entities.py, then agents/stories.py's
with_story): three hops give the record `akhbar process` gives, and bad input fails as validation."""
from __future__ import annotations

import asyncio

import orjson
import pytest

from agents import clean, entities
from agents.stories import StoryStage, with_story
from bench import dataset
from nlp import stages
from nlp.stages import InvalidInput
from streams.settings import Settings
from tests.conftest import without_timing
from tests.unit.test_stories_stage import CountingTable


def test_clean_then_entities_then_the_story_stage_give_the_in_process_record():
    settings = Settings.from_env({})
    clean_step, entities_step = clean.make_step(settings), entities.make_step(settings)
    stage = StoryStage(72 * 3600 * 1000, CountingTable(), CountingTable())
    seed = dataset.load(dataset.SEEDS, 1)[0]
    copy = dataset.breaking(1, source=seed)[0]
    out = []
    for key, payload in dataset.payloads([seed, copy]):
        key1, cleaned = clean_step(payload)
        key2, signed = entities_step(cleaned)
        assert key1 == key2 == key
        msg = orjson.loads(signed)  # what articles.stories carries: the signature and the record
        assert msg["id"] == key.decode() and msg["sk"] and msg["keys"] and msg["record"]["entities"]
        record = msg.pop("record")
        out.append(orjson.loads(with_story(record, msg, asyncio.run(stage.add(msg)), 0.0)))
    index = stages.StoryIndex()
    expected = [orjson.loads(orjson.dumps(stages.process(stages.ingest(p, settings.max_message_bytes), index)))
                for _, p in dataset.payloads([seed, copy])]
    assert [without_timing(r) for r in out] == [without_timing(r) for r in expected]
    assert out[1]["story"]["id"] == seed.id and out[1]["story"]["size"] == 2
    assert out[1]["story"]["first_seen"] == out[0]["ingested_at"]


def test_the_clean_step_validates_first():
    step = clean.make_step(Settings.from_env({"AKHBAR_MAX_MESSAGE_BYTES": "2000"}))
    for payload in (b"\xff", b'{"title": "no body"}', orjson.dumps({"body": "خبر " * 1000})):
        with pytest.raises(InvalidInput):
            step(payload)
