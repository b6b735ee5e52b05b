"""Shared pieces of the integration tests: a real worker process with its own names and ports."""
from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer

from monitor.config import Settings
from monitor.processes import start_worker, stop_process

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_settings(bootstrap: str, name: str, tmp_path: Path) -> Settings:
    """Settings with topics, group and ports of this test's own, so tests never share state."""
    return Settings(
        bootstrap=bootstrap, app_id=f"test-{name}",
        topic_raw=f"raw-{name}", topic_enriched=f"enriched-{name}",
        topic_alerts=f"alerts-{name}", topic_deadletter=f"deadletter-{name}",
        topic_partitions=2, web_port=free_port(), metrics_port=free_port(),
        datadir=str(tmp_path / "worker"))


@contextmanager
def running_worker(settings: Settings, log_path: Path):
    """A real `news-monitor worker` subprocess, stopped (SIGTERM) on exit."""
    proc = start_worker(settings, log_path)
    try:
        yield proc
    finally:
        stop_process(proc)


async def collect(settings: Settings, topic: str, *, until, timeout: float = 90.0,
                  proc: subprocess.Popen | None = None, log_path: Path | None = None) -> list[dict]:
    """Read a topic from the start until ``until(messages)`` holds; fail with the worker log if not."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=settings.bootstrap,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while not until(messages):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out on {topic} with {len(messages)} messages"
                                     + _log_tail(log_path))
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"worker exited with {proc.returncode}" + _log_tail(log_path))
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                messages.extend(orjson.loads(r.value) for r in records)
    finally:
        await consumer.stop()
    return messages


def _log_tail(log_path: Path | None) -> str:
    if log_path is None or not log_path.exists():
        return ""
    return "\n--- worker log ---\n" + log_path.read_text(errors="replace")[-4000:]


def run(coro):
    return asyncio.run(coro)


class WebhookReceiver:
    """A webhook receiver on 127.0.0.1 in a thread of its own that answers 200 and counts
    the deliveries of each alert by ``X-Newsmon-Alert-Id`` (signatures checked if a secret
    is given)."""

    def __init__(self, secret: bytes | None = None):
        import collections
        import threading

        self.secret = secret
        self.counts: collections.Counter = collections.Counter()
        self.bad_signatures = 0
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.url = ""

    async def _handle(self, request):
        from aiohttp import web

        from monitor.delivery import ALERT_ID_HEADER, SIGNATURE_HEADER, verify

        body = await request.read()
        if self.secret is not None and not verify(self.secret, body, request.headers.get(SIGNATURE_HEADER)):
            self.bad_signatures += 1
            return web.Response(status=401)
        self.counts[request.headers.get(ALERT_ID_HEADER, "")] += 1
        return web.Response(status=200)

    def _run(self):
        from aiohttp import web

        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        self._started.set()
        self._loop.run_forever()

    def start(self) -> WebhookReceiver:
        self._thread.start()
        self._started.wait(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def webhook_subscribers_toml(url: str, secret_env: str, kinds=("frontline",)) -> str:
    kinds_list = ", ".join(f'"{k}"' for k in kinds)
    return (f'[[subscriber]]\nid = "hook"\nkinds = [{kinds_list}]\n[subscriber.webhook]\n'
            f'url = "{url}"\nsecret_env = "{secret_env}"\nmax_attempts = 50\n'
            f'backoff_seconds = 0.2\nbackoff_max_seconds = 2\ntimeout_seconds = 5\n')


def vm_rss_kb(pid: int) -> int:
    """Resident memory of a process, from /proc/<pid>/status (0 if gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def load_corpus_articles(n: int, *, fresh_ids: bool = False, stride: int = 1) -> list:
    """``n`` real articles from ../shared/corpus (or copies of the seed with ids of their
    own when it is absent), all published now, so every claim falls in one window;
    ``stride`` takes every stride-th item, to spread a few across the whole corpus."""
    import gzip
    import itertools
    import uuid
    from datetime import datetime, timezone

    from monitor.models import Article, article_id
    from monitor.replay import article_from_item, read_articles

    corpus = SHARED / "corpus" / "ant-2018.jsonl.gz"
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if corpus.exists():
        with gzip.open(corpus, "rb") as fh:
            articles = [article_from_item(orjson.loads(line)) for line in itertools.islice(fh, 0, n * stride, stride)]
    else:
        seed = next(read_articles([REPO / "seeds"]))
        articles = [Article(id="", title=seed.title, text=seed.text, source=f"outlet-{i % 7}")
                    for i in range(n)]
        fresh_ids = True
    for i, a in enumerate(articles):
        a.published = now
        if fresh_ids:
            a.id = article_id(title=f"{uuid.uuid4()}-{i}", body="")
    return articles
