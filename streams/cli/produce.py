"""`akhbar produce PATH...`: send articles from files to articles.raw."""
from __future__ import annotations

import asyncio
import time

import click
from tqdm import tqdm

from schemas.codec import encode
from streams.cli.common import broker_error, load_settings
from streams.inputs import InputError, count_articles, read_articles
from streams.topics import RAW


async def _produce(settings, paths, source, rate, topic):
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all",
                                max_request_size=4 * settings.max_message_bytes + 65536,
                                linger_ms=5, **settings.kafka_security())
    try:
        await producer.start()
    except Exception as exc:
        raise broker_error(exc, settings) from None
    sent, pending = 0, []
    interval = 1.0 / rate if rate else 0.0
    t0 = time.monotonic()
    try:
        with tqdm(total=count_articles(paths), unit="article", desc=f"-> {topic}", disable=None) as bar:
            for raw in read_articles(paths, source):
                if interval:
                    delay = t0 + sent * interval - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                pending.append(await producer.send(topic, encode(raw), key=raw.id.encode() if raw.id else None))
                sent += 1
                bar.update(1)
                if len(pending) >= 500:
                    await asyncio.gather(*pending)
                    pending.clear()
            await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent, time.monotonic() - t0


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--source", help="Source name for articles that carry none (default: the file's folder name).")
@click.option("--rate", type=float, help="Messages per second (default: as fast as possible).")
@click.option("--topic", help="Topic to send to (default: articles.raw with AKHBAR_TOPIC_PREFIX).")
def produce(paths, source, rate, topic):
    """Send .txt (first line = title), .json and .jsonl articles, or folders of them, to Kafka."""
    settings = load_settings()
    try:
        sent, seconds = asyncio.run(_produce(settings, list(paths), source, rate, topic or settings.topic(RAW)))
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"sent {sent} article(s) in {seconds:.2f}s", err=True)
