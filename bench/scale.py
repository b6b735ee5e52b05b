"""Throughput of one and of two workers in one consumer group, on the same load.

    python bench/scale.py [-n 5000] [--partitions 4] [--bootstrap HOST:PORT]

For each worker count, the raw topic has --partitions partitions; the workers start,
join one consumer group and split the partitions (checked on each worker's
``/assignment/`` page); then N real articles are published and the rate is N over the
time from the first publish to the last enriched record. Each run also checks that every
article came out enriched (distinct ids; a rebalance may enrich one twice, never none) and
that the group's committed lag on the raw topic then reaches 0. On a 2-core machine a second
worker adds coordination, not cores: the figure shows that overhead, and the gain
appears only where each worker has a core (or a machine) of its own.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aiokafka import AIOKafkaConsumer  # noqa: E402

from bench.local_broker import start_bench_broker, stop_bench_broker  # noqa: E402
from bench.pipeline import fresh_settings, load_articles  # noqa: E402
from monitor.config import Settings  # noqa: E402
from monitor.kafka_io import consumer_group_lag, ensure_topics, publish_articles  # noqa: E402
from monitor.processes import start_worker, stop_process  # noqa: E402
from tests.helpers import free_port  # noqa: E402


def raw_partitions(settings: Settings) -> list[int]:
    """The raw-topic partitions a worker owns, from its Faust web server."""
    url = f"http://{settings.web_host}:{settings.web_port}/assignment/"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return json.load(answer)["actives"].get(settings.topic_raw, [])
    except OSError:
        return []


def wait_balanced(members: list[Settings], partitions: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        owned = [raw_partitions(s) for s in members]
        if sum(map(len, owned)) == partitions and all(owned):
            return
        time.sleep(0.5)
    raise SystemExit(f"workers did not split {partitions} partitions: {owned}")


async def enriched_ids(settings: Settings, ids: set[bytes], timeout: float, procs) -> tuple[float, int, int]:
    """Read the enriched topic until every id in ``ids`` is there (or ``timeout``); return
    (arrival of the last new id, records read, ids missing)."""
    consumer = AIOKafkaConsumer(settings.topic_enriched, bootstrap_servers=settings.bootstrap,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    missing, records, last = set(ids), 0, time.time()
    deadline = time.monotonic() + timeout
    try:
        while missing and time.monotonic() < deadline and all(p.poll() is None for p in procs):
            for batch in (await consumer.getmany(timeout_ms=200, max_records=5000)).values():
                for r in batch:
                    records += 1
                    if r.key in missing:
                        missing.discard(r.key)
                        last = r.timestamp / 1000
    finally:
        await consumer.stop()
    return last, records, len(missing)


async def wait_lag_zero(settings: Settings, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        lag = sum((await consumer_group_lag(settings, settings.app_id, [settings.topic_raw])).values())
        if lag == 0 or time.monotonic() > deadline:
            return lag
        await asyncio.sleep(1.0)


def run(bootstrap: str, workdir: Path, articles, workers: int, partitions: int) -> float:
    base = fresh_settings(bootstrap, workdir, f"scale{workers}").with_(topic_partitions=partitions)
    members = [base.with_(web_port=free_port(), metrics_port=free_port(), datadir=f"{base.datadir}-{i}")
               for i in range(workers)]
    asyncio.run(ensure_topics(base))
    procs = [start_worker(s, workdir / f"scale{workers}-{i}.log") for i, s in enumerate(members)]
    try:
        wait_balanced(members, partitions)
        started = time.time()
        asyncio.run(publish_articles(base, articles))
        ids = {a.id.encode() for a in articles}
        last, records, missing = asyncio.run(enriched_ids(base, ids, 600, procs))
        lag = asyncio.run(wait_lag_zero(base))
        print(f"{workers} worker(s): {len(ids) - missing}/{len(ids)} articles enriched "
              f"({records} enriched records), raw-topic lag after: {lag}")
        if missing:
            raise SystemExit(f"{missing} articles never enriched (logs in {workdir})")
        return len(articles) / (last - started)
    finally:
        for proc in procs:
            stop_process(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--bootstrap", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsmon-scale-"))
    bootstrap, broker_dir = start_bench_broker(args.bootstrap, workdir)
    try:
        articles = load_articles(args.n)
        rates = {k: run(bootstrap, workdir, articles, k, args.partitions) for k in (1, 2)}
        for k, rate in rates.items():
            print(f"{k} worker(s), {args.partitions} partitions: {rate:,.0f} articles/s")
        print(f"two workers / one worker: {rates[2] / rates[1]:.2f} (on {__import__('os').cpu_count()} cores)")
    finally:
        stop_bench_broker(broker_dir)


if __name__ == "__main__":
    main()
