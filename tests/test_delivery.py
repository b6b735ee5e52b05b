"""Webhook delivery against a real local HTTP receiver on 127.0.0.1."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import aiohttp
import orjson
from aiohttp import web

from monitor.delivery import (
    ALERT_ID_HEADER,
    ATTEMPT_HEADER,
    SIGNATURE_HEADER,
    Deliverer,
    SseHub,
    delivery_key,
    sse_event,
    verify,
)
from monitor.subscriptions import (
    KafkaChannel,
    Secret,
    SseChannel,
    Subscriber,
    WebhookChannel,
    subscriber_from_query,
)

SECRET = b"test-secret"
ALERT = {"schema": 1, "alert_id": "a1b2c3", "kind": "frontline", "status": "corroborated",
         "corroboration": 2, "event": {"type": "capture", "actor": "isis", "place": {
             "name": "Hawijat Saqr", "country": "SY", "lat": 35.34, "lon": 40.16}}}


class Receiver:
    """A webhook endpoint that answers ``fail`` (an HTTP status) ``failures`` times, then 200."""

    def __init__(self, failures: int, fail: int = 503):
        self.failures = failures
        self.fail = fail
        self.requests: list[tuple[bytes, dict]] = []
        self.accepted: list[dict] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((body, dict(request.headers)))
        if len(self.requests) <= self.failures:
            return web.Response(status=self.fail)
        assert verify(SECRET, body, request.headers.get(SIGNATURE_HEADER))
        self.accepted.append(orjson.loads(body))
        return web.Response(status=204)


@asynccontextmanager
async def serve(receiver: Receiver):
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/hook"
    finally:
        await runner.cleanup()


def webhook(url: str, max_attempts: int = 5) -> Subscriber:
    return Subscriber(id="hook", channel=WebhookChannel(url=url, secret=Secret(SECRET),
                                                        max_attempts=max_attempts, backoff_seconds=0.01,
                                                        backoff_max_seconds=0.05, timeout_seconds=5))


class Sleeps:
    def __init__(self):
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(delay)


def test_webhook_failing_twice_receives_the_alert_exactly_once_signed():
    async def main():
        receiver = Receiver(failures=2)
        delivered: dict = {}
        dead: list = []
        sleeps = Sleeps()
        async with serve(receiver) as url, aiohttp.ClientSession() as session:
            deliverer = Deliverer(session, delivered, on_dead_letter=_append(dead), sleep=sleeps)
            results = await deliverer.dispatch([webhook(url)], ALERT)
            # the same alert again (a replay, a reprocessed offset): not sent again
            again = await deliverer.dispatch([webhook(url)], ALERT)
            # and not either by a new deliverer sharing the delivered set (a restarted worker)
            restarted = await Deliverer(session, delivered).deliver(webhook(url), ALERT)
        return receiver, results, again, restarted, delivered, dead, sleeps

    receiver, results, again, restarted, delivered, dead, sleeps = asyncio.run(main())
    assert [(r.status, r.attempts) for r in results] == [("delivered", 3)]
    assert [r.status for r in again] == ["duplicate"] and restarted.status == "duplicate"
    assert receiver.accepted == [ALERT]
    assert len(receiver.requests) == 3
    for attempt, (body, headers) in enumerate(receiver.requests, 1):
        assert verify(SECRET, body, headers[SIGNATURE_HEADER])
        assert headers[ALERT_ID_HEADER] == "a1b2c3" and headers[ATTEMPT_HEADER] == str(attempt)
        assert headers["Content-Type"] == "application/json"
    assert sleeps.delays == [0.01, 0.02]   # exponential backoff
    assert delivered[delivery_key("hook", "a1b2c3")]["status"] == "delivered"
    assert dead == []


def test_webhook_that_never_succeeds_is_dead_lettered_once():
    async def main():
        receiver = Receiver(failures=10**6, fail=500)
        delivered: dict = {}
        dead: list = []
        async with serve(receiver) as url, aiohttp.ClientSession() as session:
            deliverer = Deliverer(session, delivered, on_dead_letter=_append(dead))
            [result] = await deliverer.dispatch([webhook(url, max_attempts=3)], ALERT)
            [again] = await deliverer.dispatch([webhook(url, max_attempts=3)], ALERT)
        return receiver, result, again, dead

    receiver, result, again, dead = asyncio.run(main())
    assert (result.status, result.attempts) == ("dead_lettered", 3)
    assert "HTTP 500" in result.detail
    assert len(receiver.requests) == 3 and receiver.accepted == []
    assert again.status == "duplicate"
    [record] = dead
    assert record["reason"] == "undeliverable" and record["subscriber"] == "hook"
    assert record["alert_id"] == "a1b2c3" and record["alert"] == ALERT and record["attempts"] == 3
    assert "test-secret" not in repr(record)


def test_a_permanent_client_error_is_not_retried():
    async def main():
        receiver = Receiver(failures=10**6, fail=410)
        dead: list = []
        async with serve(receiver) as url, aiohttp.ClientSession() as session:
            result = await Deliverer(session, {}, on_dead_letter=_append(dead)).deliver(webhook(url), ALERT)
        return receiver, result, dead

    receiver, result, dead = asyncio.run(main())
    assert result.status == "dead_lettered" and result.attempts == 1 and len(receiver.requests) == 1
    assert len(dead) == 1


def test_unreachable_webhook_retries_then_dead_letters():
    async def main():
        # a port nobody listens on: bind, note it, close
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        dead: list = []
        async with aiohttp.ClientSession() as session:
            result = await Deliverer(session, {}, on_dead_letter=_append(dead)).deliver(
                webhook(f"http://127.0.0.1:{port}/hook", max_attempts=2), ALERT)
        return result, dead

    result, dead = asyncio.run(main())
    assert result.status == "dead_lettered" and result.attempts == 2
    assert "ClientConnectorError" in result.detail and len(dead) == 1


def test_concurrent_copies_of_one_alert_are_sent_once():
    async def main():
        receiver = Receiver(failures=0)
        async with serve(receiver) as url, aiohttp.ClientSession() as session:
            deliverer = Deliverer(session, {})
            results = await asyncio.gather(*(deliverer.deliver(webhook(url), ALERT) for _ in range(5)))
        return receiver, results

    receiver, results = asyncio.run(main())
    assert sorted(r.status for r in results) == ["delivered"] + ["duplicate"] * 4
    assert len(receiver.accepted) == 1


def test_dispatch_filters_and_uses_kafka_and_sse_channels():
    async def main():
        sent, published = [], []

        async def kafka_send(topic, key, value):
            sent.append((topic, key, orjson.loads(value)))

        subs = [Subscriber("archive", KafkaChannel("archive.alerts")),
                Subscriber("dash", SseChannel()),
                Subscriber("houthis-only", KafkaChannel("other"), actors=frozenset({"houthis"}))]
        deliverer = Deliverer(None, {}, kafka_send=kafka_send,
                              sse_publish=lambda s, a: published.append((s.id, a["alert_id"])))
        results = await deliverer.dispatch(subs, ALERT)
        return sent, published, results

    sent, published, results = asyncio.run(main())
    assert sorted((r.subscriber, r.status) for r in results) == [("archive", "delivered"), ("dash", "delivered")]
    assert sent == [("archive.alerts", b"a1b2c3", ALERT)]
    assert published == [("dash", "a1b2c3")]


def test_sse_hub_filters_and_formats():
    async def main():
        hub = SseHub(queue_size=2)
        wants_isis = hub.subscribe(subscriber_from_query({"actors": "isis"}))
        wants_houthis = hub.subscribe(subscriber_from_query({"actors": "houthis"}))
        for i in range(3):
            hub.publish({**ALERT, "alert_id": f"a{i}"})
        got = [wants_isis.get_nowait()["alert_id"] for _ in range(wants_isis.qsize())]
        hub.unsubscribe(wants_isis)
        return got, wants_houthis.qsize(), len(hub)

    got, other, clients = asyncio.run(main())
    assert got == ["a1", "a2"]          # the slow client lost the oldest
    assert other == 0 and clients == 1
    frame = sse_event(ALERT)
    assert frame.startswith(b"id: a1b2c3\nevent: alert\ndata: {") and frame.endswith(b"\n\n")


def _append(sink: list):
    async def callback(record):
        sink.append(record)
    return callback
