"""The poller against a local feed farm on loopback and the real Kafka broker.

* the real Arabic snapshots of ../shared/feeds/arabic-2018, served step by step with
  ETag and Last-Modified, reach the raw topic once per distinct item through a poller
  restart (and a zombie poller fenced off) in the middle;
* hostile servers (hang, 500 then recovery, 429 + Retry-After, redirect loop, 200 MB
  body, gzip bomb, redirect to the metadata address) each end with the right metric
  while the good feeds go on being polled and published.
"""
from __future__ import annotations

import asyncio
import re
import resource
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from monitor.feeds import Feed
from monitor.fetch import BlockedAddress, FetchLimits, GuardedResolver, fetch, make_session
from monitor.models import article_id, canonical_url
from monitor.poll_metrics import PollMetrics
from monitor.poller import KafkaSink, MemorySink, Poller, PollerFailed, PollerOptions, read_states
from tests.feedfarm import FeedFarm, generated_feed

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "feeds"
ARABIC = SHARED / "arabic-2018"
OUTLETS = ("alarabia", "bbc", "cnn", "france24", "skynews")
LOOPBACK = FetchLimits(allow_loopback=True, total_timeout=2.0, max_bytes=5_000_000)


async def consume_all(bootstrap: str, topic: str) -> list[tuple[bytes, dict]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    out = []
    try:
        cluster = await consumer._client.fetch_all_metadata()
        tps = [TopicPartition(topic, p) for p in sorted(cluster.partitions_for_topic(topic) or [])]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        deadline = time.monotonic() + 30
        while any([await consumer.position(tp) < ends[tp] for tp in tps]) and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                out.extend((r.key, orjson.loads(r.value)) for r in records)
    finally:
        await consumer.stop()
    return out


def expected_items() -> dict[str, set[str]]:
    """Per outlet, the distinct item links across all snapshots, read straight from the XML."""
    out = {}
    for outlet in OUTLETS:
        links = set()
        for snap in sorted((ARABIC / outlet).glob("snapshot-*.xml")):
            text = snap.read_bytes().decode("windows-1256" if outlet == "alarabia" else "utf-8")
            for block in re.findall(r"<(item|entry)>(.*?)</\1>", text, re.S):
                m = re.search(r'<link[^>]*href="([^"]+)"', block[1]) or re.search(r"<link>([^<]+)</link>", block[1])
                links.add(canonical_url(m.group(1).strip()))
        out[outlet] = links
    return out


def _snapshot(outlet: str, step: int) -> bytes:
    return (ARABIC / outlet / f"snapshot-{step:02d}.xml").read_bytes()


@pytest.mark.kafka
def test_arabic_snapshots_reach_the_raw_topic_once_each_through_a_restart(kafka_bootstrap, unique_name):
    if not ARABIC.exists():
        pytest.skip(f"shared fixture {ARABIC} is absent (expected beside the repo as ../shared)")
    raw_topic, state_topic = f"raw-{unique_name}", f"poller-state-{unique_name}"
    txn = f"poller-{unique_name}-0-of-1"
    expected = expected_items()
    steps = len(list((ARABIC / "bbc").glob("snapshot-*.xml")))

    async def scenario() -> Counter:
        farm = FeedFarm()
        base = await farm.start()
        feeds = [Feed(url=f"{base}/feed/{o}", name=o, language="ar", tags=["arabic-2018"]) for o in OUTLETS]
        results: Counter = Counter()
        metrics = PollMetrics(CollectorRegistry())

        def new_poller() -> Poller:
            sink = KafkaSink(kafka_bootstrap, raw_topic, state_topic, transactional_id=txn, partitions=2)
            return Poller(feeds, sink, PollerOptions(limits=LOOPBACK), metrics)

        try:
            first = new_poller()
            await first.start()
            half = steps // 2
            for step in range(half):
                for o in OUTLETS:
                    farm.put(o, _snapshot(o, step), "application/rss+xml")
                for _ in range(2):  # the second poll of a step is a 304
                    results.update(x.result for x in await first.poll_all_once())
            # a second process for the same shard starts while the first is still up:
            # it fences the first, and reads the state the first committed.
            second = new_poller()
            await second.start()
            assert all(second.states[f.url].seen for f in feeds), "state was not read back from Kafka"
            farm.put("bbc", _snapshot("bbc", half), "application/rss+xml")
            with pytest.raises(PollerFailed):
                await first.poll_feed(feeds[OUTLETS.index("bbc")])  # the zombie cannot publish
            await first.close()
            for step in range(half, steps):
                for o in OUTLETS:
                    farm.put(o, _snapshot(o, step), "application/rss+xml")
                for _ in range(2):
                    results.update(x.result for x in await second.poll_all_once())
            await second.close()
            # a third start finds everything seen: nothing new is published
            third = new_poller()
            await third.start()
            results.update("after-restart-" + x.result for x in await third.poll_all_once())
            await third.close()
        finally:
            await farm.stop()
        return results

    results = asyncio.run(scenario())
    assert results["not_modified"] >= len(OUTLETS) * steps - 1  # conditional GETs answered 304
    assert results["after-restart-new"] == 0
    published = asyncio.run(consume_all(kafka_bootstrap, raw_topic))
    keys = Counter(k for k, _ in published)
    assert all(n == 1 for n in keys.values()), [k for k, n in keys.items() if n > 1]
    want = {o: {article_id(url=u) for u in links} for o, links in expected.items()}
    got: dict[str, set[str]] = {o: set() for o in OUTLETS}
    for key, art in published:
        assert key.decode() == art["id"]
        got[art["feed"]].add(art["id"])
        assert art["lang"] == "ar" and art["published"].endswith("Z") and art["url"].startswith(("http://", "https://"))
        assert re.search("[\u0600-\u06ff]{2}", art["title"]), art["title"]  # windows-1256 decoded
    assert got == want
    total = sum(len(v) for v in want.values())
    # The manifest says 5 x 80 = 400, but cnn repeats one item and france24 twelve inside
    # the same snapshots (byte-identical <item>/<entry> blocks): 387 distinct items.
    assert total == len(published) == 387


@pytest.mark.kafka
def test_hostile_feeds_end_with_the_right_metric_and_do_not_stall_the_others(kafka_bootstrap, unique_name):
    raw_topic, state_topic = f"raw-{unique_name}", f"poller-state-{unique_name}"
    registry = CollectorRegistry()
    metrics = PollMetrics(registry)
    hostile = {"hang": "/hang", "flaky": "/flaky/flaky", "ratelimited": "/ratelimit/rl", "loop": "/loop/a",
               "huge": "/huge", "bomb": "/bomb", "metadata": "/to-metadata"}

    async def scenario() -> tuple[FeedFarm, list[float]]:
        farm = FeedFarm(flaky_failures=2, retry_after=2)
        base = await farm.start()
        for i in range(5):
            farm.put(f"good{i}", generated_feed(i, 0))
        farm.put("flaky", generated_feed(100, 0))
        farm.put("rl", generated_feed(101, 0))
        feeds = [Feed(url=base + path, name=name, interval=1) for name, path in hostile.items()]
        feeds += [Feed(url=f"{base}/feed/good{i}", name=f"good{i}", interval=1) for i in range(5)]
        sink = KafkaSink(kafka_bootstrap, raw_topic, state_topic, transactional_id=f"poller-{unique_name}",
                         partitions=2)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        poller = Poller(feeds, sink, PollerOptions(limits=LOOPBACK, ceiling=2.0, jitter=0.0, per_host=64),
                        metrics)
        stop = asyncio.Event()
        async with poller:
            task = asyncio.create_task(poller.run(stop))
            await asyncio.sleep(7.5)
            stop.set()
            await task
        grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        await farm.stop()
        return farm, [grew_mb]

    farm, (grew_mb,) = asyncio.run(scenario())

    def polls(feed: str, result: str) -> float:
        return metrics.value("newsmon_feed_polls_total", feed=feed, result=result)

    assert polls("hang", "timeout") >= 2
    assert metrics.value("newsmon_feed_consecutive_failures", feed="hang") >= 2
    assert polls("flaky", "http_5xx") == 2 and polls("flaky", "new") == 1  # backed off, then recovered
    assert metrics.value("newsmon_feed_consecutive_failures", feed="flaky") == 0
    assert polls("ratelimited", "rate_limited") == 1 and polls("ratelimited", "new") == 1
    assert polls("loop", "redirects") >= 1
    assert polls("huge", "too_large") >= 1 and farm.hits["huge_sent_all"] == 0
    assert polls("bomb", "bomb") >= 1
    assert polls("metadata", "blocked") >= 1
    assert grew_mb < 150, f"memory grew by {grew_mb:.0f} MB"
    for i in range(5):  # the good feeds: polled every second or so, never waiting on the bad ones
        assert polls(f"good{i}", "new") == 1
        assert polls(f"good{i}", "not_modified") >= 4
        n = metrics.value("newsmon_feed_fetch_seconds_count", feed=f"good{i}")
        assert metrics.value("newsmon_feed_fetch_seconds_sum", feed=f"good{i}") / n < 0.5
        assert metrics.value("newsmon_feed_last_success_timestamp_seconds", feed=f"good{i}") > time.time() - 5
        assert metrics.value("newsmon_feed_response_bytes_total", feed=f"good{i}") > 0
    published = asyncio.run(consume_all(kafka_bootstrap, raw_topic))
    by_feed = Counter(a["feed"] for _, a in published)
    assert by_feed == {**{f"good{i}": 10 for i in range(5)}, "flaky": 10, "ratelimited": 10}
    states = asyncio.run(read_states(kafka_bootstrap, state_topic))
    assert {s.last_error for s in states.values() if s.error_count} >= {"timeout", "redirects", "too_large", "bomb",
                                                                          "blocked"}


def test_loopback_refused_unless_allowed():
    async def scenario() -> None:
        farm = FeedFarm()
        base = await farm.start()
        farm.put("x", generated_feed(1, 0))
        strict = FetchLimits(total_timeout=2.0)
        try:
            session = make_session(strict)
            for url in (f"{base}/feed/x", base.replace("127.0.0.1", "localhost") + "/feed/x"):
                r = await fetch(session, url, strict)
                assert r.kind == "blocked", (url, r)
            await session.close()
            with pytest.raises(BlockedAddress):
                await GuardedResolver(strict).resolve("localhost", 80)
            # a permanent redirect is followed and recorded; the next poll goes to the new URL
            poller = Poller([Feed(url=f"{base}/moved/x", name="moved")], MemorySink(),
                            PollerOptions(limits=LOOPBACK), PollMetrics(CollectorRegistry()))
            async with poller:
                first = (await poller.poll_all_once())[0]
                assert first.result == "new" and first.fetch.permanent_url == f"{base}/feed/x"
                assert poller.states[f"{base}/moved/x"].current_url == f"{base}/feed/x"
                assert (await poller.poll_all_once())[0].result == "not_modified"
            assert farm.hits["hit:moved"] == 0 and farm.hits["moved"] == 1
        finally:
            await farm.stop()

    asyncio.run(scenario())


@pytest.mark.kafka
def test_poll_command_once(kafka_bootstrap, unique_name, tmp_path):
    """`news-monitor poll --once` wires the feed list, the poller and Kafka together."""
    import threading

    from click.testing import CliRunner

    from monitor.cli.feeds import poll
    from monitor.config import Settings

    loop = asyncio.new_event_loop()
    farm = FeedFarm()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    base = asyncio.run_coroutine_threadsafe(farm.start(), loop).result(30)
    farm.put("one", generated_feed(7, 0))
    try:
        (tmp_path / "feeds.toml").write_text(f'[[feed]]\nurl = "{base}/feed/one"\nname = "one"\nlanguage = "en"\n')
        settings = Settings(bootstrap=kafka_bootstrap, topic_raw=f"raw-{unique_name}", topic_partitions=1)
        args = ["--feeds", str(tmp_path / "feeds.toml"), "--once", "--allow-loopback", "--metrics-port", "0",
                "--state-topic", f"poller-state-{unique_name}"]
        for expected in ("one\tnew\t10", "one\tnot_modified\t0"):
            result = CliRunner().invoke(poll, args, obj=settings, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            assert expected in result.output
    finally:
        asyncio.run_coroutine_threadsafe(farm.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
    published = asyncio.run(consume_all(kafka_bootstrap, f"raw-{unique_name}"))
    assert len(published) == 10 and {a["feed"] for _, a in published} == {"one"}
