"""The pipeline's stage functions: record in, record out, no broker.

The Faust agents (agents/) and the broker-free `akhbar process` command call exactly these,
so both paths produce the same records.
"""
from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone

import orjson

from nlp.clean import clean_article
from nlp.entities import analyze
from nlp.headlines import RecentTitles, StreamTitles
from nlp.stories import StoryIndex, article_text
from schemas.codec import RecordError, from_dict
from schemas.records import CleanArticle, EnrichedArticle, Processing, RawArticle, Story

PIPELINE_VERSION = "akhbar-0.1.0"


class InvalidInput(ValueError):
    """A message that can never become an article: it goes to the dead-letter topic, not through the pipeline."""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def article_id(source: str | None, title: str | None, body: str) -> str:
    """A stable id from content, for producers that send none: re-sending the same article gives the same id."""
    h = hashlib.blake2b(digest_size=10)
    for part in (source or "", title or "", body):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def _ms_since(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)


def ingest(payload: bytes, max_bytes: int, now: str | None = None) -> RawArticle:
    """Validate one raw message; raises InvalidInput (with a message a producer can act on)."""
    if len(payload) > max_bytes:
        raise InvalidInput(f"message is {len(payload)} bytes, over the limit of {max_bytes}")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"payload is not valid UTF-8: {exc}") from None
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"payload is not valid JSON: {exc}") from None
    try:
        raw = from_dict(RawArticle, obj)
    except RecordError as exc:
        raise InvalidInput(str(exc)) from None
    if not raw.body.strip():
        raise InvalidInput("RawArticle.body: is empty")
    if raw.id is not None and not raw.id.strip():
        raise InvalidInput("RawArticle.id: is empty")
    raw.id = raw.id or article_id(raw.source, raw.title, raw.body)
    raw.ingested_at = raw.ingested_at or now or utc_now()
    return raw


def _epoch_s(stamp: str | None) -> float:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() if stamp else time.time()
    except ValueError:
        return time.time()


def clean(raw: RawArticle, stages_ms: dict[str, float] | None = None,
          titles: RecentTitles | StreamTitles | None = None) -> CleanArticle:
    """`titles`: the recent titles per source (read, then this article's title added); a body line equal to one
    is a related headline. `akhbar process` passes a RecentTitles over the run, the clean agent a StreamTitles
    over its table; None: no memory."""
    t0 = time.perf_counter()
    if titles is None:
        result = clean_article(raw.title, raw.body)
    else:
        now = _epoch_s(raw.ingested_at)
        result = clean_article(raw.title, raw.body, titles.known(raw.source, now))
        titles.add(raw.source, result.title, now)
    lang = result.lang if result.lang != "und" else (raw.lang or "und")
    processing = Processing(PIPELINE_VERSION, dict(stages_ms or {}))
    record = CleanArticle(
        id=raw.id or article_id(raw.source, raw.title, raw.body), source=raw.source, url=raw.url,
        published_at=raw.published_at, ingested_at=raw.ingested_at, lang=lang, title=result.title,
        body=result.body, paragraphs=result.paragraphs, sentences=result.sentences, removed=result.removed,
        byline=result.byline, dateline=result.dateline, flags=result.flags, processing=processing,
    )
    processing.stages_ms["clean"] = _ms_since(t0)
    return record


def enrich(article: CleanArticle) -> EnrichedArticle:
    t0 = time.perf_counter()
    entities, quotes, summary = analyze(article.body, article.lang)
    processing = Processing(article.processing.pipeline_version, dict(article.processing.stages_ms))
    record = EnrichedArticle(
        id=article.id, source=article.source, url=article.url, published_at=article.published_at,
        ingested_at=article.ingested_at, lang=article.lang, title=article.title, body=article.body,
        paragraphs=article.paragraphs, sentences=article.sentences, removed=article.removed,
        byline=article.byline, dateline=article.dateline, flags=article.flags,
        entities=entities, quotes=quotes, entity_summary=summary, processing=processing,
    )
    processing.stages_ms["entities"] = _ms_since(t0)
    return record


def assign_story(record: EnrichedArticle, index: StoryIndex) -> EnrichedArticle:
    """The story stage in-process: the same transitions the stories agents apply, state in `index`."""
    t0 = time.perf_counter()
    a = index.add(record.id, article_text(record.title, record.body), record.ingested_at)
    record.story = Story(a.story_id, a.first_seen, a.size)
    record.duplicate_of, record.similarity = a.duplicate_of, a.similarity
    record.processing.stages_ms["stories"] = _ms_since(t0)
    return record


def process(raw: RawArticle, stories: StoryIndex | None = None, titles: RecentTitles | None = None) -> EnrichedArticle:
    """The whole pipeline in-process, as `akhbar process` runs it. Stories are clustered within the articles
    given the same `stories` index, and related headlines matched against the titles in `titles` (`akhbar
    process` keeps one of each per run); without them, an article is its own story and has no memory."""
    return assign_story(enrich(clean(raw, titles=titles)), stories if stories is not None else StoryIndex())
