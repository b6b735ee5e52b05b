"""The worker's Prometheus metrics, in one place.

Names follow Prometheus conventions: ``newsmon_`` namespace, base units, counters
ending in ``_total``. Label values are bounded: topic names, event types, actors,
dead-letter reasons, never ids, URLs or text.
"""
from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

# Latency buckets from 1 ms to a minute: publish-to-alert is milliseconds when healthy,
# tens of seconds when a worker falls behind.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry = REGISTRY):
        self.consumed = Counter(
            "newsmon_messages_consumed_total", "Messages read from a topic by the worker.",
            ["topic"], registry=registry)
        self.produced = Counter(
            "newsmon_messages_produced_total", "Messages written to a topic by the worker.",
            ["topic"], registry=registry)
        self.processing = Histogram(
            "newsmon_processing_seconds", "Time to process one message, by stage.",
            ["stage"], buckets=LATENCY_BUCKETS, registry=registry)
        self.alerts = Counter(
            "newsmon_alerts_total",
            "Alerts emitted, by kind, status, event type, actor and the country of the place.",
            ["kind", "status", "type", "actor", "country"], registry=registry)
        self.events = Counter(
            "newsmon_events_detected_total", "Frontline events detected, by type and actor.",
            ["type", "actor"], registry=registry)
        # lat/lon follow from the place (a gazetteer entry), so they add no series; the
        # Grafana geomap needs them as labels.
        self.place_events = Counter(
            "newsmon_place_events_total", "Frontline events detected, by type and place.",
            ["type", "country", "place", "lat", "lon"], registry=registry)
        self.lag = Gauge(
            "newsmon_consumer_lag_messages",
            "Messages on a partition not yet committed by the worker's consumer group.",
            ["topic", "partition"], registry=registry)
        self.articles = Counter(
            "newsmon_articles_enriched_total", "Articles enriched, by detected language.",
            ["lang"], registry=registry)
        self.deadletters = Counter(
            "newsmon_deadletter_total", "Messages sent to the dead-letter topic, by reason.",
            ["topic", "reason"], registry=registry)
        self.publish_to_alert = Histogram(
            "newsmon_publish_to_alert_seconds",
            "From an article's arrival on the raw topic to its alert being emitted.",
            buckets=LATENCY_BUCKETS, registry=registry)
        self.deliveries = Counter(
            "newsmon_deliveries_total", "Alert deliveries to subscribers, by channel and result.",
            ["channel", "result"], registry=registry)
        self.up = Gauge("newsmon_worker_up", "1 while the worker runs.", registry=registry)
        self.table_entries = Gauge(
            "newsmon_table_entries",
            "Entries a table holds in this worker (its partitions and standby copies).",
            ["table"], registry=registry)
        self.table_expired = Counter(
            "newsmon_table_expired_total", "Table entries deleted because they expired.",
            ["table"], registry=registry)
