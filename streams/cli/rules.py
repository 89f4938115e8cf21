"""`akhbar rules add FILE.yaml|list|remove ID`: the alert rules in the compacted `articles.alert-rules` topic."""
from __future__ import annotations

import asyncio
from pathlib import Path

import click
import orjson

from streams.cli.common import broker_error, load_settings


@click.group()
def rules():
    """Alert rules (YAML files editors write; see docs/alerts.md). Workers pick changes up live."""


@rules.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and print the rules, send nothing.")
def add(files, dry_run):
    """Validate FILES and store every rule in them (a rule with an existing id replaces it)."""
    from nlp.rules import RuleError, load_rules_yaml

    found = []
    for path in files:
        try:
            found.extend(load_rules_yaml(path.read_text(encoding="utf-8"), where=str(path)))
        except (RuleError, UnicodeDecodeError) as exc:
            raise click.ClickException(str(exc)) from None
    ids = [r.id for r in found]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise click.ClickException(f"rule id(s) defined twice across files: {', '.join(dup)}")
    if not dry_run:
        _run(_send, [(r.id.encode(), orjson.dumps(r.to_spec())) for r in found])
    for r in found:
        click.echo(f"{'valid' if dry_run else 'stored'} {r.id} ({r.kind}, {r.severity})")


@rules.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON rule per line.")
def list_(as_json):
    """The rules in force (the compacted topic read to its end)."""
    current = _run(read_rules)
    if as_json:
        for spec in current.values():
            click.echo(orjson.dumps(spec).decode())
        return
    if not current:
        click.echo("no rules; add some with `akhbar rules add FILE.yaml`")
    for rid, spec in sorted(current.items()):
        what = (f"spike on {spec.get('entity')} window {spec.get('window')} threshold {spec.get('threshold')} "
                f"baseline {spec.get('baseline')}" if spec.get("kind") == "spike"
                else orjson.dumps(spec.get("match"), option=orjson.OPT_NON_STR_KEYS).decode())
        click.echo(f"{rid}\t{spec.get('severity', 'info')}\t{what}")


@rules.command()
@click.argument("rule_ids", nargs=-1, required=True)
def remove(rule_ids):
    """Remove rules by id (writes a tombstone; compaction then forgets them)."""
    current = _run(read_rules)
    missing = [r for r in rule_ids if r not in current]
    if missing:
        raise click.ClickException(f"no such rule: {', '.join(missing)} (see `akhbar rules list`)")
    _run(_send, [(r.encode(), None) for r in rule_ids])
    for r in rule_ids:
        click.echo(f"removed {r}")


def _run(fn, *args):
    from streams.topics import create_topics

    settings = load_settings()
    try:
        asyncio.run(create_topics(settings))
        return asyncio.run(fn(settings, *args))
    except click.ClickException:
        raise
    except (OSError, Exception) as exc:  # noqa: BLE001 - broker errors get one clear message
        if type(exc).__module__.startswith(("aiokafka", "kafka")) or isinstance(exc, OSError):
            raise broker_error(exc, settings) from None
        raise


async def _send(settings, records):
    from aiokafka import AIOKafkaProducer

    from streams.topics import ALERT_RULES

    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all",
                                **settings.kafka_security())
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(settings.topic(ALERT_RULES), value, key=key)
    finally:
        await producer.stop()


async def read_rules(settings) -> dict[str, dict]:
    """Rule id -> spec, the topic read from the beginning to its current end (tombstones applied)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from streams.topics import ALERT_RULES

    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                                isolation_level="read_committed", **settings.kafka_security())
    await consumer.start()
    out: dict[str, dict] = {}
    try:
        from streams.topics import partition_ids

        tps = [TopicPartition(settings.topic(ALERT_RULES), p)
               for p in await partition_ids(settings, settings.topic(ALERT_RULES))]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        for tp, off in (await consumer.beginning_offsets(tps)).items():
            consumer.seek(tp, off)
        pending = {tp for tp in tps if ends[tp] > 0}
        while pending:
            for tp, messages in (await consumer.getmany(*pending, timeout_ms=500)).items():
                for m in messages:
                    key = m.key.decode()
                    if m.value is None:
                        out.pop(key, None)
                    else:
                        out[key] = orjson.loads(m.value)
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return out
