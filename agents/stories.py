"""Story clustering on the stream: the signature in the entities agent, the index in one agent, state in two
tables.

    articles.clean ──[entities]──> articles.stories ──[stories]──> articles.enriched
                     signed_message:  (key: article id,  StoryIndex.add_signed: story, duplicate_of,
                     sketch, band     one partition)     similarity filled in
                     keys, the record                    tables stories-articles, stories-stories

The signature (the costly part, ~1 ms an article) is computed next to the article, in the entities agent, in
parallel over the partitions of articles.clean; one record per article then goes to the single partition of
articles.stories, so the whole index lives in one place and the arrival order is total: copies racing in a
burst are simply resolved in that order, no alias, no waiting, no repartition hop. The stories agent keeps the
index in memory (nlp.stories.StoryIndex) and writes, per new article, its entry to `stories-articles` (article
id -> story, similarity, sketch, band keys, event time, arrival number) and its story to `stories-stories`
(story id -> first_seen, size, last_ms): two changelog records. The band buckets are derived state: rebuilt
from the tables (StoryIndex.restore) at the first event after the partition is assigned to this worker, so
restarts and a move to another worker give the index it had. An article id already in the index gets its
story again and writes nothing (redelivery changes no state).

Expiry: every SWEEP_EVERY_MS of event time the index forgets what is older than the horizon and the
agent deletes those keys from both tables.
"""
from __future__ import annotations

import asyncio
import logging
import time

import orjson

from agents.sweep import SWEEP_EVERY_MS
from nlp import stories
from schemas.records import EnrichedArticle
from streams import metrics
from streams.topics import ENRICHED, STORIES

log = logging.getLogger("akhbar.stories")


def signed_message(record: EnrichedArticle) -> bytes:
    """The message of articles.stories for `record` (the entities agent's output): its signature
    (nlp.stories.signed), the record itself, and the CPU the signature took, counted in the stories stage."""
    t0 = time.perf_counter()
    art = stories.signed(record.id, stories.article_text(record.title, record.body), record.ingested_at,
                         default_ms=int(time.time() * 1000))
    return orjson.dumps({**art, "record": record, "cpu_ms": (time.perf_counter() - t0) * 1000})


def with_story(record: dict, msg: dict, assignment: stories.Assignment, t0: float) -> bytes:
    """The EnrichedArticle of a signed message: `record` (popped from `msg`, so the index never holds it) with
    its story fields, and the stories stage's CPU (the signature's, then this agent's since `t0`)."""
    record.update(stories.fields_for(msg["id"], assignment.story_id, {
        "first_seen": assignment.first_seen, "size": assignment.size}, assignment.similarity))
    stages_ms = record.setdefault("processing", {}).setdefault("stages_ms", {})
    stages_ms["stories"] = round(msg["cpu_ms"] + (time.perf_counter() - t0) * 1000, 3)
    return orjson.dumps(record)


class StoryStage:
    """The stories-story agent's state: the index (None until it is rebuilt from the tables) and the
    event time of its last expiry."""

    def __init__(self, horizon_ms: int, articles, story_table):
        self.horizon_ms = horizon_ms
        self.articles, self.story_table = articles, story_table
        self.index: stories.StoryIndex | None = None
        self.swept_ms: int | None = None

    def forget(self) -> None:
        """The partition was assigned anew (or went elsewhere): rebuild from the tables at the next event."""
        self.index = None

    async def ready(self) -> stories.StoryIndex:
        """The index, rebuilt from the tables first if needed (~0.2 ms an article: the event loop is let go
        every 1000 articles, so the consumer's heartbeats go on during a long rebuild)."""
        if self.index is None:
            t0 = time.perf_counter()
            index = stories.StoryIndex(horizon_ms=self.horizon_ms)
            for _ in index.restoring(list(self.articles.items()), list(self.story_table.items())):
                await asyncio.sleep(0)
            self.index = index
            log.info("story index rebuilt from the tables: %d articles, %d stories, %d band keys in %.2f s",
                     len(index.articles), len(index.stories), len(index.buckets), time.perf_counter() - t0)
        return self.index

    async def add(self, art: dict) -> stories.Assignment:
        """One article: its assignment; a new article's entry and story are written to the tables."""
        index = await self.ready()
        assignment, changed = index.add_signed(art)
        if changed:
            self.articles[art["id"]] = index.articles[art["id"]]
            self.story_table[assignment.story_id] = index.stories[assignment.story_id]
        self.maybe_expire(art["ms"])
        return assignment

    def maybe_expire(self, now_ms: int) -> None:
        if not now_ms:
            return
        if self.swept_ms is None or now_ms - self.swept_ms < SWEEP_EVERY_MS:
            self.swept_ms = self.swept_ms or now_ms
            return
        self.swept_ms = now_ms
        gone, old = self.index.expire(now_ms)
        for table, keys in ((self.articles, gone), (self.story_table, old)):
            for key in keys:
                if key in table:
                    del table[key]
        if gone or old:
            log.info("expired %d article(s) and %d story(ies) older than the horizon", len(gone), len(old))


def register(app, settings, dlq) -> None:
    from streams.app import faust_topic

    story_topic = faust_topic(app, settings.topic(STORIES))
    enriched = faust_topic(app, settings.topic(ENRICHED))
    articles = app.Table("stories-articles", partitions=1,
                         help="article id -> its story, similarity, sketch, band keys, event time")
    story_table = app.Table("stories-stories", partitions=1, help="story id -> first_seen, size, last_ms")
    stage = StoryStage(int(settings.story_horizon_h * 3600 * 1000), articles, story_table)
    held: set = set()
    cpu, clock = metrics.STAGE_CPU.labels(stage="stories"), time.thread_time

    @app.on_partitions_assigned.connect
    async def on_assigned(sender, assigned, **kwargs) -> None:  # noqa: ARG001 - Faust's signal signature
        mine = {tp for tp in assigned if tp.topic == story_topic.get_topic_name()}
        if mine != held:
            stage.forget()
        held.clear()
        held.update(mine)

    async def story(stream):
        async for event in stream.events():
            c0 = clock()
            try:
                await stage.ready()  # a rebuild may let the loop go; once ready, nothing below suspends, so the
                c0 = clock()         # thread's CPU from here to cpu.inc is this stage's own
                msg = orjson.loads(event.value)
                t0 = time.perf_counter()
                record = msg.pop("record")
                value = with_story(record, msg, await stage.add(msg), t0)
            except Exception as exc:  # noqa: BLE001
                cpu.inc(clock() - c0)
                await dlq.send("stories", exc, event)
                continue
            cpu.inc(clock() - c0)
            await enriched.send(key=msg["id"].encode("utf-8"), value=value)

    app.agent(story_topic, name="akhbar.stories-story")(story)
