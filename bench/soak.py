"""Soak: the whole monitor running for N minutes at a steady rate.

    python bench/soak.py --minutes 30 [--rate 10] [--feeds 20] [--bootstrap HOST:PORT]

Runs a local broker (unless --bootstrap), a worker, a poller polling --feeds changing
feeds of a local feed farm (``tests/feedfarm.py``, one new item per poll), a webhook
subscriber of every alert (a local receiver on 127.0.0.1), and replays the corpus
(``../shared/corpus``, else copies of the seed) onto the raw topic at --rate articles/s.
At the end it waits for the worker to drain and prints articles in (replayed and polled),
alerts out, losses (articles in but not enriched, alerts not delivered: must be 0),
duplicate deliveries (an alert id acknowledged twice: must be 0) and the worker's
memory at start, peak and end. Exit status 1 if a loss or a duplicate was seen.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.local_broker import start_bench_broker, stop_bench_broker  # noqa: E402
from monitor.config import Settings  # noqa: E402
from monitor.kafka_io import consumer_group_lag, ensure_topics, publish_articles  # noqa: E402
from monitor.processes import start_worker, stop_process  # noqa: E402
from tests.feedfarm import FeedFarm  # noqa: E402
from tests.helpers import (  # noqa: E402
    WebhookReceiver,
    free_port,
    load_corpus_articles,
    vm_rss_kb,
    webhook_subscribers_toml,
)
from tests.test_resilience_kafka import raw_partitions, read_all  # noqa: E402

SECRET_ENV = "NEWSMON_SOAK_WEBHOOK_SECRET"


def lag_total(settings: Settings) -> int | None:
    try:
        lag = asyncio.run(consumer_group_lag(settings, settings.app_id))
    except Exception:  # noqa: BLE001
        return None
    return sum(lag.values()) if lag else None


def table_entries(settings: Settings) -> str:
    """Each table's entries, from the worker's own metrics ("claims 120, delivered 300, ...")."""
    from prometheus_client.parser import text_string_to_metric_families

    url = f"http://{settings.metrics_host}:{settings.metrics_port}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            text = answer.read().decode()
    except OSError as exc:
        return f"unavailable ({exc})"
    counts = [f"{sample.labels['table']} {sample.value:.0f}"
              for family in text_string_to_metric_families(text) if family.name == "newsmon_table_entries"
              for sample in family.samples]
    return ", ".join(sorted(counts)) or "none reported"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=10.0, help="replayed articles per second")
    parser.add_argument("--feeds", type=int, default=20, help="changing feeds polled every 10 s")
    parser.add_argument("--bootstrap", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsmon-soak-"))
    print(f"soak: {args.minutes:g} min at {args.rate:g} articles/s and {args.feeds} feeds; work dir {workdir}",
          flush=True)
    bootstrap, broker_dir = start_bench_broker(args.bootstrap, workdir)

    secret = uuid.uuid4().hex
    os.environ[SECRET_ENV] = secret
    receiver = WebhookReceiver(secret.encode()).start()
    (workdir / "subscribers.toml").write_text(
        webhook_subscribers_toml(receiver.url, SECRET_ENV, kinds=("frontline", "control_change", "watchlist")))
    tag = uuid.uuid4().hex[:6]
    settings = Settings(bootstrap=bootstrap, app_id=f"soak-{tag}", topic_raw=f"soak-raw-{tag}",
                        topic_enriched=f"soak-enriched-{tag}", topic_alerts=f"soak-alerts-{tag}",
                        topic_deadletter=f"soak-dead-{tag}", web_port=free_port(), metrics_port=free_port(),
                        datadir=str(workdir / "worker"), subscribers_file=str(workdir / "subscribers.toml"))
    asyncio.run(ensure_topics(settings))

    farm_loop = asyncio.new_event_loop()
    farm = FeedFarm()
    threading.Thread(target=farm_loop.run_forever, daemon=True).start()
    base = asyncio.run_coroutine_threadsafe(farm.start(), farm_loop).result(30)
    feeds = workdir / "feeds.toml"
    feeds.write_text("".join(f'[[feed]]\nurl = "{base}/changing/{i}"\nname = "f{i}"\nlanguage = "en"\n'
                             f"interval = 10\n" for i in range(args.feeds)))

    worker_log, poller_log = workdir / "worker.log", workdir / "poller.log"
    worker = start_worker(settings, worker_log)
    poller = None
    failures = 0
    try:
        deadline = time.monotonic() + 120
        while raw_partitions(settings) != list(range(settings.topic_partitions)):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(f"the worker did not start; see {worker_log}")
            time.sleep(0.5)
        env = {**os.environ, "KAFKA_BOOTSTRAP": bootstrap, "NEWSMON_TOPIC_RAW": settings.topic_raw}
        with open(poller_log, "ab") as out:
            poller = subprocess.Popen(
                [sys.executable, "-m", "monitor", "poll", "--feeds", str(feeds), "--allow-loopback",
                 "--metrics-port", "0", "--state-topic", f"soak-state-{tag}"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        time.sleep(3)
        rss_start = rss_peak = vm_rss_kb(worker.pid)
        count = int(args.minutes * 60 * args.rate)
        # Spread over the whole corpus (31,125 items), so that a short soak sees war news too.
        articles = load_corpus_articles(count, fresh_ids=True, stride=max(1, 31_000 // max(count, 1)))
        replay = threading.Thread(target=lambda: asyncio.run(publish_articles(settings, articles, rate=args.rate)))
        started = time.monotonic()
        replay.start()
        next_report = started + 60
        while replay.is_alive():
            time.sleep(5)
            rss_peak = max(rss_peak, vm_rss_kb(worker.pid))
            if worker.poll() is not None or poller.poll() is not None:
                raise SystemExit(f"a process exited: worker {worker.poll()}, poller {poller.poll()}")
            if time.monotonic() >= next_report:
                next_report += 60
                print(f"  {(time.monotonic() - started) / 60:5.1f} min: worker RSS "
                      f"{vm_rss_kb(worker.pid) / 1024:.0f} MB, lag {lag_total(settings)}, "
                      f"webhook deliveries {sum(receiver.counts.values())}", flush=True)
        poller.terminate()
        poller.wait(60)
        # Drained: lag zero twice, two seconds apart, then deliveries settle.
        deadline = time.monotonic() + 600
        while not (lag_total(settings) == 0 and time.sleep(2) is None and lag_total(settings) == 0):
            if time.monotonic() > deadline:
                print("the worker did not drain within 10 minutes", flush=True)
                break
            time.sleep(2)
        raw = [orjson.loads(v) for _, v in asyncio.run(read_all(bootstrap, settings.topic_raw,
                                                                 isolation="read_committed"))]
        enriched = {orjson.loads(v)["id"] for _, v in asyncio.run(read_all(bootstrap, settings.topic_enriched))}
        alerts = {orjson.loads(v)["alert_id"] for _, v in asyncio.run(read_all(bootstrap, settings.topic_alerts))}
        deadline = time.monotonic() + 120
        while not alerts <= set(receiver.counts) and time.monotonic() < deadline:
            time.sleep(1)
        rss_end = vm_rss_kb(worker.pid)
        polled = {a["id"] for a in raw if a.get("feed")}
        replayed = {a.id for a in articles}
        lost_articles = len((polled | replayed) - enriched)
        undelivered = len(alerts - set(receiver.counts))
        duplicates = sum(receiver.counts.values()) - len(receiver.counts)
        minutes = (time.monotonic() - started) / 60
        print(f"soak of {minutes:.1f} min on {os.cpu_count()} cores:")
        print(f"  articles in:           {len(replayed)} replayed + {len(polled)} polled")
        print(f"  enriched:              {len(enriched)}")
        print(f"  alerts out:            {len(alerts)} (webhook got {len(receiver.counts)} distinct)")
        print(f"  losses:                {lost_articles} articles, {undelivered} alerts undelivered")
        print(f"  duplicate deliveries:  {duplicates}")
        print(f"  bad signatures:        {receiver.bad_signatures}")
        print(f"  worker RSS:            start {rss_start / 1024:.0f} MB, peak {rss_peak / 1024:.0f} MB, "
              f"end {rss_end / 1024:.0f} MB")
        print(f"  table entries at end:  {table_entries(settings)}")
        print(f"  raw-topic lag at end:  {lag_total(settings)}")
        failures = lost_articles + undelivered + duplicates + receiver.bad_signatures
    finally:
        if poller is not None and poller.poll() is None:
            stop_process(poller, timeout=15)
        stop_process(worker, timeout=30)
        receiver.stop()
        asyncio.run_coroutine_threadsafe(farm.stop(), farm_loop).result(30)
        farm_loop.call_soon_threadsafe(farm_loop.stop)
        stop_bench_broker(broker_dir)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
