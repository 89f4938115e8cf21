"""Real worker processes on the real broker, each test in its own topics and consumer group."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from streams.settings import Settings
from streams.topics import create_topics

REPO = Path(__file__).resolve().parents[2]


def _free_ports(base: int, count: int, width: int = 1):
    """Ports nothing listens on now, from a slice of 16000-27999 picked by pid.

    All lie below the kernel's ephemeral range (32768+), so an outgoing connection cannot take one between the
    check and the worker's bind (CI once failed on a web port that a Kafka client connection held). `width`
    consecutive ports are checked for each (a broker also listens on port + 1).
    """
    for port in range(base, base + count, width):
        try:
            for p in range(port, port + width):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        yield port


_ports = _free_ports(16000 + os.getpid() % 100 * 80, 80)
_broker_ports = _free_ports(24000 + os.getpid() % 100 * 40, 40, width=2)


@dataclass
class Pipeline:
    settings: Settings
    env: dict
    tmp: Path
    workers: list = field(default_factory=list)

    def topic(self, name: str) -> str:
        return self.settings.topic(name)

    def start_worker(self, agents: str | None = None, wait: bool = True) -> subprocess.Popen:
        n = len(self.workers)
        log = open(self.tmp / f"worker-{n}.log", "wb")
        cmd = [sys.executable, "-m", "streams.cli.main", "worker", "--web-port", str(next(_ports)),
               "--loglevel", "info"]
        if agents:
            cmd += ["--agents", agents]
        proc = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        proc.log_path = self.tmp / f"worker-{n}.log"
        self.workers.append(proc)
        if wait:
            self.wait_ready(proc)
        return proc

    def wait_ready(self, proc, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"worker exited with {proc.returncode}:\n{self.log(proc)[-3000:]}")
            if "Worker]: Ready" in self.log(proc):
                return
            time.sleep(0.3)
        raise AssertionError(f"worker not ready in {timeout}s:\n{self.log(proc)[-3000:]}")

    @staticmethod
    def log(proc) -> str:
        return proc.log_path.read_text(errors="replace")

    def stop_all(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _make_pipeline(bootstrap: str, tmp_path: Path, request) -> Pipeline:
    tag = f"t{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    env.update(AKHBAR_TOPIC_PREFIX=f"{tag}.", AKHBAR_APP_ID=f"akhbar-{tag}", AKHBAR_DATADIR=str(tmp_path / "data"),
               AKHBAR_BROKER=f"kafka://{bootstrap}", AKHBAR_PARTITIONS="6")
    marker = request.node.get_closest_marker("akhbar_env")
    if marker:
        env.update(marker.kwargs)
    settings = Settings.from_env(env)
    asyncio.run(create_topics(settings))
    return Pipeline(settings=settings, env=env, tmp=tmp_path)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.akhbar_failed = report.failed


def _report_workers(p: Pipeline, request) -> None:
    """When a test failed, the tail of each worker's log goes into the report (captured teardown output)."""
    if not getattr(request.node, "akhbar_failed", False):
        return
    for n, proc in enumerate(p.workers):
        print(f"----- worker {n} (pid {proc.pid}, exit {proc.poll()}): last lines of {proc.log_path} -----")
        print(p.log(proc)[-6000:])


@pytest.fixture
def pipeline(kafka_broker, tmp_path, request):
    """A fresh topic set and consumer group; call .start_worker() to run real `akhbar worker` processes."""
    p = _make_pipeline(kafka_broker, tmp_path, request)
    try:
        yield p
    finally:
        p.stop_all()
        _report_workers(p, request)


@pytest.fixture
def own_broker(tmp_path):
    """A second, private Kafka broker that a test may stop and restart without disturbing the others."""
    from streams.localkafka import LocalBroker, fetch

    fetch()
    broker = LocalBroker(port=next(_broker_ports), state=tmp_path / "kafka")
    broker.up(fresh=True)
    try:
        yield broker
    finally:
        broker.down()


@pytest.fixture
def own_pipeline(own_broker, tmp_path, request):
    """Like `pipeline`, on the private broker (`.broker`)."""
    p = _make_pipeline(own_broker.bootstrap, tmp_path, request)
    p.broker = own_broker
    try:
        yield p
    finally:
        p.stop_all()
        _report_workers(p, request)
