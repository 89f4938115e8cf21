"""The fault scenarios, each run N times in a row on fresh topics and consumer groups (each run is the scenario's
integration test in a pytest process of its own), and their tally per scenario: passes, articles lost, duplicate
deliveries, workers that exited unasked. `akhbar soak` runs it; figures go to docs/benchmarks/soak.md."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# scenario -> the integration test that runs it (and records its outcome via kafka_io.outcome)
SCENARIOS = {
    "sigkill": "tests/integration/test_fault_tolerance.py::"
               "test_sigkill_a_worker_mid_stream_loses_nothing_and_delivers_each_article_once",
    "sigkill-at-least-once": "tests/integration/test_fault_tolerance.py::test_sigkill_under_at_least_once_loses_nothing",
    "sigterm": "tests/integration/test_fault_tolerance.py::test_sigterm_shuts_down_cleanly_and_a_restart_resumes",
    "scale-out": "tests/integration/test_fault_tolerance.py::test_scale_out_three_workers_then_a_fourth_mid_stream",
    "broker-restart": "tests/integration/test_broker_outage.py::"
                      "test_broker_restart_mid_stream_is_ridden_out_and_loses_nothing",
}


@dataclass
class Tally:
    runs: int = 0
    passes: int = 0
    lost: int = 0
    duplicates: int = 0
    worker_exits: int = 0
    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # the last lines of each failed run


def run_once(scenario: str, env: dict[str, str], timeout: float,
             keep: Path | None = None) -> tuple[bool, dict | None, float, str]:
    """One run: (passed, its recorded outcome or None, seconds, pytest's last lines). With `keep`, the worker
    logs and pytest output of a failed run, or of one where a worker exited unasked, stay in a new folder under
    it (the others' are deleted)."""
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as f:
        results = f.name
    base = Path(tempfile.mkdtemp(prefix=f"{scenario}-", dir=keep)) if keep else None
    t0 = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", SCENARIOS[scenario], "-q", "-p", "no:cacheprovider",
                               "-m", "soak_only or not soak_only", "--durations=0",
                               *([f"--basetemp={base / 'tmp'}"] if base else [])],
                              cwd=REPO, env={**env, "AKHBAR_SOAK_RESULTS": results},
                              capture_output=True, text=True, timeout=timeout)
        passed, output = proc.returncode == 0, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        passed, output = False, f"{_text(exc.stdout)}{_text(exc.stderr)}\ntimed out after {timeout:.0f} s"
    tail = output[-1500:]
    seconds = time.monotonic() - t0
    lines = Path(results).read_text(encoding="utf-8").splitlines()
    os.unlink(results)
    result = json.loads(lines[-1]) if lines else None
    if base:
        if passed and not (result and result["worker_exits"]):
            shutil.rmtree(base, ignore_errors=True)
        else:  # a failed run, or one where a worker exited unasked
            (base / "pytest.out").write_text(output, encoding="utf-8")
            tail += f"\n(worker logs kept in {base})"
    return passed, result, seconds, tail


def _text(out) -> str:
    return out.decode("utf-8", "replace") if isinstance(out, bytes) else (out or "")


def soak(scenarios: list[str], runs: int, say=print, timeout: float = 900.0,
         keep: Path | None = None) -> dict[str, Tally]:
    env = {k: v for k, v in os.environ.items() if k != "AKHBAR_SOAK_RESULTS"}
    tallies = {name: Tally() for name in scenarios}
    for n in range(runs):
        for name in scenarios:
            passed, result, seconds, tail = run_once(name, env, timeout, keep)
            t = tallies[name]
            t.runs += 1
            t.passes += passed
            t.seconds.append(seconds)
            if result:
                t.lost += result["lost"]
                t.duplicates += result["duplicates"]
                t.worker_exits += len(result["worker_exits"])
            if not passed:
                t.failures.append(tail)
            say(f"[{n + 1}/{runs}] {name}: {'pass' if passed else 'FAIL'} in {seconds:.0f} s"
                + (f" (lost {result['lost']}, duplicates {result['duplicates']}, "
                   f"worker exits {len(result['worker_exits'])})" if result else " (no outcome recorded)"))
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    rows = ["| scenario | runs | passes | articles lost | duplicates | worker exits | seconds per run (median) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, t in tallies.items():
        median = sorted(t.seconds)[len(t.seconds) // 2] if t.seconds else 0.0
        rows.append(f"| {name} | {t.runs} | {t.passes} | {t.lost} | {t.duplicates} | {t.worker_exits} | "
                    f"{median:.0f} |")
    return "\n".join(rows)
