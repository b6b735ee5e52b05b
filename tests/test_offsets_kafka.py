"""The worker's committed offsets on the raw topic keep up with transactional writers (issue 7).

The feed poller writes articles inside Kafka transactions; each transaction leaves a
commit marker, an offset the worker never receives. faust 0.15.3 mishandled these gaps
(agents/consumer.py): every article was enriched, but the group's committed offset
moved past about one transaction per partition per commit interval, so the lag a user
sees on the lag metric (or any lag exporter) grew for as long as the poller ran.
"""
from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from aiokafka import AIOKafkaProducer

from monitor.kafka_io import consumer_group_lag, ensure_topics, publish_articles
from tests.helpers import collect, isolated_settings, load_corpus_articles, run, running_worker

pytestmark = pytest.mark.kafka

ARTICLES = 240
# faust commits every 2.8 s: the lag must be gone within a few commits of the last article.
DRAIN_SECONDS = 15.0


async def write_in_transactions(settings, articles, per_transaction: int = 1) -> None:
    """Like the poller's KafkaSink: a few articles per committed transaction."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap,
                                transactional_id=f"poller-{uuid.uuid4().hex[:8]}")
    await producer.start()
    try:
        for i in range(0, len(articles), per_transaction):
            async with producer.transaction():
                for a in articles[i:i + per_transaction]:
                    await producer.send(settings.topic_raw, key=a.id.encode(), value=a.to_json())
    finally:
        await producer.stop()


async def wait_lag_drained(settings, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        lag = await consumer_group_lag(settings, settings.app_id, [settings.topic_raw])
        if sum(lag.values()) == 0 or time.monotonic() > deadline:
            return lag
        await asyncio.sleep(0.5)


def test_committed_offsets_pass_transaction_markers(kafka_bootstrap, unique_name, tmp_path):
    settings = isolated_settings(kafka_bootstrap, unique_name, tmp_path)
    run(ensure_topics(settings))
    articles = load_corpus_articles(ARTICLES, fresh_ids=True)
    polled, replayed = articles[: ARTICLES * 3 // 4], articles[ARTICLES * 3 // 4:]
    log = tmp_path / "worker.log"
    with running_worker(settings, log) as proc:
        async def write():
            # A poller (one or two articles per transaction) and a replay at the same time.
            await asyncio.gather(write_in_transactions(settings, polled[::2], 1),
                                 write_in_transactions(settings, polled[1::2], 2),
                                 publish_articles(settings, replayed, rate=100))
        run(write())
        ids = {a.id for a in articles}
        enriched = run(collect(settings, settings.topic_enriched, proc=proc, log_path=log,
                               until=lambda m: ids <= {r["id"] for r in m}))
        assert ids <= {r["id"] for r in enriched}
        # Everything is processed: the group's committed offsets must reach the end of
        # the raw topic, markers included, as a Kafka consumer's do.
        lag = run(wait_lag_drained(settings, DRAIN_SECONDS))
        assert sum(lag.values()) == 0, f"committed offsets behind the raw topic: {lag}"
        # ... and stay there after more transactions, once the worker has processed them.
        more = load_corpus_articles(20, fresh_ids=True)
        run(write_in_transactions(settings, more, 1))
        more_ids = {a.id for a in more}
        run(collect(settings, settings.topic_enriched, proc=proc, log_path=log,
                    until=lambda m: more_ids <= {r["id"] for r in m}))
        lag = run(wait_lag_drained(settings, DRAIN_SECONDS))
        assert sum(lag.values()) == 0, f"committed offsets behind the raw topic: {lag}"
