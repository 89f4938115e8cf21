"""`akhbar alerts deliver --webhook URL` (POST each alert as JSON), `akhbar alerts replay --webhook URL` (the
alerts that delivery gave up on, from articles.alerts-dlq) and `akhbar alerts tail`.

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

from streams.cli.common import broker_error, load_settings, run_against_broker

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
    run_against_broker(deliverer.run(), settings)
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
        error = await self.post(http, alert_id, alert.get("rule_id"), message.value)
        if error is None:
            self.delivered += 1
            return
        await self._dead_letter(producer, dlq_topic, message, RuntimeError(error))

    async def post(self, http, alert_id: str, rule_id, body: bytes) -> str | None:
        """POST one alert with retries and exponential backoff: None when the webhook took it (the id is then
        remembered), else the last error. Raises Stopping when asked to stop during a retry wait."""
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
                async with http.post(self.webhook, data=body, headers={
                        "Content-Type": "application/json", "Idempotency-Key": alert_id,
                        "User-Agent": "akhbar-alerts"}) as resp:
                    if 200 <= resp.status < 300:
                        self._remember(alert_id)
                        log.info("alert %s (rule %s) delivered: HTTP %d", alert_id, rule_id, resp.status)
                        return None
                    error = f"HTTP {resp.status}"
                    if resp.status not in RETRYABLE:
                        break  # a client error will not go away by retrying
            except (OSError, asyncio.TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # noqa: BLE001 - aiohttp.ClientError and friends
                error = f"{type(exc).__name__}: {exc}"
        return f"webhook {self.webhook} failed after {attempt + 1} attempt(s): {error}"

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
                                  isolation_level="read_committed", **s.kafka_security())
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
        record = dead_letter("alerts.deliver", exc, message.value, message, target=self.webhook)
        log.warning("alert at %s[%s]@%s dead-lettered to %s: %s", message.topic, message.partition, message.offset,
                    dlq_topic, record.error)
        await producer.send_and_wait(dlq_topic, encode(record), key=message.key)


@alerts.command()
@click.option("--webhook", required=True, help="URL to POST the dead-lettered alerts to (usually the one that failed, "
              "once it is fixed).")
@click.option("--group", help="Consumer group (default: <AKHBAR_APP_ID>-alerts-replay-<host of URL>-<port>).")
@click.option("--all-targets", is_flag=True, help="Also replay alerts that failed for another webhook.")
@click.option("--retries", type=int, help="Retries after a failed POST (default AKHBAR_WEBHOOK_RETRIES).")
@click.option("--backoff", type=float, help="First retry delay in seconds (default AKHBAR_WEBHOOK_BACKOFF_S).")
@click.option("--timeout", type=float, help="Timeout of one POST in seconds (default AKHBAR_WEBHOOK_TIMEOUT_S).")
@click.option("--dry-run", is_flag=True, help="Show what would be replayed; post and commit nothing.")
def replay(webhook, group, all_targets, retries, backoff, timeout, dry_run):
    """POST the alerts on articles.alerts-dlq (those `deliver` gave up on) to WEBHOOK again.

    Each dead letter's offset is committed once its alert was delivered (or skipped: another webhook's, not an
    alert, an id already delivered in this run), so a second replay starts after the last one. An alert that
    still fails after its retries stops the replay with exit status 1, uncommitted: nothing is lost, and the
    next replay begins with it."""
    from yarl import URL

    url = URL(webhook)
    if url.scheme not in ("http", "https") or not url.host:
        raise click.BadParameter("an http:// or https:// URL", param_hint="--webhook")
    settings = load_settings()
    replayer = Replayer(settings, webhook, group or f"{settings.app_id}-alerts-replay-{url.host}-{url.port}",
                        retries=settings.webhook_retries if retries is None else retries,
                        backoff=settings.webhook_backoff_s if backoff is None else backoff,
                        timeout=settings.webhook_timeout_s if timeout is None else timeout,
                        all_targets=all_targets, dry_run=dry_run)
    logging.basicConfig(level=settings.log_level.upper(), format="[%(asctime)s] [%(levelname)s] %(message)s")
    run_against_broker(replayer.run(click.echo), settings)
    click.echo(f"{'would replay' if dry_run else 'replayed'} {replayer.delivered}, skipped {replayer.skipped}, "
               f"skipped duplicates {replayer.duplicates}")
    if replayer.stopped_on:
        raise click.ClickException(f"stopped at {replayer.stopped_on} (left for the next replay)")


class Replayer(Deliverer):
    """Reads articles.alerts-dlq to its end offsets (as of the start) and POSTs each dead-lettered alert."""

    def __init__(self, settings, webhook, group, *, all_targets=False, dry_run=False, **kwargs):
        super().__init__(settings, webhook, group, **kwargs)
        self.all_targets, self.dry_run = all_targets, dry_run
        self.skipped = 0
        self.stopped_on: str | None = None

    async def run(self, echo=click.echo) -> None:
        import aiohttp
        from aiokafka import AIOKafkaConsumer, TopicPartition

        from streams.reader import assign_from_committed
        from streams.topics import ALERTS_DLQ, create_topics, partition_ids

        s = self.settings
        await create_topics(s)
        topic = s.topic(ALERTS_DLQ)
        tps = [TopicPartition(topic, p) for p in await partition_ids(s, topic)]
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        consumer = AIOKafkaConsumer(bootstrap_servers=s.bootstrap_servers, group_id=self.group,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    isolation_level="read_committed", **s.kafka_security())
        await consumer.start()
        try:
            end = await assign_from_committed(consumer, tps)
            todo = {tp for tp in tps if await consumer.position(tp) < end[tp]}
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as http:
                while todo and not self._stop.is_set():
                    for tp, messages in (await consumer.getmany(*todo, timeout_ms=500)).items():
                        for m in messages:
                            if m.offset >= end[tp]:
                                break
                            try:
                                if not await self._letter(http, m, f"{tp.partition}@{m.offset}", echo):
                                    return
                            except Stopping:
                                return
                            if not self.dry_run:
                                await consumer.commit({tp: m.offset + 1})
                    todo = {tp for tp in todo if await consumer.position(tp) < end[tp]}
        finally:
            await consumer.stop()

    async def _letter(self, http, message, where: str, echo) -> bool:
        """One dead letter: True when it is handled (delivered, or nothing to send) and its offset may be
        committed, False when its alert still fails (the replay stops there, uncommitted). Raises Stopping."""
        from schemas.codec import from_dict
        from schemas.records import DeadLetter
        from streams.cli.dlq import original_bytes

        try:
            letter = from_dict(DeadLetter, orjson.loads(message.value))
            alert_id = orjson.loads(original_bytes(letter))["id"]
        except Exception as exc:  # noqa: BLE001 - not a dead-lettered alert: nothing to send
            echo(f"skipping {where}: not a dead-lettered alert ({type(exc).__name__})")
            self.skipped += 1
            return True
        if not self.all_targets and letter.target not in (None, self.webhook):
            self.skipped += 1  # another webhook's failure (its own replay sends it)
        elif alert_id in self.seen:
            self.duplicates += 1  # dead-lettered twice; delivered once is enough
        elif self.dry_run:
            echo(f"would replay {where}: alert {alert_id} ({letter.error})")
            self._remember(alert_id)
            self.delivered += 1
        else:
            error = await self.post(http, alert_id, letter.key, original_bytes(letter))
            if error is not None:
                self.stopped_on = f"{where} (alert {alert_id}): {error}"
                return False
            echo(f"replayed {where}: alert {alert_id}")
            self.delivered += 1
        return True


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
