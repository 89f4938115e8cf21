"""Story clustering on the stream: four thin agents around nlp.stories, state in changelog-backed tables.

    articles.entities ──[stories-sign]──┬─> articles.stories.gather  the article, key: article id
      (key: article id)                  └─> articles.stories.bands   probes: the article's band keys, one
                                               message per partition that holds some of their buckets
    articles.stories.bands ──[stories-band]──> articles.stories.gather  candidates at the threshold
      table stories-buckets: band key -> the recent articles in that bucket (id, story, sketch, time)
    articles.stories.gather ──[stories-resolve]──> articles.stories.join  article + chosen story, key: story id
      tables stories-pending / stories-replies: article id -> the article / the band replies so far
    articles.stories.join ──[stories-story]──┬─> articles.enriched  with story, duplicate_of, similarity
      table stories-stories:                  ├─> articles.stories.bands  commits, for an article that joined
        story id -> first_seen, size, members  │     a story: its bucket entries now name that story
        (or an alias: article id -> its story) └─> articles.stories.join  alias, keyed by that article's id

A band key's bucket lives in the partition the Kafka default partitioner gives the band key, whatever the
message key, so one probe message per partition (about 5.5 for 16 bands on 6 partitions) replaces one per band.
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
WAIT_MS = 60 * 1000  # event time a join may wait for the story it names to show up


class Sweeper:
    """Per partition: when the event time has moved SWEEP_EVERY_MS since the last sweep, delete expired keys
    (values carrying their partition "p" and event time "ms"; also used by agents/alerts.py)."""

    def __init__(self, horizon_ms: int, sweep=None):
        self.horizon_ms = horizon_ms
        self.sweep = sweep   # (items, partition, now_ms) -> expired keys; None: stories.sweep with horizon_ms
        self.last: dict[tuple[str, int], int] = {}

    def maybe(self, table, partition: int, now_ms: int | None) -> None:
        if not now_ms:  # no event time known: a sweep from epoch 0 would delete live state
            return
        mark = (table.name, partition)
        last = self.last.get(mark)
        if last is None:
            self.last[mark] = now_ms
            return
        if now_ms - last < SWEEP_EVERY_MS:
            return
        self.last[mark] = now_ms
        items = list(table.items())
        expired = (self.sweep(items, partition, now_ms) if self.sweep is not None
                   else stories.sweep(items, partition, now_ms, self.horizon_ms))
        for key in expired:
            del table[key]
        if expired:
            log.info("swept %d expired key(s) from %s[%d]", len(expired), table.name, partition)


def _partitioner():
    from aiokafka.partitioner import DefaultPartitioner

    default = DefaultPartitioner()

    def partition(key: bytes, n: int) -> int:
        return default(key, list(range(n)), list(range(n)))

    return partition


def register(app, settings, dlq) -> None:
    from streams.app import faust_topic

    horizon_ms = int(settings.story_horizon_h * 3600 * 1000)
    source = faust_topic(app, settings.topic(ENTITIES))
    bands = faust_topic(app, settings.topic(STORY_BANDS))
    gather = faust_topic(app, settings.topic(STORY_GATHER))
    join = faust_topic(app, settings.topic(STORY_JOIN))
    enriched = faust_topic(app, settings.topic(ENRICHED))
    sweeper = Sweeper(horizon_ms)

    def table(name: str, help_: str):
        return app.Table(name, partitions=settings.partitions, help=help_)

    buckets = table("stories-buckets", "LSH band key -> the recent articles in that bucket")
    pending = table("stories-pending", "article id -> the article waiting for its band candidates")
    replies = table("stories-replies", "article id -> the band candidates received so far")
    story_table = table("stories-stories", "story id -> first_seen, size, members")

    nparts = settings.partitions
    partitioner = _partitioner()

    def by_partition(keys: list[str]) -> dict[int, list[list]]:
        """Band keys grouped by the partition of articles.stories.bands that holds their bucket (the Kafka
        default partitioner on the band key): one message per partition, not one per band."""
        groups: dict[int, list[list]] = {}
        for n, key in enumerate(keys):
            groups.setdefault(partitioner(key.encode("utf-8"), nparts), []).append([n, key])
        return groups

    async def sign(stream):
        async for event in stream.events():
            try:
                obj = orjson.loads(event.value)
                record = from_dict(EnrichedArticle, obj)
                t0 = time.perf_counter()
                sig = stories.signature(stories.article_text(record.title, record.body))
                seen_ms = stories.to_ms(record.ingested_at) or int(time.time() * 1000)
                first_seen = record.ingested_at or ""
                base = {"id": record.id, "seen_ms": seen_ms, "first_seen": first_seen, "cpu_ms": 0.0}
                if stories.is_empty(sig):  # nothing to compare: its own story, straight to the story stage
                    base["cpu_ms"] = (time.perf_counter() - t0) * 1000
                    out = [(join, record.id, None, {**base, "record": obj, "story": record.id, "sim": None,
                                                    "keys": []})]
                else:
                    keys, sk = stories.band_keys(sig), stories.sketch(sig)
                    base["cpu_ms"] = (time.perf_counter() - t0) * 1000
                    out = [(gather, record.id, None, {**base, "t": "article", "record": obj, "keys": keys})]
                    out += [(bands, record.id, part, {"t": "probe", "id": record.id, "keys": group, "sk": sk,
                                                      "seen_ms": seen_ms, "first_seen": first_seen})
                            for part, group in by_partition(keys).items()]
            except Exception as exc:  # noqa: BLE001 - routed, never crashes the worker
                await dlq.send("stories", exc, event)
                continue
            for topic, key, part, msg in out:
                await topic.send(key=key.encode("utf-8"), value=orjson.dumps(msg), partition=part)

    async def band(stream):
        async for event in stream.events():
            try:
                msg = orjson.loads(event.value)
                partition = event.message.partition
                reply, newest = None, 0
                if msg["t"] == "probe":
                    found = []
                    for band_no, key in msg["keys"]:
                        state = buckets.get(key) or {"p": partition, "ms": 0, "e": []}
                        cands, state["e"] = stories.bucket_probe(state["e"], msg["id"], msg["id"],
                                                                 msg["first_seen"], msg["seen_ms"], msg["sk"],
                                                                 horizon_ms, band=band_no)
                        state["ms"] = newest = max(state["ms"], msg["seen_ms"])
                        buckets[key] = state
                        # only what can be chosen travels on: matches at the threshold, and an earlier version
                        found += [c for c in cands if c[3] >= stories.THRESHOLD or c[0] == msg["id"]]
                    reply = {"t": "reply", "id": msg["id"], "bands": [n for n, _ in msg["keys"]],
                             "cands": found, "seen_ms": msg["seen_ms"]}
                elif msg["t"] == "commit":
                    for _, key in msg["keys"]:
                        state = buckets.get(key)
                        if state is not None:
                            state["e"] = stories.bucket_commit(state["e"], msg["id"], msg["story"],
                                                               msg["first_seen"])
                            buckets[key] = state
                            newest = max(newest, state["ms"])
                else:
                    raise ValueError(f"unknown band message type {msg['t']!r}")
                sweeper.maybe(buckets, partition, newest)
            except Exception as exc:  # noqa: BLE001
                await dlq.send("stories", exc, event)
                continue
            if reply is not None:
                await gather.send(key=msg["id"].encode("utf-8"), value=orjson.dumps(reply))

    async def resolve(stream):
        async for event in stream.events():
            try:
                msg = orjson.loads(event.value)
                aid, partition = msg["id"], event.message.partition
                before = pending.get(aid), replies.get(aid)
                article, got, out = stories.gather(*before, msg, partition)
                for table_, old, new in ((pending, before[0], article), (replies, before[1], got)):
                    if new is None and old is not None:
                        del table_[aid]
                    elif new is not None and new != old:
                        table_[aid] = new
                sweeper.maybe(pending, partition, msg.get("seen_ms"))
                sweeper.maybe(replies, partition, msg.get("seen_ms"))
            except Exception as exc:  # noqa: BLE001
                await dlq.send("stories", exc, event)
                continue
            if out is not None:
                await join.send(key=out["story"].encode("utf-8"), value=orjson.dumps(out))

    def joined(msg: dict, current: dict | None) -> tuple[dict, list]:
        """Add the article in join message `msg` to its story (state `current`): the new state and what to
        send: the enriched record, and for an article that joined another story an alias and the commits."""
        sid, aid = msg["story"], msg["id"]
        state = stories.story_join(current, aid, msg["first_seen"], msg["seen_ms"], horizon_ms)
        record = msg["record"]
        record.update(stories.fields_for(aid, sid, state, msg["sim"]))
        stages_ms = record.setdefault("processing", {}).setdefault("stages_ms", {})
        stages_ms["stories"] = round(msg["cpu_ms"], 3)  # this article's signature and band keys
        out = [(enriched, aid, None, record)]
        # an article that started its own story is already right in the buckets (as its own story); one that
        # joined another story gets an alias (at once) and its bucket entries committed to that story (behind
        # the probes queued on the bands topic)
        if sid != aid:
            out.append((join, aid, None, {"t": "alias", "id": aid, "story": sid, "seen_ms": msg["seen_ms"]}))
            out += [(bands, aid, part, {"t": "commit", "id": aid, "keys": group, "story": sid,
                                        "first_seen": state["first_seen"]})
                    for part, group in by_partition(msg["keys"]).items()]
        return state, out

    last_wait_scan: dict[int, int] = {}

    def flush_stale_waits(partition: int, now_ms: int) -> list:
        """Joins that waited WAIT_MS of event time for a story that never showed up here (its first article
        failed, or its state expired) are not lost: they start the story themselves."""
        if now_ms - last_wait_scan.setdefault(partition, now_ms) < WAIT_MS:
            return []
        last_wait_scan[partition] = now_ms
        out = []
        stale = [(k, v) for k, v in list(story_table.items())
                 if v.get("p") == partition and "wait" in v and now_ms - v["ms"] > WAIT_MS]
        for key, value in stale:
            state = None
            for m in value["wait"]:
                state, sent = joined(m, state)
                out += sent
            state["p"], state["ms"] = partition, state["last_ms"]
            story_table[key] = state
            log.warning("story %s: %d join(s) waited %d ms for its first article; started it", key,
                        len(value["wait"]), now_ms - value["ms"])
        return out

    async def story(stream):
        async for event in stream.events():
            try:
                msg = orjson.loads(event.value)
                partition = event.message.partition
                key = msg["id"] if msg.get("t") == "alias" else msg["story"]
                current = story_table.get(key)
                out = []  # (topic, key, partition, message)
                if msg.get("t") == "alias":
                    # article `id` joined story `story`: joins that found it as a story of its own (its bucket
                    # entries not yet committed) go to that story, now and later
                    waiting = current.get("wait", []) if current else []
                    if current is None or waiting:
                        story_table[key] = {"alias": msg["story"], "p": partition, "ms": msg["seen_ms"]}
                    out += [(join, msg["story"], None, {**w, "story": msg["story"]}) for w in waiting]
                elif current is not None and "alias" in current and msg.get("hops", 0) < 4:
                    out.append((join, current["alias"], None,
                                {**msg, "story": current["alias"], "hops": msg.get("hops", 0) + 1}))
                elif msg["id"] != key and (current is None or "wait" in current):
                    # a join to a story not known here yet: its first article's own join, or its alias if
                    # it joined another story, is on its way (same key, same partition): wait for it
                    waiting = (current or {}).get("wait", [])
                    log.info("join of %s waits for story %s (%d waiting)", msg["id"], key, len(waiting) + 1)
                    story_table[key] = {"wait": [*waiting, msg], "p": partition,
                                        "ms": min([msg["seen_ms"], *(w["seen_ms"] for w in waiting)])}
                else:
                    waiting = current.get("wait", []) if current else []
                    state = None if current is None or "alias" in current or waiting else current
                    for m in [msg, *waiting]:
                        state, sent = joined(m, state)
                        out += sent
                    state["p"], state["ms"] = partition, state["last_ms"]
                    story_table[key] = state
                out += flush_stale_waits(partition, msg["seen_ms"])
                sweeper.maybe(story_table, partition, msg["seen_ms"])
            except Exception as exc:  # noqa: BLE001
                await dlq.send("stories", exc, event)
                continue
            for topic, k, part, value in out:
                await topic.send(key=k.encode("utf-8"), value=orjson.dumps(value), partition=part)

    for name, fn, topic in (("stories-sign", sign, source), ("stories-band", band, bands),
                            ("stories-resolve", resolve, gather), ("stories-story", story, join)):
        fn.__name__ = fn.__qualname__ = name.replace("-", "_")
        app.agent(topic, name=f"akhbar.{name}")(fn)
