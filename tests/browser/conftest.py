"""Browser tests use the integration fixtures (real broker, real worker processes)."""
from tests.integration.conftest import pipeline  # noqa: F401
