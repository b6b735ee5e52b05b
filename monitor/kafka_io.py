"""Kafka at the edges: creating the topics, publishing articles, reading alerts.

Producers use ``acks=all`` with idempotence, so a retried send never writes an article twice.
Every client takes its connection settings from :func:`client_options` (bootstrap servers
and, for a secured cluster, TLS and SASL), so no client is built without them.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from monitor.config import Settings
from monitor.models import Article

log = logging.getLogger(__name__)

RAW_MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # the same as agents/topics.py declares
# A send that failed (the broker restarting, a leader moving) is tried again this long.
PUBLISH_RETRY_SECONDS = 120.0


def client_options(settings: Settings) -> dict:
    """Keyword arguments every aiokafka client (producer, consumer, admin) gets: bootstrap
    servers, request timeout and the security settings. The dict holds the SASL password:
    pass it to the client, never log it."""
    settings.check_kafka_security()
    protocol = settings.kafka_security_protocol.upper()
    options: dict = {"bootstrap_servers": settings.bootstrap,
                     "request_timeout_ms": int(settings.request_timeout_seconds * 1000)}
    if protocol == "PLAINTEXT":
        return options
    options["security_protocol"] = protocol
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile or None)
    if protocol.startswith("SASL_"):
        options.update(sasl_mechanism=settings.kafka_sasl_mechanism.upper(),
                       sasl_plain_username=settings.kafka_sasl_username,
                       sasl_plain_password=settings.kafka_password())
    return options


async def ensure_topics(settings: Settings) -> None:
    """Create the monitor's topics if they do not exist yet (the worker declares them too)."""
    wanted = [
        NewTopic(settings.topic_raw, settings.topic_partitions, 1,
                 topic_configs={"max.message.bytes": str(RAW_MAX_MESSAGE_BYTES)}),
        NewTopic(settings.topic_enriched, settings.topic_partitions, 1),
        NewTopic(settings.topic_alerts, settings.topic_partitions, 1),
        NewTopic(settings.topic_deadletter, 1, 1),
    ]
    admin = AIOKafkaAdminClient(**client_options(settings))
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
    options = dict(client_options(settings), acks="all", enable_idempotence=True,
                   linger_ms=5, max_request_size=RAW_MAX_MESSAGE_BYTES)
    options.update(overrides)
    return AIOKafkaProducer(**options)


async def publish_articles(settings: Settings, articles: Iterable[Article], *,
                           rate: float | None = None, topic: str | None = None,
                           retry_seconds: float = PUBLISH_RETRY_SECONDS) -> int:
    """Send articles to the raw topic, keyed by article id; at most ``rate`` per second.

    Every article is acknowledged by the broker (``acks=all``) before this returns. A send
    that fails (the broker restarting, a leader moving) is sent again, for up to
    ``retry_seconds``; a retry may write an article twice, which is harmless: its id is
    content-based and the worker raises nothing twice for one id."""
    topic = topic or settings.topic_raw
    producer = make_producer(settings)
    await _start_retrying(producer, retry_seconds)
    sent = 0
    started = time.monotonic()
    try:
        pending: list[tuple[Article, asyncio.Future]] = []
        for article in articles:
            if rate:
                # Pace against the clock, not by sleeping a fixed step, so slow sends don't add up.
                delay = started + sent / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            article.ingested_at = time.time()
            pending.append((article, await _send_retrying(producer, topic, article, retry_seconds)))
            sent += 1
            if len(pending) >= 1000:
                await _settle(producer, topic, pending, retry_seconds)
                pending = []
        await _settle(producer, topic, pending, retry_seconds)
    finally:
        await producer.stop()
    return sent


async def _start_retrying(client, retry_seconds: float) -> None:
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            await client.start()
            return
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("Kafka not reachable (%r); retrying", exc)
            await asyncio.sleep(1.0)


async def _send_retrying(producer: AIOKafkaProducer, topic: str, article: Article,
                         retry_seconds: float) -> asyncio.Future:
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            return await producer.send(topic, article.to_json(), key=article.id.encode())
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("send to %s failed (%r); retrying", topic, exc)
            await asyncio.sleep(0.5)


async def _settle(producer: AIOKafkaProducer, topic: str,
                  pending: list[tuple[Article, asyncio.Future]], retry_seconds: float) -> None:
    """Wait for the acks of ``pending``; send the failed ones again until all are acked."""
    deadline = time.monotonic() + retry_seconds
    while pending:
        results = await asyncio.gather(*(f for _, f in pending), return_exceptions=True)
        failed = [a for (a, _), r in zip(pending, results) if isinstance(r, BaseException)]
        if not failed:
            return
        errors = {repr(r) for r in results if isinstance(r, BaseException)}
        if time.monotonic() > deadline:
            raise KafkaError(f"{len(failed)} articles not acknowledged: {sorted(errors)[:3]}")
        log.warning("%d sends to %s failed (%s); sending them again", len(failed), topic,
                    sorted(errors)[:3])
        await asyncio.sleep(1.0)
        pending = [(a, await _send_retrying(producer, topic, a, retry_seconds)) for a in failed]


async def read_topic(settings: Settings, topic: str, *, from_beginning: bool = True,
                     group: str | None = None) -> AsyncIterator[tuple[bytes | None, dict]]:
    """Yield (key, decoded JSON value) from a topic forever; undecodable values are skipped with a log."""
    consumer = AIOKafkaConsumer(
        topic, **client_options(settings), group_id=group, enable_auto_commit=group is not None,
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


async def consumer_group_lag(settings: Settings, group: str,
                             topics: list[str] | None = None) -> dict[tuple[str, int], int]:
    """Per partition of ``topics`` (default: those the worker reads): end offset minus the
    group's committed offset.

    Measured from outside the group (admin + a group-less consumer), as a lag exporter would,
    so it counts what is really committed, not what the worker has merely read. A partition
    the group has not committed on yet counts from its beginning: all of it is still to do.
    """
    admin = AIOKafkaAdminClient(**client_options(settings))
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    if topics is None:
        topics = [settings.topic_raw, settings.topic_enriched, settings.claim_events_topic,
                  settings.topic_alerts]
    try:
        # Only topics that exist: a metadata request for a missing one could create it.
        existing = set(await admin.list_topics())
        described = await admin.describe_topics([t for t in topics if t in existing])
        partitions = [TopicPartition(d["topic"], p["partition"]) for d in described
                      for p in sorted(d["partitions"], key=lambda p: p["partition"])]
        if not partitions:
            return {}
        committed = await admin.list_consumer_group_offsets(group)
        ends = await consumer.end_offsets(partitions)
        begins = await consumer.beginning_offsets(partitions)
        lag = {}
        for tp in partitions:
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else begins[tp]
            lag[(tp.topic, tp.partition)] = max(0, ends[tp] - done)
        return lag
    finally:
        await consumer.stop()
        await admin.close()
