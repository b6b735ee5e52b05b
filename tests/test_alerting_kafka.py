"""Issue 5 end to end: a real broker, a real worker process, a real local HTTP receiver.

One worker serves the whole module (each start costs seconds); every test publishes
articles of its own (its own claim: type, actor and place) and filters on them, and the
subscribers of the worker's file each watch one test's claim. The last test restarts
the worker with the same app id.
"""
from __future__ import annotations

import asyncio
import re
import threading
import time
import urllib.request
import uuid
from datetime import datetime, timezone

import orjson
import pytest
from aiohttp import ClientSession, ClientTimeout, web
from aiokafka import AIOKafkaConsumer, TopicPartition
from click.testing import CliRunner

from monitor.cli.control import control as control_command
from monitor.delivery import ALERT_ID_HEADER, ATTEMPT_HEADER, SIGNATURE_HEADER, verify
from monitor.kafka_io import ensure_topics, publish_articles
from monitor.models import Article, article_id
from monitor.processes import start_worker, stop_process
from tests.helpers import collect, isolated_settings, run

pytestmark = pytest.mark.kafka

FLAKY_SECRET = "flaky-" + uuid.uuid4().hex
NEVER_SECRET = "never-" + uuid.uuid4().hex

# One claim per test, so tests sharing the worker never see each other's alerts.
CORROBORATED = "Syrian army forces took control of the town of Mayadin."   # capture syria_gov Al Mayadin
WEBHOOK = "Islamic State fighters seized the village of Hajin."             # capture isis Hajin
UNDELIVERABLE = "Iraqi forces advanced towards Al-Qaim."                     # advance iraq_gov Al-Qaim
SSE_WANTED = "Kurdish forces captured Raqqa."                                # capture sdf Raqqa
SSE_OTHER = "Syrian government forces captured Palmyra."                     # capture syria_gov Palmyra

WATCHLIST = """
[[rule]]
id = "ceasefire"
any = ["ceasefire", "هدنة"]
"""
WATCHLIST_RELOADED = WATCHLIST + """
[[rule]]
id = "truce-talks"
all = ["truce", "talks"]
within = 3
"""


def subscribers_toml(receiver: str, kafka_topic: str) -> str:
    return f"""
[[subscriber]]
id = "flaky"
actors = ["isis"]
statuses = ["first_report"]
[subscriber.webhook]
url = "{receiver}/flaky"
secret_env = "NEWSMON_TEST_FLAKY_SECRET"
max_attempts = 4
backoff_seconds = 0.2

[[subscriber]]
id = "never"
actors = ["iraq_gov"]
[subscriber.webhook]
url = "{receiver}/never"
secret_env = "NEWSMON_TEST_NEVER_SECRET"
max_attempts = 3
backoff_seconds = 0.1

[[subscriber]]
id = "keywords"
kinds = ["watchlist"]
[subscriber.kafka]
topic = "{kafka_topic}"
"""


