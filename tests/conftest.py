"""Shared fixtures. Integration tests need the real local broker: started here when it is not running."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_fdc78b3ef27cc776.txt"
TIMING = ("ingested_at", "processing")


def without_timing(rec: dict) -> dict:
    """An EnrichedArticle dict without what differs between two runs of the same input: timing fields, and the
    `_partition`/`_offset` a read adds."""
    out = {k: v for k, v in rec.items() if k not in TIMING and not k.startswith("_")}
    if isinstance(out.get("story"), dict):  # story.first_seen is the first article's ingested_at: timing too
        out["story"] = {k: v for k, v in out["story"].items() if k != "first_seen"}
    return out


@pytest.fixture(scope="session")
def kafka_broker():
    """The local Kafka broker: reused when it already answers, else started (and stopped at the end)."""
    from streams import localkafka

    broker = localkafka.LocalBroker.default()
    if broker.reachable():
        yield broker.bootstrap
        return
    localkafka.fetch()
    broker.up(fresh=True)
    try:
        yield broker.bootstrap
    finally:
        broker.down()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "integration" in item.nodeid.split("::")[0]:
            item.add_marker(pytest.mark.integration)


def pytest_configure(config):
    config.addinivalue_line("markers", "akhbar_env(**vars): extra AKHBAR_* environment for the test's workers")
