"""Delivery of alerts to subscribers: webhooks and Kafka topics, and the SSE stream.

    alerts ──deliver (concurrency N)──▶ webhooks / Kafka topics   delivered table
                                      └──▶ dead-letter topic (reason "undeliverable")
    alerts ──sse feeder (all partitions)──▶ GET /alerts/stream clients, each filtered

``deliver`` runs ``delivery_concurrency`` copies of itself on the alerts topic, so a slow
or retrying webhook holds up one copy, not the worker: the other copies, and every other
agent, go on. Offsets are still committed only up to the oldest alert not yet delivered
or dead-lettered (at-least-once), and the ``delivered`` table (subscriber|alert id)
makes a reprocessed alert a no-op, so a subscriber never gets an alert twice once it
acknowledged it (a receiver can also drop duplicates on ``X-Newsmon-Alert-Id`` for the
crash between its 2xx and the table write). Alerts of one partition may therefore reach
a subscriber out of order.

The SSE stream is fed by a plain consumer of *every* partition of the alerts topic
(no consumer group), so each worker's ``/alerts/stream`` carries all alerts, whichever
worker raised them.
"""
from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import orjson
from aiohttp import web as aioweb
from aiokafka import AIOKafkaConsumer, TopicPartition

from agents.agents import INTERNAL_MAX_BYTES, send_to_deadletter
from agents.app import app, metrics, settings, subscribers
from agents.tables import delivered
from agents.topics import alerts, deadletter
from monitor.delivery import Deliverer, SseHub, sse_event
from monitor.errors import BadMessage, ConfigError
from monitor.kafka_io import client_options
from monitor.pipeline import check_alert, decode_object
from monitor.subscriptions import KafkaChannel, SseChannel, WebhookChannel, subscriber_from_query

log = logging.getLogger(__name__)

# Subscribers the deliver agent sends to; SSE subscribers are served by /alerts/stream.
PUSHED = [s for s in subscribers if isinstance(s.channel, (WebhookChannel, KafkaChannel))]
CHANNEL_OF = {s.id: "webhook" if isinstance(s.channel, WebhookChannel) else "kafka" for s in PUSHED}
SSE_SUBSCRIBERS = {s.id: s for s in subscribers if isinstance(s.channel, SseChannel)}
SSE_KEEPALIVE_SECONDS = 15.0

sse_hub = SseHub()
sse_ready = asyncio.Event()     # the SSE feeder is positioned at the end of the topic
closing = asyncio.Event()       # the worker is stopping: SSE streams end
_deliverer: Deliverer | None = None
_declared_topics: set[str] = set()


def deliverer() -> Deliverer:
    """One Deliverer (one HTTP session, one in-flight set) for all copies of the agent."""
    global _deliverer
    if _deliverer is None:
        _deliverer = Deliverer(aiohttp.ClientSession(), delivered, kafka_send=kafka_send,
                               on_dead_letter=dead_letter)
    return _deliverer


async def kafka_send(topic_name: str, key: bytes, value: bytes) -> None:
    topic = app.topic(topic_name, value_type=bytes, partitions=settings.topic_partitions)
    if topic_name not in _declared_topics:
        await topic.maybe_declare()
        _declared_topics.add(topic_name)
    await (await topic.send(key=key, value=value))   # the second await: the broker's ack
    metrics.produced.labels(topic_name).inc()


async def dead_letter(record: dict) -> None:
    await deadletter.send(value=orjson.dumps(record))
    metrics.deadletters.labels(alerts.get_topic_name(), "undeliverable").inc()
    metrics.produced.labels(deadletter.get_topic_name()).inc()