class Receiver:
    """A webhook receiver on 127.0.0.1 in a thread of its own: /flaky answers 500 to the
    first two attempts of each alert, then 200; /never always answers 500."""

    def __init__(self):
        self.requests: list[dict] = []
        self._failures: dict[str, int] = {}
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        aid = request.headers.get(ALERT_ID_HEADER, "")
        status = 500
        if request.path == "/flaky":
            self._failures[aid] = self._failures.get(aid, 0) + 1
            status = 500 if self._failures[aid] <= 2 else 200
        self.requests.append({"path": request.path, "headers": dict(request.headers), "body": body,
                              "status": status})
        return web.Response(status=status)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/flaky", self._handle)
        app.router.add_post("/never", self._handle)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._started.set()
        self._loop.run_forever()

    def start(self):
        self._thread.start()
        self._started.wait(10)
        return self

    def stop(self):
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class Stack:
    def __init__(self, settings, log, receiver, kafka_topic, tmp_path):
        self.settings, self.log, self.receiver = settings, log, receiver
        self.kafka_topic, self.tmp_path = kafka_topic, tmp_path
        self.proc = None

    def start_worker(self):
        self.proc = start_worker(self.settings, self.log)

    def stop_worker(self):
        if self.proc is not None:
            stop_process(self.proc)

    def alerts(self, until, timeout=60.0):
        return run(collect(self.settings, self.settings.topic_alerts, until=until, timeout=timeout,
                           proc=self.proc, log_path=self.log))

    def all_alerts(self) -> list[dict]:
        """Every alert on the topic now (up to its end offsets)."""
        return run(read_to_end(self.settings.bootstrap, self.settings.topic_alerts))

    def metric(self, name: str, **labels) -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.settings.metrics_port}/metrics",
                                    timeout=5) as r:
            text = r.read().decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def wait_claims_consumed(self, at_least: float, timeout: float = 30.0):
        """Until the worker has read this many claim events (a replay went through)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.metric("newsmon_messages_consumed_total",
                               topic=self.settings.claim_events_topic) >= at_least:
                    time.sleep(1.0)  # and emitted whatever it would
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"the worker did not read {at_least} claim events")


@pytest.fixture(scope="module")
def stack(kafka_bootstrap, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("alerting")
    name = uuid.uuid4().hex[:8]
    receiver = Receiver().start()
    kafka_topic = f"subscriber-{name}"
    (tmp_path / "watchlist.toml").write_text(WATCHLIST, encoding="utf-8")
    (tmp_path / "subscribers.toml").write_text(subscribers_toml(receiver.url, kafka_topic), encoding="utf-8")
    settings = isolated_settings(kafka_bootstrap, name, tmp_path).with_(
        watchlist_file=str(tmp_path / "watchlist.toml"),
        subscribers_file=str(tmp_path / "subscribers.toml"),
        claim_min_sources=2)
    run(ensure_topics(settings))
    mp = pytest.MonkeyPatch()
    mp.setenv("NEWSMON_TEST_FLAKY_SECRET", FLAKY_SECRET)   # the worker inherits the environment
    mp.setenv("NEWSMON_TEST_NEVER_SECRET", NEVER_SECRET)
    s = Stack(settings, tmp_path / "worker.log", receiver, kafka_topic, tmp_path)
    s.start_worker()
    try:
        yield s
    finally:
        s.stop_worker()
        receiver.stop()
        mp.undo()


async def read_to_end(bootstrap: str, topic: str) -> list[dict]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    out: list[dict] = []
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.unsubscribe()
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out.extend(orjson.loads(r.value) for r in records)
    finally:
        await consumer.stop()
    return out


def article(text: str, source: str, *, title: str | None = None) -> Article:
    url = f"https://{source.lower().replace(' ', '-')}.example/{uuid.uuid4().hex[:10]}"
    return Article(id=article_id(url=url), title=title or text, text=text, url=url, source=source,
                   lang="en", published=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))


def publish(stack: Stack, *articles: Article) -> None:
    run(publish_articles(stack.settings, list(articles)))


def of_claim(alerts, type_, actor, place_fragment, kind="frontline"):
    return [a for a in alerts if a["kind"] == kind and a["event"]
            and a["event"]["type"] == type_ and a["event"]["actor"] == actor
            and place_fragment in ((a["event"].get("place") or {}).get("name") or "")]


def statuses(alerts):
    return sorted(a["status"] for a in alerts)


def test_corroboration_across_two_sources_then_nothing_on_replay(stack):
    a, b = article(CORROBORATED, "Outlet One"), article(CORROBORATED, "Outlet Two")
    publish(stack, a)
    alerts = stack.alerts(lambda m: of_claim(m, "capture", "syria_gov", "Mayadin"))
    first = of_claim(alerts, "capture", "syria_gov", "Mayadin")
    assert statuses(first) == ["first_report"] and first[0]["corroboration"] == 1
    assert first[0]["article"]["id"] == a.id and first[0]["evidence"]["sentence"]

    publish(stack, b)
    alerts = stack.alerts(lambda m: len(of_claim(m, "capture", "syria_gov", "Mayadin")) >= 2
                          and of_claim(m, "capture", "syria_gov", "Mayadin", kind="control_change"))
    claim = of_claim(alerts, "capture", "syria_gov", "Mayadin")
    assert statuses(claim) == ["corroborated", "first_report"]
    corroborated = next(x for x in claim if x["status"] == "corroborated")
    assert corroborated["corroboration"] == 2
    assert sorted(corroborated["sources"]) == ["outlet one", "outlet two"]
    assert {x["id"] for x in corroborated["articles"]} == {a.id, b.id}
    change = of_claim(alerts, "capture", "syria_gov", "Mayadin", kind="control_change")
    assert len(change) == 1 and change[0]["control"]["controller"] == "syria_gov"

    # Replayed articles (same content-based ids) and a third outlet: no more alerts.
    before = stack.metric("newsmon_messages_consumed_total", topic=stack.settings.claim_events_topic)
    publish(stack, a, b, article(CORROBORATED, "Outlet Three"))
    stack.wait_claims_consumed(before + 3)
    alerts = stack.all_alerts()
    assert statuses(of_claim(alerts, "capture", "syria_gov", "Mayadin")) == ["corroborated", "first_report"]
    assert len(of_claim(alerts, "capture", "syria_gov", "Mayadin", kind="control_change")) == 1
    ids = [x["alert_id"] for x in alerts]
    assert len(ids) == len(set(ids)), "an alert id was emitted twice"


def test_webhook_that_fails_twice_then_succeeds_gets_the_alert_exactly_once(stack):
    publish(stack, article(WEBHOOK, "Hajin Daily"))
    alerts = stack.alerts(lambda m: of_claim(m, "capture", "isis", "Hajin"))
    (alert,) = of_claim(alerts, "capture", "isis", "Hajin")
    deadline = time.monotonic() + 30
    while not any(r["status"] == 200 for r in stack.receiver.requests if r["path"] == "/flaky"):
        assert time.monotonic() < deadline, f"no successful delivery: {stack.receiver.requests}"
        time.sleep(0.2)
    # A replay of the article afterwards must not deliver again.
    time.sleep(1.0)
    got = [r for r in stack.receiver.requests if r["path"] == "/flaky"]
    assert [r["status"] for r in got] == [500, 500, 200]
    assert [r["headers"][ATTEMPT_HEADER] for r in got] == ["1", "2", "3"]
    for r in got:
        assert r["headers"][ALERT_ID_HEADER] == alert["alert_id"]
        assert verify(FLAKY_SECRET.encode(), r["body"], r["headers"][SIGNATURE_HEADER])
        assert orjson.loads(r["body"]) == alert
    assert not verify(NEVER_SECRET.encode(), got[-1]["body"], got[-1]["headers"][SIGNATURE_HEADER])
    assert stack.metric("newsmon_deliveries_total", channel="webhook", result="delivered") >= 1
    log = stack.log.read_text(errors="replace")
    assert FLAKY_SECRET not in log and NEVER_SECRET not in log


def test_webhook_that_never_succeeds_ends_in_the_deadletter_topic(stack):
    publish(stack, article(UNDELIVERABLE, "Qaim Herald"))
    dead = run(collect(stack.settings, stack.settings.topic_deadletter,
                       until=lambda m: any(d.get("subscriber") == "never" for d in m),
                       proc=stack.proc, log_path=stack.log))
    (record,) = [d for d in dead if d.get("subscriber") == "never"]
    assert record["reason"] == "undeliverable" and record["attempts"] == 3
    assert record["alert"]["event"]["actor"] == "iraq_gov"
    got = [r for r in stack.receiver.requests if r["path"] == "/never"]
    assert len(got) == 3 and all(r["status"] == 500 for r in got)
    assert stack.metric("newsmon_deliveries_total", channel="webhook", result="dead_lettered") >= 1
    assert stack.metric("newsmon_deadletter_total", reason="undeliverable") >= 1


def test_sse_client_receives_only_the_alerts_its_filter_wants(stack):
    url = (f"http://127.0.0.1:{stack.settings.web_port}/alerts/stream"
           "?kinds=frontline&actors=sdf&event_types=capture")

    async def listen() -> list[dict]:
        got: list[dict] = []
        async with ClientSession(timeout=ClientTimeout(total=60)) as session:
            async with session.get(url) as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"].startswith("text/event-stream")
                assert (await resp.content.readline()).startswith(b": connected")
                # Subscribed: now the articles go out, one the filter wants, one it does not.
                await asyncio.to_thread(publish, stack, article(SSE_OTHER, "Palmyra Post"),
                                        article(SSE_WANTED, "Raqqa Post"))
                async for line in resp.content:
                    if line.startswith(b"data: "):
                        got.append(orjson.loads(line[6:]))
                        if any(a["event"]["actor"] == "sdf" for a in got):
                            return got
        return got

    got = run(asyncio.wait_for(listen(), 60))
    assert got and all(a["kind"] == "frontline" and a["event"]["actor"] == "sdf" for a in got)
    assert "Raqqa" in got[-1]["event"]["place"]["name"]
    # The one the filter did not want was raised all the same.
    assert of_claim(stack.alerts(lambda m: of_claim(m, "capture", "syria_gov", "Palmyra")),
                    "capture", "syria_gov", "Palmyra")


def test_sse_rejects_an_unknown_filter(stack):
    async def get():
        async with ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{stack.settings.web_port}/alerts/stream?colour=red") as r:
                return r.status, await r.json()

    status, body = run(get())
    assert status == 400 and "colour" in body["error"]


def test_watchlist_alerts_once_per_article_and_rules_reload_without_restart(stack):
    cease = article("Both sides agreed to a ceasefire in Daraa on Sunday.", "Daraa News")
    publish(stack, cease)
    alerts = stack.alerts(lambda m: [a for a in m if a["kind"] == "watchlist"])
    (hit,) = [a for a in alerts if a["kind"] == "watchlist"]
    assert hit["watchlist"]["rule_id"] == "ceasefire" and hit["status"] == "match"
    assert hit["article"]["id"] == cease.id
    # The Kafka channel subscriber got it on its own topic.
    sub = run(collect(stack.settings, stack.kafka_topic, until=lambda m: len(m) >= 1, proc=stack.proc,
                      log_path=stack.log))
    assert [a["alert_id"] for a in sub] == [hit["alert_id"]]

    time.sleep(1.1)  # a different mtime for the rewritten file
    (stack.tmp_path / "watchlist.toml").write_text(WATCHLIST_RELOADED, encoding="utf-8")
    time.sleep(1.1)  # the worker looks at the file at most once a second
    publish(stack, cease, article("Truce talks resumed in Geneva.", "Geneva Wire"))
    alerts = stack.alerts(lambda m: any((a.get("watchlist") or {}).get("rule_id") == "truce-talks" for a in m))
    time.sleep(1.5)  # the replayed article went out first, on a partition of its own
    alerts = stack.all_alerts()
    rules = sorted(a["watchlist"]["rule_id"] for a in alerts if a["kind"] == "watchlist")
    assert rules == ["ceasefire", "truce-talks"], "a replayed article raised its watchlist alert again"


def test_tail_filter_prints_only_matching_alerts(stack):
    from monitor.cli.pipeline import alert_filter
    from monitor.subscriptions import wants

    wanted = alert_filter(("actors=isis", "statuses=first_report"))
    alerts = stack.alerts(lambda m: of_claim(m, "capture", "isis", "Hajin"), timeout=10)
    assert [a for a in alerts if wants(wanted, a)] == of_claim(alerts, "capture", "isis", "Hajin")
    assert re.search(r"want KEY=VALUE", CliRunner().invoke(
        __import__("monitor.cli", fromlist=["main"]).main, ["tail", "--filter", "nokey"]).output)


def test_control_state_survives_a_worker_restart(stack):
    """Last in the module: stops the shared worker and starts another with the same app id."""
    def mayadin(state: dict) -> dict | None:
        return next((v for k, v in state.items() if "Mayadin" in k), None)

    stack.stop_worker()
    stack.start_worker()
    url = f"http://127.0.0.1:{stack.settings.web_port}/control"
    deadline = time.monotonic() + 60
    state = {}
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                state = orjson.loads(r.read())
            if mayadin(state):
                break
        except OSError:
            pass
        assert stack.proc.poll() is None, stack.log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)
    record = mayadin(state)
    assert record and record["controller"] == "syria_gov", state
    assert sorted(record["sources"]) == ["outlet one", "outlet two"]
    assert record["place"]["lat"] and record["place"]["lon"]

    result = CliRunner().invoke(control_command, ["--place", "Mayadin"], obj=stack.settings)
    assert result.exit_code == 0, result.output
    assert mayadin(orjson.loads(result.output))["controller"] == "syria_gov"

    # The claims table came back too: a replay after the restart raises nothing.
    before = len(stack.all_alerts())
    publish(stack, article(CORROBORATED, "Outlet Four"))
    stack.wait_claims_consumed(1)
    after = stack.all_alerts()
    assert len(after) == before, [a["status"] for a in after[before:]]
