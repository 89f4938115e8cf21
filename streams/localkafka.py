"""A real single-node Apache Kafka (KRaft) for local runs and CI: fetch jars, start, wait, stop.

The broker's jars come from Maven Central (deploy/kafka/pom.xml) and run on the machine's Java 17.
`LocalBroker(port, state)` is one broker; the module-level functions act on the default one:
port AKHBAR_KAFKA_PORT (default 19092; its controller listens on port + 1), state (data, log, pid)
in AKHBAR_KAFKA_STATE (default .kafka-local/ in the repo). Tests start extra brokers on other ports.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from streams.settings import REPO_ROOT
from streams.watchdog import cluster_size

KAFKA_DIR = REPO_ROOT / "deploy" / "kafka"
LIB_DIR = KAFKA_DIR / "lib"


def cluster_id() -> str:
    """A new KRaft cluster id: a random UUID in URL-safe base64, as `kafka-storage random-uuid` prints it, never
    one that starts with "-" (the storage tool's argument parser takes such an id for an option and fails; one id
    in 64 does; Kafka's Uuid.randomUuid draws again the same way)."""
    while True:
        out = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not out.startswith("-"):
            return out


class KafkaError(RuntimeError):
    pass


def jars_present() -> bool:
    return LIB_DIR.is_dir() and any(LIB_DIR.glob("kafka_2.13-*.jar")) and any(LIB_DIR.glob("log4j-core-*.jar"))


def jar_version() -> str | None:
    """The Kafka version of the fetched broker jars (kafka_2.13-<version>.jar), or None before `fetch`."""
    jars = sorted(LIB_DIR.glob("kafka_2.13-*.jar")) if LIB_DIR.is_dir() else []
    return jars[0].name.removeprefix("kafka_2.13-").removesuffix(".jar") if jars else None


def fetch(echo=print) -> None:
    """Download the broker jars with Maven (cached in ~/.m2) into deploy/kafka/lib."""
    if jars_present():
        echo(f"Kafka jars already in {LIB_DIR}")
        return
    if not shutil.which("mvn"):
        raise KafkaError("Maven (mvn) is not installed: apt-get install maven, or see the README")
    if not shutil.which("java"):
        raise KafkaError("Java is not installed: apt-get install openjdk-17-jre-headless")
    echo("Fetching Apache Kafka jars from Maven Central (mvn dependency:copy-dependencies) ...")
    cmd = ["mvn", "-q", "-B", "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={LIB_DIR}"]
    result = subprocess.run(cmd, cwd=KAFKA_DIR)
    if result.returncode != 0 or not jars_present():
        raise KafkaError(f"mvn failed (exit {result.returncode}); see its output above")
    echo(f"{len(list(LIB_DIR.glob('*.jar')))} jars in {LIB_DIR}")


def reachable(bootstrap: str, timeout: float = 6.0) -> bool:
    quiet = logging.getLogger("aiokafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # "connection refused" is the expected answer while polling
    try:
        return asyncio.run(cluster_size(bootstrap, timeout)) > 0
    except Exception:
        return False
    finally:
        quiet.setLevel(level)


def _reaped(pid: int) -> bool:
    """True when `pid` is a child of this process that has exited (reaping it): a broker started by this
    process (tests stop and restart one) stays a zombie, alive to kill(pid, 0), until its parent waits."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:  # not our child: the kill(pid, 0) probe decides
        return False


@dataclass(frozen=True)
class LocalBroker:
    port: int
    state: Path

    @classmethod
    def default(cls) -> "LocalBroker":
        return cls(port=int(os.environ.get("AKHBAR_KAFKA_PORT") or 19092),
                   state=Path(os.environ.get("AKHBAR_KAFKA_STATE") or REPO_ROOT / ".kafka-local"))

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.state / "kafka.log"

    @property
    def _pid_file(self) -> Path:
        return self.state / "kafka.pid"

    def running_pid(self) -> int | None:
        try:
            pid = int(self._pid_file.read_text().strip())
            if _reaped(pid):
                return None
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return None
        return pid

    def reachable(self) -> bool:
        return reachable(self.bootstrap)

    def tail_log(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def wait_ready(self, timeout: float = 90.0, pid: int | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pid is not None and self.running_pid() is None:
                raise KafkaError(f"the broker exited during start-up; last log lines:\n{self.tail_log()}")
            if self.reachable():
                return
            time.sleep(0.5)
        raise KafkaError(f"the broker did not answer a metadata request within {timeout:.0f}s; "
                         f"log:\n{self.tail_log()}")

    def up(self, fresh: bool = False, echo=print) -> None:
        """Start the broker (formatting storage on first use) and wait until it answers."""
        if not jars_present():
            raise KafkaError("Kafka jars are missing: run `akhbar kafka fetch` first")
        pid = self.running_pid()
        if pid is not None:
            echo(f"Kafka already running (pid {pid})")
            self.wait_ready(pid=pid)
            return
        if self.reachable():
            raise KafkaError(f"something else already answers on {self.bootstrap}; stop it or use it")
        data = self.state / "data"
        if fresh and data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True, exist_ok=True)
        props = self.state / "server.properties"
        props.write_text((KAFKA_DIR / "server.properties").read_text().replace("@LOG_DIR@", str(data))
                         .replace("19093", str(self.port + 1)).replace("19092", str(self.port)))
        java = ["java", "-Xms256m", "-Xmx768m", f"-Dlog4j2.configurationFile={KAFKA_DIR / 'log4j2.properties'}",
                "-cp", str(LIB_DIR / "*")]
        if not (data / "meta.properties").exists():
            fmt = subprocess.run(java + ["kafka.tools.StorageTool", "format", "-t", cluster_id(), "-c", str(props),
                                         "--ignore-formatted"], capture_output=True, text=True)
            if fmt.returncode != 0:
                raise KafkaError(f"formatting KRaft storage failed:\n{fmt.stdout}{fmt.stderr}")
        echo(f"Starting Kafka on {self.bootstrap} (data {data}, log {self.log_file}) ...")
        with open(self.log_file, "ab") as log:
            proc = subprocess.Popen(java + ["kafka.Kafka", str(props)], stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        self._pid_file.write_text(str(proc.pid))
        t0 = time.monotonic()
        self.wait_ready(pid=proc.pid)
        echo(f"Kafka is up (pid {proc.pid}, ready in {time.monotonic() - t0:.1f}s)")

    def down(self, timeout: float = 30.0, echo=print) -> bool:
        """SIGTERM, then SIGKILL after `timeout`. Returns False when nothing was running."""
        pid = self.running_pid()
        if pid is None:
            self._pid_file.unlink(missing_ok=True)
            echo("Kafka is not running")
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.running_pid() is not None:
            time.sleep(0.2)
        if self.running_pid() is not None:
            echo(f"Kafka did not stop within {timeout:.0f}s; killing it")
            os.kill(pid, signal.SIGKILL)
            while self.running_pid() is not None:
                time.sleep(0.1)
        self._pid_file.unlink(missing_ok=True)
        echo(f"Kafka stopped (pid {pid})")
        return True
