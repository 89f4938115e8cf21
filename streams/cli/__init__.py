"""`akhbar`: the command line. One module per command; each is imported only when it runs."""
from __future__ import annotations

import importlib
import sys

import click

COMMANDS = {
    "kafka": ("streams.cli.kafka", "kafka"),
    "topics": ("streams.cli.topics", "topics"),
    "worker": ("streams.cli.worker", "worker"),
    "produce": ("streams.cli.produce", "produce"),
    "tail": ("streams.cli.tail", "tail"),
    "process": ("streams.cli.process", "process"),
    "dlq": ("streams.cli.dlq", "dlq"),
    "demo": ("streams.cli.demo", "demo"),
    "config": ("streams.cli.config", "config"),
    "ner": ("nlp.ner.cli", "ner"),
    "rules": ("streams.cli.rules", "rules"),
    "alerts": ("streams.cli.alerts", "alerts"),
    "bench": ("streams.cli.bench", "bench"),
    "soak": ("streams.cli.soak", "soak"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="akhbar")
def cli():
    """akhbar: real-time Arabic news enrichment on Kafka.

    Quick start: `akhbar kafka fetch`, then `akhbar demo`. Without a broker: `akhbar process seeds/`.
    """


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
