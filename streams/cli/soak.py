"""`akhbar soak`: every fault scenario N times in a row on fresh topics; passes, lost, duplicates, worker exits."""
from __future__ import annotations

import platform
from pathlib import Path

import click

from streams.settings import REPO_ROOT

OUT = REPO_ROOT / "docs" / "benchmarks" / "soak.md"


@click.command()
@click.option("-n", "--runs", type=click.IntRange(1), default=10, show_default=True, help="Runs of each scenario.")
@click.option("-s", "--scenario", "scenarios", multiple=True,
              help="A scenario to run (repeatable; default all): sigkill, sigterm, scale-out, broker-restart (under "
                   "the default exactly_once), sigkill-at-least-once.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=OUT, show_default=True,
              help="Markdown file for the table.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep each failed run's worker logs and pytest output in a folder under this one.")
def soak(runs, scenarios, out, keep):
    """Run the fault scenarios (real broker, real worker processes: the integration tests that make them), each
    RUNS times in a row, and print per scenario the passes, the articles lost, the duplicate deliveries and the
    workers that exited unasked. Uses the local broker (started by the tests when it is not running)."""
    try:
        from bench import soak as harness
    except ImportError:
        raise click.ClickException("`akhbar soak` runs from a checkout of the repository (bench/ and tests/ are "
                                   "not installed with the package)") from None
    chosen = list(scenarios) or list(harness.SCENARIOS)
    unknown = [s for s in chosen if s not in harness.SCENARIOS]
    if unknown:
        raise click.BadParameter(f"unknown scenario(s) {', '.join(unknown)}; choose from "
                                 f"{', '.join(harness.SCENARIOS)}", param_hint="--scenario")
    click.echo(f"akhbar soak: {', '.join(chosen)}, {runs} run(s) each", err=True)
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    tallies = harness.soak(chosen, runs, say=lambda line: click.echo(line, err=True), keep=keep)
    text = harness.table(tallies)
    click.echo(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    failures = "".join(f"\n### {name}, a failed run\n```\n{tail}\n```\n"
                       for name, t in tallies.items() for tail in t.failures[:1])
    out.write_text(f"# Fault scenarios, soaked\n\n`uv run --locked akhbar soak --runs {runs}"
                   f"{''.join(f' -s {s}' for s in scenarios)}` on {platform.node() or 'this machine'} "
                   f"({platform.machine()}, {_cores()} cores):\n\n{text}\n{failures}", encoding="utf-8")
    click.echo(f"wrote {out}", err=True)
    if any(t.passes < t.runs for t in tallies.values()):
        raise SystemExit(1)


def _cores() -> int:
    import os

    return os.cpu_count() or 1
