"""Alert state that a redelivered article cannot change. No Kafka here; agents/alerts.py keeps the values in tables.

At-least-once delivery hands an article to the alert agents again after a crash or a rebalance (its offset was
not committed yet), and a replay of a topic does it on purpose. Two pieces of state would count it twice:

- spike counts: a mention counts once per (entity, article id). The first time, `count_mention` returns the
  state to store under `mention_key(entity, article id)`: the event time it was counted at ("ms") and its
  partition ("p", for the sweep that expires it, nlp.stories.sweep). Again, it returns that state unchanged
  and the spike rules are evaluated at the stored time: the same window, so the same alert id as the first
  time (or the alert the first delivery could not send before a crash), never a new count.
- suppression: `suppress` decides a candidate alert once per alert id. The decision is remembered (sent or
  suppressed), so a candidate seen again is a duplicate, whatever the clock says by then: a redelivered
  candidate neither alerts twice (with suppression off, or its window over) nor alerts when it was suppressed.

Both are bounded: a ledger entry lives as long as the spike buckets (AKHBAR_ALERTS_HISTORY_S) and the ids kept
per rule and subject are those of that horizon, at most MAX_IDS of them.
"""
from __future__ import annotations

MAX_IDS = 500  # alert ids remembered per rule and subject (the newest), within the horizon


def mention_key(entity: str, article_id: str) -> str:
    """The ledger key of one article's mention of one entity."""
    return f"{entity}\x1f{article_id}"


def count_mention(seen: dict | None, ts: float, partition: int) -> tuple[bool, float, dict]:
    """(counts now, the event time to evaluate the rules at, the ledger state) for a mention at `ts` (epoch s).

    `seen` is the ledger's state for this mention, None when it was never counted."""
    if seen is not None:
        return False, seen["ms"] / 1000, seen
    return True, ts, {"p": partition, "ms": int(ts * 1000)}


def suppress(state, alert_id: str, now: float, suppress_s: float, horizon_s: float,
             max_ids: int = MAX_IDS) -> tuple[str, dict]:
    """The decision on one candidate alert of a rule and subject, and the new state.

    "sent": alert; "suppressed": an alert of this rule and subject went out less than `suppress_s` ago;
    "duplicate": this alert id was decided before (a redelivery). `state` is {"t": last alert time or None, "ids":
    [[alert id, time decided], ...]}, or a float (the last alert time, as older workers stored it), or None.
    """
    if not isinstance(state, dict):
        state = {"t": float(state) if state else None, "ids": []}  # 0.0 was the old table's default: none
    ids = [entry for entry in state["ids"] if now - entry[1] <= horizon_s]
    if any(entry[0] == alert_id for entry in ids):
        return "duplicate", {"t": state["t"], "ids": ids}
    ids = [*ids, [alert_id, now]][-max_ids:]
    if state["t"] is not None and now - state["t"] < suppress_s:
        return "suppressed", {"t": state["t"], "ids": ids}
    return "sent", {"t": now, "ids": ids}
