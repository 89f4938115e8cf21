"""`akhbar alerts deliver --webhook URL` (POST each alert as JSON) and `akhbar alerts tail`.

Delivery is at-least-once with committed offsets: an alert's offset is committed only after the webhook
accepted it (2xx) or it went to the alerts DLQ, so a restart resumes after the last delivered alert and
does not re-deliver. Each POST carries `Idempotency-Key: <alert id>`; alert ids are deterministic, so a
receiver can drop the rare duplicate (a crash between the POST and the commit). Alerts whose id was
already handled (in this run, or before the committed offsets by earlier runs: read back at start) are
skipped, so a replayed alert is not delivered twice.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from collections import OrderedDict

import click
import orjson

from streams.cli.common import broker_error, load_settings

log = logging.getLogger("akhbar.alerts.deliver")
RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


class Stopping(Exception):
    """SIGTERM/SIGINT during a retry wait: stop without committing the alert in hand."""


@click.group()
def alerts():
    """Alert consumers: deliver alerts to a webhook."""


@alerts.command()
@click.option("--webhook", required=True, help="URL that receives one POST per alert (JSON body).")
@click.option("--group", help="Consumer group (default: <AKHBAR_APP_ID>-deliver-<host of URL>); one per webhook.")
@click.option("--retries", type=int, help="Retries after a failed POST (default AKHBAR_WEBHOOK_RETRIES).")
@click.option("--backoff", type=float, help="First retry delay in seconds, doubled each retry "
              "(default AKHBAR_WEBHOOK_BACKOFF_S).")
@click.option("--timeout", type=float, help="Timeout of one POST in seconds (default AKHBAR_WEBHOOK_TIMEOUT_S).")
@click.option("--exit-when-idle", type=float, help="Exit after this many seconds without a new alert (batch runs).")
def deliver(webhook, group, retries, backoff, timeout, exit_when_idle):
    """POST every alert on articles.alerts to WEBHOOK, with retries; failures go to articles.alerts-dlq."""
    from yarl import URL

    url = URL(webhook)
    if url.scheme not in ("http", "https") or not url.host:
        raise click.BadParameter("an http:// or https:// URL", param_hint="--webhook")
    settings = load_settings()
    group = group or f"{settings.app_id}-deliver-{url.host}-{url.port}"
    deliverer = Deliverer(settings, webhook, group,
                          retries=settings.webhook_retries if retries is None else retries,
                          backoff=settings.webhook_backoff_s if backoff is None else backoff,
                          timeout=settings.webhook_timeout_s if timeout is None else timeout,
                          exit_when_idle=exit_when_idle)
    logging.basicConfig(level=settings.log_level.upper(), format="[%(asctime)s] [%(levelname)s] %(message)s")
    try:
        asyncio.run(deliverer.run())
    except (OSError, ConnectionError) as exc:
        raise broker_error(exc, settings) from None
    except Exception as exc:  # noqa: BLE001
        if type(exc).__module__.startswith("aiokafka"):
            raise broker_error(exc, settings) from None
        raise
    click.echo(f"delivered {deliverer.delivered}, dead-lettered {deliverer.failed}, skipped duplicates "
               f"{deliverer.duplicates}")


class Deliverer:
    def __init__(self, settings, webhook, group, *, retries, backoff, timeout, exit_when_idle=None):
        self.settings, self.webhook, self.group = settings, webhook, group
        self.retries, self.backoff, self.timeout, self.exit_when_idle = retries, backoff, timeout, exit_when_idle
        self.delivered = self.failed = self.duplicates = 0
        self.seen: OrderedDict[str, None] = OrderedDict()
        self._stop = asyncio.Event()

    async def run(self) -> None:
        import aiohttp
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

        from streams.topics import ALERTS, ALERTS_DLQ, create_topics

        s = self.settings
        await create_topics(s)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        consumer = AIOKafkaConsumer(s.topic(ALERTS), bootstrap_servers=s.bootstrap_servers, group_id=self.group,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    isolation_level="read_committed", **s.kafka_security())
        producer = AIOKafkaProducer(bootstrap_servers=s.bootstrap_servers, acks="all", **s.kafka_security())
        await self._preload_seen(s.topic(ALERTS))
        await consumer.start()
        await producer.start()
        log.info("delivering %s to %s (group %s)", s.topic(ALERTS), self.webhook, self.group)
        idle = 0.0
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as http:
                while not self._stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500, max_records=100)
                    if not batch:
                        idle += 0.5
                        if self.exit_when_idle is not None and idle >= self.exit_when_idle:
                            break
                        continue
                    idle = 0.0
                    for tp, messages in batch.items():
                        for m in messages:
                            if self._stop.is_set():
                                break
                            try:
                                await self._one(http, producer, m, s.topic(ALERTS_DLQ))
                            except Stopping:
                                return
                            # the offset after this alert: a restart resumes at the next one
                            await consumer.commit({TopicPartition(tp.topic, tp.partition): m.offset + 1})
        finally:
            await consumer.stop()
            await producer.stop()

    async def _one(self, http, producer, message, dlq_topic) -> None:
        try:
            alert = orjson.loads(message.value)
            alert_id = alert["id"]
        except Exception as exc:  # noqa: BLE001 - not an alert: dead-letter it, go on
            await self._dead_letter(producer, dlq_topic, message, exc)
            return
        if alert_id in self.seen:
            self.duplicates += 1
            return
        error = None
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                log.info("alert %s: retry %d/%d in %.2fs after %s", alert_id, attempt, self.retries, delay, error)
                try:
                    await asyncio.wait_for(self._stop.wait(), delay)
                    raise Stopping  # leave the offset uncommitted: the next run retries this alert
                except asyncio.TimeoutError:
                    pass
            try:
                async with http.post(self.webhook, data=message.value, headers={
                        "Content-Type": "application/json", "Idempotency-Key": alert_id,
                        "User-Agent": "akhbar-alerts"}) as resp:
                    if 200 <= resp.status < 300:
                        self.delivered += 1
                        self._remember(alert_id)
                        log.info("alert %s (rule %s) delivered: HTTP %d", alert_id, alert.get("rule_id"), resp.status)
                        return
                    error = f"HTTP {resp.status}"
                    if resp.status not in RETRYABLE:
                        break  # a client error will not go away by retrying
            except (OSError, asyncio.TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # noqa: BLE001 - aiohttp.ClientError and friends
                error = f"{type(exc).__name__}: {exc}"
        await self._dead_letter(producer, dlq_topic, message, RuntimeError(
            f"webhook {self.webhook} failed after {attempt + 1} attempt(s): {error}"))

    async def _preload_seen(self, topic: str, window: int = 100_000) -> None:
        """Alert ids before the group's committed offsets (the last `window` per partition) were delivered
        or dead-lettered by an earlier run: remember them, so a replayed alert is not delivered twice."""
        from aiokafka import AIOKafkaConsumer
        from aiokafka.admin import AIOKafkaAdminClient

        s = self.settings
        admin = AIOKafkaAdminClient(bootstrap_servers=s.bootstrap_servers, **s.kafka_security())
        await admin.start()
        try:
            committed = {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(self.group)).items()
                         if tp.topic == topic and meta.offset > 0}
        finally:
            await admin.close()
        if not committed:
            return
        reader = AIOKafkaConsumer(bootstrap_servers=s.bootstrap_servers, enable_auto_commit=False,
                                  **s.kafka_security())
        await reader.start()
        try:
            reader.assign(list(committed))
            begins = await reader.beginning_offsets(list(committed))
            for tp, end in committed.items():
                reader.seek(tp, max(begins[tp], end - window))
            pending = {tp for tp in committed if max(begins[tp], end - window) < committed[tp]}
            while pending:
                for tp, messages in (await reader.getmany(*pending, timeout_ms=500)).items():
                    for m in messages:
                        if m.offset < committed[tp]:
                            try:
                                self._remember(orjson.loads(m.value)["id"])
                            except Exception:  # noqa: BLE001 - a bad record has no id to remember
                                pass
                pending = {tp for tp in pending if await reader.position(tp) < committed[tp]}
        finally:
            await reader.stop()
        log.info("%d alert id(s) already handled by earlier runs", len(self.seen))

    def _remember(self, alert_id: str) -> None:
        self.seen[alert_id] = None
        if len(self.seen) > 100_000:
            self.seen.popitem(last=False)

    async def _dead_letter(self, producer, dlq_topic, message, exc) -> None:
        from agents.dlq import dead_letter
        from schemas.codec import encode

        self.failed += 1
        record = dead_letter("alerts.deliver", exc, message.value, message)
        log.warning("alert at %s[%s]@%s dead-lettered to %s: %s", message.topic, message.partition, message.offset,
                    dlq_topic, record.error)
        await producer.send_and_wait(dlq_topic, encode(record), key=message.key)


@alerts.command()
@click.option("-n", "count", type=int, default=20, show_default=True, help="How many recent alerts.")
def tail(count):
    """Print the most recent alerts."""
    import asyncio as aio

    from streams.reader import end_offsets, read_records
    from streams.topics import ALERTS

    settings = load_settings()
    topic = settings.topic(ALERTS)
    try:
        ends = aio.run(end_offsets(settings, topic))
        start = {p: max(0, e - count) for p, e in ends.items()}
        recs = aio.run(read_records(settings, topic, start=start, count=sum(ends.values()) - sum(start.values()),
                                    timeout=10))
    except Exception as exc:  # noqa: BLE001
        raise broker_error(exc, settings) from None
    for a in sorted(recs, key=lambda r: r.get("created_at", ""))[-count:]:
        what = ", ".join(a.get("matched", {}).get("entities", []) + a.get("matched", {}).get("keywords", []))
        click.echo(f"{a.get('created_at')}  {a.get('severity'):8} {a.get('rule_id')}  {what}  "
                   f"{a.get('title') or ''}  [{a.get('article_id')}]")
