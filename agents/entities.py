"""entities: articles.clean -> articles.stories. Named entities, linking and quotes; then the story signature
(agents.stories.signed_message), so the record goes to the story index in the message that carries it."""
from __future__ import annotations

from agents.stories import signed_message
from nlp import stages
from nlp.ner import load_tagger
from schemas.codec import decode
from schemas.records import CleanArticle


def make_step(settings, app=None):
    load_tagger()  # once per worker, at start-up rather than on the first article

    def step(payload: bytes, event=None):
        record = stages.enrich(decode(payload, CleanArticle))
        return record.id.encode(), signed_message(record)

    return step
