"""Throughput and latency of the pipeline through a real broker and a real worker.

    python bench/pipeline.py [-n 5000] [--latency-n 1000] [--rate 100] [--bootstrap HOST:PORT]

1. latency: articles at a steady --rate; p50/p99 from the article's arrival on the raw
   topic to its alert on the alerts topic (Kafka timestamps on both ends);
2. throughput: N real articles are published as fast as possible; articles/s is N divided
   by the time from the first publish to the last enriched record;
3. the same load through a bare Faust agent that only forwards each message, the
   framework's ceiling on this machine.

Articles come from ../shared/corpus (real Arabic news) or, without it, copies of the seed.
Without --bootstrap, a local broker is started in a temporary folder and stopped after.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import itertools
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.local_broker import start_bench_broker, stop_bench_broker  # noqa: E402
from monitor.config import Settings  # noqa: E402
from monitor.kafka_io import ensure_topics, publish_articles  # noqa: E402
from monitor.models import Article, article_id  # noqa: E402
from monitor.processes import start_worker, stop_process  # noqa: E402
from monitor.replay import article_from_item, read_articles  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "ant-2018.jsonl.gz"


def load_articles(n: int) -> list[Article]:
    if CORPUS.exists():
        with gzip.open(CORPUS, "rb") as fh:
            items = [orjson.loads(line) for line in itertools.islice(fh, n)]
        source = f"{CORPUS.name}"
        articles = [article_from_item(i) for i in items]
    else:
        seed = next(read_articles([REPO / "seeds"]))
        articles = [Article(id="", title=seed.title, text=seed.text) for _ in range(n)]
        source = "copies of the seed (../shared/corpus is absent)"
    for i, a in enumerate(articles):  # fresh ids: every run is new work for the worker
        a.id = article_id(title=f"{uuid.uuid4()}-{i}", body="")
    size = statistics.mean(len(a.to_json()) for a in articles)
    print(f"articles: {len(articles)} from {source}, mean {size / 1024:.1f} KB as JSON")
    return articles


def fresh_settings(bootstrap: str, workdir: Path, name: str) -> Settings:
    tag = f"{name}-{uuid.uuid4().hex[:6]}"
    from socket import socket

    def port():
        with socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    return Settings(bootstrap=bootstrap, app_id=f"bench-{tag}", topic_raw=f"bench-raw-{tag}",
                    topic_enriched=f"bench-enriched-{tag}", topic_alerts=f"bench-alerts-{tag}",
                    topic_deadletter=f"bench-dead-{tag}", web_port=port(), metrics_port=port(),
                    datadir=str(workdir / tag))


async def wait_ready(settings: Settings, topic: str, proc, timeout: float = 120.0) -> None:
    """Publish one article and wait for its output: the worker has joined and is consuming."""
    probe = Article(id=uuid.uuid4().hex, title="probe", text="probe")
    await publish_articles(settings, [probe])
    await consume(settings, topic, 1, timeout, proc)


async def consume(settings: Settings, topic: str, count: int, timeout: float, proc,
                  on_record=None) -> float:
    """Read ``count`` records from the end of what was read before; return the last one's arrival."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=settings.bootstrap, group_id=f"bench-{topic}",
                                auto_offset_reset="earliest")
    await consumer.start()
    seen, last = 0, time.time()
    deadline = time.monotonic() + timeout
    try:
        while seen < count:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"gave up on {topic}: {seen}/{count} records")
            for records in (await consumer.getmany(timeout_ms=200, max_records=5000)).values():
                for r in records:
                    seen += 1
                    last = r.timestamp / 1000
                    if on_record:
                        on_record(r)
            await consumer.commit()
    finally:
        await consumer.stop()
    return last


def throughput(settings: Settings, articles: list[Article], out_topic: str, proc) -> float:
    asyncio.run(wait_ready(settings, out_topic, proc))
    started = time.time()
    asyncio.run(publish_articles(settings, articles))
    last = asyncio.run(consume(settings, out_topic, len(articles), 600, proc))
    return len(articles) / (last - started)


def latency(settings: Settings, articles: list[Article], rate: float, proc) -> list[float]:
    """Publish-to-alert seconds of each alert raised by articles sent at ``rate`` per second."""
    delays: list[float] = []

    def on_alert(record):
        alert = orjson.loads(record.value)
        ingested = (alert.get("times") or {}).get("ingested")
        if ingested is not None:  # control_change alerts follow from claims, not one article
            delays.append(record.timestamp / 1000 - ingested)

    async def go():
        consumer_task = asyncio.create_task(
            consume(settings, settings.topic_alerts, 10**9, len(articles) / rate + 60, proc, on_alert))
        await publish_articles(settings, articles, rate=rate)
        await asyncio.sleep(3)  # let the last alerts arrive
        consumer_task.cancel()

    try:
        asyncio.run(go())
    except asyncio.CancelledError:
        pass
    return delays


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5000, help="articles for the throughput runs")
    parser.add_argument("--latency-n", type=int, default=1000, help="articles for the latency run")
    parser.add_argument("--rate", type=float, default=100.0, help="articles/s in the latency run")
    parser.add_argument("--bootstrap", default=None, help="an existing broker (default: start one)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsmon-bench-"))
    bootstrap, broker_dir = start_bench_broker(args.bootstrap, workdir)
    try:
        articles = load_articles(args.n + args.latency_n)
        load, steady = articles[: args.n], articles[args.n:]

        s = fresh_settings(bootstrap, workdir, "pipeline")
        asyncio.run(ensure_topics(s))
        proc = start_worker(s, workdir / "pipeline.log")
        try:
            # Latency first, on an idle worker: after the throughput run the alert stages
            # would still be draining its backlog.
            asyncio.run(wait_ready(s, s.topic_enriched, proc))
            delays = latency(s, steady, args.rate, proc)
            pipeline_rate = throughput(s, load, s.topic_enriched, proc)
        finally:
            stop_process(proc)

        s = fresh_settings(bootstrap, workdir, "forward")
        asyncio.run(ensure_topics(s))
        proc = start_worker(s, workdir / "forward.log", app="bench.forward_app")
        try:
            forward_rate = throughput(s, load, s.topic_enriched, proc)
        finally:
            stop_process(proc)

        print(f"pipeline throughput: {pipeline_rate:,.0f} articles/s ({args.n} articles, one worker)")
        print(f"bare Faust forwarding agent: {forward_rate:,.0f} articles/s (same articles)")
        print(f"ratio pipeline / bare agent: {pipeline_rate / forward_rate:.2f}")
        if delays:
            print(f"publish-to-alert latency at {args.rate:g} articles/s: p50 {pct(delays, .5) * 1000:.0f} ms, "
                  f"p99 {pct(delays, .99) * 1000:.0f} ms ({len(delays)} alerts from {len(steady)} articles)")
        else:
            print("no alerts in the latency run")
    finally:
        stop_bench_broker(broker_dir)


if __name__ == "__main__":
    main()
