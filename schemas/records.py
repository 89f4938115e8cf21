"""Versioned record types: the contract between akhbar's stages and its consumers.

Plain dataclasses (no Kafka, no faust): the same types serve the agents, the broker-free
`akhbar process` command and the JSON Schema files in `schemas/json/` that non-Python consumers read.
Within a major version, changes are additive only: new optional fields, never a renamed or retyped one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"


@dataclass(slots=True)
class RawArticle:
    """What producers (scrapers, wires) put on `articles.raw`. Only `body` is required."""

    body: str
    id: str | None = None
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published_at: str | None = None
    lang: str | None = None
    ingested_at: str | None = None
    schema_version: str = SCHEMA_VERSION


@dataclass(slots=True)
class Span:
    start: int
    end: int


@dataclass(slots=True)
class Removed:
    """A piece of the raw text that is not in `body`, and why: nothing disappears silently."""

    text: str
    reason: str
    line: int | None = None


@dataclass(slots=True)
class Processing:
    pipeline_version: str
    stages_ms: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class CleanArticle:
    id: str
    source: str | None
    url: str | None
    published_at: str | None
    ingested_at: str | None
    lang: str
    title: str
    body: str
    paragraphs: list[Span]
    removed: list[Removed]
    processing: Processing
    sentences: list[Span] = field(default_factory=list)
    byline: str | None = None
    dateline: str | None = None
    flags: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION


@dataclass(slots=True)
class Entity:
    text: str
    type: str
    start: int
    end: int
    canonical: str
    translit: str
    id: str | None = None


@dataclass(slots=True)
class Quote:
    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_canonical: str | None = None


@dataclass(slots=True)
class EntitySummary:
    canonical: str
    type: str
    mentions: int
    spans: list[Span]
    id: str | None = None


@dataclass(slots=True)
class Story:
    """The story an article belongs to: near-duplicate articles (reprints, lightly edited copies) share one.

    `id` is the id of the story's earliest article; `first_seen` that article's `ingested_at`; `size` the
    number of articles in the story when this one joined (this one included)."""

    id: str
    first_seen: str
    size: int


@dataclass(slots=True)
class EnrichedArticle:
    id: str
    source: str | None
    url: str | None
    published_at: str | None
    ingested_at: str | None
    lang: str
    title: str
    body: str
    paragraphs: list[Span]
    removed: list[Removed]
    entities: list[Entity]
    quotes: list[Quote]
    processing: Processing
    sentences: list[Span] = field(default_factory=list)
    byline: str | None = None
    dateline: str | None = None
    flags: list[str] = field(default_factory=list)
    entity_summary: list[EntitySummary] = field(default_factory=list)
    story: Story | None = None
    duplicate_of: str | None = None  # the story's earliest article, when this one is not it
    similarity: float | None = None  # estimated Jaccard similarity to the article it matched (None: the first)
    schema_version: str = SCHEMA_VERSION


@dataclass(slots=True)
class Alert:
    id: str
    rule_id: str
    article_id: str
    created_at: str
    severity: str = "info"
    matched: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    # additive (issue 5): what the alert is about, for people and for suppression
    rule_name: str | None = None
    kind: str = "match"  # match | spike
    subject: str | None = None  # the story, entity or "*" the suppression window applies to
    title: str | None = None
    source: str | None = None
    lang: str | None = None
    window: dict[str, Any] | None = None  # spike rules: start, end, size_s, count, baseline, threshold


@dataclass(slots=True)
class DeadLetter:
    """A message a stage could not process, with everything needed to understand and replay it."""

    stage: str
    error_type: str
    error: str
    payload: str
    payload_encoding: str  # "utf-8", or "base64" when the original bytes were not valid UTF-8
    topic: str | None
    partition: int | None
    offset: int | None
    failed_at: str
    key: str | None = None
    pipeline_version: str | None = None
    target: str | None = None  # where a failed delivery was going (alerts.deliver: the webhook URL)
    schema_version: str = SCHEMA_VERSION


ALL_RECORDS = (RawArticle, CleanArticle, EnrichedArticle, Alert, DeadLetter)
