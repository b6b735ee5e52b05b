"""The poller's Prometheus metrics, per feed.

The ``feed`` label is the feed's configured name (bounded by the feed list, never a
URL); ``result`` is one of :data:`RESULTS`. Tests pass their own CollectorRegistry.
"""
from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from monitor.fetch import ERROR_KINDS

# new: entries published; unchanged: 200 but nothing new; not_modified: 304.
RESULTS = ("new", "unchanged", "not_modified") + ERROR_KINDS


class PollMetrics:
    def __init__(self, registry: CollectorRegistry = REGISTRY):
        self.registry = registry
        self.polls = Counter("newsmon_feed_polls_total", "Feed polls by result (new, unchanged, not_modified, "
                             "or an error kind)", ["feed", "result"], registry=registry)
        self.entries = Counter("newsmon_feed_entries_published_total", "Feed entries published as articles",
                               ["feed"], registry=registry)
        self.last_success = Gauge("newsmon_feed_last_success_timestamp_seconds",
                                  "When the feed was last fetched without error (epoch seconds)",
                                  ["feed"], registry=registry)
        self.failures = Gauge("newsmon_feed_consecutive_failures", "Consecutive failed polls of the feed",
                              ["feed"], registry=registry)
        self.response_bytes = Counter("newsmon_feed_response_bytes_total", "Response body bytes read off the wire",
                                      ["feed"], registry=registry)
        self.fetch_seconds = Histogram("newsmon_feed_fetch_seconds", "Time to fetch a feed, redirects included",
                                       ["feed"], registry=registry,
                                       buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
        self.commit_seconds = Histogram("newsmon_poller_commit_seconds",
                                        "Time to commit a batch of articles and feed state to Kafka",
                                        registry=registry)

    def observe(self, feed: str, result: str, *, wire_bytes: int, seconds: float, published: int,
                consecutive_failures: int, success_at: float | None) -> None:
        if result not in RESULTS:
            result = "connection"
        self.polls.labels(feed, result).inc()
        if published:
            self.entries.labels(feed).inc(published)
        if wire_bytes:
            self.response_bytes.labels(feed).inc(wire_bytes)
        self.fetch_seconds.labels(feed).observe(seconds)
        self.failures.labels(feed).set(consecutive_failures)
        if success_at is not None:
            self.last_success.labels(feed).set(success_at)

    def value(self, name: str, **labels: str) -> float:
        """A sample's current value (0 when absent), for tests and the bench."""
        v = self.registry.get_sample_value(name, labels)
        return 0.0 if v is None else v


def serve(port: int, host: str = "127.0.0.1", registry: CollectorRegistry = REGISTRY) -> None:
    start_http_server(port, addr=host, registry=registry)
