"""One module per agent. PIPELINE wires each linear stage to its source and sink topics (names from
streams.topics); OTHERS lists agents of another shape, whose module has `register(app, settings, dlq)`."""
from __future__ import annotations

from streams.topics import CLEAN, ENTITIES, RAW, VALIDATED

# agent name -> (module with make_step, source topic, sink topic), in pipeline order
PIPELINE = {
    "ingest": ("agents.ingest", RAW, VALIDATED),
    "clean": ("agents.clean", VALIDATED, CLEAN),
    "entities": ("agents.entities", CLEAN, ENTITIES),
}

# agent name -> module exposing register(app, settings, dlq)
OTHERS: dict[str, str] = {
    "alerts": "agents.alerts",  # rules table, match, spike windows, suppression -> articles.alerts
    "stories": "agents.stories",  # articles.entities -> signature -> articles.stories (1 partition) -> articles.enriched
}

ALL_AGENTS = [*PIPELINE, *OTHERS]
