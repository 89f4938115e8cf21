"""What the regression tests on the real broker share: a topic of their own."""
from __future__ import annotations

import uuid

from aiokafka.admin import AIOKafkaAdminClient, NewTopic


async def fresh_topic(bootstrap: str, name: str, partitions: int = 1) -> str:
    """Create a new topic `regress-<name>-<random>` and return its name."""
    topic = f"regress-{name}-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()
    return topic
