"""docker-compose.yml, the Dockerfile and the Kubernetes manifests cannot run here: check that they agree
with the code (settings, CLI commands, agents, topics) and with the broker config CI runs."""
from __future__ import annotations

import shlex
import tomllib
from dataclasses import fields

import yaml
from click.testing import CliRunner

from agents import ALL_AGENTS, PIPELINE
from streams.cli import COMMANDS, cli
from streams.cli.worker import group_id
from streams.settings import REPO_ROOT, Settings, env_name
from streams.topics import CATALOGUE, ENRICHED, STORIES

KNOWN_VARS = {env_name(f.name) for f in fields(Settings)}


def _check_akhbar_args(args: list[str]) -> None:
    assert args[0] in COMMANDS, f"unknown command {args[0]}"
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, f"`akhbar {' '.join(args)} --help` failed: {result.output}"
    if "--agents" in args:
        agents = args[args.index("--agents") + 1].split(",")
        assert set(agents) <= set(ALL_AGENTS)


def test_compose_uses_real_settings_and_commands():
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"kafka", "topics", "worker", "feed"} <= set(services)
    running = []
    for name in ("topics", "worker", "feed"):
        svc = services[name]
        assert set(svc["environment"]) <= KNOWN_VARS, set(svc["environment"]) - KNOWN_VARS
        _check_akhbar_args(svc["command"])
        if "--agents" in svc["command"]:
            running += svc["command"][svc["command"].index("--agents") + 1].split(",")
    assert "ports" not in services["worker"], "a fixed host port breaks `--scale worker=N`"
    assert services["feed"]["ports"] == ["127.0.0.1:6066:6066"], "the feed, on the host's loopback only"
    assert sorted(running) == sorted(ALL_AGENTS), "every agent runs in exactly one service"
    assert services["worker"]["environment"]["AKHBAR_BROKER"].endswith("kafka:9092")


def test_compose_broker_mirrors_the_local_broker_config():
    kafka = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]["kafka"]["environment"]
    props = dict(line.split("=", 1) for line in (REPO_ROOT / "deploy/kafka/server.properties").read_text().splitlines()
                 if line and not line.startswith("#"))
    for key in ("auto.create.topics.enable", "message.max.bytes", "replica.fetch.max.bytes",
                "group.initial.rebalance.delay.ms", "process.roles"):
        assert kafka["KAFKA_" + key.upper().replace(".", "_")] == props[key], key
    pom = (REPO_ROOT / "deploy/kafka/pom.xml").read_text()
    image_version = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]["kafka"]["image"]
    assert f"<kafka.version>{image_version.split(':')[1]}</kafka.version>" in pom


def test_dockerfile_ships_every_package_and_runs_the_cli():
    dockerfile = (REPO_ROOT / "deploy/Dockerfile").read_text()
    packages = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    for pkg in packages:
        assert f"COPY {pkg} ./{pkg}" in dockerfile
    assert "uv sync --locked --no-dev" in dockerfile and 'ENTRYPOINT ["akhbar"]' in dockerfile


def _k8s_docs():
    for path in sorted((REPO_ROOT / "deploy/k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path.name, doc


def test_kubernetes_deployments_cover_each_stage_once_with_probes_and_lag_scaling():
    docs = list(_k8s_docs())
    config = next(d for _, d in docs if d["kind"] == "ConfigMap")
    assert set(config["data"]) <= KNOWN_VARS
    stages = {}
    for _, doc in docs:
        if doc["kind"] == "Deployment":
            (container,) = doc["spec"]["template"]["spec"]["containers"]
            _check_akhbar_args(container["args"])
            (stage,) = container["args"][container["args"].index("--agents") + 1].split(",")
            stages[doc["metadata"]["name"]] = stage
            assert container["livenessProbe"]["httpGet"]["path"] == "/health"
            assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        if doc["kind"] == "Job":
            _check_akhbar_args(doc["spec"]["template"]["spec"]["containers"][0]["args"])
    # every linear stage, story clustering (between entities and articles.enriched), and alerts
    sources = {name: source for name, (_, source, _) in PIPELINE.items()} | {"stories": STORIES,
                                                                                "alerts": ENRICHED}
    assert sorted(stages.values()) == sorted(sources) == sorted(ALL_AGENTS)
    service = next(d for _, d in docs if d["kind"] == "Service")
    served = [n for n, d in docs if d["kind"] == "Deployment"
              and d["spec"]["template"]["metadata"]["labels"] == {**d["spec"]["template"]["metadata"]["labels"],
                                                                  **service["spec"]["selector"]}]
    assert served == ["deployment-feed.yaml"], "the Service reaches the feed deployment"
    for _, doc in docs:
        if doc["kind"] == "ScaledObject":
            stage = stages[doc["spec"]["scaleTargetRef"]["name"]]
            (trigger,) = doc["spec"]["triggers"]
            assert trigger["metadata"]["topic"] == sources[stage], "scale on the stage's source topic"
            spec = next(t for t in CATALOGUE if t.name == sources[stage])
            partitions = spec.partitions or int(config["data"]["AKHBAR_PARTITIONS"])
            assert doc["spec"]["maxReplicaCount"] <= partitions, "a replica past the partition count sits idle"
            assert trigger["metadata"]["consumerGroup"] == group_id("akhbar", [stage])


def test_ci_runs_exactly_the_readme_commands():
    readme = (REPO_ROOT / "README.md").read_text()
    ci = (REPO_ROOT / ".ci/run").read_text()
    for command in ("uv run --locked akhbar kafka fetch", "uv run --locked pytest"):
        assert f"\n{command}\n" in readme and command in ci
    assert shlex.split("pip install uv==0.13.8")[-1] in ci
