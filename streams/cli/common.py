"""Helpers shared by the CLI commands."""
from __future__ import annotations

import asyncio
import functools

import click

from streams.settings import Settings


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def run_async(fn):
    """Run an async click command body with asyncio.run."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


def broker_error(exc: Exception, settings: Settings) -> click.ClickException:
    return click.ClickException(
        f"cannot reach Kafka at {settings.bootstrap_servers} ({type(exc).__name__}: {exc}). "
        "Start the local broker with `akhbar kafka up`, or set AKHBAR_BROKER.")


def run_against_broker(coro, settings: Settings):
    """asyncio.run(coro), with a Kafka connection failure (an OSError or any aiokafka error) turned into the
    CLI's clear "cannot reach Kafka" error; other errors propagate."""
    import asyncio

    try:
        return asyncio.run(coro)
    except (OSError, ConnectionError) as exc:
        raise broker_error(exc, settings) from None
    except Exception as exc:  # noqa: BLE001
        if type(exc).__module__.startswith("aiokafka"):
            raise broker_error(exc, settings) from None
        raise
