"""Kafka at the edges: creating the topics, publishing articles, reading alerts.

Producers use ``acks=all`` with idempotence, so a retried send never writes an article twice.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import AsyncIterator, Iterable

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from monitor.config import Settings
from monitor.models import Article

log = logging.getLogger(__name__)

RAW_MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # the same as agents/topics.py declares


async def ensure_topics(settings: Settings) -> None:
    """Create the monitor's topics if they do not exist yet (the worker declares them too)."""
    wanted = [
        NewTopic(settings.topic_raw, settings.topic_partitions, 1,
                 topic_configs={"max.message.bytes": str(RAW_MAX_MESSAGE_BYTES)}),
        NewTopic(settings.topic_enriched, settings.topic_partitions, 1),
        NewTopic(settings.topic_alerts, settings.topic_partitions, 1),
        NewTopic(settings.topic_deadletter, 1, 1),
    ]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:  # another process created it meanwhile
                pass
    finally:
        await admin.close()


def make_producer(settings: Settings, **overrides) -> AIOKafkaProducer:
    options = dict(bootstrap_servers=settings.bootstrap, acks="all", enable_idempotence=True,
                   linger_ms=5, max_request_size=RAW_MAX_MESSAGE_BYTES)
    options.update(overrides)
    return AIOKafkaProducer(**options)


async def publish_articles(settings: Settings, articles: Iterable[Article], *,
                           rate: float | None = None, topic: str | None = None) -> int:
    """Send articles to the raw topic, keyed by article id; at most ``rate`` per second."""
    topic = topic or settings.topic_raw
    producer = make_producer(settings)
    await producer.start()
    sent = 0
    started = time.monotonic()
    try:
        pending = []
        for article in articles:
            if rate:
                # Pace against the clock, not by sleeping a fixed step, so slow sends don't add up.
                delay = started + sent / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            article.ingested_at = time.time()
            pending.append(await producer.send(topic, article.to_json(), key=article.id.encode()))
            sent += 1
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


async def read_topic(settings: Settings, topic: str, *, from_beginning: bool = True,
                     group: str | None = None) -> AsyncIterator[tuple[bytes | None, dict]]:
    """Yield (key, decoded JSON value) from a topic forever; undecodable values are skipped with a log."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.bootstrap, group_id=group, enable_auto_commit=group is not None,
        auto_offset_reset="earliest" if from_beginning else "latest")
    await consumer.start()
    try:
        async for message in consumer:
            try:
                yield message.key, orjson.loads(message.value)
            except orjson.JSONDecodeError:
                log.warning("skipping a message that is not JSON at %s[%s]@%s",
                            message.topic, message.partition, message.offset)
    finally:
        await consumer.stop()


async def consumer_group_lag(settings: Settings, group: str) -> dict[tuple[str, int], int]:
    """Per partition the group has committed on: end offset minus committed offset.

    Measured from outside the group (admin + a group-less consumer), as a lag exporter would,
    so it counts what is really committed, not what the worker has merely read.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        partitions = [TopicPartition(tp.topic, tp.partition) for tp in committed]
        ends = await consumer.end_offsets(partitions) if partitions else {}
        return {(tp.topic, tp.partition): max(0, ends[tp] - meta.offset)
                for tp, meta in committed.items() if meta.offset >= 0 and tp in ends}
    finally:
        await consumer.stop()
        await admin.close()
