"""ingest: articles.raw -> articles.validated. Validates bytes into a RawArticle (id, ingested_at set)."""
from __future__ import annotations

from nlp import stages
from schemas.codec import encode


def make_step(settings):
    def step(payload: bytes):
        raw = stages.ingest(payload, settings.max_message_bytes)
        return raw.id.encode(), encode(raw)

    return step
