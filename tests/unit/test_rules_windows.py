"""Spike windows over the buckets of the windowed table (agents/alerts.py `_window`), no broker."""
from __future__ import annotations

from agents.alerts import _window, alert_id
from nlp.rules import parse_rule


def spike(**window):
    return parse_rule({"id": "s", "kind": "spike", "entity": "x", "threshold": 1, "window": window})


def test_tumbling_window_is_aligned_and_counts_whole_windows():
    r = spike(size_s=600)
    assert _window(r, 1000.0, 60) == (600.0, 10)  # [600, 1200): all 10 buckets (late arrivals count too)
    assert _window(r, 600.0, 60) == (600.0, 10)


def test_hopping_window_is_the_one_closing_first():
    r = spike(size_s=300, step_s=60)
    start, n = _window(r, 1000.0, 60)
    assert start == 960 - 240 and n == 5           # [720, 1020) holds 1000 and closes first


def test_alert_ids_are_deterministic():
    assert alert_id("r", "a", "s") == alert_id("r", "a", "s") != alert_id("r", "a", "t")
