"""One module per agent; this table wires each to its source and sink topics (names from streams.topics)."""
from __future__ import annotations

from streams.topics import CLEAN, ENRICHED, RAW, VALIDATED

# agent name -> (module with make_step, source topic, sink topic), in pipeline order
PIPELINE = {
    "ingest": ("agents.ingest", RAW, VALIDATED),
    "clean": ("agents.clean", VALIDATED, CLEAN),
    "entities": ("agents.entities", CLEAN, ENRICHED),
}
