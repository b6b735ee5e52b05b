"""One settings object, read from the environment only by entry points.

Every setting has an environment variable ``NEWSMON_<NAME>`` (upper case); the
broker address also answers to the conventional ``KAFKA_BOOTSTRAP``.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from monitor.errors import ConfigError

ENV_PREFIX = "NEWSMON_"
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


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
    # Consumer-group liveness: a worker that stops heartbeating (SIGKILL, a lost host) is
    # out of its group after this long and its partitions go to the others. The broker
    # must allow it (group.min.session.timeout.ms, 6 s by default; the local broker: 1 s).
    session_timeout_seconds: float = 10.0
    # How long a Kafka request may take before it is retried; at least the session timeout.
    request_timeout_seconds: float = 40.0
    # A secured cluster: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; SASL mechanism PLAIN,
    # SCRAM-SHA-256 or SCRAM-SHA-512. The password comes from NEWSMON_KAFKA_SASL_PASSWORD or
    # from the file NEWSMON_KAFKA_SASL_PASSWORD_FILE names, and never shows in a repr or log.
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str = ""
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = field(default="", repr=False)
    kafka_sasl_password_file: str = ""
    kafka_ssl_cafile: str = ""
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
    # The horizon of the worker's memory: a claim is kept until its window has ended and
    # no report of it has come for this long; an (article, watchlist rule) alert and a
    # (subscriber, alert) delivery for this long after they went out. A replay, re-poll or
    # redelivery within it raises and delivers nothing again; older entries are deleted.
    dedup_retention_seconds: float = 7 * 24 * 3600.0
    # How often the worker deletes the table entries that have expired.
    expiry_interval_seconds: float = 60.0
    # Alert deliveries (webhooks, Kafka topics) in flight at once in one worker.
    delivery_concurrency: int = 8
    # Local broker managed by `news-monitor broker`
    broker_port: int = 9092
    broker_controller_port: int = 9093
    broker_data_dir: str = ".run/kafka"
    kafka_cache_dir: str = ".cache/kafka"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = (int(raw) if f.type in ("int", int)
                                  else float(raw) if f.type in ("float", float) else raw)
        if "bootstrap" not in values and env.get("KAFKA_BOOTSTRAP"):
            values["bootstrap"] = env["KAFKA_BOOTSTRAP"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def heartbeat_interval_seconds(self) -> float:
        """A third of the session timeout or less, as Kafka advises."""
        return max(0.1, min(3.0, self.session_timeout_seconds / 4))

    def kafka_password(self) -> str:
        """The SASL password, from the setting or read from its file (never logged)."""
        if self.kafka_sasl_password:
            return self.kafka_sasl_password
        if self.kafka_sasl_password_file:
            try:
                return Path(self.kafka_sasl_password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"Kafka SASL password file {self.kafka_sasl_password_file} "
                                  f"cannot be read ({exc.strerror})") from None
        return ""

    def check_kafka_security(self) -> None:
        """ConfigError if the Kafka security settings cannot work together."""
        protocol = self.kafka_security_protocol.upper()
        if protocol not in SECURITY_PROTOCOLS:
            raise ConfigError(f"NEWSMON_KAFKA_SECURITY_PROTOCOL {self.kafka_security_protocol!r}: "
                              f"want one of {', '.join(SECURITY_PROTOCOLS)}")
        if protocol.startswith("SASL_"):
            if self.kafka_sasl_mechanism.upper() not in SASL_MECHANISMS:
                raise ConfigError(f"NEWSMON_KAFKA_SASL_MECHANISM {self.kafka_sasl_mechanism!r}: "
                                  f"want one of {', '.join(SASL_MECHANISMS)}")
            if not self.kafka_sasl_username or not self.kafka_password():
                raise ConfigError(f"{protocol} needs NEWSMON_KAFKA_SASL_USERNAME and "
                                  "NEWSMON_KAFKA_SASL_PASSWORD (or NEWSMON_KAFKA_SASL_PASSWORD_FILE)")
        if self.session_timeout_seconds > self.request_timeout_seconds:
            raise ConfigError("NEWSMON_SESSION_TIMEOUT_SECONDS must not exceed "
                              "NEWSMON_REQUEST_TIMEOUT_SECONDS")

    @property
    def claim_events_topic(self) -> str:
        return self.topic_claim_events or f"{self.app_id}-claim-events"

    def changelog_topic(self, table: str) -> str:
        """The Kafka topic Faust keeps a table's changelog in."""
        return f"{self.app_id}-{table}-changelog"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)
