"""`akhbar tail TOPIC`: read a topic from the beginning (or the end), pretty or as raw JSON."""
from __future__ import annotations

import asyncio
import sys

import click
import orjson

from streams.cli.common import broker_error, load_settings
from streams.topics import CATALOGUE, partition_ids

_TYPE_COLORS = {"PER": "green", "LOC": "cyan", "ORG": "yellow", "MISC": "magenta"}


def _pretty(value: bytes, where: str) -> str:
    try:
        rec = orjson.loads(value)
    except orjson.JSONDecodeError:
        return f"{where}  (not JSON) {value[:200]!r}"
    return pretty_record(rec, where)


def pretty_record(rec, where: str) -> str:
    """One decoded record for a person: an article with its entities and quotes, or a dead letter."""
    if not isinstance(rec, dict):
        return f"{where}  {rec!r}"[:400]
    if "error_type" in rec:  # a DeadLetter
        return (f"{where}  DEAD LETTER from {rec.get('stage')} ({rec.get('topic')}[{rec.get('partition')}]"
                f"@{rec.get('offset')}): {rec.get('error_type')}: {rec.get('error')}")
    lines = [click.style(f"{where}  {rec.get('id')}  [{rec.get('lang', '?')}]  {rec.get('source')}", bold=True),
             f"  {rec.get('title') or ''}"]
    body = rec.get("body") or ""
    lines.append(f"  {body[:240]}{'…' if len(body) > 240 else ''}")
    if rec.get("entities"):
        seen = {}
        for e in rec["entities"]:
            seen.setdefault((e["canonical"], e["type"]), 0)
            seen[(e["canonical"], e["type"])] += 1
        ents = "  ".join(click.style(f"{c}/{t}" + (f"×{n}" if n > 1 else ""), fg=_TYPE_COLORS.get(t))
                         for (c, t), n in seen.items())
        lines.append(f"  entities: {ents}")
    for q in rec.get("quotes") or []:
        lines.append(f"  quote: «{q['text'][:120]}» — {q.get('speaker') or '?'}")
    if rec.get("removed"):
        lines.append(f"  removed: {len(rec['removed'])} piece(s) "
                     f"({', '.join(sorted({r['reason'] for r in rec['removed']}))})")
    return "\n".join(lines)


async def _tail(settings, topic, follow, raw, limit, from_end, idle):
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                                isolation_level="read_committed", fetch_max_bytes=16 * 1024 * 1024,
                                **settings.kafka_security())
    try:
        parts = await partition_ids(settings, topic)
        await consumer.start()
    except Exception as exc:
        raise broker_error(exc, settings) from None
    try:
        if not parts:
            raise click.ClickException(f"topic {topic} does not exist (akhbar topics list)")
        tps = [TopicPartition(topic, p) for p in parts]
        consumer.assign(tps)
        if from_end:
            await consumer.seek_to_end(*tps)
        else:
            await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        shown = 0
        while True:
            batch = await consumer.getmany(timeout_ms=int(idle * 1000))
            for tp, messages in batch.items():
                for m in messages:
                    if raw:
                        sys.stdout.buffer.write(m.value + b"\n")
                    else:
                        click.echo(_pretty(m.value, f"{tp.partition}@{m.offset}"))
                    shown += 1
                    if limit and shown >= limit:
                        return shown
            sys.stdout.flush()
            if not follow and not batch:
                positions = {tp: await consumer.position(tp) for tp in tps}
                if all(positions[tp] >= end[tp] for tp in tps):
                    return shown
    finally:
        await consumer.stop()


@click.command()
@click.argument("topic")
@click.option("-f", "--follow", is_flag=True, help="Keep waiting for new records.")
@click.option("--json", "raw", is_flag=True, help="Print each record's raw JSON on one line.")
@click.option("-n", "--limit", type=int, default=0, help="Stop after N records.")
@click.option("--from-end", is_flag=True, help="Only records produced from now on.")
def tail(topic, follow, raw, limit, from_end):
    """Print a topic's records. TOPIC is a full name or a catalogue name such as articles.enriched."""
    settings = load_settings()
    known = {spec.name for spec in CATALOGUE}
    name = settings.topic(topic) if topic in known else topic
    n = asyncio.run(_tail(settings, name, follow, raw, limit, from_end, idle=1.0))
    if not raw:
        click.echo(f"({n} record(s) from {name})", err=True)
