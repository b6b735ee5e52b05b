"""Issue 7 with the real broker and real worker processes: scale-out and failover, a
worker killed (SIGKILL) during a replay, a broker restart, poison messages on every topic
the workers read, and a burst absorbed through Kafka.

Sizes are small enough for ``make test``; ``make resilience`` runs the same tests at the
issue's sizes (``NEWSMON_RESILIENCE_ARTICLES=5000``, ``NEWSMON_BURST_ARTICLES=50000``).
"""
from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import threading
import time
import urllib.request
import uuid

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from monitor.broker import start_broker, stop_broker
from monitor.config import Settings
from monitor.corroborate import claim_keys, source_of
from monitor.kafka_io import consumer_group_lag, ensure_topics, publish_articles
from monitor.models import Article, article_id
from monitor.processes import start_worker, stop_process
from tests.helpers import (
    REPO,
    WebhookReceiver,
    free_port,
    isolated_settings,
    load_corpus_articles,
    run,
    vm_rss_kb,
    webhook_subscribers_toml,
)

pytestmark = pytest.mark.kafka

SESSION_SECONDS = 6.0
CRASH_ARTICLES = int(os.environ.get("NEWSMON_RESILIENCE_ARTICLES", "1500"))
BURST_ARTICLES = int(os.environ.get("NEWSMON_BURST_ARTICLES", "10000"))
SECRET_ENV = "NEWSMON_TEST_RESILIENCE_SECRET"


def base_settings(bootstrap: str, tmp_path, **changes) -> Settings:
    name = uuid.uuid4().hex[:8]
    return isolated_settings(bootstrap, name, tmp_path).with_(
        topic_partitions=4, session_timeout_seconds=SESSION_SECONDS, **changes)


def member(base: Settings, tmp_path, tag: str) -> Settings:
    """One more worker of the same group: its own web and metrics ports and datadir."""
    return base.with_(web_port=free_port(), metrics_port=free_port(), datadir=str(tmp_path / f"worker-{tag}"))


def raw_partitions(s: Settings) -> list[int] | None:
    """The raw-topic partitions a worker is assigned, from its Faust web page /assignment/."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{s.web_port}/assignment/", timeout=2) as r:
            return sorted(orjson.loads(r.read())["actives"].get(s.topic_raw, []))
    except (OSError, ValueError, KeyError):
        return None


def wait_until(what: str, cond, timeout: float, procs=(), logs=()) -> float:
    started = time.monotonic()
    while not cond():
        for proc, log in zip(procs, logs):
            if proc.poll() is not None:
                raise AssertionError(f"{what}: worker exited {proc.returncode}\n"
                                     + log.read_text(errors="replace")[-3000:])
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.25)
    return time.monotonic() - started


def sigkill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)   # the worker leads its own process group
    proc.wait()


async def read_all(bootstrap: str, topic: str, *, isolation: str = "read_uncommitted") -> list:
    """Every record on a topic now (up to its end offsets): (key, value bytes)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                isolation_level=isolation)
    await consumer.start()
    out: list = []
    try:
        cluster = await consumer._client.fetch_all_metadata()  # noqa: SLF001 - no subscription needed
        parts = [TopicPartition(topic, p) for p in sorted(cluster.partitions_for_topic(topic) or ())]
        if not parts:
            return out
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500, max_records=10000)).values():
                out.extend((r.key, r.value) for r in records)
    finally:
        await consumer.stop()
    return out


def drained(s: Settings, topics: list[str]) -> bool:
    """The worker group has committed up to the end of every partition of these topics."""
    try:
        lag = run(consumer_group_lag(s, s.app_id))
    except Exception:  # noqa: BLE001 - the broker may still be coming back
        return False
    seen = {t for t, _ in lag}
    return all(t in seen for t in topics) and all(v == 0 for (t, _), v in lag.items() if t in topics)


def settle(s: Settings, topics: list[str], timeout: float, procs=(), logs=()) -> None:
    """Drained, and still drained two seconds later (nothing more in flight)."""
    def twice():
        if not drained(s, topics):
            return False
        time.sleep(2.0)
        return drained(s, topics)
    wait_until("the worker drains its topics", twice, timeout, procs, logs)


# ------------------------------------------------------------------------- scale-out

