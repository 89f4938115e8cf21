"""clean: articles.validated -> articles.clean. Display text, paragraphs, removed boilerplate."""
from __future__ import annotations

from nlp import stages
from schemas.codec import decode, encode
from schemas.records import RawArticle


def make_step(settings):
    def step(payload: bytes):
        article = stages.clean(decode(payload, RawArticle))
        return article.id.encode(), encode(article)

    return step
