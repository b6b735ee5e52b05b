"""Delivery of alerts to subscribers: signed webhooks with retries, Kafka topics, SSE.

    deliverer = Deliverer(session, delivered, kafka_send=..., on_dead_letter=...)
    results = await deliverer.dispatch(subscribers, alert)

Delivery is idempotent per (subscriber, alert id): the *delivered set* is checked before
sending and marked once the subscriber acknowledged (a 2xx) or the alert was
dead-lettered, so a replayed or reprocessed alert is never delivered twice. The set is
anything with ``get``/``__setitem__`` (a dict in tests, a Faust table in the worker).

A webhook receives ``POST <url>`` with the alert JSON as body and the headers

    Content-Type: application/json
    X-Newsmon-Signature: sha256=<hex HMAC-SHA256 of the body with the subscriber's secret>
    X-Newsmon-Alert-Id: <alert id>      (the same on every retry: an idempotency key)
    X-Newsmon-Attempt: <1, 2, ...>

A 2xx acknowledges. Timeouts, connection errors, 408, 425, 429 and 5xx are retried with
exponential backoff (``backoff_seconds`` doubled per retry, capped); after
``max_attempts`` tries, or at once on another status (a 4xx the receiver will keep
giving), the alert is dead-lettered: ``on_dead_letter(record)`` is awaited with the
subscriber id, the alert id, the reason and the alert. Secrets are never logged.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from monitor.models import SCHEMA_VERSION
from monitor.subscriptions import (
    KafkaChannel,
    SseChannel,
    Subscriber,
    WebhookChannel,
    wants,
)

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Newsmon-Signature"
ALERT_ID_HEADER = "X-Newsmon-Alert-Id"
ATTEMPT_HEADER = "X-Newsmon-Attempt"
RETRYABLE_STATUSES = frozenset({408, 425, 429})

KafkaSend = Callable[[str, bytes, bytes], Awaitable[Any]]      # (topic, key, value)
SsePublish = Callable[[Subscriber, Mapping[str, Any]], Awaitable[Any] | Any]
DeadLetter = Callable[[dict[str, Any]], Awaitable[Any]]


def sign(secret: bytes, body: bytes) -> str:
    """The signature header value: ``sha256=<hex HMAC-SHA256 of body>``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """What a receiver does: compare the header with its own signature, in constant time."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def delivery_key(subscriber_id: str, alert_id: str) -> str:
    return f"{subscriber_id}|{alert_id}"


def alert_body(alert: Mapping[str, Any]) -> bytes:
    return orjson.dumps(alert)


@dataclass(frozen=True)
class DeliveryResult:
    subscriber: str
    alert_id: str
    status: str          # "delivered", "duplicate", "dead_lettered"
    attempts: int = 0
    detail: str = ""


class InFlight:
    """Keys being delivered right now, so two concurrent copies of an alert send once."""

    def __init__(self) -> None:
        self._keys: set[str] = set()

    def claim(self, key: str) -> bool:
        if key in self._keys:
            return False
        self._keys.add(key)
        return True

    def release(self, key: str) -> None:
        self._keys.discard(key)


class Deliverer:
    """Sends alerts to the subscribers that want them, at most once each."""

    def __init__(self, session: aiohttp.ClientSession | None,
                 delivered: MutableMapping[str, Any], *,
                 kafka_send: KafkaSend | None = None,
                 sse_publish: SsePublish | None = None,
                 on_dead_letter: DeadLetter | None = None,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 clock: Callable[[], float] = time.time):
        self.session = session
        self.delivered = delivered
        self.kafka_send = kafka_send
        self.sse_publish = sse_publish
        self.on_dead_letter = on_dead_letter
        self._sleep = sleep
        self._clock = clock
        self._in_flight = InFlight()

    async def dispatch(self, subscribers: Iterable[Subscriber],
                       alert: Mapping[str, Any]) -> list[DeliveryResult]:
        """Deliver one alert to every subscriber that wants it, concurrently."""
        targets = [s for s in subscribers if wants(s, alert)]
        if not targets:
            return []
        return list(await asyncio.gather(*(self.deliver(s, alert) for s in targets)))

    async def deliver(self, subscriber: Subscriber, alert: Mapping[str, Any]) -> DeliveryResult:
        aid = alert["alert_id"]
        key = delivery_key(subscriber.id, aid)
        if self.delivered.get(key) is not None or not self._in_flight.claim(key):
            return DeliveryResult(subscriber.id, aid, "duplicate")
        try:
            channel = subscriber.channel
            if isinstance(channel, WebhookChannel):
                result = await self._webhook(subscriber, channel, alert)
            elif isinstance(channel, KafkaChannel):
                result = await self._kafka(subscriber, channel, alert)
            elif isinstance(channel, SseChannel):
                result = await self._sse(subscriber, alert)
            else:
                result = DeliveryResult(subscriber.id, aid, "dead_lettered", 0, "no channel")
            if result.status == "dead_lettered":
                await self._dead_letter(subscriber, alert, result)
            self.delivered[key] = {"status": result.status, "at": self._clock(),
                                   "attempts": result.attempts}
            return result
        finally:
            self._in_flight.release(key)

    async def _webhook(self, subscriber: Subscriber, channel: WebhookChannel,
                       alert: Mapping[str, Any]) -> DeliveryResult:
        if self.session is None:
            raise RuntimeError("a webhook delivery needs an aiohttp.ClientSession")
        aid = alert["alert_id"]
        body = alert_body(alert)
        headers = {"Content-Type": "application/json", ALERT_ID_HEADER: aid,
                   SIGNATURE_HEADER: sign(channel.secret.reveal(), body)}
        delays = channel.delays()
        timeout = aiohttp.ClientTimeout(total=channel.timeout_seconds)
        detail = ""
        for attempt in range(1, channel.max_attempts + 1):
            headers[ATTEMPT_HEADER] = str(attempt)
            try:
                async with self.session.post(channel.url, data=body, headers=headers,
                                             timeout=timeout, allow_redirects=False) as resp:
                    await resp.read()
                    if 200 <= resp.status < 300:
                        log.info("alert %s delivered to %s (attempt %d)", aid, subscriber.id, attempt)
                        return DeliveryResult(subscriber.id, aid, "delivered", attempt)
                    detail = f"HTTP {resp.status}"
                    retry = resp.status >= 500 or resp.status in RETRYABLE_STATUSES
            except (TimeoutError, aiohttp.ClientError) as exc:
                detail = f"{type(exc).__name__}: {exc}"[:300]
                retry = True
            log.warning("alert %s to %s: attempt %d/%d failed: %s", aid, subscriber.id, attempt,
                        channel.max_attempts, detail)
            if not retry:
                return DeliveryResult(subscriber.id, aid, "dead_lettered", attempt,
                                      f"not retried: {detail}")
            if attempt < channel.max_attempts:
                await self._sleep(delays[attempt - 1])
        return DeliveryResult(subscriber.id, aid, "dead_lettered", channel.max_attempts,
                              f"gave up after {channel.max_attempts} attempts: {detail}")

    async def _kafka(self, subscriber: Subscriber, channel: KafkaChannel,
                     alert: Mapping[str, Any]) -> DeliveryResult:
        aid = alert["alert_id"]
        if self.kafka_send is None:
            return DeliveryResult(subscriber.id, aid, "dead_lettered", 0, "no Kafka producer")
        try:
            await self.kafka_send(channel.topic, aid.encode(), alert_body(alert))
        except Exception as exc:  # noqa: BLE001 - the producer's own retries are exhausted
            return DeliveryResult(subscriber.id, aid, "dead_lettered", 1, repr(exc)[:300])
        return DeliveryResult(subscriber.id, aid, "delivered", 1)

    async def _sse(self, subscriber: Subscriber, alert: Mapping[str, Any]) -> DeliveryResult:
        aid = alert["alert_id"]
        if self.sse_publish is not None:
            maybe = self.sse_publish(subscriber, alert)
            if asyncio.iscoroutine(maybe):
                await maybe
        return DeliveryResult(subscriber.id, aid, "delivered", 1)

    async def _dead_letter(self, subscriber: Subscriber, alert: Mapping[str, Any],
                           result: DeliveryResult) -> None:
        log.error("alert %s to %s dead-lettered: %s", result.alert_id, subscriber.id, result.detail)
        if self.on_dead_letter is not None:
            await self.on_dead_letter(deadletter_record(subscriber, alert, result, at=self._clock()))


def deadletter_record(subscriber: Subscriber, alert: Mapping[str, Any], result: DeliveryResult,
                      *, at: float) -> dict[str, Any]:
    """What the dead-letter topic keeps of an undeliverable alert (reason ``undeliverable``)."""
    return {"schema": SCHEMA_VERSION, "reason": "undeliverable", "detail": result.detail,
            "subscriber": subscriber.id, "alert_id": result.alert_id,
            "attempts": result.attempts, "alert": dict(alert), "at": at}


# --- Server-Sent Events ------------------------------------------------------------

def sse_event(alert: Mapping[str, Any]) -> bytes:
    """One SSE frame: ``id`` is the alert id (a client's Last-Event-ID), data the JSON."""
    return (b"id: " + str(alert.get("alert_id", "")).encode() + b"\nevent: alert\ndata: "
            + orjson.dumps(alert) + b"\n\n")


class SseHub:
    """Fan-out of alerts to connected SSE clients, each with its own filter.

    ``subscribe(subscriber)`` returns a bounded queue of alerts the client wants; a
    client too slow to keep up loses the oldest alerts rather than blocking the worker.
    """

    def __init__(self, queue_size: int = 1000):
        self.queue_size = queue_size
        self._clients: dict[asyncio.Queue, Subscriber] = {}

    def subscribe(self, subscriber: Subscriber) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(self.queue_size)
        self._clients[q] = subscriber
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self._clients.pop(q, None)

    def __len__(self) -> int:
        return len(self._clients)

    def publish(self, alert: Mapping[str, Any]) -> int:
        """Queue the alert for every client that wants it; how many got it."""
        n = 0
        for q, sub in list(self._clients.items()):
            if not wants(sub, alert):
                continue
            if q.full():
                q.get_nowait()
            q.put_nowait(alert)
            n += 1
        return n
