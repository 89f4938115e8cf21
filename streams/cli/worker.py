"""`akhbar worker`: a Faust worker running some or all pipeline agents."""
from __future__ import annotations

import asyncio
import dataclasses
import gc

import click

from agents import ALL_AGENTS
from streams.cli.common import broker_error, load_settings


def group_id(app_id: str, names: list[str]) -> str:
    """Workers running the same set of agents form one consumer group: `akhbar` for the whole pipeline,
    `akhbar-clean` for workers running only the clean stage. Run either whole-pipeline workers or
    per-stage workers on one set of topics, not both, or a stage would run twice."""
    ordered = [n for n in ALL_AGENTS if n in names]
    return app_id if ordered == ALL_AGENTS else f"{app_id}-{'-'.join(ordered)}"


def use_event_loop(name: str) -> None:
    """Make `name` (Settings.event_loop) the loop of everything the worker runs: the policy is set before any
    loop exists, so the worker's loop and the one Faust's consumer thread makes for itself are both of it."""
    if name == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


@click.command()
@click.option("--agents", "agent_list", default=",".join(ALL_AGENTS), show_default=True,
              help="Comma-separated agents to run in this worker (scale each stage on its own).")
@click.option("--web-port", type=int, help="Web server port (default AKHBAR_WEB_PORT); one per worker on a host.")
@click.option("--loglevel", help="Log level (default AKHBAR_LOG_LEVEL).")
def worker(agent_list, web_port, loglevel):
    """Run the pipeline agents until stopped (SIGTERM/Ctrl-C shut down cleanly)."""
    import faust

    from streams.app import create_app, internal_topics
    from streams.topics import create_topics

    settings = load_settings()
    use_event_loop(settings.event_loop)
    if web_port:
        settings = dataclasses.replace(settings, web_port=web_port)
    names = [n.strip() for n in agent_list.split(",") if n.strip()]
    unknown = [n for n in names if n not in ALL_AGENTS]
    if unknown or not names:
        raise click.BadParameter(f"choose from {', '.join(ALL_AGENTS)}", param_hint="--agents")
    settings = dataclasses.replace(settings, app_id=group_id(settings.app_id, names))
    app = create_app(settings, names)
    try:
        # Faust's own topics too, before its consumer subscribes (create_topics says why)
        asyncio.run(create_topics(settings, internal_topics(app)))
    except Exception as exc:
        raise broker_error(exc, settings) from None
    process = faust.Worker(app, loglevel=loglevel or settings.log_level)
    # At WARN and above, faust's terminal spinner sets the root logger to DEBUG (to spin on every record) and
    # keeps it there after start-up: every debug record of faust and aiokafka would then be built and dropped,
    # about 7% of a busy worker's event loop (docs/benchmarks/pipeline.md). No spinner, no DEBUG root.
    process.spinner = None
    # Everything made so far (modules, the NER model, the app) lives as long as the worker: out of the garbage
    # collector's sight, a full collection no longer traverses ~100,000 objects on the event loop (gen2 pauses
    # of 115-270 ms, 20-60 ms after; docs/benchmarks/pipeline-notes.md, "The run of 2026-12-04 20:32").
    gc.collect()
    gc.freeze()
    process.execute_from_commandline()
