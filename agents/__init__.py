"""One module per agent. PIPELINE wires each linear stage to its source and sink topics (names from
streams.topics); OTHERS lists agents of another shape, whose module has `register(app, settings, dlq)`.

Three Kafka hops from raw to enriched: each hop costs a worker about 1 ms of CPU per article (fetch, produce,
Faust's stream machinery, the transaction), so the cheap steps ride with a neighbour instead of a hop of their
own: validation with cleaning, the story signature with the entities (docs/benchmarks/pipeline-notes.md)."""
from __future__ import annotations

from streams.topics import CLEAN, RAW, STORIES

# agent name -> (module with make_step, source topic, sink topic), in pipeline order
PIPELINE = {
    "clean": ("agents.clean", RAW, CLEAN),  # validate (InvalidInput -> a dead letter of stage "ingest"), clean
    "entities": ("agents.entities", CLEAN, STORIES),  # entities, linking, quotes, then the story signature
}

# agent name -> module exposing register(app, settings, dlq)
OTHERS: dict[str, str] = {
    "alerts": "agents.alerts",  # rules table, match, spike windows, suppression -> articles.alerts
    "stories": "agents.stories",  # articles.stories (1 partition) -> the story index -> articles.enriched
}

ALL_AGENTS = [*PIPELINE, *OTHERS]
