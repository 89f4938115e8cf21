"""`akhbar dlq replay`: send dead letters back to the topic they failed on, after a fix."""
from __future__ import annotations

import asyncio
import base64

import click
import orjson

from schemas.codec import RecordError, from_dict
from schemas.records import DeadLetter
from streams.cli.common import broker_error, load_settings
from streams.reader import assign_from_committed
from streams.topics import RETIRED, partition_ids


def replay_target(settings, topic: str) -> str | None:
    """Where a dead letter that failed on `topic` goes back to: that topic, or for a topic an earlier version
    read (streams.topics.RETIRED), the one its records go to now (None: no agent reads them any more)."""
    for old, new in RETIRED.items():
        if topic == settings.topic(old):
            return settings.topic(new) if new else None
    return topic


def original_bytes(letter: DeadLetter) -> bytes:
    return base64.b64decode(letter.payload) if letter.payload_encoding == "base64" else letter.payload.encode("utf-8")


async def _replay(settings, stage, dry_run, echo) -> tuple[int, int]:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    topic = settings.topic(settings.dlq_topic)
    tps = [TopicPartition(topic, p) for p in await partition_ids(settings, topic)]
    if not tps:
        raise click.ClickException(f"topic {topic} does not exist")
    # committed offsets of this group remember what was replayed: a second run replays only newer letters
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=f"{settings.app_id}-dlq-replay",
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                isolation_level="read_committed", **settings.kafka_security())
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all",
                                max_request_size=4 * settings.max_message_bytes + 65536, **settings.kafka_security())
    await consumer.start()
    await producer.start()
    replayed = skipped = 0
    try:
        end = await assign_from_committed(consumer, tps)
        while any([await consumer.position(tp) < end[tp] for tp in tps]):
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, messages in batch.items():
                for m in messages:
                    if m.offset >= end[tp]:
                        continue
                    try:
                        letter = from_dict(DeadLetter, orjson.loads(m.value))
                    except (orjson.JSONDecodeError, RecordError) as exc:
                        echo(f"skipping {tp.partition}@{m.offset}: not a DeadLetter ({exc})")
                        skipped += 1
                        continue
                    if (stage and letter.stage != stage) or not letter.topic:
                        skipped += 1
                        continue
                    target = replay_target(settings, letter.topic)
                    if target is None:
                        echo(f"skipping {tp.partition}@{m.offset}: it failed on {letter.topic}, which no agent of "
                             f"this version reads (its payload is in the letter)")
                        skipped += 1
                        continue
                    echo(f"{'would replay' if dry_run else 'replaying'} {tp.partition}@{m.offset} "
                         f"({letter.stage}: {letter.error_type}) -> {target}")
                    if not dry_run:
                        await producer.send_and_wait(target, original_bytes(letter),
                                                     key=letter.key.encode() if letter.key else None)
                    replayed += 1
            if not dry_run and batch:
                await consumer.commit({tp: msgs[-1].offset + 1 for tp, msgs in batch.items() if msgs})
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed, skipped


@click.group()
def dlq():
    """The dead-letter topic."""


@dlq.command()
@click.option("--stage", help="Only dead letters from this stage (ingest, clean, entities, ...).")
@click.option("--dry-run", is_flag=True, help="Show what would be replayed; change nothing.")
def replay(stage, dry_run):
    """Re-send each new dead letter's original payload to the topic it failed on."""
    settings = load_settings()
    try:
        replayed, skipped = asyncio.run(_replay(settings, stage, dry_run, click.echo))
    except click.ClickException:
        raise
    except Exception as exc:
        raise broker_error(exc, settings) from None
    click.echo(f"{'would replay' if dry_run else 'replayed'} {replayed} dead letter(s), skipped {skipped}")
