"""clean: articles.raw -> articles.clean. Validation (a RawArticle with id and ingested_at set; bad input is a
dead letter of stage "ingest"), then display text, paragraphs, removed boilerplate.

The memory of recent titles (a body line equal to the title of an earlier article of the same source is a related
headline) is the table `clean-titles`, written and read through nlp.headlines.StreamTitles: one entry per
(source, partition, title), so it is co-partitioned with articles.raw and moves with its partition; an
article knows the titles of its partition's earlier offsets only, so a redelivery cleans it as before. Bounded
in time and size by a sweep per partition (nlp.headlines.stale_titles), every 10 minutes of event time.
"""
from __future__ import annotations

from agents.sweep import Sweeper
from nlp import headlines, stages
from schemas.codec import encode


def make_step(settings, app=None):
    """`app`: the Faust app, to declare the titles table on; None gives the stage without memory."""
    table = sweeper = None
    if app is not None:
        table = app.Table("clean-titles", partitions=settings.partitions,
                          help="source, partition, title key -> offset and event time of the article it titles")
        sweeper = Sweeper(int(headlines.TITLES_HORIZON_S * 1000), sweep=headlines.stale_titles)

    def step(payload: bytes, event=None):
        raw = stages.ingest(payload, settings.max_message_bytes)
        if table is None:
            article = stages.clean(raw)
        else:
            titles = headlines.StreamTitles(table, event.message.partition, event.message.offset)
            article = stages.clean(raw, titles=titles)
            sweeper.maybe(table, event.message.partition, titles.now_ms)
        return article.id.encode(), encode(article)

    return step
