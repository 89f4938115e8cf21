"""`akhbar process PATH...`: the whole pipeline in-process, no broker; one EnrichedArticle JSON per line."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson
from tqdm import tqdm

from nlp import stages
from nlp.headlines import RecentTitles
from nlp.stories import StoryIndex
from schemas.codec import encode
from streams.cli.common import load_settings
from streams.inputs import InputError, count_articles, expand, read_articles, same_file


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(allow_dash=True), default="-", show_default=True,
              help="Output JSONL file ('-' for standard output).")
@click.option("--source", help="Source name for articles that carry none (default: the file's folder name).")
@click.option("--pretty", is_flag=True, help="Indent the JSON (one record per several lines).")
def process(paths, output, source, pretty):
    """Clean and enrich articles from files without Kafka, with exactly the stage code the agents run."""
    option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
    out = sys.stdout.buffer if output == "-" else open(output, "wb")
    exclude = None if output == "-" else Path(output)
    n = rejected = 0
    settings = load_settings()
    story_index = StoryIndex(horizon_ms=int(settings.story_horizon_h * 3600 * 1000))  # stories within this run
    titles = RecentTitles()  # each source's recent titles over the run: a body line equal to one is a headline
    try:
        if exclude is not None:  # the output may lie among the inputs (`process DIR -o DIR/out.jsonl`)
            for f in [f for f in expand(list(paths)) if same_file(f, exclude)][:1]:
                click.echo(f"skipping {f}: it is the output file", err=True)
        with tqdm(total=count_articles(list(paths), exclude), unit="article", disable=None if output != "-" else True,
                  file=sys.stderr) as bar:
            for raw in read_articles(list(paths), source, exclude):
                bar.update(1)
                try:  # the clean agent's validation, so both paths accept and reject the same input
                    raw = stages.ingest(encode(raw), settings.max_message_bytes)
                except stages.InvalidInput as exc:
                    click.echo(f"rejected {raw.id or '(no id)'}: {exc}", err=True)
                    rejected += 1
                    continue
                out.write(orjson.dumps(stages.process(raw, story_index, titles), option=option))
                n += 1
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    if output != "-":
        click.echo(f"wrote {n} enriched article(s) to {output}", err=True)
    if rejected:
        raise click.ClickException(f"{rejected} article(s) rejected")
