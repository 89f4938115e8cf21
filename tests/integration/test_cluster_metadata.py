"""What a worker asks the cluster besides its own topics: the broker watchdog's probe every 2 s and the metrics
poller's every 5 s. Both used to ask for the metadata of every topic of the cluster (a new admin client per
watchdog probe, `describe_cluster()` and `list_topics()`); on a cluster of a few thousand partitions decoding those
answers took 12-20% of a worker's event-loop samples (py-spy). They now name the topics they need, or none."""
from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.client import AIOKafkaClient

from streams.topics import admin_client, catalogue, partitions_of
from streams.watchdog import ClusterProbe


@pytest.fixture
def metadata_answers(monkeypatch):
    """The topic count of every metadata answer a client or an admin client receives."""
    seen: list[int] = []
    client_send = AIOKafkaClient.send
    admin_send = AIOKafkaAdminClient._send_request

    async def send(self, node_id, request, **kwargs):
        answer = await client_send(self, node_id, request, **kwargs)
        if answer.API_KEY == 3:
            seen.append(len(answer.topics))
        return answer

    async def send_request(self, request):
        answer = await admin_send(self, request)
        if answer.API_KEY == 3:
            seen.append(len(answer.topics))
        return answer

    monkeypatch.setattr(AIOKafkaClient, "send", send)
    monkeypatch.setattr(AIOKafkaAdminClient, "_send_request", send_request)
    return seen


def test_the_watchdog_probe_counts_brokers_on_one_client_without_reading_any_topic(pipeline, metadata_answers):
    async def probe_three_times():
        probe = ClusterProbe(pipeline.settings.bootstrap_servers)
        try:
            sizes, clients = [], set()
            for _ in range(3):
                sizes.append(await probe.brokers())
                clients.add(id(probe._client))
            return sizes, clients
        finally:
            await probe.close()

    async def cluster_topics():
        async with admin_client(pipeline.settings) as admin:
            return await admin.list_topics()

    assert len(asyncio.run(cluster_topics())) >= len(catalogue(pipeline.settings))  # there are topics to skip
    metadata_answers.clear()
    sizes, clients = asyncio.run(probe_three_times())
    assert sizes == [1, 1, 1]
    assert len(clients) == 1  # one client for every probe, not one each
    assert metadata_answers == [0, 0, 0]  # each probe's answer: the brokers, no topic


def test_partitions_of_reads_just_the_named_topics_and_creates_none(pipeline, metadata_answers):
    s = pipeline.settings
    raw, missing = s.topic("articles.raw"), s.topic("no-such-topic")

    async def ask():
        async with admin_client(s) as admin:
            found = await partitions_of(admin, [raw, missing])
            return found, await admin.list_topics()

    metadata_answers.clear()
    found, topics = asyncio.run(ask())
    assert found == {raw: list(range(s.partitions))}
    assert metadata_answers[0] == 2  # the answer to partitions_of: the two topics named
    assert missing not in topics  # asked about, not created
