"""Alerting agents: rules from a compacted topic, matching, spike windows, suppression, alerts out.

    articles.alert-rules (compacted) ──> GlobalTable `alert-rules`: every worker holds every rule
    articles.enriched ──[alerts.match]──┬──> articles.alert-candidates (keyed by rule)
                                        └──> articles.entity-mentions (keyed by entity, for spike rules)
    articles.entity-mentions ──[alerts.spike: tumbling-bucket windowed table]──> articles.alert-candidates
    articles.alert-candidates ──[alerts.suppress: table rule|subject -> last alert, ids decided]──> articles.alerts

Candidates are keyed by rule id, so every alert of one rule passes through one partition and one
suppression table entry, whichever worker matched the article. The logic is in nlp/rules.py; what makes a
redelivered article change nothing (a mention counted once per article, a candidate decided once per alert id)
is in nlp/redelivery.py.
"""
from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta

import orjson

from agents.sweep import Sweeper
from nlp import redelivery
from nlp.rules import ArticleView, RuleError, evaluate, norm, parse_rule, spike_entities, spike_fires, \
    suppression_subject
from nlp.stages import utc_now
from schemas.codec import encode
from schemas.records import Alert
from streams import metrics
from streams.topics import ALERT_CANDIDATES, ALERT_RULES, ALERTS, ENRICHED, ENTITY_MENTIONS

log = logging.getLogger("akhbar.alerts")


def alert_id(*parts) -> str:
    """Deterministic: the same article through the same rule (e.g. after a replay) gives the same id."""
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:20]


class RuleBook:
    """The parsed view of the rules table (raw JSON bytes by rule id), re-parsed only when a value changes."""

    def __init__(self, table):
        self.table = table
        self._parsed: dict[bytes, tuple[bytes, object]] = {}
        self._snapshot: tuple = ((), {})
        self._signature = None

    def rules(self):
        items = [(k, v) for k, v in self.table.items() if v is not None]
        signature = tuple((k, len(v), hash(v)) for k, v in sorted(items))
        if signature == self._signature:
            return self._snapshot
        out = []
        for key, value in sorted(items):
            cached = self._parsed.get(key)
            if cached and cached[0] == value:
                if cached[1] is not None:
                    out.append(cached[1])
                continue
            try:
                rule = parse_rule(orjson.loads(value))
            except (RuleError, orjson.JSONDecodeError) as exc:
                log.warning("ignoring invalid rule %r: %s", key, exc)
                rule = None
            self._parsed[key] = (value, rule)
            if rule is not None:
                out.append(rule)
        self._signature = signature
        self._snapshot = (tuple(out), spike_entities(out))
        return self._snapshot


def _rules_table_class():
    from faust.tables.globaltable import GlobalTable

    class RulesTable(GlobalTable):
        """A GlobalTable whose changelog IS the compacted rules topic the CLI writes. faust 0.15.3's assignor
        looks global changelogs up by the default name (`{app}-{table}-changelog`) and hangs the rebalance on a
        KeyError when the changelog topic is given, so the name follows the topic here."""

        def _changelog_topic_name(self) -> str:
            return self.changelog_topic.get_topic_name()

    return RulesTable


