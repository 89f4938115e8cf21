"""The CLI's user-facing errors and the broker-free `process` command."""
import orjson
from click.testing import CliRunner

from streams.cli import cli
from tests.conftest import SEED


def test_process_writes_one_enriched_record_per_line(tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["process", str(SEED), str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().splitlines()
    assert len(lines) == 2
    rec = orjson.loads(lines[0])
    assert rec["schema_version"] and rec["title"] and rec["body"] and "entities" in rec


def test_process_reports_rejected_articles_and_fails(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "ok", "body": "نص الخبر."}\n{"id": "blank", "body": "   "}\n')
    result = CliRunner().invoke(cli, ["process", str(src)])
    assert result.exit_code == 1
    assert "rejected blank: RawArticle.body: is empty" in result.output
    assert '"id":"ok"' in result.output


def test_commands_say_how_to_reach_the_broker(monkeypatch):
    monkeypatch.setenv("AKHBAR_BROKER", "kafka://127.0.0.1:9")
    result = CliRunner().invoke(cli, ["topics", "list"])
    assert result.exit_code == 1
    assert "cannot reach Kafka at 127.0.0.1:9" in result.output and "akhbar kafka up" in result.output


def test_bad_settings_are_reported_not_raised(monkeypatch):
    monkeypatch.setenv("AKHBAR_PARTITIONS", "many")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 2 and "AKHBAR_PARTITIONS='many'" in result.output


def test_process_never_reads_its_own_output_file(tmp_path):
    """`akhbar process DIR -o DIR/out.jsonl`: the output lies among the inputs. It must be skipped (and said so),
    not read back while it is written (which fed each record back in and never ended). A subprocess with a
    timeout, so the old behaviour fails the test instead of hanging it; enough articles that the output is
    flushed to disk while the inputs are still being read."""
    import subprocess
    import sys

    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    with (tmp_path / "in.jsonl").open("wb") as fh:
        for i in range(40):
            fh.write(orjson.dumps({"id": f"a{i}", "title": title, "body": body, "source": "desk"}) + b"\n")
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"")  # a previous run's output is there too
    done = subprocess.run([sys.executable, "-m", "streams.cli.main", "process", str(tmp_path), "-o", str(out)],
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    ids = [orjson.loads(line)["id"] for line in out.read_bytes().splitlines()]
    assert ids == [f"a{i}" for i in range(40)]
    assert f"skipping {out}: it is the output file" in done.stderr


def test_the_worker_runs_its_loops_on_the_configured_event_loop():
    """Every loop made after the choice, the worker's and the one Faust's consumer thread makes, is of it."""
    import asyncio

    import uvloop

    from streams.cli.worker import use_event_loop

    saved = asyncio.get_event_loop_policy()
    try:
        for name, kind in (("uvloop", uvloop.Loop), ("asyncio", asyncio.BaseEventLoop)):
            asyncio.set_event_loop_policy(None)
            use_event_loop(name)
            loop = asyncio.new_event_loop()
            try:
                assert isinstance(loop, kind) and (name == "uvloop") == isinstance(loop, uvloop.Loop)
            finally:
                loop.close()
    finally:
        asyncio.set_event_loop_policy(saved)
