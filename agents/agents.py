"""The enrich agent (raw articles → enriched articles), bad messages → dead letters, and
what every agent shares: dead-lettering, emitting an alert, the metrics server and the
consumer-lag timer. The alerting agents are in ``agents/alerting.py`` and
``agents/delivery.py``.

Each agent catches errors per message around the pure step from ``monitor.pipeline``:
a message that cannot be processed goes to the dead-letter topic with its reason and is
counted, and the agent goes on (a crashed Faust agent stops consuming its partitions).
"""
from __future__ import annotations

import logging
import time

import orjson
from prometheus_client import start_http_server

from agents.app import app, metrics, settings
from agents.topics import alerts, deadletter, enriched_articles, raw_articles
from monitor.errors import BadMessage
from monitor.kafka_io import consumer_group_lag
from monitor.pipeline import deadletter_record, decode_article, enrich

log = logging.getLogger(__name__)


async def send_to_deadletter(message, reason: str, detail: str = "") -> None:
    log.warning("dead-lettering %s[%s]@%s: %s %s", message.topic, message.partition,
                message.offset, reason, detail[:200])
    record = deadletter_record(message.value, reason, detail, topic=message.topic,
                               partition=message.partition, offset=message.offset)
    await deadletter.send(value=orjson.dumps(record))
    metrics.deadletters.labels(message.topic, reason).inc()
    metrics.produced.labels(deadletter.get_topic_name()).inc()


# Events are taken in batches: it cuts Faust's per-event overhead, and offsets are acked
# only after the whole batch is processed (at-least-once).
BATCH_SIZE = 500
BATCH_WITHIN_SECONDS = 0.02
LAG_INTERVAL_SECONDS = 5.0
# Messages of the internal topics (enriched, claim events, alerts) larger than this are
# dead-lettered: an enriched record carries its article's text and a little more.
INTERNAL_MAX_BYTES = 2 * settings.max_message_bytes


@app.agent(raw_articles)
async def enrich_articles(stream):
    async for events in stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_SECONDS):
        for event in events:
            await enrich_one(event.message)


async def enrich_one(message) -> None:
    metrics.consumed.labels(message.topic).inc()
    started = time.perf_counter()
    try:
        article = decode_article(message.value, settings.max_message_bytes)
        # The time the article entered Kafka is what publish-to-alert latency counts from.
        article.ingested_at = message.timestamp
        record = enrich(article)
    except BadMessage as exc:
        await send_to_deadletter(message, exc.reason, exc.detail)
        return
    except Exception as exc:  # a bug on one article must not stop the stream
        log.exception("enrich failed on %s[%s]@%s", message.topic, message.partition, message.offset)
        await send_to_deadletter(message, "processing_error", repr(exc))
        return
    metrics.processing.labels("enrich").observe(time.perf_counter() - started)
    metrics.articles.labels(record["lang"] or "other").inc()
    for ev in record["events"]:
        metrics.events.labels(ev["type"], ev.get("actor") or "unknown").inc()
        if place := ev.get("place"):
            metrics.place_events.labels(ev["type"], place["country"], place["name"],
                                        f"{place['lat']:.2f}", f"{place['lon']:.2f}").inc()
    await enriched_articles.send(key=record["id"].encode(), value=orjson.dumps(record))
    metrics.produced.labels(enriched_articles.get_topic_name()).inc()


async def emit_alert(alert: dict, *, wait: bool = False) -> None:
    """Send one alert to the alerts topic, keyed by its id, and count it; with ``wait``,
    return only once the broker has it (before a table records that it went out)."""
    sent = await alerts.send(key=alert["alert_id"].encode(), value=orjson.dumps(alert))
    if wait:
        await sent
    metrics.produced.labels(alerts.get_topic_name()).inc()
    metrics.alerts.labels(*alert_labels(alert)).inc()
    ingested = (alert.get("times") or {}).get("ingested")
    if isinstance(ingested, (int, float)):
        metrics.publish_to_alert.observe(max(0.0, alert["times"]["emitted"] - ingested))


def alert_labels(alert: dict) -> tuple[str, ...]:
    event = alert.get("event") or {}
    place = event.get("place") or {}
    return (alert["kind"], alert["status"], event.get("type") or "none",
            event.get("actor") or "unknown", place.get("country") or "none")


@app.timer(interval=LAG_INTERVAL_SECONDS)
async def measure_consumer_lag() -> None:
    try:
        lag = await consumer_group_lag(settings, app.conf.id)
    except Exception as exc:  # the broker may be restarting: report on the next tick
        log.warning("could not measure consumer lag: %r", exc)
        return
    for (topic, partition), messages in lag.items():
        metrics.lag.labels(topic, str(partition)).set(messages)


@app.task
async def serve_metrics() -> None:
    start_http_server(settings.metrics_port, addr=settings.metrics_host)
    metrics.up.set(1)
    log.info("metrics on http://%s:%s/metrics", settings.metrics_host, settings.metrics_port)
