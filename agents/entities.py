"""entities: articles.clean -> articles.enriched. Named entities, linking and quotes."""
from __future__ import annotations

from nlp import stages
from nlp.ner import load_tagger
from schemas.codec import decode, encode
from schemas.records import CleanArticle


def make_step(settings, app=None):
    load_tagger()  # once per worker, at start-up rather than on the first article

    def step(payload: bytes, event=None):
        article = stages.enrich(decode(payload, CleanArticle))
        return article.id.encode(), encode(article)

    return step
