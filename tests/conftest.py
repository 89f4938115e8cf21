"""Shared fixtures. Integration tests need the real local broker: started here when it is not running."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_fdc78b3ef27cc776.txt"


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