def test_second_worker_takes_half_and_either_survivor_takes_all(kafka_bootstrap, tmp_path):
    base = base_settings(kafka_bootstrap, tmp_path)
    run(ensure_topics(base))
    a, b, c = (member(base, tmp_path, t) for t in "abc")
    logs = {t: tmp_path / f"worker-{t}.log" for t in "abc"}
    procs: dict[str, subprocess.Popen] = {}
    try:
        procs["a"] = start_worker(a, logs["a"])
        wait_until("A alone owns 4", lambda: raw_partitions(a) == [0, 1, 2, 3], 90, [procs["a"]], [logs["a"]])
        procs["b"] = start_worker(b, logs["b"])
        wait_until("A and B own 2 each", lambda: len(raw_partitions(a) or []) == 2
                   and sorted((raw_partitions(a) or []) + (raw_partitions(b) or [])) == [0, 1, 2, 3],
                   90, [procs["a"], procs["b"]], [logs["a"], logs["b"]])
        # Kill the one that joined last: the first takes all back.
        sigkill(procs.pop("b"))
        took = wait_until("A owns 4 again", lambda: raw_partitions(a) == [0, 1, 2, 3],
                          SESSION_SECONDS + 30, [procs["a"]], [logs["a"]])
        print(f"\nfailover after SIGKILL of the newer worker: {took:.1f} s (session {SESSION_SECONDS:g} s)")
        assert took <= SESSION_SECONDS + 30
        # And the other way round: a new worker C joins, then the first one is killed.
        procs["c"] = start_worker(c, logs["c"])
        wait_until("A and C own 2 each", lambda: len(raw_partitions(c) or []) == 2
                   and len(raw_partitions(a) or []) == 2, 90, [procs["a"], procs["c"]], [logs["a"], logs["c"]])
        sigkill(procs.pop("a"))
        took = wait_until("C owns 4", lambda: raw_partitions(c) == [0, 1, 2, 3],
                          SESSION_SECONDS + 30, [procs["c"]], [logs["c"]])
        print(f"failover after SIGKILL of the older worker: {took:.1f} s")
        # The survivor processes every partition.
        articles = [Article(id=article_id(title=f"scale {uuid.uuid4()}", body=""), title=f"scale {i}",
                            text="Syrian army forces took control of the town of Mayadin.", source=f"s{i}")
                    for i in range(40)]
        run(publish_articles(base, articles))
        want = {x.id for x in articles}
        wait_until("every article enriched by the survivor",
                   lambda: want <= {orjson.loads(v)["id"] for _, v in run(read_all(base.bootstrap,
                                                                                   base.topic_enriched))},
                   60, [procs["c"]], [logs["c"]])
    finally:
        for proc in procs.values():
            stop_process(proc, timeout=15)


# ------------------------------------------------------------------------- worker crash

def expected_frontline(enriched: list[dict], min_sources: int) -> set[tuple[str, str]]:
    """(claim key, status) of every frontline alert the articles must raise: all published
    now (one window per claim), so a claim is reported once and corroborated once it has
    ``min_sources`` distinct sources, whatever the order the worker saw them in."""
    sources: dict[str, set[str]] = {}
    for record in {r["id"]: r for r in enriched}.values():
        for key, _ in claim_keys(record):
            sources.setdefault(key, set()).add(source_of(record))
    out = {(k, "first_report") for k in sources}
    return out | {(k, "corroborated") for k, v in sources.items() if len(v) >= min_sources}


