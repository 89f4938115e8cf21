"""ingest: articles.raw -> articles.validated. Validates bytes into a RawArticle (id, ingested_at set)."""
from __future__ import annotations

from nlp import stages
from schemas.codec import encode


def make_step(settings, app=None):
    def step(payload: bytes, event=None):
        raw = stages.ingest(payload, settings.max_message_bytes)
        return raw.id.encode(), encode(raw)

    return step
