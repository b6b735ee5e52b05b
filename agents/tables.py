"""Every table the app keeps, declared in one place.

Tables are Faust tables backed by compacted changelog topics (``<app id>-<name>-changelog``),
restored when a worker starts, so their state survives a restart. Keys are strings, values
JSON. A table row is written to the changelog partition of the message being processed,
so each table is co-partitioned with the stream that writes it:

- ``claims`` and ``control`` are written by ``corroborate`` from the claim-events topic,
  keyed by place key: every claim about a place (claim key = type|actor|place key) and the
  place's control record live on the partition of that place;
- ``watchlist_alerted`` is written from the enriched topic, keyed by article id;
- ``delivered`` is written by ``deliver`` from the alerts topic, keyed by alert id (the
  table key is ``<subscriber>|<alert id>``).

``claims``, ``watchlist_alerted`` and ``delivered`` grow with the news, so their entries
expire (``monitor.expiry``; horizon ``NEWSMON_DEDUP_RETENTION_SECONDS``): every
``NEWSMON_EXPIRY_INTERVAL_SECONDS`` the timer ``expire_tables`` deletes the expired entries
of the partitions this worker owns, and sends each a tombstone on the changelog partition
it was written to, so that a restarted worker does not restore it. ``control`` holds one
entry per place and never expires. ``newsmon_table_entries`` counts each table's entries.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import faust

from agents.app import app, claim_config, metrics, settings
from monitor.expiry import (
    claim_expires_at,
    claim_source_key,
    delivered_expires_at,
    delivered_source_key,
    expired,
    partition_of,
    stamped,
    watchlist_expires_at,
    watchlist_source_key,
)

log = logging.getLogger(__name__)

# Keys and values are JSON on the changelog (a key is a JSON string): ``news-monitor
# control`` reads the control changelog with nothing but a JSON parser.
SCHEMA = faust.Schema(key_type=str, key_serializer="json", value_serializer="json")
TABLE_OPTIONS = dict(schema=SCHEMA, key_type=str, default=None,
                     partitions=settings.topic_partitions)

claims = app.Table("claims", help="claim key -> ClaimState.as_dict()", **TABLE_OPTIONS)
control = app.Table("control", help="place key -> ControlState.as_dict()", **TABLE_OPTIONS)
watchlist_alerted = app.Table("watchlist_alerted", help="article id -> {rules alerted, at}",
                              **TABLE_OPTIONS)
delivered = app.Table("delivered", help="subscriber|alert id -> delivery result",
                      **TABLE_OPTIONS)

# The corroboration settings with the retention: what ``corroborate`` and the expiry use.
CLAIM_CONFIG = replace(claim_config, retention_seconds=float(settings.dedup_retention_seconds))


@dataclass(frozen=True)
class Expiring:
    """A table whose entries expire: when each may go, and the key of the message that
    wrote it (which decides its changelog partition)."""

    table: Any
    source_topic: str                                  # the topic whose events write it
    expires_at: Callable[[Any], float | None]
    source_key: Callable[[str, Any], bytes]
    stamp: bool = False                                # give entries without a time one


EXPIRING = (
    Expiring(claims, settings.claim_events_topic, partial(claim_expires_at, config=CLAIM_CONFIG),
             claim_source_key),
    Expiring(watchlist_alerted, settings.topic_enriched,
             partial(watchlist_expires_at, retention_seconds=settings.dedup_retention_seconds),
             watchlist_source_key, stamp=True),
    Expiring(delivered, settings.topic_alerts,
             partial(delivered_expires_at, retention_seconds=settings.dedup_retention_seconds),
             delivered_source_key, stamp=True),
)

for _table in (claims, control, watchlist_alerted, delivered):
    # Read at scrape time (a dict's length: safe from the metrics server's thread).
    metrics.table_entries.labels(_table.name).set_function(lambda t=_table: len(t.data))


def expire(spec: Expiring, owned: set[int], now: float) -> tuple[int, int]:
    """Delete the expired entries of ``spec.table`` on the partitions in ``owned``, each
    with a tombstone on its changelog partition; stamp the entries without a time.
    Returns (deleted, stamped)."""
    table = spec.table
    store = table.data
    items = list(store.items())        # no await below: agents do not run meanwhile
    values = dict(items)
    gone, unstamped = expired(items, spec.expires_at, now)
    deleted = restamped = 0
    for key in gone:
        p = partition_of(spec.source_key(key, values[key]), settings.topic_partitions)
        if p not in owned:
            continue                   # a standby copy: its owner expires it
        table.send_changelog(p, key, None, value_serializer="raw")
        store.pop(key, None)
        # The memory store remembers the partition of each restored key (faust private).
        getattr(store, "_key_partition", {}).pop(key, None)
        deleted += 1
    for key in unstamped if spec.stamp else ():
        p = partition_of(spec.source_key(key, values[key]), settings.topic_partitions)
        value = stamped(values[key], now)
        if p in owned and value is not None:
            table.send_changelog(p, key, value)
            store[key] = value
            restamped += 1
    if deleted:
        metrics.table_expired.labels(table.name).inc(deleted)
    return deleted, restamped


@app.timer(interval=max(0.1, float(settings.expiry_interval_seconds)))
async def expire_tables() -> None:
    """Every NEWSMON_EXPIRY_INTERVAL_SECONDS: the expired entries of this worker's
    partitions go. Skipped during a rebalance or a table recovery (partitions move)."""
    if app.rebalancing or app.tables.recovery.in_recovery:
        return
    actives = app.assignor.assigned_actives()
    now = time.time()
    for spec in EXPIRING:
        owned = {tp.partition for tp in actives if tp.topic == spec.source_topic}
        if not owned:
            continue
        deleted, restamped = expire(spec, owned, now)
        if deleted or restamped:
            log.info("table %s: %d expired entries deleted, %d stamped, %d left",
                     spec.table.name, deleted, restamped, len(spec.table.data))