def test_worker_killed_during_a_replay_loses_no_alert_and_delivers_each_once(
        kafka_bootstrap, tmp_path, monkeypatch):
    secret = uuid.uuid4().hex
    monkeypatch.setenv(SECRET_ENV, secret)
    receiver = WebhookReceiver(secret.encode()).start()
    (tmp_path / "subscribers.toml").write_text(webhook_subscribers_toml(receiver.url, SECRET_ENV))
    s = base_settings(kafka_bootstrap, tmp_path, subscribers_file=str(tmp_path / "subscribers.toml"))
    run(ensure_topics(s))
    articles = load_corpus_articles(CRASH_ARTICLES)
    log = tmp_path / "worker.log"
    proc = start_worker(s, log)
    rng = random.Random(7)
    kills: list[float] = []
    try:
        wait_until("the worker is assigned", lambda: raw_partitions(s) == [0, 1, 2, 3], 90, [proc], [log])
        # The replay runs in a thread at a steady rate while the worker is killed and restarted.
        rate = max(50.0, CRASH_ARTICLES / 25)
        replay = threading.Thread(target=lambda: run(publish_articles(s, articles, rate=rate)))
        started = time.monotonic()
        replay.start()
        while len(kills) < 3 or replay.is_alive():
            time.sleep(rng.uniform(3.0, 8.0))
            if len(kills) >= 3 and not replay.is_alive():
                break
            sigkill(proc)
            kills.append(round(time.monotonic() - started, 1))
            proc = start_worker(s, log)
            if len(kills) >= 6:
                break
        replay.join()
        print(f"\nkilled at {kills} s of a {CRASH_ARTICLES}-article replay")
        settle(s, [s.topic_raw, s.topic_enriched, s.claim_events_topic, s.topic_alerts], 300, [proc], [log])
        enriched = [orjson.loads(v) for _, v in run(read_all(s.bootstrap, s.topic_enriched))]
        assert {a.id for a in articles} <= {r["id"] for r in enriched}, "an article was lost"
        alerts = [orjson.loads(v) for _, v in run(read_all(s.bootstrap, s.topic_alerts))]
        frontline = [a for a in alerts if a["kind"] == "frontline"]
        got = {(a["claim"]["key"], a["status"]) for a in frontline}
        want = expected_frontline(enriched, s.claim_min_sources)
        assert want, "the replay raised no alert: nothing was tested"
        assert got == want, (f"missing {sorted(want - got)[:5]}, unexpected {sorted(got - want)[:5]}")
        ids = {a["alert_id"] for a in frontline}
        dup_on_topic = len(frontline) - len(ids)
        wait_until("the webhook got every alert", lambda: ids <= set(receiver.counts), 120, [proc], [log])
        extra = {k: n for k, n in receiver.counts.items() if n > 1}
        print(f"{len(enriched)} enriched, {len(frontline)} frontline alerts ({len(want)} expected), "
              f"{dup_on_topic} repeated on the topic; webhook: {len(receiver.counts)} ids, "
              f"{sum(receiver.counts.values()) - len(receiver.counts)} repeated deliveries")
        assert set(receiver.counts) == ids and receiver.bad_signatures == 0
        # At-least-once: a delivery can repeat only for an alert in flight at a SIGKILL.
        assert sum(extra.values()) - len(extra) <= 8 * len(kills), extra
    finally:
        stop_process(proc, timeout=15)
        receiver.stop()
    assert secret not in log.read_text(errors="replace")


# ------------------------------------------------------------------------- broker restart

