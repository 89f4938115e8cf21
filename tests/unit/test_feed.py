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


def copy_of(original, id, source, similarity=0.8, size=2):
    return {**art(id, source=source), "story": {"id": original, "first_seen": "t0", "size": size},
            "duplicate_of": original, "similarity": similarity}


def drain(q):
    return [q.get_nowait() for _ in range(q.qsize())]


def test_copies_of_a_story_collapse_into_one_story_updated_in_place():
    hub = FeedHub()
    q = asyncio.Queue()
    hub.subscribers["stories"].add(q)
    hub.add_article({**art("s1", source="wire"), "story": {"id": "s1", "first_seen": "t0", "size": 1}})
    hub.add_article(art("other", source="x"))
    hub.add_article(copy_of("s1", "c1", "paper-a"))
    hub.add_article(copy_of("s1", "c2", "paper-b", size=3))
    stories = hub.recent_stories()
    assert [s["id"] for s in stories] == ["other", "s1"]  # a story keeps its place when copies join it
    s1 = stories[1]
    assert s1["lead"]["id"] == "s1" and [m["id"] for m in s1["members"]] == ["s1", "c1", "c2"]
    assert s1["size"] == 3 and s1["copies"] == 3 and s1["sources"] == ["paper-a", "paper-b", "wire"]
    assert s1["members"][1]["similarity"] == 0.8 and s1["members"][1]["duplicate_of"] == "s1"
    events = drain(q)
    assert [(e["id"], e["copies"]) for e in events] == [("s1", 1), ("other", 1), ("s1", 2), ("s1", 3)]
    # a story is listed when any member matches the filter
    assert [s["id"] for s in hub.recent_stories(source="paper-b")] == ["s1"]


def test_story_events_are_built_only_while_someone_watches_the_stories_stream(monkeypatch):
    """A story event holds every member the feed keeps (up to 200): built for each copy of a breaking story with
    nobody subscribed, it made each copy cost a worker ~5 ms more than a distinct article (pipeline-notes.md)."""
    hub = FeedHub()
    built = []
    story = hub.story
    monkeypatch.setattr(hub, "story", lambda key: built.append(key) or story(key))
    hub.add_article({**art("s1", source="wire"), "story": {"id": "s1", "first_seen": "t0", "size": 1}})
    for n in range(20):
        hub.add_article(copy_of("s1", f"c{n}", f"paper-{n}"))
    assert built == []
    assert hub.recent_stories()[0]["copies"] == 21  # the stories are kept all the same
    q = asyncio.Queue()
    hub.subscribers["stories"].add(q)
    hub.add_article(copy_of("s1", "c20", "paper-20"))
    (event,) = drain(q)
    assert event["copies"] == 22 and event["members"][-1]["id"] == "c20"


def test_a_redelivered_article_is_kept_once_latest_version_wins_identical_copies_are_not_pushed():
    hub = FeedHub()
    articles, stories = asyncio.Queue(), asyncio.Queue()
    hub.subscribers["articles"].add(articles)
    hub.subscribers["stories"].add(stories)
    first = art("a1")
    assert hub.add_article(first) is True
    assert hub.add_article(dict(first)) is False  # redelivered as it was: nothing new to push
    corrected = {**first, "title": "corrected"}
    assert hub.add_article(corrected) is True
    assert [a["id"] for a in hub.recent()] == ["a1"] and hub.articles["a1"]["title"] == "corrected"
    assert [s["copies"] for s in hub.recent_stories()] == [1]
    assert [a["title"] for a in drain(articles)] == ["a1", "corrected"]
    assert [s["lead"]["title"] for s in drain(stories)] == ["a1", "corrected"]


def test_history_limit_drops_old_members_from_their_stories():
    hub = FeedHub(history=2)
    hub.add_article({**art("s1"), "story": {"id": "s1", "size": 1}}, live=False)
    hub.add_article(copy_of("s1", "c1", "b"), live=False)
    hub.add_article(art("n"), live=False)
    assert [(s["id"], [m["id"] for m in s["members"]]) for s in hub.recent_stories()] == [("n", ["n"]),
                                                                                           ("s1", ["c1"])]
    assert hub.recent_stories()[1]["lead"]["id"] == "c1"  # the first article fell out: the earliest one left leads


def test_alerts_are_kept_once_by_id():
    hub = FeedHub()
    q = asyncio.Queue()
    hub.subscribers["alerts"].add(q)
    alert = {"id": "al1", "rule_id": "r", "article_id": "a"}
    assert hub.add_alert(alert) is True
    assert hub.add_alert(dict(alert)) is False
    hub.add_alert({"id": "al2", "rule_id": "r", "article_id": "b"})
    assert [a["id"] for a in reversed(hub.alerts.values())] == ["al2", "al1"]
    assert [a["id"] for a in drain(q)] == ["al1", "al2"]


def test_odd_story_fields_do_not_break_the_hub():
    hub = FeedHub()
    hub.add_article({**art("odd1"), "story": "not an object"})
    hub.add_article({**art("odd2"), "story": {"id": "odd2", "size": "many"}})
    assert sorted(s["id"] for s in hub.recent_stories()) == ["odd1", "odd2"]
    assert [s["size"] for s in hub.recent_stories()] == [1, 1]
