"""`akhbar bench`: throughput, latency, scaling, memory and codec figures, written to docs/benchmarks/."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from streams import localkafka
from streams.cli.common import broker_error, load_settings
from streams.settings import REPO_ROOT

OUT = REPO_ROOT / "docs" / "benchmarks"


@click.command()
@click.option("--repeat", type=int, help="Repeats; every figure is the median over them (default 3, quick 1).")
@click.option("--quick", is_flag=True, help="Smoke run: 30 articles, one repeat, a 3 s latency run.")
@click.option("-n", "--articles", type=int, help="Articles per burst and in-process pass (default 300, quick 30).")
@click.option("--data", type=click.Path(exists=True, path_type=Path),
              help="News folder (<dataset>/articles.jsonl) or files; default $AKHBAR_NEWS_DATA, "
                   "../shared/data/news, else seeds/.")
@click.option("--in-process-only", is_flag=True, help="Skip the broker runs (no Kafka needed).")
@click.option("--sections", default="all", show_default=True,
              help="Broker sections, comma-separated: pipeline (passthrough, 1 and 2 workers, latency), peer (the "
                   "plain aiokafka loop next to 1 worker), breaking (N copies of one story vs N distinct "
                   "articles, 1 worker each), guarantee (at_least_once vs exactly_once, 1 worker each).")
@click.option("--report-only", is_flag=True,
              help="Measure nothing: re-render pipeline.md and the plots from pipeline.json and pipeline-notes.md.")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=OUT, show_default=True,
              help="Folder for pipeline.json, pipeline.md and the PNG plots.")
def bench(repeat, quick, articles, data, in_process_only, sections, report_only, out):
    """Measure the pipeline in-process and through the broker (AKHBAR_BROKER) with real worker processes;
    print the table and the targets, and write the results with plots and the machine description."""
    try:
        from bench import dataset, report, run
    except ImportError:
        raise click.ClickException("`akhbar bench` runs from a checkout of the repository (bench/ is not "
                                   "installed with the package)") from None
    if report_only:
        if not (out / "pipeline.json").is_file():
            raise click.ClickException(f"no {out / 'pipeline.json'} to render; run `akhbar bench` first")
        results = report.read_json(out / "pipeline.json")
        write_report(results, out)
        return
    try:
        chosen = run.parse_sections(sections)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--sections") from None
    settings = load_settings()
    bootstrap = None if in_process_only else settings.bootstrap_servers
    if bootstrap and not localkafka.reachable(bootstrap):
        raise broker_error(ConnectionError("no broker answered"), settings)
    local = localkafka.LocalBroker.default()
    broker_pid = local.running_pid() if bootstrap == local.bootstrap else None
    plan = run.Plan.make(data or dataset.default_data(), repeat, quick, bootstrap, articles, broker_pid, chosen)
    if plan.repeat < 1 or plan.n < 2:
        raise click.BadParameter("--repeat must be >= 1 and --articles >= 2")
    click.echo(f"akhbar bench: {plan.n} articles from {plan.data}, {plan.repeat} repeat(s), "
               f"{'in-process only' if not bootstrap else f'broker {bootstrap}, ' + ','.join(chosen)}", err=True)
    results = run.run(plan, say=lambda line: click.echo(line, err=True))
    results["kafka_version"] = localkafka.jar_version() if bootstrap else None
    results["commands"] = reproduce(settings, sys.argv[1:])
    write_report(results, out)


def write_report(results: dict, out: Path) -> None:
    """pipeline.json, the plots, and pipeline.md (with the hand-written pipeline-notes.md appended); the table
    and the targets on standard output."""
    from bench import report

    out.mkdir(parents=True, exist_ok=True)
    results["plots"] = report.plots(results, out)
    report.write_json(out / "pipeline.json", results)
    notes_file = out / "pipeline-notes.md"
    notes = notes_file.read_text(encoding="utf-8") if notes_file.is_file() else ""
    (out / "pipeline.md").write_text(report.markdown(results, notes), encoding="utf-8")
    click.echo(report.table(results["summary"]))
    click.echo("")
    click.echo(report.targets_table(results["targets"]))
    click.echo(f"\nwrote {out / 'pipeline.json'}, {out / 'pipeline.md'} and {len(results['plots'])} plot(s)", err=True)


def reproduce(settings, argv: list[str]) -> list[str]:
    """The commands that rerun this bench: fetch and start the local broker, the bench as invoked, stop."""
    args = " ".join(shlex.quote(a) for a in argv[argv.index("bench"):]) if "bench" in argv else "bench"
    local = localkafka.LocalBroker.default()
    env = []
    if settings.bootstrap_servers == local.bootstrap and local.port != 19092:
        env = [f"export AKHBAR_KAFKA_PORT={local.port} AKHBAR_BROKER={settings.broker}"]
    elif settings.bootstrap_servers != local.bootstrap:
        env = [f"export AKHBAR_BROKER={settings.broker}  # not the local broker: skip kafka up/down"]
    return [*env, "uv run --locked akhbar kafka fetch", "uv run --locked akhbar kafka up",
            f"uv run --locked akhbar {args}", "uv run --locked akhbar kafka down"]
