"""What Faust's exactly-once producer layout costs: the plain aiokafka loop (bench/plain_peer.py, the two linear
hops) with one transactional producer, as Kafka Streams' EOS v2 runs, against one per source partition number,
as Faust runs (transactional id per partition, each its own transaction every commit interval).

    AKHBAR_BROKER=kafka://127.0.0.1:19092 uv run --locked python -m bench.eos_layout [--repeat 5] [--n 300]

Each repeat runs both layouts in turn, each on a fresh topic set of AKHBAR_BROKER under the default guarantee,
exactly_once: a warm-up article, then a burst of `--n` dev articles. Prints one row a run: the loop's CPU per
article, the part of it outside the stage functions (what the layout can change), and, when AKHBAR_BROKER is the
local broker (`akhbar kafka up`), the broker's CPU per article.
"""
from __future__ import annotations

import argparse
import os

from bench import broker, dataset
from streams import localkafka
from streams.settings import Settings

LAYOUTS = (("one producer", False), ("one per partition", True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args(argv)
    bootstrap = Settings.from_env().bootstrap_servers
    local = localkafka.LocalBroker.default()
    broker_pid = local.running_pid() if bootstrap == local.bootstrap else None
    burst, warm = dataset.payloads(dataset.load(dataset.default_data(), args.n)), dataset.warmup()
    print("| producers | articles/s | loop CPU per article | of it outside the stages | broker CPU per article | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for _ in range(args.repeat):
        for name, per_partition in LAYOUTS:
            b = broker.peer_run(bootstrap, burst, warmup=warm, broker_pid=broker_pid,
                                linear=True, per_partition=per_partition)["burst"]
            n = b["received"]
            broker_cpu = f"{1000 * b['broker_cpu_s'] / n:.1f} ms" if b["broker_cpu_s"] is not None else "–"
            print(f"| {name} | {b['throughput']:.1f} | {1000 * b['peer_cpu_s'] / n:.2f} ms "
                  f"| {1000 * (b['peer_cpu_s'] - b['stage_cpu_s']) / n:.2f} ms | {broker_cpu} "
                  f"| {os.getloadavg()[0]:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
