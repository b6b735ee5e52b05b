"""The Faust application. Run it with ``news-monitor worker`` (or ``faust -A agents.app worker``).

Settings come from the environment (``NEWSMON_*``, ``KAFKA_BOOTSTRAP``): this module is an
entry point, the only place besides the CLI that reads it.
"""
from __future__ import annotations

import os

import faust
from aiokafka.helpers import create_ssl_context

from agents.consumer import Transport as GapSafeTransport
from monitor.config import Settings
from monitor.corroborate import ClaimConfig
from monitor.metrics import WorkerMetrics
from monitor.subscriptions import load_subscribers
from monitor.watchlists import WatchlistFile

settings = Settings.from_env()
settings.check_kafka_security()
metrics = WorkerMetrics()
claim_config = ClaimConfig(window_seconds=float(settings.claim_window_seconds),
                           min_sources=settings.claim_min_sources)
# The watchlist reloads itself when its file changes; subscribers are read once, at start
# (webhook secrets come from this process's environment or from files: never logged).
watchlist = WatchlistFile(settings.watchlist_file) if settings.watchlist_file else None
subscribers = (load_subscribers(settings.subscribers_file, environ=os.environ)
               if settings.subscribers_file else [])



def broker_credentials(settings: Settings) -> faust.SASLCredentials | faust.SSLCredentials | None:
    """Faust's form of the Kafka security settings (None: PLAINTEXT). The password is
    read here, from the environment or its file, and faust's repr of it shows no password."""
    protocol = settings.kafka_security_protocol.upper()
    if protocol == "PLAINTEXT":
        return None
    context = None
    if protocol in ("SSL", "SASL_SSL"):
        context = create_ssl_context(cafile=settings.kafka_ssl_cafile or None)
    if protocol == "SSL":
        return faust.SSLCredentials(context)
    return faust.SASLCredentials(username=settings.kafka_sasl_username,
                                 password=settings.kafka_password(), ssl_context=context,
                                 mechanism=settings.kafka_sasl_mechanism.upper())


class App(faust.App):
    """faust.App with a consumer that commits past transaction markers (agents/consumer.py:
    faust 0.15.3 falls further behind on every gap they leave, faust-streaming/faust#312)."""

    def _new_transport(self):
        return GapSafeTransport(self.conf.broker_consumer, self)


app = App(
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
    # /assignment/ (the partitions this worker owns) and /stats/: what the scale-out tests and
    # bench/scale.py watch; like every page, on loopback unless NEWSMON_WEB_HOST says otherwise.
    web_stats_enabled=True,
    broker_credentials=broker_credentials(settings),
    # A worker killed without leaving the group (SIGKILL, a lost host) stops heartbeating;
    # after the session timeout the broker gives its partitions to the other workers.
    broker_session_timeout=settings.session_timeout_seconds,
    broker_heartbeat_interval=settings.heartbeat_interval_seconds,
    broker_request_timeout=max(settings.request_timeout_seconds, settings.session_timeout_seconds),
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
