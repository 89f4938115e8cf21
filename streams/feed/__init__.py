"""The newsroom feed and /metrics on the worker's web server (Faust web, aiohttp).

    /                 live right-to-left page (static HTML/CSS/JS in streams/feed/static; text is only ever
                      put into the page with textContent, never parsed as HTML)
    /articles         recent articles (JSON list; ?entity=&source=&lang= filters)
    /articles/{id}    one recent article (JSON, its latest version), 404 when this worker has not seen it
    /stories          recent stories (JSON list): copies of one story collapsed, with their members
    /alerts           recent alerts (JSON list)
    /stream           Server-Sent Events: `article` events as articles reach articles.enriched
    /stories/stream   Server-Sent Events: `story` events, the whole story each time an article joins it
    /alerts/stream    Server-Sent Events: `alert` events from articles.alerts
    /feed/status      whether the feed has read its history and is live, and what it holds (JSON)
    /metrics          Prometheus text format (streams/metrics.py)

Every worker's feed reads ALL partitions of articles.enriched, articles.alerts and the DLQ with its own
group-less consumer (no consumer group, no commits), so any worker can serve the whole feed; it starts
from the last AKHBAR_FEED_HISTORY records and keeps them in memory.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from importlib.resources import files

import orjson

from streams import metrics

log = logging.getLogger("akhbar.feed")
STATIC = {"feed.js": "text/javascript", "feed.css": "text/css"}
SSE_HEARTBEAT_S = 15.0
OFFSETS_TIMEOUT_S = 8.0
HISTORY_WAIT_S = 5.0  # how long /articles waits for a starting worker to read its history


def _story(article: dict) -> dict:
    story = article.get("story")
    return story if isinstance(story, dict) else {}


def story_key(article: dict) -> str:
    """The story an article belongs to: its `story.id` (the story's first article), else the article itself."""
    return str(_story(article).get("id") or article.get("id"))


def _matches(article: dict, want: str, source: str, lang: str) -> bool:
    from nlp.rules import norm

    if source and article.get("source") != source:
        return False
    if lang and article.get("lang") != lang:
        return False
    return not want or any(want in (norm(e.get("canonical") or ""), norm(e.get("text") or ""))
                           for e in article.get("entities") or [])


class FeedHub:
    """Recent articles, their stories and alerts in memory, and the SSE subscribers they are pushed to.

    The feed reads outside any transaction and may see an article or an alert more than once (a redelivery
    after a crash or a rebalance, a reprocessed DLQ letter, the reader re-reading its history after a broker
    hiccup): both are kept by id, the latest version wins, and a record identical to the one held is not
    pushed again.
    """

    def __init__(self, history: int = 200):
        self.articles: OrderedDict[str, dict] = OrderedDict()
        self.alerts: OrderedDict[str, dict] = OrderedDict()
        self.stories: OrderedDict[str, list[str]] = OrderedDict()  # story key -> member ids, in arrival order
        self.story_of: dict[str, str] = {}
        self.history = history
        self.subscribers: dict[str, set[asyncio.Queue]] = {"articles": set(), "alerts": set(), "stories": set()}
        self.ready = asyncio.Event()

    def add_article(self, article: dict, live: bool = True) -> bool:
        """Keep `article` (replacing an earlier version of it); False when it is identical to the one held."""
        aid = str(article.get("id"))
        if self.articles.get(aid) == article:
            return False
        self.articles.pop(aid, None)
        self.articles[aid] = article
        key = story_key(article)
        old_key = self.story_of.get(aid)
        if old_key != key:
            if old_key is not None:  # a new version in another story: it leaves the old one
                self._leave_story(aid, old_key)
            self.story_of[aid] = key
            self.stories.setdefault(key, []).append(aid)
        while len(self.articles) > self.history:
            gone, _ = self.articles.popitem(last=False)
            self._leave_story(gone, self.story_of.pop(gone))
        if live:
            self._publish("articles", article)
        if live and self.subscribers["stories"]:  # a story event holds every member here: built only when watched
            if old_key is not None and old_key != key:
                self._publish("stories", self.story(old_key) if old_key in self.stories else
                              {"id": old_key, "size": 0, "copies": 0, "sources": [], "lead": None, "members": []})
            if key in self.stories:
                self._publish("stories", self.story(key))
        return True

    def _leave_story(self, aid: str, key: str) -> None:
        members = self.stories.get(key)
        if members and aid in members:
            members.remove(aid)
            if not members:
                del self.stories[key]

    def add_alert(self, alert: dict, live: bool = True) -> bool:
        """Keep `alert` by id; False (and nothing pushed) when it is identical to the one held."""
        key = str(alert.get("id"))
        if self.alerts.get(key) == alert:
            return False
        self.alerts[key] = alert
        while len(self.alerts) > self.history:
            self.alerts.popitem(last=False)
        if live:
            self._publish("alerts", alert)
        return True

    def story(self, key: str) -> dict:
        """One story as the page shows it: the lead article (the story's first, or the earliest one here) in
        full, and every member here in arrival order (`sources`: the distinct sources among them)."""
        members = [self.articles[m] for m in self.stories[key]]
        lead = next((a for a in members if str(a.get("id")) == key), members[0])
        sizes = [_story(a).get("size") for a in members]
        size = max([len(members)] + [n for n in sizes if isinstance(n, int)])
        first_seen = _story(lead).get("first_seen") or lead.get("ingested_at")
        return {"id": key, "first_seen": first_seen, "size": size, "copies": len(members),
                "sources": sorted({str(a.get("source")) for a in members if a.get("source")}),
                "lead": lead, "members": [_member(a) for a in members]}

    def _publish(self, stream: str, record: dict) -> None:
        for q in list(self.subscribers[stream]):
            _offer(q, record)

    def close(self) -> None:
        """Worker shutdown: end every SSE response (browsers reconnect to another worker)."""
        for subs in self.subscribers.values():
            for q in list(subs):
                _offer(q, None)

    def recent(self, entity: str = "", source: str = "", lang: str = "", limit: int = 100) -> list[dict]:
        from nlp.rules import norm

        want = norm(entity) if entity else ""
        out = []
        for a in reversed(self.articles.values()):
            if _matches(a, want, source, lang):
                out.append(a)
                if len(out) >= limit:
                    break
        return out

    def recent_stories(self, entity: str = "", source: str = "", lang: str = "", limit: int = 100) -> list[dict]:
        """Stories newest first (by their first arrival here); a story is listed when any member matches."""
        from nlp.rules import norm

        want = norm(entity) if entity else ""
        out = []
        for key in reversed(self.stories):
            if any(_matches(self.articles[m], want, source, lang) for m in self.stories[key]):
                out.append(self.story(key))
                if len(out) >= limit:
                    break
        return out


def _offer(q: asyncio.Queue, item) -> None:
    """Queue `item` for one SSE client; a stalled client loses its oldest event rather than grow without bound."""
    if q.full():
        q.get_nowait()
    q.put_nowait(item)


def _member(a: dict) -> dict:
    """What the page needs of a story member besides the lead: to list it and to filter on it."""
    return {"id": a.get("id"), "title": a.get("title"), "source": a.get("source"), "lang": a.get("lang"),
            "url": a.get("url"), "published_at": a.get("published_at"), "ingested_at": a.get("ingested_at"),
            "duplicate_of": a.get("duplicate_of"), "similarity": a.get("similarity"),
            "entities": [{k: e.get(k) for k in ("text", "canonical", "type")} for e in a.get("entities") or []]}


def observe_article(article: dict) -> None:
    metrics.FEED_ARTICLES.inc()
    for stage, ms in ((article.get("processing") or {}).get("stages_ms") or {}).items():
        if isinstance(ms, (int, float)):
            metrics.STAGE_LATENCY.labels(stage=stage).observe(ms / 1000.0)
    from nlp.stories import to_ms

    t0_ms = to_ms(article.get("ingested_at"))
    if t0_ms is not None:
        metrics.END_TO_END.observe(max(0.0, time.time() - t0_ms / 1000))


async def follow(settings, hub: FeedHub) -> None:
    """Read enriched articles, alerts and dead letters from all partitions, forever."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from streams.topics import ALERTS, ENRICHED, partition_ids

    topics = {"articles": settings.topic(ENRICHED), "alerts": settings.topic(ALERTS),
              "dlq": settings.topic(settings.dlq_topic)}
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                                fetch_max_wait_ms=100, max_partition_fetch_bytes=8 * 1024 * 1024,
                                isolation_level="read_committed", **settings.kafka_security())
    await consumer.start()
    try:
        tps = []
        for kind, topic in topics.items():
            tps += [TopicPartition(topic, p) for p in await partition_ids(settings, topic)]
        consumer.assign(tps)
        # right after topic creation a leader may not be known yet and these calls can stall: bounded, and
        # the supervisor starts the reader again
        ends = await asyncio.wait_for(consumer.end_offsets(tps), OFFSETS_TIMEOUT_S)
        begins = await asyncio.wait_for(consumer.beginning_offsets(tps), OFFSETS_TIMEOUT_S)
        live_from = dict(ends)
        per_partition = max(1, hub.history // max(1, settings.partitions))
        behind = {}
        for tp in tps:
            back = 0 if tp.topic == topics["dlq"] else per_partition
            start = max(begins[tp], ends[tp] - back)
            consumer.seek(tp, start)
            if start < ends[tp]:
                behind[tp] = ends[tp]
        if not behind:
            hub.ready.set()
        log.info("feed following %s from %d recent record(s)", ", ".join(topics.values()),
                 sum(ends[tp] - max(begins[tp], ends[tp] - per_partition) for tp in tps if tp.topic != topics["dlq"]))
        by_topic = {v: k for k, v in topics.items()}
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, messages in batch.items():
                kind = by_topic[tp.topic]
                for m in messages:
                    try:
                        rec = orjson.loads(m.value)
                    except orjson.JSONDecodeError:
                        continue
                    if not isinstance(rec, dict):
                        continue
                    # history is pushed to SSE clients too: a page that connected before the history was
                    # read gets it that way (the page replaces an article it already has, by id)
                    try:
                        if kind == "articles":
                            if m.offset >= live_from[tp]:
                                observe_article(rec)
                            hub.add_article(rec)
                        elif kind == "alerts":
                            hub.add_alert(rec)
                        elif kind == "dlq":
                            metrics.DLQ_BY_STAGE.labels(stage=str(rec.get("stage"))).inc()
                    except Exception as exc:  # noqa: BLE001 - one odd record must not stop the feed
                        log.warning("feed skipped %s[%d]@%d: %s: %s", tp.topic, tp.partition, m.offset,
                                    type(exc).__name__, exc)
                if tp in behind and messages[-1].offset + 1 >= behind[tp]:
                    del behind[tp]
                    if not behind:
                        hub.ready.set()  # history read: /articles and /alerts answer in full
    finally:
        await consumer.stop()


async def poll_cluster(settings, base_app_id: str, every: float = 5.0) -> None:
    """Per-stage counts, DLQ size and consumer lag from the cluster, every few seconds."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    from agents import PIPELINE
    from streams.topics import ALERTS, ALERTS_DLQ, ENRICHED, catalogue, partitions_of

    # stage name -> the topic it writes (names before the prefix), for the per-stage counts
    stage_outputs = {**{name: sink for name, (_, _, sink) in PIPELINE.items()}, "stories": ENRICHED, "alerts": ALERTS}

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, **settings.kafka_security())
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                                isolation_level="read_committed", **settings.kafka_security())
    await admin.start()
    await consumer.start()
    names = {name for name, _, _ in catalogue(settings)}
    try:
        while True:
            try:
                ends: dict = {}
                tps = [TopicPartition(topic, p) for topic, ps in (await partitions_of(admin, names)).items()
                       for p in ps]
                if tps:
                    ends = await asyncio.wait_for(consumer.end_offsets(tps), OFFSETS_TIMEOUT_S)
                totals: dict[str, int] = {}
                for tp, off in ends.items():
                    totals[tp.topic] = totals.get(tp.topic, 0) + off
                for stage, topic in stage_outputs.items():
                    full = settings.topic(topic)
                    if full in totals:
                        metrics.STAGE_MESSAGES.labels(stage=stage, topic=full).set(totals[full])
                metrics.DLQ_MESSAGES.set(totals.get(settings.topic(settings.dlq_topic), 0))
                metrics.ALERTS_DLQ_MESSAGES.set(totals.get(settings.topic(ALERTS_DLQ), 0))
                groups = [g[0] for g in await admin.list_consumer_groups()
                          if g[0] == base_app_id or g[0].startswith(base_app_id + "-")]
                for group in groups:
                    lag: dict[str, int] = {}
                    for tp, meta in (await admin.list_consumer_group_offsets(group)).items():
                        if tp in ends and meta.offset >= 0:
                            lag[tp.topic] = lag.get(tp.topic, 0) + max(0, ends[tp] - meta.offset)
                    for topic, value in lag.items():
                        metrics.CONSUMER_LAG.labels(group=group, topic=topic).set(value)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - metrics must never take the worker down
                log.warning("metrics poll failed: %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(every)
    finally:
        await consumer.stop()
        await admin.close()


def register_feed(app, settings) -> FeedHub:
    """The feed pages and /metrics on `app`'s web server, and the tasks that feed them."""
    from aiohttp import web as aioweb
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from streams.settings import Settings

    hub = FeedHub(settings.feed_history)
    try:
        base_app_id = Settings.from_env().app_id
    except ValueError:
        base_app_id = settings.app_id
    static = files("streams.feed") / "static"

    async def supervised(name, factory):
        while True:
            try:
                await factory()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a broker hiccup restarts the reader, not the worker
                log.warning("%s stopped (%s: %s); restarting in 2 s", name, type(exc).__name__, exc)
                await asyncio.sleep(2)

    async def close_streams(sender=None, **kwargs):
        hub.close()

    hub._on_shutdown = close_streams  # a strong reference: signals may hold weak ones
    app.on_before_shutdown.connect(close_streams)

    @app.task
    async def feed_reader():
        await supervised("feed reader", lambda: follow(settings, hub))

    @app.task
    async def metrics_poller():
        await supervised("metrics poller", lambda: poll_cluster(settings, base_app_id))

    @app.page("/")
    async def index(web, request):
        """The live newsroom feed (HTML)."""
        return aioweb.Response(body=(static / "index.html").read_bytes(), content_type="text/html",
                               charset="utf-8", headers=_SECURITY_HEADERS)

    @app.page("/favicon.ico")
    async def favicon(web, request):
        return aioweb.Response(status=204)

    @app.page("/static/{name}")
    async def static_file(web, request, name):
        if name not in STATIC:
            return web.json({"error": f"no such file {name!r}"}, status=404)
        return aioweb.Response(body=(static / name).read_bytes(), content_type=STATIC[name], charset="utf-8",
                               headers={"Cache-Control": "no-cache"})

    async def history_read():
        try:
            await asyncio.wait_for(hub.ready.wait(), HISTORY_WAIT_S)
        except asyncio.TimeoutError:
            pass  # answer with what there is

    async def listing(web, request, recent):
        """A filtered list (entity, source, lang, limit <= 1000) from `recent`, once the history is read."""
        await history_read()
        q = request.query
        try:
            limit = max(1, min(1000, int(q.get("limit", "100"))))
        except ValueError:
            return web.json({"error": "limit must be an integer"}, status=400)
        return _json(recent(q.get("entity", ""), q.get("source", ""), q.get("lang", ""), limit))

    @app.page("/articles")
    async def articles(web, request):
        return await listing(web, request, hub.recent)

    @app.page("/stories")
    async def stories(web, request):
        return await listing(web, request, hub.recent_stories)

    @app.page("/articles/{article_id}")
    async def article(web, request, article_id):
        await history_read()
        found = hub.articles.get(article_id)
        if found is None:
            return _json({"error": f"article {article_id!r} not among this worker's {len(hub.articles)} most "
                                   f"recent (AKHBAR_FEED_HISTORY)"}, status=404)
        return _json(found)

    @app.page("/alerts")
    async def alerts(web, request):
        await history_read()
        return _json(list(reversed(hub.alerts.values())))

    @app.page("/stream")
    async def stream(web, request):
        """Server-Sent Events: one `article` event per new enriched article."""
        return await _sse(request, hub, "articles", "article")

    @app.page("/alerts/stream")
    async def alert_stream(web, request):
        """Server-Sent Events: one `alert` event per new alert."""
        return await _sse(request, hub, "alerts", "alert")

    @app.page("/stories/stream")
    async def story_stream(web, request):
        """Server-Sent Events: one `story` event (the whole story) each time an article joins or changes one."""
        return await _sse(request, hub, "stories", "story")

    @app.page("/feed/status")
    async def feed_status(web, request):
        """Whether this worker's feed has read its history and is live (what it reads from now on is new), and
        what it holds."""
        return _json({"live": hub.ready.is_set(), "articles": len(hub.articles), "stories": len(hub.stories),
                      "alerts": len(hub.alerts),
                      "sse_clients": {name: len(subs) for name, subs in hub.subscribers.items()}})

    @app.page("/metrics")
    async def metrics_page(web, request):
        """Prometheus metrics of this worker."""
        return aioweb.Response(body=generate_latest(metrics.REGISTRY),
                               headers={"Content-Type": CONTENT_TYPE_LATEST})

    return hub


# The page's own script and style only: even if some text slipped through as markup, it could not run.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _json(value, status: int = 200):
    from aiohttp import web as aioweb

    return aioweb.Response(body=orjson.dumps(value), status=status, content_type="application/json",
                           headers={"X-Content-Type-Options": "nosniff"})


async def _sse(request, hub: FeedHub, stream: str, event: str):
    from aiohttp import web as aioweb

    resp = aioweb.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                          "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
    hub.subscribers[stream].add(queue)
    metrics.FEED_CLIENTS.labels(stream=stream).inc()
    try:
        await resp.write(b"retry: 2000\n: connected\n\n")
        while True:
            try:
                record = await asyncio.wait_for(queue.get(), SSE_HEARTBEAT_S)
            except asyncio.TimeoutError:
                await resp.write(b": keep-alive\n\n")
                continue
            if record is None:  # the worker is stopping
                break
            rid = str(record.get("id", "")).replace("\n", " ")
            await resp.write(b"event: " + event.encode() + b"\nid: " + rid.encode() + b"\ndata: " +
                             orjson.dumps(record) + b"\n\n")
    except ConnectionResetError:  # the client went away
        pass
    finally:
        hub.subscribers[stream].discard(queue)
        metrics.FEED_CLIENTS.labels(stream=stream).dec()
    return resp
