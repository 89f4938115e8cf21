"""The worker creates Faust's own topics (table changelogs, the leader topic) before Faust starts: a changelog
Faust created itself a moment before its consumer subscribed could be missing from the first assignment, and
every write to its table then became a PartitionsMismatch dead letter."""
from __future__ import annotations

import asyncio

from streams.app import create_app, internal_topics
from streams.topics import admin_client, create_topics


async def _describe(settings, names):
    async with admin_client(settings) as admin:
        metas = {m["topic"]: m for m in await admin.describe_topics(names)}
        from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

        configs = {}
        for res in await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names]):
            for _, _, _, name, entries in res.resources:
                configs[name] = {e[0]: e[1] for e in entries}
        return metas, configs


def test_worker_topics_exist_with_leaders_and_faust_configs_before_the_worker_starts(pipeline):
    s = pipeline.settings
    app = create_app(s)  # every agent: the alert and story tables
    wanted = internal_topics(app)
    names = [name for name, _, _ in wanted]
    assert f"{s.app_id}-stories-stories-changelog" in names and f"{s.app_id}-alert-suppression-changelog" in names
    created = asyncio.run(create_topics(s, wanted))
    assert set(created) == set(names) - {s.topic("articles.alert-rules")}  # the rules topic is the catalogue's
    metas, configs = asyncio.run(_describe(s, names))
    for name, partitions, config in wanted:
        parts = metas[name]["partitions"]
        assert metas[name]["error_code"] == 0 and len(parts) == partitions, name
        assert all(p["leader"] >= 0 for p in parts), name
        for key, value in config.items():
            assert configs[name][key] == value, (name, key)
    assert configs[f"{s.app_id}-alert-mention-counts-changelog"]["cleanup.policy"] == "compact,delete"
    assert asyncio.run(create_topics(s, wanted)) == []  # idempotent
