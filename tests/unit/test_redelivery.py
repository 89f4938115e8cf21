"""A redelivered article changes no alert state (nlp/redelivery.py): spike counts per article, suppression per id."""
from __future__ import annotations

from nlp import redelivery, stories
from nlp.redelivery import count_mention, mention_key, suppress

DAY = 86400.0


def _count(mentions):
    """Spike counting as agents/alerts.py does it: a ledger by mention key, a count per entity."""
    ledger, counts, evaluated_at = {}, {}, []
    for entity, article, ts in mentions:
        key = mention_key(entity, article)
        new, at, ledger[key] = count_mention(ledger.get(key), ts, partition=0)
        counts[entity] = counts.get(entity, 0) + new
        evaluated_at.append(at)
    return counts, evaluated_at


def test_an_article_delivered_three_times_counts_once_and_is_evaluated_at_its_first_time():
    counts, at = _count([("العراق", "a", 100.0), ("العراق", "b", 101.0), ("العراق", "a", 500.0),
                         ("العراق", "a", 900.0), ("بغداد", "a", 100.0)])
    assert counts == {"العراق": 2, "بغداد": 1}  # per entity, distinct article ids
    assert at == [100.0, 101.0, 100.0, 100.0, 100.0]  # the window (and alert id) of the first delivery


def test_the_ledger_expires_with_the_spike_history():
    _, _, state = count_mention(None, 1000.0, partition=3)
    assert state == {"p": 3, "ms": 1_000_000}
    assert stories.sweep([("k", state)], 3, 1_000_000 + int(DAY * 1000) - 1, int(DAY * 1000)) == []
    assert stories.sweep([("k", state)], 3, 1_000_000 + int(DAY * 1000) + 1, int(DAY * 1000)) == ["k"]


def test_a_redelivered_candidate_is_a_duplicate_whatever_the_clock_says():
    state = None
    decisions = []
    for alert_id, now in (("a1", 0.0), ("a2", 60.0), ("a1", 61.0), ("a2", 4000.0), ("a1", 4000.0),
                          ("a3", 4000.0), ("a3", 4001.0)):
        decision, state = suppress(state, alert_id, now, suppress_s=1800, horizon_s=DAY)
        decisions.append(decision)
    # a2 was suppressed and stays so after the window; a1 and a3 alert once each
    assert decisions == ["sent", "suppressed", "duplicate", "duplicate", "duplicate", "sent", "duplicate"]
    assert state["t"] == 4000.0


def test_without_suppression_every_alert_id_still_alerts_once():
    state, sent = None, []
    for alert_id in ("a", "b", "a", "c", "b"):
        decision, state = suppress(state, alert_id, 10.0, suppress_s=0, horizon_s=DAY)
        sent += [alert_id] if decision == "sent" else []
    assert sent == ["a", "b", "c"]


def test_suppression_state_is_bounded_and_reads_the_old_float_values():
    decision, state = suppress(1234.0, "x", 1240.0, suppress_s=60, horizon_s=DAY)  # a float: older workers
    assert decision == "suppressed" and state["t"] == 1234.0
    state = None
    for i in range(2000):
        _, state = suppress(state, f"id{i}", float(i), suppress_s=0, horizon_s=DAY, max_ids=100)
    assert len(state["ids"]) == 100 and state["ids"][-1][0] == "id1999"
    _, state = suppress(state, "late", 1999 + DAY + 1000, suppress_s=0, horizon_s=DAY)
    assert [e[0] for e in state["ids"]] == ["late"]  # older than the horizon: forgotten
