"""Story clustering on the stream: four thin agents around nlp.stories, state in changelog-backed tables.

    articles.entities ──[stories-sign]──┬─> articles.stories.gather  the article, key: article id
      (key: article id)                  └─> articles.stories.bands   one probe per LSH band, key: band key
    articles.stories.bands ──[stories-band]──> articles.stories.gather  the band's candidates, key: article id
      table stories-buckets: band key -> the recent articles in that bucket (id, story, sketch, time)
    articles.stories.gather ──[stories-resolve]──> articles.stories.join  article + chosen story, key: story id
      tables stories-pending / stories-replies: article id -> the article / the band replies so far
    articles.stories.join ──[stories-story]──┬─> articles.enriched  with story, duplicate_of, similarity
      table stories-stories:                  └─> articles.stories.bands  commits: the story each entry joined
        story id -> first_seen, size, members

Every table is written only by the agent reading the topic it is co-partitioned with (same key, same
partition count), so Faust keeps its changelog partition with the source partition: state survives
restarts (changelog replay) and moves with the partition between workers. Copies that land on different
partitions of articles.entities meet in the band buckets, because their band keys are equal.

Each state value carries its partition ("p") and its event time ("ms"): a sweep, run from within the
stream for the partition being processed, deletes what is older than the horizon (bounded state).
"""
from __future__ import annotations

import logging
import time

import orjson

from nlp import stories
from schemas.codec import from_dict
from schemas.records import EnrichedArticle
from streams.topics import ENRICHED, ENTITIES, STORY_BANDS, STORY_GATHER, STORY_JOIN

log = logging.getLogger("akhbar.stories")

SWEEP_EVERY_MS = 10 * 60 * 1000  # event time between two sweeps of one partition's state


class _Sweeper:
    """Per partition: when the event time has moved SWEEP_EVERY_MS since the last sweep, delete expired keys."""

    def __init__(self, horizon_ms: int):
        self.horizon_ms = horizon_ms
        self.last: dict[tuple[str, int], int] = {}

    def maybe(self, table, partition: int, now_ms: int) -> None:
        mark = (table.name, partition)
        last = self.last.get(mark)
        if last is None:
            self.last[mark] = now_ms
            return
        if now_ms - last < SWEEP_EVERY_MS:
            return
        self.last[mark] = now_ms
        expired = stories.sweep(list(table.items()), partition, now_ms, self.horizon_ms)
        for key in expired:
            del table[key]
        if expired:
            log.info("swept %d expired key(s) from %s[%d]", len(expired), table.name, partition)


