"""The local broker's KRaft cluster id never starts with "-": the storage tool then took it for an option and
formatting failed ("argument --cluster-id/-t: expected one argument"), which failed a soak run's private broker."""
from __future__ import annotations

import uuid

from streams import localkafka


def test_a_cluster_id_never_starts_with_a_dash(monkeypatch):
    draws = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(bytes=b"\x10" + bytes(15))])
    monkeypatch.setattr(localkafka.uuid, "uuid4", lambda: next(draws))
    assert localkafka.cluster_id() == "EAAAAAAAAAAAAAAAAAAAAA"  # the second draw: the first encodes as "-AAA..."


def test_cluster_ids_are_22_url_safe_characters():
    ids = {localkafka.cluster_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(len(i) == 22 and not i.startswith("-") and set(i) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for i in ids)
