"""The Faust application. Run it with ``news-monitor worker`` (or ``faust -A agents.app worker``).

Settings come from the environment (``NEWSMON_*``, ``KAFKA_BOOTSTRAP``): this module is an
entry point, the only place besides the CLI that reads it.
"""
from __future__ import annotations

import os

import faust

from monitor.config import Settings
from monitor.corroborate import ClaimConfig
from monitor.metrics import WorkerMetrics
from monitor.subscriptions import load_subscribers
from monitor.watchlists import WatchlistFile

settings = Settings.from_env()
metrics = WorkerMetrics()
claim_config = ClaimConfig(window_seconds=float(settings.claim_window_seconds),
                           min_sources=settings.claim_min_sources)
# The watchlist reloads itself when its file changes; subscribers are read once, at start
# (webhook secrets come from this process's environment or from files: never logged).
watchlist = WatchlistFile(settings.watchlist_file) if settings.watchlist_file else None
subscribers = (load_subscribers(settings.subscribers_file, environ=os.environ)
               if settings.subscribers_file else [])

app = faust.App(
    settings.app_id,
    broker=f"kafka://{settings.bootstrap}",
    # Messages are bytes in and out: the agents decode them with orjson themselves, so
    # that a message that is not JSON reaches the dead-letter topic instead of a crash.
    key_serializer="raw",
    value_serializer="raw",
    topic_partitions=settings.topic_partitions,
    topic_replication_factor=1,
    store="memory://",
    datadir=settings.datadir,
    web_bind=settings.web_host,
    web_host=settings.web_host,
    web_port=settings.web_port,
    producer_acks=-1,
    # A raw article may be up to max_message_bytes; the fetch must accept one that size
    # to dead-letter it rather than stall on it.
    consumer_max_fetch_size=max(settings.max_message_bytes * 2, 4 * 1024 * 1024),
    producer_max_request_size=max(settings.max_message_bytes, 1024 * 1024),
    consumer_auto_offset_reset="earliest",
    autodiscover=False,
)

# Importing the agents registers them with the app (topics and tables are imported by them).
from agents import agents, alerting, delivery, tables, topics  # noqa: E402,F401
