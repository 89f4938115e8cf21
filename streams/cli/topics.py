"""`akhbar topics create|list`."""
from __future__ import annotations

import asyncio

import click

from streams.cli.common import broker_error, load_settings
from streams.topics import catalogue, create_topics, describe_topics


@click.group()
def topics():
    """The topic catalogue: create it on the cluster, or list it."""


@topics.command()
def create():
    """Create every missing akhbar topic with its partitions and retention."""
    settings = load_settings()
    try:
        created = asyncio.run(create_topics(settings))
    except Exception as exc:
        raise broker_error(exc, settings) from None
    click.echo(f"created: {', '.join(created)}" if created else "all topics exist")


@topics.command(name="list")
def list_():
    """Show each topic: partitions wanted and on the cluster, retention, purpose."""
    settings = load_settings()
    try:
        found = asyncio.run(describe_topics(settings))
    except Exception as exc:
        raise broker_error(exc, settings) from None
    for name, spec, partitions in catalogue(settings):
        have = found.get(name)
        click.echo(f"{name:28} {partitions:>3} partitions  on cluster: {have if have is not None else 'MISSING':>7}"
                   f"  retention {spec.retention_ms // 86_400_000} d  {spec.purpose}")
