"""The feed's pure parts (no broker): the in-memory hub, filters, and the static page's escaping discipline."""
from __future__ import annotations

import asyncio
import re
from importlib.resources import files

from streams.feed import FeedHub, observe_article
from streams.metrics import REGISTRY

STATIC = files("streams.feed") / "static"


def art(id, source="wire", lang="ar", entities=()):
    return {"id": id, "source": source, "lang": lang, "title": id, "body": "x",
            "entities": [{"text": e, "canonical": e, "type": "LOC", "start": 0, "end": 1} for e in entities],
            "processing": {"stages_ms": {"clean": 2.0, "entities": 1.0}}}


def test_hub_keeps_recent_newest_first_and_filters():
    hub = FeedHub(history=3)
    for i, (src, ents) in enumerate([("a", ["العراق"]), ("b", ["سوريا"]), ("a", ["سورية"]), ("b", [])]):
        hub.add_article(art(f"id{i}", source=src, entities=ents), live=False)
    assert [a["id"] for a in hub.recent()] == ["id3", "id2", "id1"]  # id0 fell out of the history
    assert [a["id"] for a in hub.recent(source="a")] == ["id2"]
    assert [a["id"] for a in hub.recent(entity="سوريه")] == ["id2"]  # matching-text comparison
    assert [a["id"] for a in hub.recent(lang="en")] == []
    hub.add_article(art("id1", source="c"), live=False)  # a new version moves to the front, replaced
    assert [a["id"] for a in hub.recent()][0] == "id1" and hub.articles["id1"]["source"] == "c"


def test_hub_pushes_to_subscribers_and_drops_oldest_when_full():
    hub = FeedHub()
    q = asyncio.Queue(maxsize=2)
    hub.subscribers["articles"].add(q)
    for i in range(3):
        hub.add_article(art(f"n{i}"))
    hub.add_article(art("old"), live=False)
    assert [q.get_nowait()["id"] for _ in range(q.qsize())] == ["n1", "n2"]


def test_stage_latency_histogram_observed():
    before = REGISTRY.get_sample_value("akhbar_stage_latency_seconds_count", {"stage": "clean"}) or 0
    observe_article(art("m"))
    assert REGISTRY.get_sample_value("akhbar_stage_latency_seconds_count", {"stage": "clean"}) == before + 1


def test_page_is_rtl_arabic_and_never_parses_article_text_as_html():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<script src=\"/static/feed.js\"" in html and not re.search(r"<script>[^<]", html)  # no inline code
    js = (STATIC / "feed.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in js, sink
    assert "textContent" in js and "createTextNode" in js
