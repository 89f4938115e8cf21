"""`akhbar kafka fetch|up|down|status`: the local single-node broker (see streams/localkafka.py)."""
from __future__ import annotations

import click

from streams import localkafka
from streams.localkafka import LocalBroker


def _guard(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except localkafka.KafkaError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def kafka():
    """Run a real Apache Kafka broker locally (jars from Maven Central, Java 17)."""


@kafka.command()
def fetch():
    """Download the broker jars with Maven (once; cached in ~/.m2)."""
    _guard(localkafka.fetch, echo=click.echo)


@kafka.command()
@click.option("--fresh", is_flag=True, help="Delete the broker's data first.")
def up(fresh):
    """Start the broker on 127.0.0.1:19092 (AKHBAR_KAFKA_PORT) and wait for a metadata round trip."""
    _guard(LocalBroker.default().up, fresh=fresh, echo=click.echo)


@kafka.command()
def down():
    """Stop the broker (SIGTERM, then SIGKILL after 30 s)."""
    _guard(LocalBroker.default().down, echo=click.echo)


@kafka.command()
def status():
    """Exit 0 when the broker answers, 1 otherwise."""
    broker = LocalBroker.default()
    pid = broker.running_pid()
    ok = broker.reachable()
    click.echo(f"local broker process: {pid or 'not running'}; {broker.bootstrap}: "
               f"{'answers' if ok else 'does not answer'}")
    raise SystemExit(0 if ok else 1)