def test_broker_restart_during_a_replay_loses_nothing(tmp_path):
    """A broker of this test's own is stopped and started while articles are published
    and a poller polls changing feeds; publisher, poller and worker carry on by themselves."""
    from tests.feedfarm import FeedFarm

    port, cport = free_port(), free_port()
    data_dir = tmp_path / "kafka"
    start_broker(port=port, controller_port=cport, data_dir=data_dir, cache_dir=REPO / ".cache" / "kafka")
    farm_loop = asyncio.new_event_loop()
    farm = FeedFarm()
    farm_thread = threading.Thread(target=farm_loop.run_forever, daemon=True)
    farm_thread.start()
    procs: list[subprocess.Popen] = []
    try:
        s = base_settings(f"127.0.0.1:{port}", tmp_path)
        run(ensure_topics(s))
        base = asyncio.run_coroutine_threadsafe(farm.start(), farm_loop).result(30)
        feeds = tmp_path / "feeds.toml"
        feeds.write_text("".join(f'[[feed]]\nurl = "{base}/changing/{i}"\nname = "f{i}"\nlanguage = "en"\n'
                                 f"interval = 1\n" for i in range(3)))
        log, poll_log = tmp_path / "worker.log", tmp_path / "poller.log"
        procs.append(start_worker(s, log))
        wait_until("the worker is assigned", lambda: raw_partitions(s) == [0, 1, 2, 3], 90, procs, [log])
        env = {**os.environ, "KAFKA_BOOTSTRAP": s.bootstrap, "NEWSMON_TOPIC_RAW": s.topic_raw}
        with open(poll_log, "ab") as out:
            procs.append(subprocess.Popen(
                [os.sys.executable, "-m", "monitor", "poll", "--feeds", str(feeds), "--allow-loopback",
                 "--metrics-port", "0", "--state-topic", f"state-{s.app_id}", "--timeout", "5"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        articles = [Article(id=article_id(title=f"restart {uuid.uuid4()}", body=""), title=f"restart {i}",
                            text="Iraqi forces advanced towards Al-Qaim.", source=f"s{i % 3}")
                    for i in range(600)]
        replay = threading.Thread(target=lambda: run(publish_articles(s, articles, rate=40)))
        replay.start()
        time.sleep(4)
        stop_broker(data_dir)
        time.sleep(3)
        start_broker(port=port, controller_port=cport, data_dir=data_dir, cache_dir=REPO / ".cache" / "kafka")
        replay.join(timeout=180)
        assert not replay.is_alive(), "the publisher did not finish"
        time.sleep(5)  # the poller publishes a few more rounds after the restart
        procs[1].send_signal(signal.SIGTERM)
        assert procs[1].wait(30) == 0, poll_log.read_text(errors="replace")[-3000:]
        assert procs[0].poll() is None, log.read_text(errors="replace")[-3000:]
        # Not the group's lag: the poller's transaction markers leave the raw topic's end
        # offset beyond the last record the worker can commit. Every committed id instead:
        raw: list[dict] = []
        enriched: set[str] = set()

        def all_enriched() -> bool:
            raw[:] = [orjson.loads(v) for _, v in run(read_all(s.bootstrap, s.topic_raw, isolation="read_committed"))]
            enriched.update(orjson.loads(v)["id"] for _, v in run(read_all(s.bootstrap, s.topic_enriched)))
            return {a["id"] for a in raw} <= enriched
        wait_until("every article on the raw topic enriched", all_enriched, 180, procs[:1], [log])
        assert {a.id for a in articles} <= enriched, "a published article was lost"
        polled = [a for a in raw if a.get("feed")]
        assert polled, "the poller published nothing"
        # Each changing feed gains one item per poll: none may be missing, none doubled.
        for i in range(3):
            items = sorted(int(a["url"].rsplit("/", 1)[1]) for a in polled if f"/{i}/" in a["url"])
            assert items and items == list(range(items[0], items[-1] + 1)), (i, items[:20])
        print(f"\n{len(articles)} published and {len(polled)} polled articles through a broker restart")
    finally:
        for proc in procs:
            stop_process(proc, timeout=15)
        asyncio.run_coroutine_threadsafe(farm.stop(), farm_loop).result(30)
        farm_loop.call_soon_threadsafe(farm_loop.stop)
        stop_broker(data_dir)


# ------------------------------------------------------------------------- poison messages

POISON = {
    "not_json": b"{not json",
    "not_an_object": b"[1, 2, 3]",
    "unknown_schema": b'{"schema": 99, "id": "x", "title": "t"}',
}


def test_poison_on_every_topic_the_workers_read_goes_to_the_deadletter_topic(kafka_bootstrap, tmp_path):
    s = base_settings(kafka_bootstrap, tmp_path, max_message_bytes=100_000)
    run(ensure_topics(s))
    log = tmp_path / "worker.log"
    proc = start_worker(s, log)
    topics = [s.topic_raw, s.topic_enriched, s.claim_events_topic, s.topic_alerts]
    wrong_schema = {s.topic_raw: b'{"summary": "no title"}', s.topic_enriched: b'{"schema": 1, "title": "no id"}',
                    s.claim_events_topic: b'{"key": 5}', s.topic_alerts: b'{"schema": 1, "kind": "frontline"}'}
    try:
        wait_until("the worker is assigned", lambda: raw_partitions(s) == [0, 1, 2, 3], 90, [proc], [log])

        def raised(article: Article) -> bool:
            return any(isinstance(a, dict) and (a.get("article") or {}).get("id") == article.id
                       for a in (loads_or_none(v) for _, v in run(read_all(s.bootstrap, s.topic_alerts))))
        # A good article first: every topic (the internal claim-events one too) exists and is read.
        before = Article(id=article_id(title=f"before poison {uuid.uuid4()}", body=""), title="before poison",
                         text="Syrian army forces took control of the town of Mayadin.", source="poison post")
        run(publish_articles(s, [before]))
        wait_until("the first good article raises its alert", lambda: raised(before), 60, [proc], [log])

        async def send_poison():
            producer = AIOKafkaProducer(bootstrap_servers=s.bootstrap, max_request_size=2_000_000)
            await producer.start()
            try:
                for topic in topics:
                    for value in (*POISON.values(), wrong_schema[topic], b'{"t": "' + b"x" * 300_000 + b'"}'):
                        await producer.send_and_wait(topic, value, key=b"poison")
                    await producer.send_and_wait(topic, None, key=b"tombstone")
            finally:
                await producer.stop()
        run(send_poison())
        good = Article(id=article_id(title=f"after poison {uuid.uuid4()}", body=""), title="after poison",
                       text="Islamic State fighters seized the village of Hajin.", source="poison post")
        run(publish_articles(s, [good]))

        def dead():
            return [orjson.loads(v) for _, v in run(read_all(s.bootstrap, s.topic_deadletter))]
        wait_until("every poison message dead-lettered", lambda: len(dead()) >= 6 * len(topics), 90, [proc], [log])
        wait_until("the good article after the poison still raises its alert", lambda: raised(good),
                   60, [proc], [log])
        assert proc.poll() is None
    finally:
        stop_process(proc, timeout=15)
    records = dead()
    by_topic: dict[str, list[str]] = {}
    for d in records:
        by_topic.setdefault(d["topic"], []).append(d["reason"])
    for topic in topics:
        reasons = sorted(by_topic.get(topic, []))
        assert {"not_json", "not_an_object", "unknown_schema", "too_large", "empty"} <= set(reasons), (topic, reasons)
        assert len(reasons) == 6, (topic, reasons)   # the wrong-schema one too, with its own reason
    assert all(d["reason"] and d["offset"] is not None for d in records)


def loads_or_none(value: bytes | None):
    try:
        return orjson.loads(value) if value else None
    except orjson.JSONDecodeError:
        return None


# ------------------------------------------------------------------------- overload

def test_a_burst_is_absorbed_through_kafka_with_bounded_memory(kafka_bootstrap, tmp_path):
    s = base_settings(kafka_bootstrap, tmp_path)
    run(ensure_topics(s))
    log = tmp_path / "worker.log"
    proc = start_worker(s, log)
    try:
        wait_until("the worker is assigned", lambda: raw_partitions(s) == [0, 1, 2, 3], 90, [proc], [log])
        time.sleep(2)
        rss_start = vm_rss_kb(proc.pid)
        texts = ["Syrian army forces took control of the town of Mayadin.", "Markets were calm on Sunday.",
                 "Islamic State fighters seized the village of Hajin.", "The minister met his counterpart."]
        burst = [Article(id=article_id(title=f"burst {uuid.uuid4()} {i}", body=""), title=f"burst {i}",
                         text=texts[i % 4], source=f"outlet {i % 5}") for i in range(BURST_ARTICLES)]
        t0 = time.monotonic()
        run(publish_articles(s, burst))
        published_in = time.monotonic() - t0
        lags, peak = [], rss_start
        while True:
            try:
                lag = run(consumer_group_lag(s, s.app_id))
            except Exception:  # noqa: BLE001
                lag = {}
            raw_lag = sum(v for (t, _), v in lag.items() if t == s.topic_raw)
            lags.append(raw_lag)
            peak = max(peak, vm_rss_kb(proc.pid))
            if lag and raw_lag == 0 and max(lags) > 0:
                break
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() - t0 < 600, f"the burst did not drain: lag {lags[-5:]}"
            time.sleep(1.0)
        drained_in = time.monotonic() - t0
        time.sleep(3)
        rss_end = vm_rss_kb(proc.pid)
    finally:
        stop_process(proc, timeout=15)
    print(f"\nburst of {BURST_ARTICLES}: published in {published_in:.1f} s, drained in {drained_in:.1f} s, "
          f"peak raw lag {max(lags)}; worker RSS start {rss_start / 1024:.0f} MB, peak {peak / 1024:.0f} MB, "
          f"end {rss_end / 1024:.0f} MB")
    assert max(lags) > 0, "the burst never queued: nothing was absorbed by Kafka"
    # Bounded: Faust buffers a bounded number of messages per partition, so memory does
    # not follow the backlog (a 50,000-article burst is ~25 MB of raw messages).
    assert peak < rss_start + 400 * 1024, (rss_start, peak)
