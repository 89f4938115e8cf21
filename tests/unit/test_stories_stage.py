"""agents/stories.py's StoryStage with dicts for its two tables: what the stories-story agent writes, rebuilds and
expires, without a broker."""
from __future__ import annotations

import asyncio
import copy

from agents.stories import StoryStage
from agents.sweep import SWEEP_EVERY_MS
from nlp import stories
from tests.unit.test_stories import BODY, OTHER, at


class CountingTable(dict):
    """A table stand-in that counts its writes (each one a changelog record on the stream)."""

    writes = 0

    def __setitem__(self, key, value):
        self.writes += 1
        super().__setitem__(key, value)


def _stage(horizon_ms: int = 72 * 3600 * 1000) -> StoryStage:
    return StoryStage(horizon_ms, CountingTable(), CountingTable())


def _add(stage: StoryStage, aid: str, text: str, seen_at: str) -> stories.Assignment:
    return asyncio.run(stage.add(stories.signed(aid, text, seen_at)))


def test_two_writes_per_new_article_and_none_for_a_redelivery():
    stage = _stage()
    first = [_add(stage, aid, text, t) for aid, text, t in (("a", BODY, at(0)), ("b", BODY + " وانتهى.", at(1)),
                                                             ("c", OTHER, at(2)))]
    assert [(x.story_id, x.size) for x in first] == [("a", 1), ("a", 2), ("c", 1)]
    assert (stage.articles.writes, stage.story_table.writes) == (3, 3)
    again = _add(stage, "b", BODY + " وانتهى.", at(50))
    assert (again.story_id, again.size, again.similarity) == ("a", 2, first[1].similarity)
    assert (stage.articles.writes, stage.story_table.writes) == (3, 3)


def test_a_new_worker_rebuilds_the_index_from_the_tables_and_goes_on():
    stage = _stage()
    _add(stage, "a", BODY, at(0))
    _add(stage, "c", OTHER, at(1))
    # the partition on another worker: its tables recovered from the changelogs (copies of the values)
    moved = StoryStage(stage.horizon_ms, copy.deepcopy(stage.articles), copy.deepcopy(stage.story_table))
    late = _add(moved, "b", BODY + " وانتهى.", at(2))
    assert (late.story_id, late.size, late.duplicate_of) == ("a", 2, "a")
    assert _add(stage, "b", BODY + " وانتهى.", at(2)) == late  # the index that never moved
    assert (moved.index.buckets, moved.index.stories, moved.index.articles) == \
        (stage.index.buckets, stage.index.stories, stage.index.articles)
    moved.forget()  # reassigned: rebuilt again at the next article, with b in it
    assert _add(moved, "b", "", at(3)).size == 2


def test_the_sweep_deletes_expired_articles_and_stories_from_both_tables():
    hour = 3600 * 1000
    stage = _stage(horizon_ms=hour)
    _add(stage, "a", BODY, at(0))
    _add(stage, "c", OTHER, at(1))
    later = at((hour + SWEEP_EVERY_MS) / 1000 + 10)
    _add(stage, "d", "نص آخر مختلف تماما عن الخبرين", later)
    assert set(stage.articles) == {"d"} and set(stage.story_table) == {"d"}
    assert set(stage.index.articles) == {"d"} and set(stage.index.stories) == {"d"}
