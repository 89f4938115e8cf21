"""The memory of recent titles as the clean agent keeps it (nlp.headlines.StreamTitles over a table; a dict
here, the Faust table `clean-titles` in the worker): per source and partition, earlier offsets only, bounded
in time and size, and a redelivery cleans an article exactly as the first delivery did."""
from __future__ import annotations

from nlp import stages
from nlp.headlines import StreamTitles, stale_titles, stream_key, title_key
from schemas.records import RawArticle

# the headlines share their words with the article, so the signals alone keep them: only the memory removes them
T1 = "الوزير يفتتح مستشفى المدينة الجديد"
T2 = "المدينة تستعد لموسم الأمطار"
BODY = "\n".join([
    "افتتح الوزير اليوم مستشفى جديدا في المدينة بحضور عدد من المسؤولين والأهالي.",
    T1,
    "وقال الوزير إن المستشفى الجديد يخدم سكان المدينة ويستعد لموسم الأمطار المقبل.",
    T2,
    "وأضاف أن المدينة تحتاج إلى مستشفى آخر في الأعوام المقبلة بعد زيادة عدد السكان.",
])
DAY_MS = 86400 * 1000


def _raw(n: int, title: str, body: str = "نص قصير عن موضوع آخر تماما في هذا اليوم.", source: str = "desk",
         day: int = 1) -> RawArticle:
    return RawArticle(id=f"a{n}", source=source, title=title, body=body,
                      ingested_at=f"2026-01-{day:02d}T10:00:{n:02d}.000Z")


def _clean(table, raw: RawArticle, offset: int, partition: int = 0):
    return stages.clean(raw, titles=StreamTitles(table, partition, offset))


def _removed(article) -> list[str]:
    return [r.text for r in article.removed if r.reason == "related-headline"]


def test_a_body_line_equal_to_an_earlier_title_of_the_source_and_partition_is_removed():
    assert _removed(stages.clean(_raw(1, "عنوان", BODY))) == []   # no memory: the signals keep both lines
    table: dict = {}
    _clean(table, _raw(0, T1), offset=0)
    out = _clean(table, _raw(1, "عنوان", BODY), offset=1)
    assert _removed(out) == [T1] and T1 not in out.body and T2 in out.body
    assert _removed(_clean(table, _raw(2, "عنوان", BODY, source="other"), offset=2)) == []   # per source
    assert _removed(_clean(table, _raw(3, "عنوان", BODY), offset=5, partition=1)) == []   # per partition


def test_a_redelivery_cleans_the_article_as_before():
    table: dict = {}
    _clean(table, _raw(0, T1), offset=0)
    first = _clean(table, _raw(1, "عنوان", BODY), offset=1)
    _clean(table, _raw(2, T2), offset=2)            # a later article titled like the second line
    snapshot = dict(table)
    again = _clean(table, _raw(1, "عنوان", BODY), offset=1)   # offset 1 redelivered after offset 2
    assert (again.body, again.removed) == (first.body, first.removed) and _removed(again) == [T1]
    assert table == snapshot                         # and it writes nothing new
    later = _clean(table, _raw(3, "عنوان", BODY), offset=3)   # a new article sees both titles
    assert _removed(later) == [T1, T2]


def test_a_replay_from_the_start_writes_the_same_table():
    table: dict = {}
    arts = [_raw(0, T1), _raw(1, "عنوان", BODY), _raw(2, T2)]
    outs = [_clean(table, a, offset=n) for n, a in enumerate(arts)]
    first = dict(table)
    replay = [_clean(table, a, offset=n) for n, a in enumerate(arts)]
    assert table == first and [o.body for o in replay] == [o.body for o in outs]


def test_titles_are_forgotten_after_the_horizon():
    table: dict = {}
    _clean(table, _raw(0, T1, day=1), offset=0)
    assert _removed(_clean(table, _raw(1, "عنوان", BODY, day=7), offset=1)) == [T1]
    assert _removed(_clean(table, _raw(2, "عنوان", BODY, day=9), offset=2)) == []    # 8 days later


def test_the_sweep_bounds_the_table_in_time_and_per_source():
    def entry(o, ms, p=0):
        return {"p": p, "o": o, "ms": ms}
    now = 30 * DAY_MS
    items = [(stream_key("desk", 0, title_key(f"عنوان رقم {n} هنا")), entry(n, now - n * 1000)) for n in range(5)]
    items += [(stream_key("desk", 0, title_key("عنوان قديم جدا هنا")), entry(9, now - 8 * DAY_MS)),
              (stream_key("wire", 0, title_key("عنوان وكالة الأنباء")), entry(1, now)),
              (stream_key("desk", 1, title_key("عنوان في قسم آخر")), entry(0, 0, p=1))]   # not this partition's
    gone = stale_titles(items, 0, now, per_source=3)
    assert set(gone) == {items[5][0], items[0][0], items[1][0]}   # the expired one, then desk's 2 oldest offsets
    # with a longer horizon the old one stays, and desk's 3 oldest offsets go
    assert stale_titles(items, 0, now, per_source=3, horizon_s=30 * 86400) == [k for k, _ in items[:3]]
