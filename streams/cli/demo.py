"""`akhbar demo`: the main job end to end on the local broker, with the seeds as the default input."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from agents import ALL_AGENTS
from streams import localkafka
from streams.cli.common import load_settings
from streams.cli.produce import _produce
from streams.cli.tail import pretty_record
from streams.inputs import read_articles
from streams.reader import end_offsets, read_records
from streams.settings import REPO_ROOT
from streams.topics import ENRICHED, create_topics


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for the enriched records.")
@click.option("--keep-kafka", is_flag=True, help="Leave the local broker running afterwards.")
def demo(paths, timeout, keep_kafka):
    """Start Kafka and a worker, produce the articles (default: seeds/), show the enriched records."""
    paths = list(paths) or [str(REPO_ROOT / "seeds")]
    settings = load_settings()
    started_kafka = False
    broker = localkafka.LocalBroker.default()
    try:
        if not localkafka.reachable(settings.bootstrap_servers):
            localkafka.fetch(echo=click.echo)
            broker.up(echo=click.echo)
            started_kafka = True
        asyncio.run(create_topics(settings))
        topic = settings.topic(ENRICHED)
        start = asyncio.run(end_offsets(settings, topic))
        log_path = Path(settings.datadir) / "demo-worker.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        click.echo(f"Starting a worker (agents {', '.join(ALL_AGENTS)}; log {log_path}) ...")
        with open(log_path, "wb") as log:
            worker = subprocess.Popen([sys.executable, "-m", "streams.cli.main", "worker", "--loglevel", "info"],
                                      cwd=REPO_ROOT, env=os.environ.copy(), start_new_session=True,
                                      stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            ids = {a.id for a in read_articles(paths)}
            sent, _ = asyncio.run(_produce(settings, paths, None, None, settings.topic("articles.raw")))
            click.echo(f"Produced {sent} article(s); waiting for them in {topic} ...")
            t0 = time.monotonic()
            records = asyncio.run(read_records(settings, topic, ids=ids, start=start, timeout=timeout))
            for rec in records:
                click.echo(pretty_record(rec, f"{rec['_partition']}@{rec['_offset']}"))
            got = {r.get("id") for r in records}
            click.echo(f"{len(got & ids)}/{len(ids)} article(s) enriched through Kafka in "
                       f"{time.monotonic() - t0:.1f}s")
            if not ids <= got:
                raise click.ClickException(f"{len(ids - got)} article(s) did not arrive within {timeout:.0f}s "
                                           "(see `akhbar tail articles.dlq`)")
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
    except localkafka.KafkaError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if started_kafka and not keep_kafka:
            broker.down(echo=click.echo)