def register(app, settings, dlq) -> None:
    RulesTable = _rules_table_class()
    raw = dict(key_serializer="raw", value_serializer="raw", allow_empty=True)
    rules_topic = app.topic(settings.topic(ALERT_RULES), compacting=True, **raw)
    rules_table = app.tables.add(RulesTable(
        app, name="alert-rules", default=None, key_type=bytes, value_type=bytes, partitions=settings.partitions,
        changelog_topic=rules_topic, beacon=app.tables.beacon, standby_buffer_size=1, recovery_buffer_size=1,
        is_global=True, synchronize_all_active_partitions=True,
        help="alert rules by id, mirrored from the compacted rules topic"))
    book = RuleBook(rules_table)
    enriched = app.topic(settings.topic(ENRICHED), **raw)
    candidates = app.topic(settings.topic(ALERT_CANDIDATES), **raw)
    mentions = app.topic(settings.topic(ENTITY_MENTIONS), **raw)
    alerts = app.topic(settings.topic(ALERTS), **raw)

    bucket_s = settings.alerts_bucket_s
    counts = app.Table("alert-mention-counts", default=int, key_type=str, value_type=int,
                       help="mentions per entity per time bucket, for spike rules").tumbling(
        bucket_s, expires=timedelta(seconds=settings.alerts_history_s)).relative_to_stream()
    seen = app.Table("alert-mention-seen", default=None, key_type=str,
                     help="entity|article id -> when that mention was counted: an article counts once")
    last_alert = app.Table("alert-suppression", default=None, key_type=str,
                           help="rule|subject -> time of its last alert and the alert ids decided")
    sweeper = Sweeper(int(settings.alerts_history_s * 1000))

    async def propose(out: list, kind: str) -> None:
        """Matched (rule, alert) pairs to the suppression stage, keyed by rule."""
        for rule, alert in out:
            metrics.ALERT_CANDIDATES.labels(kind=kind).inc()
            await candidates.send(key=rule.id.encode(), value=_candidate(alert, rule))

    @app.agent(enriched, name="akhbar.alerts.match")
    async def match(stream):
        async for event in stream.events():
            try:
                article = orjson.loads(event.value)
                if not isinstance(article, dict):
                    raise ValueError(f"expected an EnrichedArticle object, got {type(article).__name__}")
                rules, by_entity = book.rules()
                view = ArticleView(article)
                out = []
                for rule in rules:
                    m = evaluate(rule, view)
                    if m is None:
                        continue
                    subject = suppression_subject(rule, article, m)
                    out.append((rule, _alert(rule, article, alert_id(rule.id, article.get("id"), subject), "match",
                                             subject, m.as_dict())))
                spikes = []
                if by_entity:
                    seen = set()
                    for ent in article.get("entities") or []:
                        name = norm(ent.get("canonical") or ent.get("text") or "")
                        if name in by_entity and name not in seen:
                            seen.add(name)
                            spikes.append(name)
            except Exception as exc:  # noqa: BLE001 - routed to the DLQ, the stream goes on
                await dlq.send("alerts.match", exc, event)
                continue
            await propose(out, "match")
            for name in spikes:  # event time: the article's record timestamp, so a replay counts the same
                await mentions.send(key=name.encode(), timestamp=event.message.timestamp, value=orjson.dumps(
                    {"entity": name, "article": {k: article.get(k) for k in ("id", "title", "source", "lang")}}))

    @app.agent(mentions, name="akhbar.alerts.spike")
    async def spike(stream):
        async for event in stream.events():
            try:
                mention = orjson.loads(event.value)
                name = mention["entity"]
                now = event.message.timestamp  # the windowed table reads relative to this event time
                key = redelivery.mention_key(name, str(mention["article"].get("id")))
                new, ts, state = redelivery.count_mention(seen.get(key), now, event.message.partition)
                if new:
                    seen[key] = state
                    counts[name] += 1
                sweeper.maybe(seen, event.message.partition, int(now * 1000))
                _, by_entity = book.rules()
                out = []
                for rule in by_entity.get(name, ()):
                    if not _passes(rule, mention["article"]):
                        continue
                    start, n_buckets = _window(rule, ts, bucket_s)
                    window = counts[name]

                    def bucket(t):  # the count of the bucket holding time t (asked at its middle)
                        return window.delta(now - (t + bucket_s / 2))

                    count = sum(bucket(start + j * bucket_s) for j in range(n_buckets))
                    size_buckets = max(1, round(rule.window_s / bucket_s))
                    previous = [sum(bucket(start - w * size_buckets * bucket_s + j * bucket_s)
                                    for j in range(size_buckets))
                                for w in range(1, rule.baseline_windows + 1)]
                    fires, baseline = spike_fires(rule, count, previous)
                    log.debug("spike rule %s on %s at %.3f: window from %s count %d previous %s -> %s", rule.id,
                              name, ts, start, count, previous, fires)
                    if not fires:
                        continue
                    art = mention["article"]
                    subject = suppression_subject(rule, art, entity=rule.entity)
                    win = {"start": _iso(start), "end": _iso(start + rule.window_s), "size_s": rule.window_s,
                           "step_s": rule.step_s, "count": count, "threshold": rule.threshold or None,
                           "baseline": baseline, "baseline_factor": rule.baseline_factor or None,
                           "previous": previous}
                    out.append((rule, _alert(rule, art, alert_id(rule.id, subject, start), "spike", subject,
                                             {"entities": [rule.entity], "keywords": []}, window=win)))
            except Exception as exc:  # noqa: BLE001
                await dlq.send("alerts.spike", exc, event)
                continue
            await propose(out, "spike")

    @app.agent(candidates, name="akhbar.alerts.suppress")
    async def suppress(stream):
        async for event in stream.events():
            try:
                cand = orjson.loads(event.value)
                alert = cand["alert"]
                key = f"{alert['rule_id']}|{alert.get('subject')}"
                now = event.message.timestamp or time.time()
                decision, last_alert[key] = redelivery.suppress(last_alert.get(key), alert["id"], now,
                                                                cand["suppress_s"], settings.alerts_history_s)
                if decision == "suppressed":
                    metrics.ALERTS_SUPPRESSED.inc()
                if decision != "sent":
                    log.debug("candidate %s of %s: %s", alert["id"], key, decision)
                    continue
            except Exception as exc:  # noqa: BLE001
                await dlq.send("alerts.suppress", exc, event)
                continue
            metrics.ALERTS_SENT.labels(severity=alert.get("severity", "info")).inc()
            await alerts.send(key=alert["rule_id"].encode(), value=orjson.dumps(alert))


def _alert(rule, article: dict, id_: str, kind: str, subject: str, matched: dict, window: dict | None = None) -> Alert:
    """An alert of `rule` about `article` (an EnrichedArticle as JSON, or the part a mention carries)."""
    return Alert(id=id_, rule_id=rule.id, article_id=str(article.get("id")), created_at=utc_now(),
                 severity=rule.severity, matched=matched, rule_name=rule.name or None, kind=kind, subject=subject,
                 title=article.get("title"), source=article.get("source"), lang=article.get("lang"), window=window)


def _candidate(alert: Alert, rule) -> bytes:
    return orjson.dumps({"alert": orjson.loads(encode(alert)), "suppress_s": rule.suppress_minutes * 60})


def _passes(rule, article: dict) -> bool:
    if rule.sources and (article.get("source") or "") not in rule.sources:
        return False
    if rule.langs and (article.get("lang") or "") not in rule.langs:
        return False
    return True


def _window(rule, ts: float, bucket_s: float) -> tuple[float, int]:
    """(start, buckets) of the window the event at `ts` is counted in, for a rule.

    Tumbling (step = size): the aligned window [floor(ts/size)*size, +size). Hopping (step < size): of the
    windows [k*step, k*step+size) containing ts, the one that closes first (the most history). The count is
    everything counted so far in the whole window (mentions may arrive out of time order from different
    partitions); sizes are rounded to whole buckets.
    """
    step = max(bucket_s, rule.step_s)
    start = (ts // step) * step - (rule.window_s - step)
    return start, max(1, round(rule.window_s / bucket_s))


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
