"""One settings object, read from the environment only by entry points.

Every setting has an environment variable ``NEWSMON_<NAME>`` (upper case); the
broker address also answers to the conventional ``KAFKA_BOOTSTRAP``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

ENV_PREFIX = "NEWSMON_"


def project_home() -> Path:
    """Where caches and run state live: the current directory unless NEWSMON_HOME says otherwise."""
    return Path(os.environ.get("NEWSMON_HOME", ".")).resolve()


@dataclass(frozen=True)
class Settings:
    # Kafka
    bootstrap: str = "127.0.0.1:9092"
    topic_raw: str = "news.articles.raw"
    topic_enriched: str = "news.articles.enriched"
    topic_alerts: str = "news.alerts"
    topic_deadletter: str = "news.deadletter"
    # The internal topic of claims repartitioned by place ("" = "<app_id>-claim-events").
    topic_claim_events: str = ""
    topic_partitions: int = 4
    # Faust worker
    app_id: str = "news-monitor"
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9108
    datadir: str = ".run/worker"
    # Messages larger than this are dead-lettered rather than processed.
    max_message_bytes: int = 1_000_000
    # Alerting: watchlist rules and subscribers (TOML files, "" = none), corroboration.
    watchlist_file: str = ""
    subscribers_file: str = ""
    claim_window_seconds: int = 86400
    claim_min_sources: int = 2
    # Alert deliveries (webhooks, Kafka topics) in flight at once in one worker.
    delivery_concurrency: int = 8
    # Local broker managed by `news-monitor broker`
    broker_port: int = 9092
    broker_controller_port: int = 9093
    broker_data_dir: str = ".run/kafka"
    kafka_cache_dir: str = ".cache/kafka"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = int(raw) if f.type in ("int", int) else raw
        if "bootstrap" not in values and env.get("KAFKA_BOOTSTRAP"):
            values["bootstrap"] = env["KAFKA_BOOTSTRAP"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def claim_events_topic(self) -> str:
        return self.topic_claim_events or f"{self.app_id}-claim-events"

    def changelog_topic(self, table: str) -> str:
        """The Kafka topic Faust keeps a table's changelog in."""
        return f"{self.app_id}-{table}-changelog"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)
