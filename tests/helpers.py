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
