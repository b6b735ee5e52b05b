"""Poller throughput on a local feed farm (loopback only).

    python bench/poll.py [--feeds 5000] [--concurrency 100] [--rounds 2] [--bootstrap HOST:PORT]

A farm of ``--feeds`` small RSS feeds runs in a child process on 127.0.0.1 (so its CPU
is not counted). One poller in this process polls them all, round after round:

* ``first``: every feed is new (10 entries each, all published);
* ``changed``: every feed has changed (new ETag, one new entry);
* ``unchanged``: conditional GETs answered 304.

For each it prints feeds polled per second (and per minute) and the poller's CPU
seconds per 1,000 polls. Articles go to an in-memory sink unless ``--bootstrap`` names
a Kafka broker, in which case they are committed to it transactionally like in
production (topics ``bench-raw-*`` / ``bench-state-*``).
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prometheus_client import CollectorRegistry  # noqa: E402

from monitor.feeds import Feed  # noqa: E402
from monitor.fetch import FetchLimits  # noqa: E402
from monitor.poll_metrics import PollMetrics  # noqa: E402
from monitor.poller import KafkaSink, MemorySink, Poller, PollerOptions  # noqa: E402


def _serve(port_q: mp.Queue, stop: mp.Event) -> None:
    from tests.feedfarm import FeedFarm

    async def main() -> None:
        farm = FeedFarm()
        base = await farm.start()
        port_q.put(base)
        while not stop.is_set():
            await asyncio.sleep(0.2)
        await farm.stop()

    asyncio.run(main())


async def bench(base: str, args: argparse.Namespace) -> None:
    n = args.feeds
    changing = [Feed(url=f"{base}/changing/{i}", name=f"c{i}", interval=60) for i in range(n)]
    stable = [Feed(url=f"{base}/generated/{n + i}", name=f"s{i}", interval=60) for i in range(n)]
    if args.bootstrap:
        tag = uuid.uuid4().hex[:8]
        sink = KafkaSink(args.bootstrap, f"bench-raw-{tag}", f"bench-state-{tag}",
                         transactional_id=f"bench-poller-{tag}")
    else:
        sink = MemorySink()
    opts = PollerOptions(concurrency=args.concurrency, per_host=args.concurrency, backend=args.backend,
                         limits=FetchLimits(allow_loopback=True, total_timeout=60))
    poller = Poller(changing + stable, sink, opts, PollMetrics(CollectorRegistry()))
    await poller.start()
    rows = []

    async def measure(label: str, feeds: list[Feed], expect: str) -> None:
        cpu0, t0 = time.process_time(), time.perf_counter()
        outcomes = await poller.poll_all_once(feeds)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        results = {}
        for o in outcomes:
            results[o.result] = results.get(o.result, 0) + 1
        published = sum(o.published for o in outcomes)
        rows.append((label, len(feeds), wall, cpu, published, results))
        if set(results) != {expect}:
            print(f"  warning: {label} expected only {expect!r}, got {results}", file=sys.stderr)

    await measure("first (new)", changing, "new")
    await measure("first (new)", stable, "new")
    for _ in range(args.rounds):
        await measure("changed", changing, "new")
        await measure("unchanged (304)", stable, "not_modified")
    await poller.close()
    print(f"{n} + {n} feeds on loopback, concurrency {args.concurrency}, parser {args.backend}, "
          f"sink {'kafka ' + args.bootstrap if args.bootstrap else 'memory'}")
    print(f"{'round':18s} {'polls':>6s} {'wall s':>7s} {'feeds/s':>8s} {'feeds/min':>10s} "
          f"{'CPU s/1000':>10s} {'published':>9s}")
    for label, count, wall, cpu, published, _ in rows:
        print(f"{label:18s} {count:6d} {wall:7.2f} {count / wall:8.0f} {60 * count / wall:10.0f} "
              f"{1000 * cpu / count:10.2f} {published:9d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=5000, help="feeds of each kind (changing, stable)")
    ap.add_argument("--concurrency", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--backend", default="fast", choices=["fast", "feedparser", "rs"])
    ap.add_argument("--bootstrap", default="", help="a Kafka broker to commit to (default: in-memory sink)")
    args = ap.parse_args()
    port_q: mp.Queue = mp.Queue()
    stop = mp.Event()
    server = mp.Process(target=_serve, args=(port_q, stop), daemon=True)
    server.start()
    try:
        base = port_q.get(timeout=30)
        asyncio.run(bench(base, args))
    finally:
        stop.set()
        server.join(10)
        if server.is_alive():
            server.terminate()


if __name__ == "__main__":
    main()