def register(app, settings, dlq) -> None:
    from streams.app import faust_topic

    horizon_ms = int(settings.story_horizon_h * 3600 * 1000)
    source = faust_topic(app, settings.topic(ENTITIES))
    bands = faust_topic(app, settings.topic(STORY_BANDS))
    gather = faust_topic(app, settings.topic(STORY_GATHER))
    join = faust_topic(app, settings.topic(STORY_JOIN))
    enriched = faust_topic(app, settings.topic(ENRICHED))
    sweeper = _Sweeper(horizon_ms)

    def table(name: str, help_: str):
        return app.Table(name, partitions=settings.partitions, help=help_)

    buckets = table("stories-buckets", "LSH band key -> the recent articles in that bucket")
    pending = table("stories-pending", "article id -> the article waiting for its band candidates")
    replies = table("stories-replies", "article id -> the band candidates received so far")
    story_table = table("stories-stories", "story id -> first_seen, size, members")

    async def sign(stream):
        async for event in stream.events():
            try:
                obj = orjson.loads(event.value)
                record = from_dict(EnrichedArticle, obj)
                t0 = time.perf_counter()
                sig = stories.signature(stories.article_text(record.title, record.body))
                seen_ms = stories.to_ms(record.ingested_at) or int(time.time() * 1000)
                first_seen = record.ingested_at or ""
                base = {"id": record.id, "seen_ms": seen_ms, "first_seen": first_seen, "wall": time.time(),
                        "cpu_ms": 0.0}
                if stories.is_empty(sig):  # nothing to compare: its own story, straight to the story stage
                    base["cpu_ms"] = (time.perf_counter() - t0) * 1000
                    msg = {**base, "record": obj, "story": record.id, "sim": None, "keys": []}
                    out = [(join, record.id, msg)]
                else:
                    keys, sk = stories.band_keys(sig), stories.sketch(sig)
                    base["cpu_ms"] = (time.perf_counter() - t0) * 1000
                    out = [(gather, record.id, {**base, "t": "article", "record": obj, "keys": keys})]
                    out += [(bands, key, {"t": "probe", "id": record.id, "band": n, "sk": sk, "seen_ms": seen_ms,
                                          "first_seen": first_seen}) for n, key in enumerate(keys)]
            except Exception as exc:  # noqa: BLE001 - routed, never crashes the worker
                await dlq.send("stories", exc, event)
                continue
            for topic, key, msg in out:
                await topic.send(key=key.encode("utf-8"), value=orjson.dumps(msg))

    async def band(stream):
        async for event in stream.events():
            try:
                msg = orjson.loads(event.value)
                key = event.key.decode("utf-8")
                partition = event.message.partition
                state = buckets.get(key) or {"p": partition, "ms": 0, "e": []}
                reply = None
                if msg["t"] == "probe":
                    cands, state["e"] = stories.bucket_probe(state["e"], msg["id"], msg["id"], msg["first_seen"],
                                                             msg["seen_ms"], msg["sk"], horizon_ms)
                    state["ms"] = max(state["ms"], msg["seen_ms"])
                    reply = {"t": "reply", "id": msg["id"], "band": msg["band"], "cands": cands}
                elif msg["t"] == "commit":
                    state["e"] = stories.bucket_commit(state["e"], msg["id"], msg["story"], msg["first_seen"])
                else:
                    raise ValueError(f"unknown band message type {msg['t']!r}")
                buckets[key] = state
                sweeper.maybe(buckets, partition, state["ms"])
            except Exception as exc:  # noqa: BLE001
                await dlq.send("stories", exc, event)
                continue
            if reply is not None:
                await gather.send(key=msg["id"].encode("utf-8"), value=orjson.dumps(reply))

    async def resolve(stream):
        async for event in stream.events():
            try:
                msg = orjson.loads(event.value)
                aid = msg["id"]
                partition = event.message.partition
                if msg["t"] == "article":
                    article = {**msg, "p": partition, "ms": msg["seen_ms"]}
                    pending[aid] = article
                    got = replies.get(aid) or {"p": partition, "ms": msg["seen_ms"], "bands": {}}
                elif msg["t"] == "reply":
                    article = pending.get(aid)
                    got = replies.get(aid) or {"p": partition, "ms": article["ms"] if article else 0, "bands": {}}
                    got["bands"][str(msg["band"])] = msg["cands"]
                    replies[aid] = got
                else:
                    raise ValueError(f"unknown gather message type {msg['t']!r}")
                out = None
                if article is not None and len(got["bands"]) >= len(article["keys"]):
                    cands = [c for band_cands in got["bands"].values() for c in band_cands]
                    best = stories.choose(cands, aid, seen_ms=article["seen_ms"])
                    story_id = best[1] if best else aid
                    sim = None if best is None or best[0] == aid else best[3]
                    out = {"id": aid, "record": article["record"], "story": story_id, "sim": sim,
                           "keys": article["keys"], "seen_ms": article["seen_ms"],
                           "first_seen": article["first_seen"], "wall": article["wall"],
                           "cpu_ms": article["cpu_ms"]}
                    del pending[aid]
                    if aid in replies:
                        del replies[aid]
                sweeper.maybe(pending, partition, msg.get("seen_ms") or got["ms"])
                sweeper.maybe(replies, partition, msg.get("seen_ms") or got["ms"])
            except Exception as exc:  # noqa: BLE001
                await dlq.send("stories", exc, event)
                continue
            if out is not None:
                await join.send(key=out["story"].encode("utf-8"), value=orjson.dumps(out))

    async def story(stream):
        async for event in stream.events():
            try:
                msg = orjson.loads(event.value)
                sid, aid = msg["story"], msg["id"]
                partition = event.message.partition
                state = stories.story_join(story_table.get(sid), aid, msg["first_seen"], msg["seen_ms"], horizon_ms)
                state["p"], state["ms"] = partition, state["last_ms"]
                story_table[sid] = state
                record = msg["record"]
                record.update(stories.fields_for(aid, sid, state, msg["sim"]))
                stages_ms = record.setdefault("processing", {}).setdefault("stages_ms", {})
                stages_ms["stories"] = round(msg["cpu_ms"], 3)  # this article's signature and band keys
                commits = [(key, {"t": "commit", "id": aid, "story": sid, "first_seen": state["first_seen"]})
                           for key in msg["keys"]]
                sweeper.maybe(story_table, partition, msg["seen_ms"])
            except Exception as exc:  # noqa: BLE001
                await dlq.send("stories", exc, event)
                continue
            await enriched.send(key=aid.encode("utf-8"), value=orjson.dumps(record))
            for key, commit in commits:
                await bands.send(key=key.encode("utf-8"), value=orjson.dumps(commit))

    for name, fn, topic in (("stories-sign", sign, source), ("stories-band", band, bands),
                            ("stories-resolve", resolve, gather), ("stories-story", story, join)):
        fn.__name__ = fn.__qualname__ = name.replace("-", "_")
        app.agent(topic, name=f"akhbar.{name}")(fn)
