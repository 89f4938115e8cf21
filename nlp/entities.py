"""The entity stage's text work: NER mentions, linked into entities, and quotes with their speakers."""
from __future__ import annotations

from nlp.linking import link, summarize
from nlp.ner import load_tagger
from nlp.quotes import find_quotes
from schemas.records import Entity, EntitySummary, Quote, Span


def analyze(text: str, lang: str = "ar") -> tuple[list[Entity], list[Quote], list[EntitySummary]]:
    """Entities, quotes and the per-article entity summary for one display text.

    Only Arabic goes through the Arabic model; other languages get no entities (their `lang` tells why).
    """
    if lang != "ar" or not text:
        return [], [], []
    linked = link(text, load_tagger().find(text))
    entities = [Entity(text=e.text, type=e.type, start=e.start, end=e.end, canonical=e.canonical,
                       translit=e.translit, id=e.id) for e in linked]
    quotes = [Quote(text=q.text, start=q.start, end=q.end, speaker=q.speaker, speaker_start=q.speaker_start,
                    speaker_end=q.speaker_end, speaker_canonical=q.speaker_canonical)
              for q in find_quotes(text, linked)]
    summary = [EntitySummary(canonical=s["canonical"], type=s["type"], id=s.get("id"), mentions=s["mentions"],
                             spans=[Span(a, b) for a, b in s["spans"]]) for s in summarize(linked)]
    return entities, quotes, summary