@app.agent(alerts, concurrency=max(1, settings.delivery_concurrency))
async def deliver(stream):
    """Every alert to the webhook and Kafka subscribers that want it, at most once each."""
    async for event in stream.events():
        message = event.message
        metrics.consumed.labels(message.topic).inc()
        try:
            alert = check_alert(decode_object(message.value, INTERNAL_MAX_BYTES))
        except BadMessage as exc:
            await send_to_deadletter(message, exc.reason, exc.detail)
            continue
        if not PUSHED:
            continue
        try:
            results = await deliverer().dispatch(PUSHED, alert)
        except Exception as exc:  # noqa: BLE001 - one alert must not stop deliveries
            log.exception("delivery failed on %s[%s]@%s", message.topic, message.partition,
                          message.offset)
            await send_to_deadletter(message, "delivery_error", repr(exc))
            continue
        for result in results:
            metrics.deliveries.labels(CHANNEL_OF[result.subscriber], result.status).inc()


@app.task
async def feed_sse() -> None:
    """Read every partition of the alerts topic from its end and fan out to SSE clients."""
    while not closing.is_set():
        # Subscribed first, only to learn the partitions from the metadata; then assigned.
        consumer = AIOKafkaConsumer(settings.topic_alerts, **client_options(settings),
                                    enable_auto_commit=False, auto_offset_reset="latest")
        try:
            await consumer.start()
            partitions = [TopicPartition(settings.topic_alerts, p)
                          for p in sorted(consumer.partitions_for_topic(settings.topic_alerts) or ())]
            if not partitions:
                raise RuntimeError(f"topic {settings.topic_alerts} not found")
            consumer.unsubscribe()
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            for tp in partitions:
                await consumer.position(tp)
            sse_ready.set()
            async for message in consumer:
                if not len(sse_hub):
                    continue
                try:
                    alert = orjson.loads(message.value)
                except orjson.JSONDecodeError:
                    continue
                if n := sse_hub.publish(alert):
                    metrics.deliveries.labels("sse", "delivered").inc(n)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the broker may be restarting
            log.warning("SSE feeder: %r; retrying in 2 s", exc)
            await asyncio.sleep(2)
        finally:
            await consumer.stop()


@app.on_before_shutdown.connect
async def _close(app, **kwargs) -> None:
    closing.set()
    if _deliverer is not None and _deliverer.session is not None:
        await _deliverer.session.close()


@app.page("/alerts/stream")
async def alerts_stream(web, request):
    """GET /alerts/stream?kinds=...&statuses=...&actors=...&places=...&bbox=w,s,e,n
    &event_types=...&watchlists=...&min_corroboration=N, or ?subscriber=<id> of an SSE
    subscriber of the subscribers file: Server-Sent Events, one ``alert`` event per alert."""
    query = list(request.query.items())
    sid = request.query.get("subscriber")
    if sid is not None:
        if len(query) > 1:
            return web.json({"error": "'subscriber' takes no other filters"}, status=400)
        sub = SSE_SUBSCRIBERS.get(sid)
        if sub is None:
            return web.json({"error": f"no SSE subscriber {sid!r}"}, status=404)
    else:
        try:
            sub = subscriber_from_query(query)
        except ConfigError as exc:
            return web.json({"error": str(exc)}, status=400)
    try:
        await asyncio.wait_for(sse_ready.wait(), timeout=30)
    except TimeoutError:
        return web.json({"error": "the alert stream is not ready"}, status=503)
    response = aioweb.StreamResponse(headers={"Content-Type": "text/event-stream",
                                              "Cache-Control": "no-cache"})
    await response.prepare(request)
    q = sse_hub.subscribe(sub)
    try:
        await response.write(b": connected\n\n")
        idle = 0.0
        while not closing.is_set():   # checked every second, so a stopping worker ends streams
            try:
                alert = await asyncio.wait_for(q.get(), timeout=1.0)
            except TimeoutError:
                idle += 1.0
                if idle >= SSE_KEEPALIVE_SECONDS:
                    idle = 0.0
                    await response.write(b": keep-alive %d\n\n" % int(time.time()))
                continue
            await response.write(sse_event(alert))
    except (ConnectionResetError, aiohttp.ClientConnectionError):
        pass
    finally:
        sse_hub.unsubscribe(q)
    return response
