"""`akhbar config`: the settings in force (or the README's configuration table)."""
from __future__ import annotations

from dataclasses import fields

import click

from streams.cli.common import load_settings
from streams.settings import config_table, env_name


@click.command()
@click.option("--markdown", is_flag=True, help="Print the configuration table in Markdown (as in the README).")
def config(markdown):
    """Show every setting, its environment variable and the value in force."""
    if markdown:
        click.echo(config_table())
        return
    settings = load_settings()
    for f in fields(settings):
        value = getattr(settings, f.name)
        if "password" in f.name and value:
            value = "***"
        click.echo(f"{env_name(f.name):32} {value}")
